"""The lot contract every backend keeps, whatever system holds the lots: the same lots (spec.py)
listed first to expire first, narrowed, searched, paged and sorted alike; found by a scan of
their item; written where the backend offers it and refused, changing nothing, where not."""

from __future__ import annotations

from datetime import date

import pytest

from console.backends.protocol import Offer, adjust_levels
from console.domain.errors import NotFound, NotOffered, PreconditionFailed, WarehouseError
from console.domain.queries import LotQuery
from console.domain.requests import LevelChange
from tests.lot_systems import spec
from tests.lot_systems.conftest import Seeded


async def numbers(system: Seeded, **query: object) -> list[str | None]:
    return [lot.number for lot in (await system.backend.list_lots(LotQuery(**query))).data]


async def all_lots(system: Seeded) -> dict[str | None, object]:
    page = await system.backend.list_lots(LotQuery(limit=100))
    return {lot.number: lot.model_dump() for lot in page.data}


async def test_first_to_expire_first_and_the_undated_last(lot_system: Seeded) -> None:
    assert await numbers(lot_system) == spec.FEFO
    first = (await lot_system.backend.list_lots(LotQuery(limit=1))).data[0]
    assert (first.number, first.total_qty, first.expires_at) == (
        "LB-300",
        10,
        spec.epoch(spec.LOTS[2].expires),
    )


async def test_the_lots_of_one_item(lot_system: Seeded) -> None:
    tea = lot_system.item_ids["tea"]
    assert await numbers(lot_system, item_id=tea) == ["LB-300", "LB-500", "LB-400"]


@pytest.mark.parametrize("spelling", ["09506000134352", "9506000134352"])
async def test_a_scanned_gtin_finds_its_item_in_any_length(
    lot_system: Seeded, spelling: str
) -> None:
    item = await lot_system.backend.find_item(spelling)
    assert item is not None and item.id == lot_system.item_ids["oat"]
    assert item.name == spec.OAT.name
    assert await lot_system.backend.find_item("4006381333931") is None, "no such product"


async def test_searching_lot_numbers_ignores_case(lot_system: Seeded) -> None:
    assert await numbers(lot_system, search="lb-") == ["LB-300", "LB-500", "LB-400"]
    assert await numbers(lot_system, search="A-2") == ["LA-200"]
    assert await numbers(lot_system, search="nothing like it") == []


async def test_pages_hold_every_lot_once_and_say_how_many(lot_system: Seeded) -> None:
    seen: list[str | None] = []
    for page in (1, 2, 3):
        answer = await lot_system.backend.list_lots(LotQuery(limit=2, page=page))
        seen += [lot.number for lot in answer.data]
        assert answer.pagination.total_count == 5
        assert answer.pagination.has_more == (page < 3)
    assert seen == spec.FEFO


async def test_sorted_by_number_both_ways(lot_system: Seeded) -> None:
    ascending = sorted(spec.FEFO)
    assert await numbers(lot_system, order_by="number") == ascending
    assert await numbers(lot_system, order_by="number", direction="desc") == ascending[::-1]
    assert await numbers(lot_system, order_by="created_at", direction="desc", limit=1) == ["LB-500"]


async def test_a_status_filter_in_the_backends_own_statuses(lot_system: Seeded) -> None:
    statuses = lot_system.backend.capabilities.lot_statuses
    second = await lot_system.backend.list_lots(LotQuery.parse({"statuses": statuses[1]}))
    assert [lot.number for lot in second.data] == ["LB-500", "LA-200"]
    assert {lot.status for lot in second.data} == {statuses[1]}


async def test_the_expiry_filter_or_a_refusal_that_says_so(lot_system: Seeded) -> None:
    before = spec.epoch(spec.LOTS[0].expires)  # 2030-01-10: LB-300 only expires before it
    query = LotQuery(expires_before=before + 86_400)
    if lot_system.backend.capabilities.offer(Offer.LOT_EXPIRY_FILTER):
        assert [lot.number for lot in (await lot_system.backend.list_lots(query)).data] == [
            "LB-300",
            "LA-100",
        ]
        return
    with pytest.raises(NotOffered, match="offers no filtering lots by expiry"):
        await lot_system.backend.list_lots(query)


async def test_an_expiry_window_holds_what_expires_after_its_start_and_before_its_end(
    lot_system: Seeded,
) -> None:
    # from the very moment LA-100 expires (2030-01-10, not after it) to midday of the day
    # LB-500 expires (2030-02-15, before it): LB-500 alone
    window = LotQuery(
        expires_after=spec.epoch(spec.LOTS[0].expires),
        expires_before=spec.epoch(spec.LOTS[4].expires) + 12 * 3600,
    )
    if not lot_system.backend.capabilities.offer(Offer.LOT_EXPIRY_FILTER):
        with pytest.raises(NotOffered):
            await lot_system.backend.list_lots(window)
        return
    assert [lot.number for lot in (await lot_system.backend.list_lots(window)).data] == ["LB-500"]


async def test_a_lot_read_by_its_id_and_a_missing_one(lot_system: Seeded) -> None:
    listed = (await lot_system.backend.list_lots(LotQuery(search="LA-200"))).data[0]
    again = await lot_system.backend.get_lot(listed.id)
    assert again.model_dump(exclude={"etag"}) == listed.model_dump(exclude={"etag"})
    assert again.item_id == lot_system.item_ids["oat"]
    with pytest.raises(NotFound):
        await lot_system.backend.get_lot("00000000-0000-4000-8000-000000000000")


async def test_a_lot_created_then_edited_where_the_backend_writes_lots(
    lot_system: Seeded,
) -> None:
    backend = lot_system.backend
    location = (await backend.list_locations()).data[0]
    body = {
        "number": "LC-600",
        "item_id": lot_system.item_ids["oat"],
        "location_id": location.id,
        "expires_at": spec.epoch(date(2030, 1, 20)),
        "total_qty": 12,
        "available_qty": 12,
    }
    if not backend.capabilities.offer(Offer.LOT_WRITES):
        before = await all_lots(lot_system)
        with pytest.raises(NotOffered, match="offers no lot changes"):
            await backend.create_lot(body)
        assert await all_lots(lot_system) == before
        return
    made = await backend.create_lot(body)
    assert made.id and made.number == "LC-600"
    assert await numbers(lot_system, item_id=lot_system.item_ids["oat"]) == [
        "LA-100",
        "LC-600",
        "LA-200",
    ]
    edited = await backend.update_lot(made.id, {"total_qty": 15}, if_match=made.etag)
    assert (edited.total_qty, (await backend.get_lot(made.id)).total_qty) == (15, 15)
    if made.etag:  # the version the first edit was based on is old now
        with pytest.raises(PreconditionFailed):
            await backend.update_lot(made.id, {"total_qty": 99}, if_match=made.etag)
        assert (await backend.get_lot(made.id)).total_qty == 15


async def test_a_lot_of_no_item_is_refused_and_nothing_changes(lot_system: Seeded) -> None:
    backend = lot_system.backend
    location = (await backend.list_locations()).data[0]
    before = await all_lots(lot_system)
    with pytest.raises(WarehouseError):
        await backend.create_lot(
            {"number": "LX-1", "item_id": "no-such-item", "location_id": location.id}
        )
    assert await all_lots(lot_system) == before


async def test_what_a_lot_system_does_not_keep_is_refused_in_its_own_words(
    lot_system: Seeded,
) -> None:
    backend = lot_system.backend
    change = LevelChange(location_id="loc_main", verified_qty=1)
    if backend.capabilities.offer(Offer.LEVELS):
        await adjust_levels(backend, lot_system.item_ids["oat"], [change])
        return
    system = backend.capabilities.system
    with pytest.raises(NotOffered, match=f"^{system} offers no level adjustment"):
        await adjust_levels(backend, lot_system.item_ids["oat"], [change])
    with pytest.raises(NotOffered, match="offers no pick-pack"):
        await backend.get_fulfillment("ful_1")
    assert (await backend.list_manifests()).data == []
