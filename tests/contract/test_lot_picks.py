"""Lots follow picks (this project's extension, docs/api.md): each pick names its lot, the
units are held in that lot while the order is open, and leave it when the order completes."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import Conflict, InvalidInput
from console.domain.models import Lot
from tests.contract.test_fulfillments import PARCEL, order
from tests.contract.world import BOLT, COLUMBUS, MILK


async def lot(backend: Backend, lot_id: str) -> Lot:
    return await backend.get_lot(lot_id)


def counts(found: Lot) -> tuple[int, int, int]:
    return (found.total_qty, found.available_qty, found.reserved_qty)


async def pick(backend: Backend, ful_id: str, picked: int, **lots: int) -> object:
    record = {"item_id": MILK, "picked_qty": picked}
    if lots:
        record["lots"] = [{"lot_id": k, "qty": v} for k, v in lots.items()]
    return await backend.update_fulfillment(ful_id, {"inventory": [record]})


async def test_the_server_says_it_keeps_lots_per_pick(backend: Backend) -> None:
    await backend.list_locations()
    assert backend.capabilities.lot_picks


async def test_a_picked_lot_is_held_then_leaves_the_lot_when_the_order_completes(
    backend: Backend,
) -> None:
    assert counts(await lot(backend, "lot_soon")) == (6, 5, 0)
    ful = await order(backend, milk=3)
    ful = await pick(backend, ful.id, 3, lot_soon=3)  # type: ignore[assignment]
    assert [(p.lot_id, p.qty) for p in ful.inventory[0].lots] == [("lot_soon", 3)]
    assert counts(await lot(backend, "lot_soon")) == (6, 2, 3), "held for the order"
    await backend.update_fulfillment(ful.id, {"status": "picked"})
    await backend.update_fulfillment(
        ful.id,
        {
            "parcels": [{**PARCEL, "inventory": [{"item_id": MILK, "qty": 3}]}],
            "inventory": [{"item_id": MILK, "packed_qty": 3}],
            "status": "packed",
        },
    )
    await backend.update_fulfillment(ful.id, {"status": "completed"})
    assert counts(await lot(backend, "lot_soon")) == (3, 2, 0), "shipped out of the lot"
    assert counts(await lot(backend, "lot_far")) == (8, 8, 0), "the other lot untouched"


async def test_a_pick_sent_twice_holds_once_and_a_smaller_count_gives_back(
    backend: Backend,
) -> None:
    ful = await order(backend, milk=3)
    await pick(backend, ful.id, 2, lot_soon=2)
    await pick(backend, ful.id, 2, lot_soon=2)  # absolute: the same again changes nothing
    assert counts(await lot(backend, "lot_soon")) == (6, 3, 2)
    await pick(backend, ful.id, 1, lot_soon=1)
    assert counts(await lot(backend, "lot_soon")) == (6, 4, 1)


async def test_canceling_returns_the_held_units_to_the_lot(backend: Backend) -> None:
    ful = await order(backend, milk=3)
    await pick(backend, ful.id, 3, lot_soon=2, lot_far=1)
    await backend.update_fulfillment(ful.id, {"status": "canceled", "cancel_reason": "test"})
    assert counts(await lot(backend, "lot_soon")) == (6, 5, 0)
    assert counts(await lot(backend, "lot_far")) == (8, 8, 0)


@pytest.mark.parametrize(
    ("lots", "error", "words"),
    [
        ({"lot_soon": 4}, Conflict, "more than the 3 picked"),  # more from lots than picked
        ({"lot_expired": 1}, Conflict, "expired"),
        ({"lot_none": 1}, InvalidInput, "another item"),  # the gloves' lot, in Columbus
        ({"lot_nope": 1}, InvalidInput, "unknown lot"),
    ],
)
async def test_a_pick_from_a_lot_that_cannot_give_it_changes_nothing(
    backend: Backend, unchanged, lots: dict[str, int], error: type[Exception], words: str
) -> None:
    ful = await order(backend, milk=3)
    check = await unchanged()
    with pytest.raises(error) as refused:
        await pick(backend, ful.id, 3, **lots)
    assert words in str(refused.value) + " ".join(str(e) for e in refused.value.errors)  # type: ignore[attr-defined]
    await check()


async def test_no_lot_gives_more_than_it_has_available(backend: Backend, unchanged) -> None:
    first = await order(backend, milk=3)
    second = await order(backend, milk=3)
    await pick(backend, first.id, 3, lot_soon=3)
    check = await unchanged()
    with pytest.raises(Conflict, match="has 2 available"):
        await pick(backend, second.id, 3, lot_soon=3)
    await check()


async def test_a_lot_moved_onto_another_items_line_is_refused(backend: Backend, unchanged) -> None:
    ful = await order(backend, milk=2, bolt=1)
    await pick(backend, ful.id, 2, lot_soon=2)
    check = await unchanged()
    with pytest.raises(InvalidInput, match="not a lot of"):
        await backend.update_fulfillment(
            ful.id,
            {
                "inventory": [
                    {"item_id": MILK, "picked_qty": 2, "lots": [{"lot_id": "lot_soon", "qty": 1}]},
                    {"item_id": BOLT, "picked_qty": 1, "lots": [{"lot_id": "lot_soon", "qty": 1}]},
                ]
            },
        )
    await check()


async def test_an_order_holding_a_lot_edited_since_can_still_be_canceled(backend: Backend) -> None:
    ful = await order(backend, milk=2)
    await pick(backend, ful.id, 2, lot_soon=2)
    await backend.update_lot("lot_soon", {"location_id": COLUMBUS})  # moved while held
    canceled = await backend.update_fulfillment(
        ful.id, {"status": "canceled", "cancel_reason": "lot moved"}
    )
    assert canceled.status == "canceled"
    lot = await backend.get_lot("lot_soon")
    assert (lot.available_qty, lot.reserved_qty) == (5, 0), "the held units came back"
