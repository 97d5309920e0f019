"""Receipts as trucks bring them (this project's extension, docs/api.md): one line's units
received into several bins and in several lots, each part put away where it went."""

from __future__ import annotations

import pytest

from console.backends.protocol import Backend
from console.domain.errors import InvalidInput
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, MANIFEST, RENO


async def bolt_lot(backend: Backend, number: str) -> str:
    made = await backend.create_lot({"item_id": BOLT, "location_id": RENO, "number": number})
    return made.id


async def receive_parts(backend: Backend, *parts: dict[str, object]) -> object:
    return await backend.update_manifest(
        MANIFEST, {"inventory": [{"item_id": BOLT, "parts": list(parts)}]}
    )


async def test_a_line_received_into_two_bins_and_two_lots_puts_each_part_away(
    backend: Backend,
) -> None:
    first, second = await bolt_lot(backend, "B-1"), await bolt_lot(backend, "B-2")
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    manifest = await receive_parts(
        backend,
        {"layout_id": A1, "lot_id": first, "received_qty": 7},
        {"layout_id": A2, "lot_id": second, "received_qty": 4, "damaged_qty": 1},
    )
    line = manifest.inventory[0]  # type: ignore[attr-defined]
    assert (line.received_qty, line.damaged_qty) == (11, 1), (
        "the totals a reader without parts reads"
    )
    assert [(p.layout_id, p.lot_id, p.received_qty) for p in line.parts] == [
        (A1, first, 7),
        (A2, second, 4),
    ]
    before = await backend.get_item(BOLT)
    await backend.update_manifest(MANIFEST, {"status": "completed"})
    bolt = await backend.get_item(BOLT)
    assert qty(bolt, RENO, A1) == qty(before, RENO, A1) + 7
    assert qty(bolt, RENO, A2) == qty(before, RENO, A2) + 4
    assert qty(bolt, RENO, A2, "damaged_qty") == 1
    one, two = await backend.get_lot(first), await backend.get_lot(second)
    assert (one.total_qty, one.available_qty) == (7, 7)
    assert (two.total_qty, two.available_qty, two.defective_qty) == (5, 4, 1)


async def test_parts_are_absolute_a_part_not_named_keeps_its_count(backend: Backend) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    await receive_parts(backend, {"layout_id": A1, "received_qty": 3})
    await receive_parts(backend, {"layout_id": A1, "received_qty": 3})  # sent again: the same
    manifest = await receive_parts(backend, {"layout_id": A2, "received_qty": 2})
    line = manifest.inventory[0]  # type: ignore[attr-defined]
    assert [(p.layout_id, p.received_qty) for p in line.parts] == [(A1, 3), (A2, 2)]
    assert line.received_qty == 5
    manifest = await receive_parts(backend, {"layout_id": A1, "received_qty": 0})
    line = manifest.inventory[0]  # type: ignore[attr-defined]
    assert [(p.layout_id, p.received_qty) for p in line.parts] == [(A2, 2)]
    assert (line.received_qty, line.layout_id) == (2, A2)


@pytest.mark.parametrize(
    "record",
    [
        {"item_id": BOLT, "received_qty": 3, "parts": [{"layout_id": A1, "received_qty": 3}]},
        {"item_id": BOLT, "parts": [{"layout_id": A1}, {"layout_id": A1, "received_qty": 1}]},
        {"item_id": BOLT, "parts": [{"layout_id": "lay_nope", "received_qty": 1}]},
        {"item_id": BOLT, "parts": [{"lot_id": "lot_far", "received_qty": 1}]},  # the milk's
    ],
)
async def test_a_receipt_part_no_server_should_take_changes_nothing(
    backend: Backend, unchanged, record: dict[str, object]
) -> None:
    await backend.update_manifest(MANIFEST, {"status": "accepted"})
    check = await unchanged()
    with pytest.raises(InvalidInput):
        await backend.update_manifest(MANIFEST, {"inventory": [record]})
    await check()
