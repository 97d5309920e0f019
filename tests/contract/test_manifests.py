"""Inbound manifests: the status machine and its effects on the levels."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import Conflict, InvalidInput, NotFound
from console.domain.queries import ManifestQuery
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, C1, GLOVES, MANIFEST, MILK, RENO


async def test_accept_announces_expected_units_as_manifested(backend: Backend) -> None:
    manifest = await backend.update_manifest(MANIFEST, {"status": "accepted"})
    assert manifest.status == "accepted"
    bolt = await backend.get_item(BOLT)
    milk = await backend.get_item(MILK)
    assert qty(bolt, RENO, None, "manifested_qty") == 12
    assert qty(milk, RENO, None, "manifested_qty") == 6
    assert (bolt.total_manifested, bolt.total_verified) == (12, 15)


async def test_receive_then_complete_moves_units_into_bins(backend: Backend) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    received = await backend.update_manifest(
        MANIFEST,
        {
            "inventory": [
                {"item_id": BOLT, "received_qty": 10, "damaged_qty": 1, "layout_id": A2},
                {"item_id": MILK, "received_qty": 6},
            ]
        },
    )
    assert received.status == "processing"
    line = next(line for line in received.inventory if line.item_id == BOLT)
    assert (line.received_qty, line.damaged_qty, line.missing_qty) == (10, 1, 1)
    # receiving is absolute: re-sending the same counts changes nothing
    await backend.update_manifest(
        MANIFEST, {"inventory": [{"item_id": BOLT, "received_qty": 10, "damaged_qty": 1}]}
    )
    done = await backend.update_manifest(MANIFEST, {"status": "completed"})
    assert done.status == "completed"
    bolt = await backend.get_item(BOLT)
    milk = await backend.get_item(MILK)
    assert qty(bolt, RENO, A2) == 15
    assert qty(bolt, RENO, A2, "damaged_qty") == 1
    assert qty(bolt, RENO, A1) == 10
    assert (bolt.total_manifested, bolt.total_verified, bolt.total_damaged) == (0, 25, 1)
    assert (milk.total_manifested, milk.total_verified) == (0, 26)


async def test_completing_adds_the_received_units_to_the_line_lot(backend: Backend) -> None:
    before = await backend.get_lot("lot_far")
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    await backend.update_manifest(
        MANIFEST,
        {
            "inventory": [
                {"item_id": MILK, "received_qty": 4, "damaged_qty": 1, "lot_id": "lot_far"}
            ]
        },
    )
    assert (await backend.get_lot("lot_far")).total_qty == before.total_qty  # not yet: in transit
    await backend.update_manifest(MANIFEST, {"status": "completed"})
    after = await backend.get_lot("lot_far")
    assert after.total_qty == before.total_qty + 5
    assert after.available_qty == before.available_qty + 4
    assert after.defective_qty == before.defective_qty + 1


async def test_unexpected_item_gets_its_own_line(backend: Backend) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    manifest = await backend.update_manifest(
        MANIFEST, {"inventory": [{"item_id": GLOVES, "received_qty": 2}]}
    )
    line = next(line for line in manifest.inventory if line.item_id == GLOVES)
    assert (line.qty, line.received_qty) == (0, 2)


async def test_void_after_accept_takes_manifested_away(backend: Backend) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    voided = await backend.update_manifest(MANIFEST, {"status": "void"})
    assert voided.status == "void"
    bolt = await backend.get_item(BOLT)
    assert (bolt.total_manifested, bolt.total_verified) == (0, 15)


async def test_void_of_a_requested_manifest_changes_no_level(backend: Backend) -> None:
    before = await backend.get_item(BOLT)
    await backend.update_manifest(MANIFEST, {"status": "void"})
    after = await backend.get_item(BOLT)
    assert after.levels == before.levels


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], {"status": "completed"}),
        ([], {"status": "processing"}),
        ([], {"inventory": [{"item_id": BOLT, "received_qty": 1}]}),
        ([{"status": "accepted"}, {"status": "completed"}], {"status": "accepted"}),
        ([{"status": "void"}], {"status": "accepted"}),
    ],
)
async def test_forbidden_steps_are_refused_and_change_nothing(
    backend: Backend, unchanged, steps: list[dict], refused: dict
) -> None:
    for step in steps:
        await backend.update_manifest(MANIFEST, step)
    check = await unchanged()
    with pytest.raises(Conflict):
        await backend.update_manifest(MANIFEST, refused)
    await check()


@pytest.mark.parametrize(
    "body",
    [
        {"status": "arrived"},
        {"inventory": [{"item_id": BOLT, "received_qty": -1}]},
        {"inventory": [{"item_id": BOLT, "received_qty": "3"}]},
        {"inventory": [{"item_id": "item_nope", "received_qty": 1}]},
        {"inventory": [{"item_id": BOLT, "received_qty": 1, "layout_id": C1}]},
        {"inventory": [{"item_id": BOLT, "received_qty": 1, "lot_id": "lot_far"}]},  # milk's lot
        {"inventory": [{"item_id": MILK, "received_qty": 1, "lot_id": "lot_nope"}]},
        # gloves' lot at Columbus, on a manifest for Reno
        {"inventory": [{"item_id": GLOVES, "received_qty": 1, "lot_id": "lot_none"}]},
    ],
)
async def test_bad_receipts_are_refused(backend: Backend, unchanged, body: dict) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    check = await unchanged()
    with pytest.raises(InvalidInput):
        await backend.update_manifest(MANIFEST, body)
    await check()


async def test_create_list_and_get(backend: Backend) -> None:
    created = await backend.create_manifest(
        {"location_id": RENO, "order_number": "PO-2", "inventory": [{"item_id": MILK, "qty": 3}]}
    )
    assert created.status == "requested"
    listed = await backend.list_manifests(ManifestQuery(location_id=RENO, status=["requested"]))
    assert {m.order_number for m in listed.data} == {"PO-1001", "PO-2"}
    assert (await backend.get_manifest(created.id)).inventory[0].qty == 3
    with pytest.raises(NotFound):
        await backend.get_manifest("mfst_nope")
    with pytest.raises(InvalidInput):
        await backend.create_manifest({"location_id": RENO, "inventory": []})
