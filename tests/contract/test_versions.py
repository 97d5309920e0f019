"""Versions: every object read alone carries one; an update based on an old one changes
nothing; which warehouse is served is said."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import PreconditionFailed
from tests.contract.test_levels import qty
from tests.contract.world import A1, BOLT, MANIFEST, MILK, RENO

PICK = {"inventory": [{"item_id": BOLT, "picked_qty": 1}]}


async def test_every_object_read_alone_has_a_version_that_changes_with_it(
    backend: Backend,
) -> None:
    assert backend.capabilities.etags or "http" in type(backend).__name__.lower()
    item = await backend.get_item(BOLT)
    assert item.etag and item.etag.startswith('"') and not item.etag.startswith("W/")
    again = await backend.get_item(BOLT)
    assert again.etag == item.etag  # nothing changed: the same version
    changed = await backend.update_item(
        BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}
    )
    assert changed.etag and changed.etag != item.etag
    assert (await backend.get_item(BOLT)).etag == changed.etag
    assert backend.capabilities.etags  # learned from the answers by now, over HTTP
    lot = await backend.get_lot("lot_far")
    manifest = await backend.get_manifest(MANIFEST)
    assert lot.etag and manifest.etag and len({item.etag, lot.etag, manifest.etag}) == 3


async def test_an_update_on_the_current_version_applies(backend: Backend) -> None:
    item = await backend.get_item(BOLT)
    updated = await backend.update_item(
        BOLT,
        {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": [40]}]},
        if_match=item.etag,
    )
    assert qty(updated, RENO, A1) == 40


async def test_an_update_on_an_old_version_changes_nothing_and_gives_the_current(
    backend: Backend, unchanged
) -> None:
    seen = await backend.get_item(BOLT)
    current = await backend.update_item(
        BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": -2}]}
    )
    check = await unchanged()
    with pytest.raises(PreconditionFailed) as stale:
        await backend.update_item(
            BOLT,
            {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": [100]}]},
            if_match=seen.etag,
        )
    await check()
    assert stale.value.status == 412
    now = stale.value.current
    assert now is not None and now.id == BOLT and qty(now, RENO, A1) == 8
    assert now.etag == current.etag  # what to base the next attempt on


@pytest.mark.parametrize(
    ("read", "update", "record", "body"),
    [
        ("get_lot", "update_lot", "lot_far", {"total_qty": 9}),
        ("get_manifest", "update_manifest", MANIFEST, {"status": "accepted"}),
    ],
)
async def test_lots_and_manifests_are_versioned_too(
    backend: Backend, read: str, update: str, record: str, body: dict[str, object]
) -> None:
    old = await getattr(backend, read)(record)
    await getattr(backend, update)(record, body, if_match=old.etag)
    with pytest.raises(PreconditionFailed):
        await getattr(backend, update)(record, body, if_match=old.etag)


async def test_fulfillments_are_versioned_and_a_repeat_gets_the_first_answer(
    backend: Backend,
) -> None:
    ful = await backend.create_fulfillment(
        {
            "location_id": RENO,
            "inventory": [{"item_id": BOLT, "qty": 2}, {"item_id": MILK, "qty": 1}],
        }
    )
    assert ful.etag
    first = await backend.update_fulfillment(ful.id, PICK, idempotency_key="k-1", if_match=ful.etag)
    # the answer was lost; sent again as it was: the same key, the now old version
    again = await backend.update_fulfillment(ful.id, PICK, idempotency_key="k-1", if_match=ful.etag)
    assert again.etag == first.etag
    assert next(ln for ln in again.inventory if ln.item_id == BOLT).picked_qty == 1
    with pytest.raises(PreconditionFailed):  # a new update on the old version
        await backend.update_fulfillment(ful.id, PICK, idempotency_key="k-2", if_match=ful.etag)


async def test_the_warehouse_served_is_named(backend: Backend) -> None:
    await backend.list_locations()
    assert isinstance(backend.instance, str) and len(backend.instance) >= 8
