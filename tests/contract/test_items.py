"""Items: create, read, update, delete, list with paging, sorting, filters, search, look-up."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import Conflict, InvalidInput, NotFound
from console.domain.queries import ItemQuery
from tests.contract.world import (
    A1,
    BOLT,
    BOLT_GTIN13,
    COLUMBUS,
    GLOVES,
    MILK,
    MILK_GTIN12,
    RENO,
    TAPE,
)


async def names(backend: Backend, **query: object) -> list[str]:
    page = await backend.list_items(ItemQuery(**query))
    return [item.name for item in page.data]


async def test_create_with_only_a_name(backend: Backend) -> None:
    item = await backend.create_item({"name": "Cable Ties 200 mm"})
    assert item.id.startswith("item_")
    assert item.levels == []
    assert (item.total_verified, item.total_reserved) == (0, 0)
    assert (await backend.get_item(item.id)).name == "Cable Ties 200 mm"


async def test_create_keeps_every_field(backend: Backend) -> None:
    body = {
        "name": "Bin Label [A1]",
        "sku": "LBL-A1",
        "gtin": "12345670",
        "description": "Self-adhesive",
        "value": 1299,
        "currency": "USD",
        "dimensions": {"length": 4, "width": 2, "height": 0.1, "weight": 0.01},
        "packaged_dimensions": {"length": 5, "width": 3, "height": 0.2, "weight": 0.02},
        "attributes": {"color": "white"},
        "categories": ["labels"],
        "metadata": {"_search": "sticker"},
    }
    item = await backend.create_item(body)
    again = await backend.get_item(item.id)
    assert again.name == "Bin Label [A1]"
    assert again.value == 1299
    assert again.dimensions is not None and again.dimensions.length == 4
    assert again.packaged_dimensions is not None and again.packaged_dimensions.weight == 0.02
    assert again.attributes == {"color": "white"}
    assert again.metadata == {"_search": "sticker"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": "x", "value": "12.99"}, "value"),
        ({"name": "x", "gtin": "4006381333932"}, "gtin"),
        (
            {"name": "x", "levels": [{"location_id": "loc_nowhere", "verified_qty": 1}]},
            "levels.0.location_id",
        ),
    ],
)
async def test_create_refuses_bad_input(
    backend: Backend, unchanged, body: dict, field: str
) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput) as refused:
        await backend.create_item(body)
    assert field in {e.field for e in refused.value.errors}
    assert refused.value.message
    await check()


async def test_duplicate_sku_or_gtin_is_refused(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(Conflict, match="SKU"):
        await backend.create_item({"name": "Copy", "sku": "hw-bolt-m8-40"})
    with pytest.raises(Conflict, match="GTIN"):
        await backend.create_item({"name": "Copy", "gtin": "0" + BOLT_GTIN13})
    await check()


async def test_update_and_delete(backend: Backend) -> None:
    updated = await backend.update_item(TAPE, {"name": "Packing Tape 50 mm", "sku": "PK-TAPE-50"})
    assert updated.name == "Packing Tape 50 mm"
    assert (await backend.find_item("PK-TAPE-50")).id == TAPE
    assert await backend.find_item("PK-TAPE-48") is None
    await backend.delete_item(TAPE)
    with pytest.raises(NotFound):
        await backend.get_item(TAPE)
    assert "Packing Tape 50 mm" not in await names(backend)


async def test_missing_item_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFound, match="item_nope"):
        await backend.get_item("item_nope")
    with pytest.raises(NotFound):
        await backend.update_item("item_nope", {"name": "x"})


async def test_list_defaults_to_name_order_and_pages(backend: Backend) -> None:
    first = await backend.list_items(ItemQuery(limit=3))
    assert [i.name for i in first.data] == [
        "Nitrile Gloves Large",
        "Organic Oat Milk 1 L",
        "Packing Tape 48 mm",
    ]
    assert first.pagination.model_dump() == {
        "page": 1,
        "limit": 3,
        "has_more": True,
        "total_count": 4,
    }
    second = await backend.list_items(ItemQuery(limit=3, page=2))
    assert [i.name for i in second.data] == ["Stainless Hex Bolt M8x40"]
    assert second.pagination.has_more is False
    beyond = await backend.list_items(ItemQuery(limit=3, page=9))
    assert beyond.data == []
    assert beyond.pagination.has_more is False


async def test_default_page_size_is_25(backend: Backend) -> None:
    page = await backend.list_items()
    assert (page.pagination.page, page.pagination.limit) == (1, 25)


async def test_sorting(backend: Backend) -> None:
    assert (await names(backend, direction="desc"))[0] == "Stainless Hex Bolt M8x40"
    by_age = await names(backend, order_by="created_at")
    assert by_age == [
        "Stainless Hex Bolt M8x40",
        "Organic Oat Milk 1 L",
        "Nitrile Gloves Large",
        "Packing Tape 48 mm",
    ]
    assert await names(backend, order_by="created_at", direction="desc") == by_age[::-1]


async def test_filters(backend: Backend) -> None:
    assert await names(backend, location_id=COLUMBUS) == ["Nitrile Gloves Large"]
    assert await names(backend, location_id=RENO) == [
        "Organic Oat Milk 1 L",
        "Stainless Hex Bolt M8x40",
    ]
    assert await names(backend, layout_id=A1) == ["Stainless Hex Bolt M8x40"]
    assert await names(backend, sku="FB-OAT-1L") == ["Organic Oat Milk 1 L"]
    assert await names(backend, sku="NOPE") == []


@pytest.mark.parametrize(
    "query", ["stainles bolt", "stainless blot", "stianless", "hex bolt m8x40"]
)
async def test_search_tolerates_typos_and_highlights(backend: Backend, query: str) -> None:
    page = await backend.list_items(ItemQuery(search=query))
    top = page.data[0]
    assert top.id == BOLT
    assert top.search_score is not None
    assert top.search_highlights is not None
    assert "<mark>" in top.search_highlights["name"]


async def test_search_covers_sku_gtin_and_metadata(backend: Backend) -> None:
    assert (await backend.list_items(ItemQuery(search="FB-OAT-1L"))).data[0].id == MILK
    assert (await backend.list_items(ItemQuery(search=BOLT_GTIN13))).data[0].id == BOLT
    assert (await backend.list_items(ItemQuery(search="barista"))).data[0].id == MILK


async def test_search_respects_location_and_order(backend: Backend) -> None:
    assert await names(backend, search="gloves", location_id=RENO) == []
    assert await names(backend, search="gloves", location_id=COLUMBUS) == ["Nitrile Gloves Large"]
    await backend.create_item({"name": "Hex Nut M8"})
    await backend.create_item({"name": "Allen Hex Key Set"})
    expected = ["Allen Hex Key Set", "Hex Nut M8", "Stainless Hex Bolt M8x40"]
    assert await names(backend, search="hex", order_by="name") == expected
    assert await names(backend, search="hex", order_by="name", direction="desc") == expected[::-1]


@pytest.mark.parametrize(
    ("code", "item_id"),
    [
        (BOLT_GTIN13, BOLT),
        ("0" + BOLT_GTIN13, BOLT),
        (MILK_GTIN12, MILK),
        ("0" + MILK_GTIN12, MILK),
        ("00" + MILK_GTIN12, MILK),
        ("HW-BOLT-M8-40", BOLT),
        ("ph-glv-l", GLOVES),
        (" FB-OAT-1L ", MILK),
    ],
)
async def test_find_by_any_gtin_form_or_sku(backend: Backend, code: str, item_id: str) -> None:
    found = await backend.find_item(code)
    assert found is not None and found.id == item_id


@pytest.mark.parametrize("code", ["4006381333932", "NOPE-1", ""])
async def test_find_nothing(backend: Backend, code: str) -> None:
    assert await backend.find_item(code) is None


async def test_bad_list_queries_are_refused(backend: Backend) -> None:
    with pytest.raises(InvalidInput):
        await backend.list_items(ItemQuery.parse({"limit": "0"}))
    with pytest.raises(InvalidInput):
        await backend.list_items(ItemQuery.parse({"order_by": "price"}))


async def test_locations_with_layouts(backend: Backend) -> None:
    page = await backend.list_locations()
    assert [loc.name for loc in page.data] == ["Columbus FC", "Reno DC"]
    reno = await backend.get_location(RENO)
    assert [lay.name for lay in reno.layouts] == ["A-01-01", "A-01-02", "Shelf [A1]"]
    assert reno.layouts[0].path == "A/01/01"
    with pytest.raises(NotFound):
        await backend.get_location("loc_nope")
