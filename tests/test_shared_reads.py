"""A served warehouse hands out its stored objects, not copies (`share_reads`): that is only
right while no change ever alters an object once stored. These hold every kind of object
read before a shift of changes, and check that none of them moved."""

from __future__ import annotations

import asyncio
import json

import pytest

from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.models import wire_json
from console.domain.queries import ItemQuery


async def test_no_change_alters_an_object_already_handed_out() -> None:
    warehouse = MemoryWarehouse.demo(60, 7)
    warehouse.share_reads()
    items = (await warehouse.list_items(ItemQuery(limit=100))).data
    item = next(i for i in items if i.levels and i.levels[0].verified_qty >= 3)
    level = item.levels[0]
    lots = (await warehouse.list_lots(None)).data
    manifests = (await warehouse.list_manifests(None)).data
    orders = (await warehouse.list_fulfillments(None)).data
    held = [item, *items, *lots, *manifests, *orders, await warehouse.get_item(item.id)]
    before = [obj.model_dump_json() for obj in held]

    where = {"location_id": level.location_id, "layout_id": level.layout_id}
    await warehouse.update_item(item.id, {"levels": [where | {"verified_qty": 1}]})
    await warehouse.update_item(item.id, {"name": "Renamed", "metadata": {"bin": "A1"}})
    order = await warehouse.create_fulfillment(
        {"location_id": level.location_id, "inventory": [{"item_id": item.id, "qty": 2}]}
    )
    await warehouse.update_fulfillment(
        order.id, {"inventory": [{"item_id": item.id, "picked_qty": 1}]}
    )
    inbound = next(m for m in manifests if m.status == "requested")
    await warehouse.update_manifest(inbound.id, {"status": "accepted"})
    line = inbound.inventory[0]
    await warehouse.update_manifest(
        inbound.id, {"inventory": [{"item_id": line.item_id, "received_qty": 1}]}
    )
    await warehouse.update_lot(lots[0].id, {"available_qty": lots[0].available_qty + 1})
    for other in [o for o in orders if o.status == "created"][:3]:
        await warehouse.update_fulfillment(
            other.id, {"status": "canceled", "cancel_reason": "customer"}
        )

    assert [obj.model_dump_json() for obj in held] == before
    assert (await warehouse.get_item(item.id)).name == "Renamed"  # the changes did happen


async def test_a_shared_read_carries_its_version_beside_it() -> None:
    copies, shared = MemoryWarehouse.demo(20, 7), MemoryWarehouse.demo(20, 7)
    shared.share_reads()
    item_id = (await copies.list_items(None)).data[0].id
    copy = await copies.get_item(item_id)
    stored = await shared.get_item(item_id)
    assert stored.etag is None and copy.etag is not None
    assert shared.version(stored) == copy.etag


@pytest.mark.parametrize("kept", ["in memory", "on disk"])
async def test_what_is_sent_of_an_object_is_what_it_holds_now(kept, tmp_path) -> None:
    """The server sends a stored object as the warehouse keeps it encoded (`encoded`): after
    a search, a change, a batch of changes, that is always the object as it is."""
    if kept == "on disk":
        warehouse = MemoryWarehouse.on_disk(tmp_path / "w.db", items=60, seed=7)
    else:
        warehouse = MemoryWarehouse.demo(60, 7)
    warehouse.share_reads()
    items = (await warehouse.list_items(ItemQuery(limit=100))).data
    item = next(i for i in items if i.levels)
    level = item.levels[0]
    read = await warehouse.get_item(item.id)
    assert warehouse.encoded(read) == wire_json(read)
    etag = warehouse.version(read)

    found = (await warehouse.list_items(ItemQuery(search=item.name))).data
    hit = next(i for i in found if i.id == item.id)
    assert b'"_score"' in warehouse.encoded(hit) and warehouse.encoded(hit) == wire_json(hit)
    again = await warehouse.get_item(item.id)
    assert b'"_score"' not in warehouse.encoded(again)  # the search's copy is not what is kept
    assert warehouse.encoded(again) == wire_json(again) and warehouse.version(again) == etag

    where = {"location_id": level.location_id, "layout_id": level.layout_id}
    answers = await asyncio.gather(
        *(warehouse.update_item(item.id, {"levels": [where | {"verified_qty": 1}]},
                                idempotency_key=f"k{n}") for n in range(3))
    )  # fmt: skip
    for answer in answers:
        assert warehouse.encoded(answer) == wire_json(answer)
    assert len({warehouse.version(answer) for answer in answers} | {etag}) == 4
    now = await warehouse.get_item(item.id)
    sent = json.loads(warehouse.encoded(now))
    assert sent == json.loads(wire_json(now))
    assert sent["levels"][0]["verified_qty"] == level.verified_qty + 3
    assert warehouse.version(now) == warehouse.version(answers[-1]) != etag
    warehouse.close()
