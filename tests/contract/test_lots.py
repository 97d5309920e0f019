"""Lots: FEFO listing, filters, sorting, paging, create and update with their refusals."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import Conflict, InvalidInput, NotFound
from console.domain.queries import LotQuery
from tests.contract.world import A1, BOLT, C1, DAY, GLOVES, MILK, NOW, RENO


async def numbers(backend: Backend, **query: object) -> list[str | None]:
    return [lot.number for lot in (await backend.list_lots(LotQuery(**query))).data]


async def test_default_order_is_first_expired_first_out(backend: Backend) -> None:
    assert await numbers(backend) == ["L-100", "L-200", "L-300", "L-050"]


async def test_filters(backend: Backend) -> None:
    assert await numbers(backend, item_id=GLOVES) == ["L-050"]
    assert await numbers(backend, location_id=RENO) == ["L-100", "L-200", "L-300"]
    assert await numbers(backend, statuses=["expired"]) == ["L-100"]
    assert await numbers(backend, statuses=["available", "expired"]) == [
        "L-100",
        "L-200",
        "L-300",
        "L-050",
    ]
    assert await numbers(backend, expires_before=NOW + 30 * DAY) == ["L-100", "L-200"]
    assert await numbers(backend, expires_after=NOW) == ["L-200", "L-300"]
    assert await numbers(backend, search="l-2") == ["L-200"]
    assert await numbers(backend, search="mfr-77") == ["L-100"]


async def test_statuses_as_a_comma_list(backend: Backend) -> None:
    query = LotQuery.parse({"statuses": "expired, available", "location_id": RENO})
    assert [lot.number for lot in (await backend.list_lots(query)).data] == [
        "L-100",
        "L-200",
        "L-300",
    ]


async def test_sorting_and_paging(backend: Backend) -> None:
    assert await numbers(backend, order_by="number") == ["L-050", "L-100", "L-200", "L-300"]
    assert await numbers(backend, order_by="number", direction="desc") == [
        "L-300",
        "L-200",
        "L-100",
        "L-050",
    ]
    assert await numbers(backend, order_by="created_at") == ["L-100", "L-300", "L-050", "L-200"]
    assert await numbers(backend, direction="desc") == ["L-050", "L-300", "L-200", "L-100"]
    page = await backend.list_lots(LotQuery(limit=3, page=2))
    assert [lot.number for lot in page.data] == ["L-050"]
    assert (page.pagination.total_count, page.pagination.has_more) == (4, False)


async def test_get_lot(backend: Backend) -> None:
    lot = await backend.get_lot("lot_soon")
    assert (lot.number, lot.available_qty, lot.defective_qty) == ("L-200", 5, 1)
    with pytest.raises(NotFound):
        await backend.get_lot("lot_nope")


async def test_create_and_update(backend: Backend) -> None:
    lot = await backend.create_lot(
        {
            "item_id": BOLT,
            "location_id": RENO,
            "layout_id": A1,
            "number": "B-1",
            "expires_at": NOW + 10 * DAY,
            "total_qty": 10,
        }
    )
    assert lot.id.startswith("lot_")
    assert (lot.total_qty, lot.available_qty, lot.status) == (10, 10, "available")
    updated = await backend.update_lot(lot.id, {"status": "quarantined", "available_qty": 4})
    assert (updated.status, updated.available_qty) == ("quarantined", 4)
    assert (await backend.get_lot(lot.id)).status == "quarantined"
    assert "B-1" in await numbers(backend, item_id=BOLT)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"location_id": RENO, "number": "X"}, "item_id"),
        ({"item_id": BOLT, "number": "X"}, "location_id"),
        ({"item_id": "item_nope", "location_id": RENO}, "item_id"),
        ({"item_id": BOLT, "location_id": "loc_nope"}, "location_id"),
        ({"item_id": BOLT, "location_id": RENO, "layout_id": C1}, "layout_id"),
        ({"item_id": BOLT, "location_id": RENO, "total_qty": -1}, "total_qty"),
        ({"item_id": BOLT, "location_id": RENO, "total_qty": 2, "available_qty": 3}, "total_qty"),
        ({"item_id": BOLT, "location_id": RENO, "status": "lost"}, "status"),
        ({"item_id": BOLT, "location_id": RENO, "expires_at": "2027-01-01"}, "expires_at"),
    ],
)
async def test_create_refuses_bad_input(
    backend: Backend, unchanged, body: dict, field: str
) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput) as refused:
        await backend.create_lot(body)
    assert field in {e.field for e in refused.value.errors}
    await check()


async def test_duplicate_lot_number_for_an_item_is_refused(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(Conflict, match="L-200"):
        await backend.create_lot({"item_id": MILK, "location_id": RENO, "number": "l-200"})
    with pytest.raises(Conflict):
        await backend.update_lot("lot_far", {"number": "L-200"})
    await check()


async def test_update_refuses_bad_input(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput):
        await backend.update_lot("lot_far", {"available_qty": 9})  # more than the total of 8
    with pytest.raises(InvalidInput):
        await backend.update_lot("lot_far", {"status": None})
    with pytest.raises(NotFound):
        await backend.update_lot("lot_nope", {"status": "expired"})
    await check()
