"""Receiving as kept by the console: counts on top of what the backend confirmed, never twice."""

from __future__ import annotations

import pytest

from console.domain.errors import Conflict
from console.domain.levels import describe_plan
from console.domain.manifests import announce, receive
from console.domain.models import Manifest, ManifestLine
from console.domain.receiving import Receiving


def manifest(status: str = "accepted", **bolt: object) -> Manifest:
    return Manifest(
        id="mfst_1",
        location_id="loc",
        status=status,
        inventory=[
            ManifestLine(item_id="bolt", qty=12, **bolt),
            ManifestLine(item_id="milk", qty=6, layout_id="bin_m"),
        ],
    )


def test_scans_count_into_the_bin_and_are_sent_as_absolute_counts() -> None:
    work = Receiving(manifest())
    work.receive("bolt", 1, layout_id="bin_a")
    work.receive("bolt", 3)  # the line's bin from now on
    work.receive("bolt", 1, damaged=True)
    work.receive("milk", 2)  # the manifest's planned bin
    assert (work.received_qty("bolt"), work.damaged_qty("bolt"), work.missing("bolt")) == (4, 1, 7)
    body = work.next_update()
    assert body == {
        "inventory": [
            {"item_id": "bolt", "received_qty": 4, "damaged_qty": 1, "layout_id": "bin_a"},
            {"item_id": "milk", "received_qty": 2},
        ]
    }
    work.confirmed(
        manifest("processing", received_qty=4, damaged_qty=1, layout_id="bin_a").model_copy(
            update={
                "inventory": [
                    ManifestLine(
                        item_id="bolt", qty=12, received_qty=4, damaged_qty=1, layout_id="bin_a"
                    ),
                    ManifestLine(item_id="milk", qty=6, received_qty=2, layout_id="bin_m"),
                ]
            }
        )
    )
    assert not work.unsaved and work.received_qty("bolt") == 4 and work.next_update() is None


def test_without_any_bin_nothing_is_counted() -> None:
    work = Receiving(manifest())
    with pytest.raises(Conflict, match="Scan the bin"):
        work.warnings("bolt", 1, "Bolt")
    with pytest.raises(Conflict, match="Scan the bin"):
        work.receive("bolt", 1)
    assert work.warnings("bolt", 1, "Bolt", "bin_a") == []
    assert not work.unsaved


def test_requested_and_closed_manifests_refuse_counts() -> None:
    for status, words in (("requested", "Accept the manifest first"), ("completed", "is over")):
        work = Receiving(manifest(status))
        with pytest.raises(Conflict, match=words):
            work.warnings("milk", 1, "Milk")
        with pytest.raises(Conflict):
            work.receive("milk", 1)
        assert not work.unsaved


def test_unexpected_items_and_over_receipts_need_confirming_once() -> None:
    work = Receiving(manifest())
    assert work.warnings("milk", 6, "Milk") == []  # into the manifest's planned bin
    assert work.warnings("milk", 7, "Milk") == ["Over-receipt: Milk expects 6; this makes 7."]
    assert work.warnings("tape", 1, "Tape", "bin_t") == [
        "Tape is not on this manifest (unexpected item)."
    ]
    work.allowed.add("tape")
    work.receive("tape", 2, layout_id="bin_t")
    assert work.warnings("tape", 1, "Tape") == []  # confirmed once; the line's bin now
    assert work.item_ids == ["bolt", "milk", "tape"]
    assert work.next_update() == {
        "inventory": [{"item_id": "tape", "received_qty": 2, "layout_id": "bin_t"}]
    }


def test_after_a_lost_answer_the_reread_decides_and_nothing_counts_twice() -> None:
    work = Receiving(manifest())
    work.receive("milk", 2)
    work.next_update()
    work.receive("milk", 1)  # scanned while the update was on its way
    landed = manifest("processing")
    landed.inventory[1].received_qty = 2
    work.reread(landed)  # the update went through; its answer was lost
    assert work.received_qty("milk") == 3
    assert work.next_update() == {"inventory": [{"item_id": "milk", "received_qty": 3}]}
    work.reread(landed)  # this one did not go through: still to send
    assert work.received_qty("milk") == 3 and work.unsaved


def test_a_refused_update_drops_what_it_carried() -> None:
    work = Receiving(manifest())
    work.receive("milk", 2, layout_id="bin_x")
    work.next_update()
    work.reread(manifest(), refused=True)
    assert not work.unsaved and work.received_qty("milk") == 0 and work.bin_of("milk") == "bin_m"


def test_a_line_holds_one_bin_and_one_lot() -> None:
    work = Receiving(manifest())
    work.receive("bolt", 2, layout_id="bin_a")
    assert work.needs_bin_move("bolt", "bin_b") == "bin_a"
    assert work.needs_bin_move("bolt", "bin_a") is None
    assert work.needs_bin_move("milk", "bin_b") is None  # nothing counted into bin_m yet
    assert work.record_lot("bolt", "lot_1") is None
    assert work.record_lot("bolt", "lot_2") == "lot_1"
    assert work.lot_of("bolt") == "lot_1"


def test_typed_counts_replace_the_line_counts() -> None:
    work = Receiving(manifest(received_qty=5, layout_id="bin_a"))
    work.set_counts("bolt", 3, 1)
    assert (work.received_qty("bolt"), work.damaged_qty("bolt")) == (3, 1)
    assert work.next_update() == {
        "inventory": [{"item_id": "bolt", "received_qty": 3, "damaged_qty": 1}]
    }
    with pytest.raises(Conflict):
        work.set_counts("bolt", -1, 0)


def test_effects_in_an_operators_words() -> None:
    names = {"bolt": "Bolt", "milk": "Milk"}
    bins = {"bin_a": "A-01"}
    assert describe_plan(announce(manifest()), names, bins) == [
        "Bolt: +12 manifested (on the way) at no bin",
        "Milk: +6 manifested (on the way) at no bin",
    ]
    done = manifest(received_qty=10, damaged_qty=1, layout_id="bin_a")
    assert describe_plan(receive(done), names, bins) == [
        "Bolt: -12 manifested at no bin; +10 verified into A-01; +1 damaged into A-01",
        "Milk: -6 manifested at no bin",
    ]


def answered(work: Receiving, body: dict) -> Manifest:
    """The manifest as a backend with receipt parts answers `body`."""
    from console.domain.manifests import apply_update
    from console.domain.models import Layout, Location
    from console.domain.requests import ManifestUpdate

    location = Location(
        id="loc", name="Here", layouts=[Layout(id=b, name=b) for b in ("bin_a", "bin_b", "bin_m")]
    )
    result, _ = apply_update(work.manifest, ManifestUpdate.model_validate(body), location, 0)
    return result


def test_with_parts_one_line_goes_to_two_bins_and_two_lots_each_sent_absolute() -> None:
    work = Receiving(manifest(), split=True)
    work.receive("bolt", 2, layout_id="bin_a", lot_id="lot_1")
    work.receive("bolt", 3, layout_id="bin_b")  # same lot, the next bin
    work.receive("bolt", 1, damaged=True, lot_id="lot_2")
    assert work.needs_bin_move("bolt", "bin_a") is None
    assert work.parts("bolt") == [
        ("bin_a", "lot_1", 2),
        ("bin_b", "lot_1", 3),
        ("bin_b", "lot_2", 1),
    ]
    body = work.next_update()
    assert body == {
        "inventory": [
            {
                "item_id": "bolt",
                "parts": [
                    {"layout_id": "bin_a", "lot_id": "lot_1", "received_qty": 2, "damaged_qty": 0},
                    {"layout_id": "bin_b", "lot_id": "lot_1", "received_qty": 3, "damaged_qty": 0},
                    {"layout_id": "bin_b", "lot_id": "lot_2", "received_qty": 0, "damaged_qty": 1},
                ],
            }
        ]
    }
    work.confirmed(answered(work, body))
    assert not work.unsaved and work.received_qty("bolt") == 5 and work.damaged_qty("bolt") == 1
    work.receive("bolt", 1)  # into bin_b, lot_2: its damaged unit is sent along, unchanged
    assert work.next_update() == {
        "inventory": [
            {
                "item_id": "bolt",
                "parts": [
                    {"layout_id": "bin_b", "lot_id": "lot_2", "received_qty": 1, "damaged_qty": 1}
                ],
            }
        ]
    }


def test_with_parts_a_lost_answer_and_a_journal_settle_per_part() -> None:
    import json

    work = Receiving(manifest(), split=True)
    work.receive("bolt", 2, layout_id="bin_a")
    body = work.next_update()
    assert body is not None
    landed = answered(work, body)
    work.receive("bolt", 1, layout_id="bin_b")
    kept = json.loads(json.dumps(work.unconfirmed()))
    work.reread(landed)  # the first update went through; the second unit is still to send
    assert work.parts("bolt") == [("bin_a", None, 2), ("bin_b", None, 1)]
    assert work.received_qty("bolt") == 3
    again = Receiving(landed, split=True)
    again.restore(kept, landed=True)
    assert again.received_qty("bolt") == 3, "nothing counted twice after a restart"
    # a journal written on a backend without parts comes back into the line's bin
    old = Receiving(manifest(), split=False)
    old.receive("bolt", 4, layout_id="bin_a")
    into_parts = Receiving(manifest(), split=True)
    into_parts.restore(json.loads(json.dumps(old.unconfirmed())), landed=None)
    assert into_parts.parts("bolt") == [("bin_a", None, 4)]


def test_with_parts_a_smaller_typed_count_gives_back_from_the_current_part_first() -> None:
    work = Receiving(manifest(), split=True)
    work.receive("bolt", 2, layout_id="bin_a")
    work.receive("bolt", 3, layout_id="bin_b")
    work.set_counts("bolt", 4, 0)
    assert work.parts("bolt") == [("bin_a", None, 2), ("bin_b", None, 2)]
    work.set_counts("bolt", 1, 0)
    assert work.parts("bolt") == [("bin_a", None, 1)]


def test_a_journal_of_parts_restored_on_a_backend_without_parts_counts_each_unit_once() -> None:
    import json

    from console.domain.models import ReceiptPart

    work = Receiving(manifest(), split=True)
    work.receive("bolt", 2, layout_id="bin_a")
    work.receive("bolt", 3, layout_id="bin_b")
    work.next_update()  # both parts on their way when the console stops
    kept = json.loads(json.dumps(work.unconfirmed()))
    landed = manifest(
        received_qty=5,
        layout_id="bin_a",
        parts=[
            ReceiptPart(layout_id="bin_a", received_qty=2),
            ReceiptPart(layout_id="bin_b", received_qty=3),
        ],
    )
    again = Receiving(landed, split=False)
    again.restore(kept, landed=True)
    assert again.received_qty("bolt") == 5 and not again.unsaved
