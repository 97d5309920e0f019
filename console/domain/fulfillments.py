"""Outbound fulfillments: the status machine and what each step does to inventory.

created → processing → picked → packed → completed, or canceled from any open status.
Creating reserves stock (verified → reserved, bin by bin, recorded as allocations); completing
consumes what was picked and returns the rest; canceling returns everything to verified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from console.domain.errors import Conflict, FieldError, InvalidInput
from console.domain.levels import LevelPlan
from console.domain.lots import expired
from console.domain.models import (
    Allocation,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Item,
    Level,
    Location,
    Lot,
    LotPick,
    Parcel,
    ParcelLine,
)
from console.domain.requests import FulfillmentLineInput, FulfillmentUpdate, LevelChange
from console.domain.words import counted

S = FulfillmentStatus

TRANSITIONS: Mapping[FulfillmentStatus, frozenset[FulfillmentStatus]] = {
    S.CREATED: frozenset({S.PROCESSING, S.CANCELED}),
    S.PROCESSING: frozenset({S.PICKED, S.CANCELED}),
    S.PICKED: frozenset({S.PROCESSING, S.PACKED, S.CANCELED}),
    S.PACKED: frozenset({S.COMPLETED, S.CANCELED}),
    S.COMPLETED: frozenset(),
    S.CANCELED: frozenset(),
}

# Statuses in which picked counts may still change, and in which parcels may be packed.
PICKING = frozenset({S.CREATED, S.PROCESSING})
PACKING = frozenset({S.PICKED})


def bin_walk_key(level: Level, location: Location | None) -> tuple[int, str]:
    """Walking order of a level's bin: by layout path; the no-bin level last."""
    if level.layout_id is None:
        return (1, "")
    layout = location.layout(level.layout_id) if location else None
    return (0, (layout.path or layout.name) if layout else level.layout_id)


def reserve(
    lines: list[FulfillmentLineInput],
    items: Mapping[str, Item],
    location: Location,
) -> tuple[list[FulfillmentLine], LevelPlan]:
    """Allocate each line's quantity from the item's verified stock at the location, bins in
    walking order, and plan the verified → reserved move. Refuses (409) what the stock can't cover."""
    seen: set[str] = set()
    result: list[FulfillmentLine] = []
    plan: LevelPlan = defaultdict(list)
    for index, line in enumerate(lines):
        if line.item_id in seen:
            raise InvalidInput(
                f"Item {line.item_id} is on two lines; put it on one line.",
                [FieldError(f"inventory.{index}.item_id", "duplicate item")],
            )
        seen.add(line.item_id)
        item = items[line.item_id]
        levels = sorted(item.levels_at(location.id), key=lambda lv: bin_walk_key(lv, location))
        available = sum(max(0, lv.verified_qty) for lv in levels)
        if available < line.qty:
            raise Conflict(
                f"Only {available} of {item.name} verified at {location.name}; "
                f"{line.qty} cannot be reserved.",
                [FieldError(f"inventory.{index}.qty", f"only {available} available")],
            )
        allocations: list[Allocation] = []
        wanted = line.qty
        for level in levels:
            take = min(wanted, max(0, level.verified_qty))
            if take:
                allocations.append(Allocation(layout_id=level.layout_id, qty=take))
                plan[item.id].append(_move(location.id, level.layout_id, reserved=take))
                wanted -= take
            if not wanted:
                break
        result.append(FulfillmentLine(item_id=item.id, qty=line.qty, allocations=allocations))
    return result, dict(plan)


def _move(location_id: str, layout_id: str | None, *, reserved: int) -> LevelChange:
    """Verified → reserved (positive) or back (negative), at one bin."""
    return LevelChange.model_validate(
        {
            "location_id": location_id,
            "layout_id": layout_id,
            "verified_qty": -reserved,
            "reserved_qty": reserved,
        }
    )


def _consume(location_id: str, layout_id: str | None, qty: int) -> LevelChange:
    return LevelChange.model_validate(
        {"location_id": location_id, "layout_id": layout_id, "reserved_qty": -qty}
    )


def release(fulfillment: Fulfillment) -> LevelPlan:
    """Cancel: every reserved unit goes back to verified in the bin it came from."""
    plan: LevelPlan = defaultdict(list)
    for line in fulfillment.inventory:
        for alloc in line.allocations:
            if alloc.qty:
                plan[line.item_id].append(
                    _move(fulfillment.location_id, alloc.layout_id, reserved=-alloc.qty)
                )
    return dict(plan)


def consume(fulfillment: Fulfillment) -> LevelPlan:
    """Complete: picked units leave the building (reserved is consumed, bins in allocation
    order); whatever was reserved but not picked (a short pick) returns to verified."""
    plan: LevelPlan = defaultdict(list)
    for line in fulfillment.inventory:
        shipped = line.picked_qty
        for alloc in line.allocations:
            used = min(shipped, alloc.qty)
            shipped -= used
            if used:
                plan[line.item_id].append(_consume(fulfillment.location_id, alloc.layout_id, used))
            if alloc.qty - used:
                plan[line.item_id].append(
                    _move(fulfillment.location_id, alloc.layout_id, reserved=-(alloc.qty - used))
                )
    return dict(plan)


@dataclass(slots=True)
class LotHold:
    """What a fulfillment update does to one lot on one line: units picked of it are held for
    the order (available → reserved; negative when a pick is undone or the order canceled),
    and units shipped leave it (out of reserved and the total) when the order completes."""

    item_id: str
    held: int = 0
    shipped: int = 0


# (line's item, lot) → what the update does to that lot for that line
LotPlan = dict[tuple[str, str], LotHold]


def lot_holds(before: Fulfillment, after: Fulfillment) -> LotPlan:
    """The lot changes from one state of a fulfillment to the next, per line and lot (a lot
    moved from one line to another is a give-back on one and a new pick on the other, each
    checked): picks held or let go; at completion the picked lots shipped; at cancelation
    every held unit goes back."""
    old = {(line.item_id, pick.lot_id): pick.qty for line in before.inventory for pick in line.lots}
    new = {(line.item_id, pick.lot_id): pick.qty for line in after.inventory for pick in line.lots}
    if after.status == S.CANCELED:
        new = {}
    plan: LotPlan = {}
    for key in old.keys() | new.keys():
        change = new.get(key, 0) - old.get(key, 0)
        if change:
            plan[key] = LotHold(key[0], held=change)
    if after.status == S.COMPLETED and before.status != S.COMPLETED:
        for key, qty in new.items():
            if qty:
                plan.setdefault(key, LotHold(key[0])).shipped += qty
    return plan


def held_lot(lot: Lot, holds: list[LotHold], fulfillment: Fulfillment, now: int) -> Lot:
    """The lot after a fulfillment update's holds on it, or a refusal naming what is wrong with
    a new pick of it: a lot of another item or location, an expired or blocked lot, more than it
    has available. Giving units back and shipping them are never refused: they only undo or end
    what a pick began, whatever became of the lot since (its counts do not go below zero)."""
    number = lot.number or lot.id
    field = "inventory.lots"
    for hold in holds:
        if hold.held <= 0:
            continue
        if lot.item_id != hold.item_id or lot.location_id != fulfillment.location_id:
            raise InvalidInput(
                f"Lot {number} is not a lot of {hold.item_id} at this order's location.",
                [FieldError(field, f"{lot.id} is of another item or location")],
            )
        if lot.status != "available":
            raise Conflict(
                f"Lot {number} is {lot.status}: it cannot be picked.",
                [FieldError(field, f"lot {number} is {lot.status}")],
            )
        if expired(lot.expires_at, now=now):
            raise Conflict(
                f"Lot {number} has expired: it cannot be picked.",
                [FieldError(field, f"lot {number} has expired")],
            )
    held = sum(hold.held for hold in holds)
    shipped = sum(hold.shipped for hold in holds)
    if held > lot.available_qty:
        raise Conflict(
            f"Lot {number} has {lot.available_qty} available; {held} more cannot be picked of it.",
            [FieldError(field, f"lot {number}: only {lot.available_qty} available")],
        )
    available = lot.available_qty - held
    reserved = lot.reserved_qty + held - shipped
    if reserved < 0:  # the lot was edited since the pick: what it lacks comes out of available
        available, reserved = max(0, available + reserved), 0
    total = max(0, lot.total_qty - shipped)
    available = min(available, max(0, total - reserved - lot.defective_qty))
    return lot.model_copy(
        update={
            "available_qty": available,
            "reserved_qty": reserved,
            "total_qty": total,
            "updated_at": now,
        }
    )


def check_transition(current: FulfillmentStatus, target: FulfillmentStatus) -> None:
    if target == current:
        return
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is closed)"
        raise Conflict(
            f"A {current} fulfillment cannot become {target}; it can become: {allowed}.",
            [FieldError("status", f"{current} → {target} is not allowed")],
        )


def _still_picking(ful: Fulfillment, field: str) -> None:
    if ful.status not in PICKING:
        raise Conflict(
            f"Picks can no longer change: the fulfillment is {ful.status}.",
            [FieldError(field, f"fulfillment is {ful.status}")],
        )


def _record_picks(ful: Fulfillment, update: FulfillmentUpdate) -> None:
    lines = {line.item_id: line for line in ful.inventory}
    for index, record in enumerate(update.inventory or []):
        line = lines.get(record.item_id)
        if line is None:
            raise InvalidInput(
                f"Item {record.item_id} is not on order {ful.order_number or ful.id}.",
                [FieldError(f"inventory.{index}.item_id", "not on this fulfillment")],
            )
        if record.picked_qty is not None and record.picked_qty != line.picked_qty:
            _still_picking(ful, f"inventory.{index}.picked_qty")
            if record.picked_qty > line.qty:
                raise Conflict(
                    f"Over-pick: {record.picked_qty} picked but only {line.qty} ordered.",
                    [FieldError(f"inventory.{index}.picked_qty", f"more than {line.qty} ordered")],
                )
            line.picked_qty = record.picked_qty
        if record.lots is not None:
            _still_picking(ful, f"inventory.{index}.lots")
            counts = {pick.lot_id: pick.qty for pick in line.lots}
            counts.update({pick.lot_id: pick.qty for pick in record.lots})
            line.lots = [LotPick(lot_id=k, qty=v) for k, v in counts.items() if v]
        if sum(pick.qty for pick in line.lots) > line.picked_qty:
            raise Conflict(
                f"{sum(p.qty for p in line.lots)} units of {record.item_id} are picked from lots "
                f"but only {line.picked_qty} picked in all.",
                [FieldError(f"inventory.{index}.lots", f"more than the {line.picked_qty} picked")],
            )
        if record.short_reason is not None:
            line.short_reason = record.short_reason.strip() or None
        if record.packed_qty is not None:
            _check_packed(line, record.packed_qty, f"inventory.{index}.packed_qty")
            line.packed_qty = record.packed_qty
    if ful.status == S.CREATED and any(
        line.picked_qty or line.short_reason for line in ful.inventory
    ):
        ful.status = S.PROCESSING  # the first pick (or short pick) starts the work


def _check_packed(line: FulfillmentLine, packed: int, field: str) -> None:
    if packed > line.picked_qty:
        raise Conflict(
            f"Cannot pack {packed} of {line.item_id}: only {line.picked_qty} picked.",
            [FieldError(field, f"more than the {line.picked_qty} picked")],
        )


def _record_parcels(
    ful: Fulfillment, update: FulfillmentUpdate, new_parcel_id: Callable[[], str]
) -> None:
    if update.parcels is None:
        return
    if ful.status not in PACKING:
        raise Conflict(
            f"Parcels are packed after picking; the fulfillment is {ful.status}.",
            [FieldError("parcels", f"fulfillment is {ful.status}")],
        )
    lines = {line.item_id: line for line in ful.inventory}
    packed: dict[str, int] = defaultdict(int)
    parcels: list[Parcel] = []
    for p_index, parcel in enumerate(update.parcels):
        for l_index, content in enumerate(parcel.inventory):
            if content.item_id not in lines:
                raise InvalidInput(
                    f"Item {content.item_id} is not on this fulfillment.",
                    [FieldError(f"parcels.{p_index}.inventory.{l_index}.item_id", "not ordered")],
                )
            packed[content.item_id] += content.qty
        parcels.append(
            Parcel(
                id=parcel.id or new_parcel_id(),
                length=parcel.length,
                width=parcel.width,
                height=parcel.height,
                weight=parcel.weight,
                inventory=[ParcelLine(item_id=c.item_id, qty=c.qty) for c in parcel.inventory],
            )
        )
    for item_id, line in lines.items():
        _check_packed(line, packed[item_id], "parcels")
        line.packed_qty = packed[item_id]
    ful.parcels = parcels


def _check_ready(ful: Fulfillment, target: FulfillmentStatus) -> None:
    if target == S.PICKED:
        open_lines = [line for line in ful.inventory if not line.is_settled]
        if open_lines:
            first = open_lines[0]
            raise Conflict(
                f"{counted(len(open_lines), 'line')} not picked yet (e.g. {first.item_id}: "
                f"{first.picked_qty}/{first.qty}); pick them or record a short-pick reason.",
                [FieldError("status", "lines still open")],
            )
    elif target == S.PACKED:
        unpacked = [line for line in ful.inventory if line.packed_qty < line.picked_qty]
        if unpacked:
            raise Conflict(
                f"{counted(len(unpacked), 'line')} with picked units not in a parcel yet.",
                [FieldError("status", "units not packed")],
            )


def apply_update(
    ful: Fulfillment,
    update: FulfillmentUpdate,
    new_parcel_id: Callable[[], str],
    now: int,
) -> tuple[Fulfillment, LevelPlan]:
    """The fulfillment after an update, and the level changes it brings; the input is untouched.

    Picks and parcels are recorded first, so one request may record the last pick and move on.
    """
    if ful.status in (S.COMPLETED, S.CANCELED):
        raise Conflict(
            f"The fulfillment is {ful.status}; it cannot change any more.",
            [FieldError("status", f"fulfillment is {ful.status}")],
        )
    result = ful.model_copy(deep=True)
    _record_picks(result, update)
    _record_parcels(result, update, new_parcel_id)
    plan: LevelPlan = {}
    target = update.status
    if target is not None and target != result.status:
        check_transition(result.status, target)
        _check_ready(result, target)
        if target == S.CANCELED:
            if not (update.cancel_reason or result.cancel_reason):
                raise InvalidInput.on("cancel_reason", "a reason is required to cancel")
            plan = release(result)
        elif target == S.COMPLETED:
            plan = consume(result)
        result.status = target
    if update.cancel_reason is not None:
        result.cancel_reason = update.cancel_reason
    result.updated_at = now
    return result, plan
