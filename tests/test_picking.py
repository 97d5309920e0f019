"""Picking and packing rules: what a scan may take, and how unconfirmed work is settled."""

from __future__ import annotations

import pytest

from console.domain.errors import Conflict
from console.domain.models import (
    Allocation,
    Dimensions,
    Fulfillment,
    FulfillmentLine,
    Item,
    Layout,
    Location,
    LotPick,
    Parcel,
    ParcelLine,
)
from console.domain.picking import (
    ParcelDraft,
    ParcelLimits,
    PickPack,
    default_parcel,
    due_in,
    walking_order,
)


def order(**changes: object) -> Fulfillment:
    base = Fulfillment(
        id="ful_1",
        order_number="SO-1",
        location_id="loc_1",
        inventory=[
            FulfillmentLine(item_id="bolt", qty=3, allocations=[Allocation(layout_id="b", qty=3)]),
            FulfillmentLine(item_id="milk", qty=2, allocations=[Allocation(layout_id="a", qty=2)]),
        ],
    )
    return base.model_copy(update=changes)


def answer_with(ful: Fulfillment, picked: dict[str, int], status: str | None = None) -> Fulfillment:
    out = ful.model_copy(deep=True)
    for line in out.inventory:
        line.picked_qty = picked.get(line.item_id, line.picked_qty)
    if status:
        out.status = status  # type: ignore[assignment]
    return out


def test_pick_list_walks_the_bins_in_path_order() -> None:
    location = Location(
        id="loc_1",
        name="Reno",
        layouts=[Layout(id="a", name="A", path="1"), Layout(id="b", name="B", path="2")],
    )
    assert [ln.item_id for ln in walking_order(order(), location)] == ["milk", "bolt"]


def test_wrong_item_and_over_pick_are_refused_and_change_nothing() -> None:
    work = PickPack(order())
    work.pick("bolt", 2, "Bolt")
    with pytest.raises(Conflict, match="Wrong item"):
        work.pick("tape", 1, "Tape")
    with pytest.raises(Conflict, match=r"Over-pick.*only 1 more"):
        work.pick("bolt", 2, "Bolt")
    assert work.picked("bolt") == 2 and work.added.as_dict() == {"bolt": 2}


def test_updates_carry_absolute_counts_and_the_last_one_marks_picked() -> None:
    work = PickPack(order())
    work.pick("bolt", 1, "Bolt")
    body = work.next_update()
    assert body == {"inventory": [{"item_id": "bolt", "picked_qty": 1}]}
    work.pick("bolt", 1, "Bolt")  # scanned while the first update was on its way
    work.confirmed(answer_with(order(), {"bolt": 1}, "processing"))
    assert work.picked("bolt") == 2 and work.added.as_dict() == {"bolt": 1}
    work.pick("bolt", 1, "Bolt")
    work.pick("milk", 2, "Milk")
    body = work.next_update()
    assert body is not None and body["status"] == "picked"
    assert {r["item_id"]: r["picked_qty"] for r in body["inventory"]} == {"bolt": 3, "milk": 2}


def test_after_a_lost_answer_the_reread_decides_and_nothing_counts_twice() -> None:
    work = PickPack(order())
    work.pick("bolt", 2, "Bolt")
    work.next_update()
    work.reread(answer_with(order(), {"bolt": 2}))  # it went through
    assert work.picked("bolt") == 2 and not work.unsaved
    work.pick("bolt", 1, "Bolt")
    work.next_update()
    work.reread(answer_with(order(), {"bolt": 2}))  # it did not: kept, to send again
    assert work.picked("bolt") == 3 and work.unsaved
    assert work.next_update() == {"inventory": [{"item_id": "bolt", "picked_qty": 3}]}


def test_a_refused_update_is_dropped_so_the_screen_shows_the_truth() -> None:
    work = PickPack(order())
    work.pick("bolt", 3, "Bolt")
    work.next_update()
    work.reread(answer_with(order(), {"bolt": 1}), refused=True)  # another console picked one
    assert work.picked("bolt") == 1 and not work.unsaved


def test_short_pick_needs_a_reason_and_settles_the_line() -> None:
    work = PickPack(order())
    with pytest.raises(Conflict, match="reason"):
        work.short("bolt", "  ", "Bolt")
    work.short("bolt", "not in bin", "Bolt")
    work.pick("milk", 2, "Milk")
    assert work.all_settled
    body = work.next_update()
    assert body is not None and body["status"] == "picked"
    assert {"item_id": "bolt", "short_reason": "not in bin"} in body["inventory"]


def test_packing_refuses_more_than_was_picked() -> None:
    picked = answer_with(order(), {"bolt": 3, "milk": 1}, "picked")
    work = PickPack(picked)
    with pytest.raises(Conflict, match="Open a parcel"):
        work.pack(0, "bolt", 1, "Bolt")
    index = work.new_parcel(ParcelDraft(10, 8, 4, 3))
    work.pack(index, "bolt", 3, "Bolt")
    with pytest.raises(Conflict, match="Over-pack"):
        work.pack(index, "milk", 2, "Milk")
    assert work.unpacked() == {"milk": 1}
    body = work.next_update()
    assert body == {
        "parcels": [
            {
                "length": 10,
                "width": 8,
                "height": 4,
                "weight": 3,
                "inventory": [{"item_id": "bolt", "qty": 3}],
            }
        ]
    }
    stored = picked.model_copy(
        update={
            "parcels": [
                Parcel(
                    id="prcl_1",
                    length=10,
                    width=8,
                    height=4,
                    weight=3,
                    inventory=[ParcelLine(item_id="bolt", qty=3)],
                )
            ]
        }
    )
    work.confirmed(stored)
    assert work.parcels[0].id == "prcl_1" and not work.unsaved


def test_default_parcel_from_packaged_dimensions_and_limits() -> None:
    items = {
        "bolt": Item(
            id="bolt",
            name="Bolt",
            packaged_dimensions=Dimensions(length=10, width=4, height=2, weight=1.5),
        ),
        "tape": Item(id="tape", name="Tape"),  # no dimensions: adds nothing
    }
    draft = default_parcel(items, {"bolt": 4, "tape": 1})
    assert (draft.length, draft.width, draft.height, draft.weight) == (10, 4, 8, 6)
    limits = ParcelLimits(max_weight=5, max_length=9, max_length_and_girth=30)
    assert limits.problems(draft) == ["over 5 lb", "longer than 9 in", "length+girth over 30 in"]
    assert ParcelLimits().problems(draft) == []


def test_due_time_reads_as_an_operator_says_it() -> None:
    assert due_in(None, 0) == ("no date", False)
    assert due_in(3 * 3600, 0) == ("in 3 h", False)
    assert due_in(-3 * 86_400, 0) == ("overdue 3 d", True)
    assert due_in(600, 0) == ("in 10 min", False)


def test_work_kept_on_disk_comes_back_on_top_of_the_order_as_it_is_now() -> None:
    import json

    work = PickPack(order())
    work.pick("bolt", 2, "Bolt")
    work.next_update()  # one update on its way, carrying both
    work.pick("bolt", 1, "Bolt")
    work.short("milk", "not in bin", "Milk")
    kept = json.loads(json.dumps(work.unconfirmed()))  # as the journal keeps it
    # the update on its way landed: its two are in the order; the third and the reason are not
    landed = PickPack(answer_with(order(), {"bolt": 2}))
    landed.restore(kept, landed=True)
    assert landed.picked("bolt") == 3 and landed.short_reason("milk") == "not in bin"
    # it never landed, and another console picked one meanwhile: all three on top of theirs
    again = PickPack(answer_with(order(), {"bolt": 0}))
    again.restore(kept, landed=None)
    assert again.picked("bolt") == 3


def test_parcels_being_filled_are_kept_on_disk_too() -> None:
    import json

    picked = answer_with(order(), {"bolt": 3, "milk": 2}, "picked")
    work = PickPack(picked)
    index = work.new_parcel(ParcelDraft(10, 8, 6, 4.5))
    work.pack(index, "bolt", 3, "Bolt")
    kept = json.loads(json.dumps(work.unconfirmed()))
    back = PickPack(picked)
    back.restore(kept, landed=None)
    assert back.unsaved and [p.contents for p in back.parcels] == [{"bolt": 3}]
    assert back.parcels[0].length == 10 and back.unpacked() == {"milk": 2}


def answer_with_lots(ful: Fulfillment, picked: int, lots: dict[str, int]) -> Fulfillment:
    out = answer_with(ful, {"bolt": picked})
    out.inventory[0].lots = [LotPick(lot_id=k, qty=v) for k, v in lots.items()]
    return out


def test_picks_carry_their_lots_absolute_and_a_lost_answer_settles_them_too() -> None:
    work = PickPack(order())
    work.pick("bolt", 2, "Bolt", [("lot_a", 2)])
    assert work.next_update() == {
        "inventory": [{"item_id": "bolt", "picked_qty": 2, "lots": [{"lot_id": "lot_a", "qty": 2}]}]
    }
    work.reread(answer_with_lots(order(), 2, {"lot_a": 2}))  # it went through
    assert not work.unsaved and work.lot_picked("bolt", "lot_a") == 2
    work.pick("bolt", 1, "Bolt", [("lot_b", 1)])
    work.next_update()
    work.reread(answer_with_lots(order(), 2, {"lot_a": 2}))  # it did not: sent again
    assert work.next_update() == {
        "inventory": [{"item_id": "bolt", "picked_qty": 3, "lots": [{"lot_id": "lot_b", "qty": 1}]}]
    }


def test_lots_of_a_pick_kept_on_disk_come_back_and_a_smaller_count_gives_back_the_last() -> None:
    import json

    work = PickPack(order())
    work.pick("bolt", 1, "Bolt", [("lot_a", 1)])
    work.pick("bolt", 2, "Bolt", [("lot_b", 2)])
    kept = json.loads(json.dumps(work.unconfirmed()))
    again = PickPack(order())
    again.restore(kept, landed=None)
    assert (again.lot_picked("bolt", "lot_a"), again.lot_picked("bolt", "lot_b")) == (1, 2)
    again.set_picked("bolt", 2, "Bolt")  # the operator counted one fewer
    assert (again.lot_picked("bolt", "lot_a"), again.lot_picked("bolt", "lot_b")) == (1, 1)
    with pytest.raises(Conflict, match="more units from lots"):
        again.pick("bolt", 1, "Bolt", [("lot_a", 2)])


def test_a_backend_without_lots_per_pick_is_never_sent_lots_not_even_from_a_journal() -> None:
    import json

    work = PickPack(order())
    work.pick("bolt", 1, "Bolt", [("lot_a", 1)])
    kept = json.loads(json.dumps(work.unconfirmed()))
    plain = PickPack(order(), keeps_lots=False)
    plain.restore(kept, landed=None)
    plain.pick("bolt", 1, "Bolt", [("lot_a", 1)])
    assert plain.next_update() == {"inventory": [{"item_id": "bolt", "picked_qty": 2}]}
