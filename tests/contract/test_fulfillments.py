"""Outbound fulfillments: reservation, picking, packing, completion, cancellation."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import Conflict, InvalidInput, NotFound
from console.domain.models import Fulfillment
from console.domain.queries import FulfillmentQuery
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, COLUMBUS, DAY, GLOVES, MILK, NOW, RENO

PARCEL = {"length": 12, "width": 10, "height": 8, "weight": 4.5}


async def order(backend: Backend, **lines: int) -> Fulfillment:
    items = {"bolt": BOLT, "milk": MILK}
    return await backend.create_fulfillment(
        {
            "location_id": RENO,
            "order_number": "SO-1",
            "complete_at": NOW + DAY,
            "inventory": [{"item_id": items[k], "qty": v} for k, v in lines.items()],
        }
    )


async def pick_all(backend: Backend, ful: Fulfillment) -> Fulfillment:
    picks = [{"item_id": line.item_id, "picked_qty": line.qty} for line in ful.inventory]
    return await backend.update_fulfillment(ful.id, {"inventory": picks, "status": "picked"})


async def test_creating_reserves_stock_bin_by_bin(backend: Backend) -> None:
    ful = await order(backend, bolt=12, milk=3)
    assert ful.status == "created"
    bolt = await backend.get_item(BOLT)
    assert (qty(bolt, RENO, A1), qty(bolt, RENO, A1, "reserved_qty")) == (0, 10)
    assert (qty(bolt, RENO, A2), qty(bolt, RENO, A2, "reserved_qty")) == (3, 2)
    assert (bolt.total_verified, bolt.total_reserved) == (3, 12)
    milk = await backend.get_item(MILK)
    assert (milk.total_verified, milk.total_reserved) == (17, 3)


async def test_more_than_in_stock_is_refused(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(Conflict, match="Only 15"):
        await order(backend, milk=1, bolt=16)
    with pytest.raises(Conflict):  # the gloves are in Columbus, not Reno
        await backend.create_fulfillment(
            {"location_id": RENO, "inventory": [{"item_id": GLOVES, "qty": 1}]}
        )
    await check()


@pytest.mark.parametrize(
    "body",
    [
        {"location_id": RENO, "inventory": []},
        {"location_id": RENO, "inventory": [{"item_id": BOLT, "qty": 0}]},
        {"location_id": RENO, "inventory": [{"item_id": BOLT, "qty": "2"}]},
        {
            "location_id": RENO,
            "inventory": [{"item_id": BOLT, "qty": 1}, {"item_id": BOLT, "qty": 1}],
        },
        {"location_id": "loc_nope", "inventory": [{"item_id": BOLT, "qty": 1}]},
        {"location_id": RENO, "inventory": [{"item_id": "item_nope", "qty": 1}]},
    ],
)
async def test_bad_orders_are_refused(backend: Backend, unchanged, body: dict) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput):
        await backend.create_fulfillment(body)
    await check()


async def test_whole_pick_pack_and_completion(backend: Backend) -> None:
    ful = await order(backend, bolt=4, milk=2)
    first = await backend.update_fulfillment(
        ful.id, {"inventory": [{"item_id": BOLT, "picked_qty": 1}]}
    )
    assert first.status == "processing"
    picked = await pick_all(backend, ful)
    assert picked.status == "picked"
    parcels = [PARCEL | {"inventory": [{"item_id": BOLT, "qty": 4}, {"item_id": MILK, "qty": 2}]}]
    packed = await backend.update_fulfillment(ful.id, {"parcels": parcels, "status": "packed"})
    assert packed.status == "packed"
    assert packed.parcels[0].id.startswith("prcl_")
    assert [line.packed_qty for line in packed.inventory] == [4, 2]
    done = await backend.update_fulfillment(ful.id, {"status": "completed"})
    assert done.status == "completed"
    bolt = await backend.get_item(BOLT)
    milk = await backend.get_item(MILK)
    assert (bolt.total_verified, bolt.total_reserved) == (11, 0)
    assert (milk.total_verified, milk.total_reserved) == (18, 0)


async def test_cancel_returns_reserved_stock_and_needs_a_reason(
    backend: Backend, unchanged
) -> None:
    ful = await order(backend, bolt=12)
    await backend.update_fulfillment(ful.id, {"inventory": [{"item_id": BOLT, "picked_qty": 5}]})
    check = await unchanged()
    with pytest.raises(InvalidInput, match="reason"):
        await backend.update_fulfillment(ful.id, {"status": "canceled"})
    await check()
    canceled = await backend.update_fulfillment(
        ful.id, {"status": "canceled", "cancel_reason": "customer called"}
    )
    assert (canceled.status, canceled.cancel_reason) == ("canceled", "customer called")
    bolt = await backend.get_item(BOLT)
    assert (qty(bolt, RENO, A1), qty(bolt, RENO, A2), bolt.total_reserved) == (10, 5, 0)


async def test_short_pick_with_reason_then_completion_returns_the_rest(backend: Backend) -> None:
    ful = await order(backend, bolt=6)
    with pytest.raises(Conflict, match="not picked"):
        await backend.update_fulfillment(
            ful.id, {"inventory": [{"item_id": BOLT, "picked_qty": 4}], "status": "picked"}
        )
    short = await backend.update_fulfillment(
        ful.id,
        {
            "inventory": [{"item_id": BOLT, "picked_qty": 4, "short_reason": "bin empty"}],
            "status": "picked",
        },
    )
    assert short.status == "picked"
    assert short.inventory[0].short_reason == "bin empty"
    parcels = [PARCEL | {"inventory": [{"item_id": BOLT, "qty": 4}]}]
    await backend.update_fulfillment(ful.id, {"parcels": parcels, "status": "packed"})
    await backend.update_fulfillment(ful.id, {"status": "completed"})
    bolt = await backend.get_item(BOLT)
    # 4 shipped; the 2 reserved but never picked are back on the shelf
    assert (bolt.total_verified, bolt.total_reserved) == (11, 0)


@pytest.mark.parametrize(
    ("steps", "refused", "error"),
    [
        ([], {"inventory": [{"item_id": BOLT, "picked_qty": 5}]}, Conflict),  # over-pick
        ([], {"inventory": [{"item_id": GLOVES, "picked_qty": 1}]}, InvalidInput),
        ([], {"status": "packed"}, Conflict),
        ([], {"status": "completed"}, Conflict),
        ([], {"parcels": [PARCEL]}, Conflict),  # nothing picked yet
        ([], {"status": "shipped"}, InvalidInput),
        (["pick"], {"inventory": [{"item_id": BOLT, "picked_qty": 1}]}, Conflict),
        (["pick"], {"parcels": [PARCEL | {"inventory": [{"item_id": BOLT, "qty": 5}]}]}, Conflict),
        (["pick"], {"status": "packed"}, Conflict),  # units not in a parcel
        (
            ["pick"],
            {"parcels": [{"length": "a", "width": 1, "height": 1, "weight": 1}]},
            InvalidInput,
        ),
        (["cancel"], {"status": "processing"}, Conflict),
    ],
)
async def test_refusals_change_nothing(
    backend: Backend, unchanged, steps: list[str], refused: dict, error: type[Exception]
) -> None:
    ful = await order(backend, bolt=4)
    for step in steps:
        if step == "pick":
            await pick_all(backend, ful)
        else:
            await backend.update_fulfillment(
                ful.id, {"status": "canceled", "cancel_reason": "test"}
            )
    check = await unchanged()
    with pytest.raises(error):
        await backend.update_fulfillment(ful.id, refused)
    await check()


async def test_picks_are_absolute_so_a_resend_counts_once(backend: Backend) -> None:
    ful = await order(backend, bolt=4)
    for _ in range(2):
        again = await backend.update_fulfillment(
            ful.id, {"inventory": [{"item_id": BOLT, "picked_qty": 2}]}
        )
    assert again.inventory[0].picked_qty == 2
    assert (await backend.get_fulfillment(ful.id)).inventory[0].picked_qty == 2


async def test_queue_order_and_filters(backend: Backend) -> None:
    late = await backend.create_fulfillment(
        {
            "location_id": RENO,
            "complete_at": NOW + 3 * DAY,
            "inventory": [{"item_id": MILK, "qty": 1}],
        }
    )
    soon = await backend.create_fulfillment(
        {"location_id": RENO, "complete_at": NOW - DAY, "inventory": [{"item_id": MILK, "qty": 1}]}
    )
    undated = await backend.create_fulfillment(
        {"location_id": RENO, "inventory": [{"item_id": MILK, "qty": 1}]}
    )
    other = await backend.create_fulfillment(
        {"location_id": COLUMBUS, "complete_at": NOW, "inventory": [{"item_id": GLOVES, "qty": 1}]}
    )
    await backend.update_fulfillment(late.id, {"status": "canceled", "cancel_reason": "dup"})
    everything = await backend.list_fulfillments()
    assert [f.id for f in everything.data] == [soon.id, other.id, late.id, undated.id]
    query = FulfillmentQuery.parse({"status": "created,processing", "location_id": RENO})
    assert [f.id for f in (await backend.list_fulfillments(query)).data] == [soon.id, undated.id]
    assert (await backend.get_fulfillment(other.id)).location_id == COLUMBUS
    with pytest.raises(NotFound):
        await backend.get_fulfillment("ful_nope")


async def test_a_short_pick_alone_starts_the_work_so_the_order_can_be_picked(
    backend: Backend,
) -> None:
    ful = await order(backend, milk=3)
    done = await backend.update_fulfillment(
        ful.id,
        {"inventory": [{"item_id": MILK, "short_reason": "none in stock"}], "status": "picked"},
    )
    assert done.status == "picked"
