"""Picking and packing as an operator does it, one scan at a time.

The wire carries absolute counts (`picked_qty`, whole parcel lists), so a re-sent update can
never count twice. The operator's work is kept here as what was added on top of the last state
the backend confirmed: a lost answer, a slow network or a second console changes what is sent,
never what the operator did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.domain.errors import Conflict, FieldError
from console.domain.fulfillments import PACKING, PICKING
from console.domain.models import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Item,
    Location,
    Parcel,
)
from console.domain.unconfirmed import AddedCounts, Sent
from console.domain.words import counted

S = FulfillmentStatus


def refuse(message: str, field_name: str = "inventory") -> Conflict:
    return Conflict(message, [FieldError(field_name, message)])


def walk_key(line: FulfillmentLine, location: Location | None) -> tuple[int, str, str]:
    """Walking order: by the path of the first bin the line was reserved from; lines with no
    bin last."""
    first = next((a.layout_id for a in line.allocations if a.layout_id), None)
    if first is None:
        return (1, "", line.item_id)
    layout = location.layout(first) if location else None
    return (0, (layout.path or layout.name) if layout else first, line.item_id)


def walking_order(fulfillment: Fulfillment, location: Location | None) -> list[FulfillmentLine]:
    return sorted(fulfillment.inventory, key=lambda line: walk_key(line, location))


def line_bins(line: FulfillmentLine) -> list[str]:
    """The bins (layout ids) a line's units were reserved from, in allocation order."""
    return [a.layout_id for a in line.allocations if a.layout_id and a.qty]


@dataclass
class ParcelDraft:
    """A parcel as the operator is filling it; `id` is None until the backend has it."""

    length: float
    width: float
    height: float
    weight: float
    contents: dict[str, int] = field(default_factory=dict)
    id: str | None = None

    @classmethod
    def of(cls, parcel: Parcel) -> ParcelDraft:
        return cls(
            length=parcel.length or 0,
            width=parcel.width or 0,
            height=parcel.height or 0,
            weight=parcel.weight or 0,
            contents={line.item_id: line.qty for line in parcel.inventory if line.qty},
            id=parcel.id,
        )

    @property
    def units(self) -> int:
        return sum(self.contents.values())

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "length": self.length,
            "width": self.width,
            "height": self.height,
            "weight": self.weight,
            "inventory": [{"item_id": i, "qty": q} for i, q in self.contents.items() if q],
        }
        if self.id:
            body["id"] = self.id
        return body


@dataclass(frozen=True)
class ParcelLimits:
    """What a carrier takes without a surcharge or a freight booking (inches, pounds)."""

    max_weight: float = 150.0
    max_length: float = 108.0
    max_length_and_girth: float = 165.0

    def problems(self, parcel: ParcelDraft) -> list[str]:
        sides = sorted((parcel.length, parcel.width, parcel.height), reverse=True)
        size = sides[0] + 2 * (sides[1] + sides[2])
        found = []
        if parcel.weight > self.max_weight:
            found.append(f"over {self.max_weight:g} lb")
        if sides[0] > self.max_length:
            found.append(f"longer than {self.max_length:g} in")
        if size > self.max_length_and_girth:
            found.append(f"length+girth over {self.max_length_and_girth:g} in")
        return found


def default_parcel(items: Mapping[str, Item | None], units: Mapping[str, int]) -> ParcelDraft:
    """A box for these units from the items' packaged dimensions: as long and wide as the
    largest unit, tall enough for their total volume; their total weight. Sides round up to the
    half inch. Items without packaged dimensions add nothing (the operator measures)."""
    length = width = tallest = volume = weight = 0.0
    for item_id, count in units.items():
        item = items.get(item_id)
        dims = item.packaged_dimensions if item else None
        if dims is None or count <= 0:
            continue
        length = max(length, dims.length or 0)
        width = max(width, dims.width or 0)
        tallest = max(tallest, dims.height or 0)
        volume += (dims.length or 0) * (dims.width or 0) * (dims.height or 0) * count
        weight += (dims.weight or 0) * count
    height = max(tallest, volume / (length * width)) if length and width else tallest

    def half_inch(x: float) -> float:
        return math.ceil(x * 2) / 2

    return ParcelDraft(
        length=half_inch(length),
        width=half_inch(width),
        height=half_inch(height),
        weight=round(weight, 2),
    )


def lot_key(item_id: str, lot_id: str) -> str:
    """The key of one lot of one line among the counts not confirmed yet."""
    return f"{item_id}\x1f{lot_id}"


def _split_lot_key(key: str) -> tuple[str, str]:
    item_id, _, lot_id = key.partition("\x1f")
    return item_id, lot_id


@dataclass
class _Sent:
    """What one update carried, to settle the operator's work when its answer (or a re-read)
    comes back."""

    picks: Sent  # item → (confirmed picked before, picked sent)
    reasons: dict[str, str]
    lots: Sent = field(default_factory=dict)  # lot_key(item, lot) → the same, of that lot
    parcels: list[dict[str, int]] | None = None  # each parcel's contents as sent
    parcels_version: int = 0


class PickPack:
    """One fulfillment as this console works it: the last state the backend confirmed, plus the
    operator's picks, short-pick reasons and parcels not confirmed yet."""

    def __init__(self, fulfillment: Fulfillment, *, keeps_lots: bool = True) -> None:
        self.fulfillment = fulfillment
        # whether the backend records the lot of each pick (lot-picks): without, none is kept
        self.keeps_lots = keeps_lots
        self._lines = {line.item_id: line for line in fulfillment.inventory}
        self.added = AddedCounts()
        self.lot_added = AddedCounts()  # by lot_key: units picked of each lot, not confirmed
        self.reasons: dict[str, str] = {}
        self.parcels = [ParcelDraft.of(p) for p in fulfillment.parcels]
        self._parcels_version = 0
        self._parcels_confirmed = 0
        self.in_flight: _Sent | None = None

    # -- reading ------------------------------------------------------------------------------

    @property
    def record(self) -> Fulfillment:
        return self.fulfillment

    @property
    def status(self) -> FulfillmentStatus:
        return self.fulfillment.status

    def line(self, item_id: str) -> FulfillmentLine | None:
        return self._lines.get(item_id)

    def picked(self, item_id: str) -> int:
        line = self.line(item_id)
        return (line.picked_qty if line else 0) + self.added[item_id]

    def lot_picked(self, item_id: str, lot_id: str) -> int:
        """Units of the line picked from the lot, confirmed or not."""
        line = self.line(item_id)
        return (line.lot_picked(lot_id) if line else 0) + self.lot_added[lot_key(item_id, lot_id)]

    def _lots_of(self, item_id: str) -> list[str]:
        """The lots picked on a line, in the order they were first taken."""
        line = self.line(item_id)
        lots = [pick.lot_id for pick in line.lots] if line else []
        for key in self.lot_added.as_dict():
            owner, lot_id = _split_lot_key(key)
            if owner == item_id and lot_id not in lots:
                lots.append(lot_id)
        return lots

    def _confirmed_lots(self) -> dict[str, int]:
        return {
            lot_key(line.item_id, pick.lot_id): pick.qty
            for line in self._lines.values()
            for pick in line.lots
        }

    def short_reason(self, item_id: str) -> str | None:
        line = self.line(item_id)
        return self.reasons.get(item_id) or (line.short_reason if line else None)

    def settled(self, line: FulfillmentLine) -> bool:
        return self.picked(line.item_id) >= line.qty or bool(self.short_reason(line.item_id))

    @property
    def all_settled(self) -> bool:
        return all(self.settled(line) for line in self.fulfillment.inventory)

    def packed(self, item_id: str) -> int:
        return sum(p.contents.get(item_id, 0) for p in self.parcels)

    def unpacked(self) -> dict[str, int]:
        """Picked units not in a parcel yet, by item."""
        return {
            line.item_id: left
            for line in self.fulfillment.inventory
            if (left := self.picked(line.item_id) - self.packed(line.item_id)) > 0
        }

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.fulfillment.inventory)

    @property
    def units_picked(self) -> int:
        return sum(self.picked(line.item_id) for line in self.fulfillment.inventory)

    @property
    def unsaved(self) -> bool:
        """Work the backend has not confirmed yet."""
        return (
            bool(self.added)
            or bool(self.lot_added)
            or bool(self.reasons)
            or self._parcels_version != self._parcels_confirmed
        )

    # -- the operator's work ------------------------------------------------------------------

    def _picking_line(self, item_id: str, name: str) -> FulfillmentLine:
        if self.status not in PICKING:
            raise refuse(f"Order is {self.status}: picking is over.", "status")
        line = self.line(item_id)
        if line is None:
            raise refuse(f"Wrong item: {name} is not on this order.")
        return line

    def check_pick(self, item_id: str, count: int, name: str) -> FulfillmentLine:
        """The line `count` more units of the item would go to; refuses a wrong item or an
        over-pick, changing nothing."""
        line = self._picking_line(item_id, name)
        already = self.picked(item_id)
        if already + count > line.qty:
            left = line.qty - already
            raise refuse(
                f"Over-pick: {name} wants {line.qty}, {already} picked"
                + (f"; only {left} more." if left else "; the line is complete.")
            )
        return line

    def pick(
        self, item_id: str, count: int, name: str, lots: Sequence[tuple[str, int]] = ()
    ) -> int:
        """Record `count` more units picked, `lots` saying how many of them came from which lot
        (the rest from no lot known); the line's picked count after."""
        self.check_pick(item_id, count, name)
        if sum(qty for _, qty in lots) > count:
            raise refuse(f"{name}: more units from lots than picked.")
        self.added.add(item_id, count)
        for lot_id, qty in lots if self.keeps_lots else ():
            if qty:
                self.lot_added.add(lot_key(item_id, lot_id), qty)
        return self.picked(item_id)

    def set_picked(self, item_id: str, qty: int, name: str) -> None:
        """Manual entry for what cannot be scanned: the line's picked count becomes `qty`."""
        line = self._picking_line(item_id, name)
        if not 0 <= qty <= line.qty:
            raise refuse(f"{name}: picked must be between 0 and {line.qty}, not {qty}.")
        self.added.make_total(item_id, line.picked_qty, qty)
        # fewer picked than lots hold: the lots taken last give back first
        over = sum(self.lot_picked(item_id, lot) for lot in self._lots_of(item_id)) - qty
        for lot_id in reversed(self._lots_of(item_id)):
            if over <= 0:
                break
            had = self.lot_picked(item_id, lot_id)
            back = min(had, over)
            self.lot_added.make_total(lot_key(item_id, lot_id), line.lot_picked(lot_id), had - back)
            over -= back

    def short(self, item_id: str, reason: str, name: str) -> None:
        line = self._picking_line(item_id, name)
        if not reason.strip():
            raise refuse("A short pick needs a reason.", "short_reason")
        if self.picked(item_id) >= line.qty:
            raise refuse(f"{name} is fully picked; nothing is short.")
        self.reasons[item_id] = reason.strip()

    def new_parcel(self, draft: ParcelDraft) -> int:
        self._packing()
        self.parcels.append(draft)
        self._parcels_version += 1
        return len(self.parcels) - 1

    def edit_parcel(self, index: int, draft: ParcelDraft) -> None:
        self._packing()
        old = self.parcels[index]
        self.parcels[index] = ParcelDraft(
            draft.length, draft.width, draft.height, draft.weight, old.contents, old.id
        )
        self._parcels_version += 1

    def check_pack(self, index: int, item_id: str, count: int, name: str) -> None:
        self._packing()
        if not 0 <= index < len(self.parcels):
            raise refuse("Open a parcel first (Ctrl+N).", "parcels")
        if self.line(item_id) is None:
            raise refuse(f"Wrong item: {name} is not on this order.", "parcels")
        left = self.picked(item_id) - self.packed(item_id)
        if count > left:
            raise refuse(
                f"Over-pack: {name} has {counted(left, 'picked unit')} not in a parcel; not {count}.",
                "parcels",
            )

    def pack(self, index: int, item_id: str, count: int, name: str) -> None:
        self.check_pack(index, item_id, count, name)
        contents = self.parcels[index].contents
        contents[item_id] = contents.get(item_id, 0) + count
        self._parcels_version += 1

    def _packing(self) -> None:
        if self.status not in PACKING:
            raise refuse(f"Order is {self.status}: parcels are packed once it is picked.", "status")

    # -- talking to the backend ---------------------------------------------------------------

    def next_update(self) -> dict[str, Any] | None:
        """The update that sends the unconfirmed work (and marks the order picked when this
        completes every line), or None when there is nothing to send."""
        finishing = self.status in PICKING and self.all_settled and bool(self.fulfillment.inventory)
        if not self.unsaved and not finishing:
            return None
        records = []
        picks = self.added.sending({line.item_id: line.picked_qty for line in self._lines.values()})
        lots = self.lot_added.sending(self._confirmed_lots())
        for line in self.fulfillment.inventory:
            item_id = line.item_id
            record: dict[str, Any] = {"item_id": item_id}
            if item_id in picks:
                record["picked_qty"] = picks[item_id][1]
            lots_here = [
                {"lot_id": lot_id, "qty": sent}
                for key, (_, sent) in lots.items()
                for owner, lot_id in [_split_lot_key(key)]
                if owner == item_id
            ]
            if lots_here:
                record["lots"] = lots_here
            if item_id in self.reasons:
                record["short_reason"] = self.reasons[item_id]
            if len(record) > 1:
                records.append(record)
        body: dict[str, Any] = {}
        if records:
            body["inventory"] = records
        sent = _Sent(picks, dict(self.reasons), lots)
        if self._parcels_version != self._parcels_confirmed:
            body["parcels"] = [p.wire() for p in self.parcels]
            sent.parcels = [dict(p.contents) for p in self.parcels]
            sent.parcels_version = self._parcels_version
        if finishing:
            body["status"] = S.PICKED.value
        self.in_flight = sent
        return body

    def confirmed(self, answer: Fulfillment) -> None:
        """The update's answer arrived: it is the new confirmed state."""
        sent, self.in_flight = self.in_flight, None
        if sent is not None:
            self._settle(sent, answer, applied=True)
        self._adopt(answer)

    def reread(self, fresh: Fulfillment, *, refused: bool = False) -> None:
        """The true state after a lost answer, or after the backend refused the update. Work the
        backend shows is settled and the rest stays to be sent again; refused work is dropped,
        so the screen shows the truth and nothing is counted twice."""
        sent, self.in_flight = self.in_flight, None
        if sent is not None and refused:
            self._drop(sent)
        elif sent is not None:
            self._settle(sent, fresh, applied=False)
        self._adopt(fresh)

    # -- kept on disk (console/services/journal.py) ------------------------------------------

    def unconfirmed(self) -> dict[str, Any]:
        """What the operator did that the backend has not confirmed, as plain data: added
        picks, short reasons, parcels being filled, and what the update in flight carries."""
        sent = self.in_flight
        return {
            "added": self.added.as_dict(),
            "lot_added": self.lot_added.as_dict(),
            "reasons": dict(self.reasons),
            "parcels": (
                [p.wire() for p in self.parcels]
                if self._parcels_version != self._parcels_confirmed
                else None
            ),
            "in_flight": None
            if sent is None
            else {
                "picks": {k: list(v) for k, v in sent.picks.items()},
                "lots": {k: list(v) for k, v in sent.lots.items()},
                "reasons": sent.reasons,
                "parcels": sent.parcels,
            },
        }

    def restore(self, kept: Mapping[str, Any], *, landed: bool | None) -> None:
        """Put back work kept on disk on top of the order as it is now. `landed`: whether the
        update that was in flight was applied (its amounts are in the order now, so they are no
        longer the operator's to send), refused (dropped), or never known to land (None: kept)."""
        for item_id, count in kept.get("added", {}).items():
            if self.line(item_id) is not None:
                self.added.add(item_id, int(count))
        for key, count in kept.get("lot_added", {}).items() if self.keeps_lots else ():
            if self.line(_split_lot_key(key)[0]) is not None:
                self.lot_added.add(key, int(count))
        for item_id, reason in kept.get("reasons", {}).items():
            if self.line(item_id) is not None:
                self.reasons[item_id] = str(reason)
        sent = kept.get("in_flight")
        if sent and landed is not None:
            carried = {k: (int(v[0]), int(v[1])) for k, v in sent.get("picks", {}).items()}
            self.added.drop(carried)
            lots = {k: (int(v[0]), int(v[1])) for k, v in sent.get("lots", {}).items()}
            self.lot_added.drop(lots)
            for item_id, reason in sent.get("reasons", {}).items():
                if self.reasons.get(item_id) == reason:
                    del self.reasons[item_id]
        if kept.get("parcels") and not (sent and landed and sent.get("parcels") is not None):
            self.parcels = [
                ParcelDraft(
                    length=float(p["length"]),
                    width=float(p["width"]),
                    height=float(p["height"]),
                    weight=float(p["weight"]),
                    contents={line["item_id"]: int(line["qty"]) for line in p["inventory"]},
                    id=p.get("id"),
                )
                for p in kept["parcels"]
            ]
            self._parcels_version += 1

    def rebase(self, current: Fulfillment) -> None:
        """The update was refused because the order changed meanwhile (another console counted
        on it): nothing of it was applied. The order as it is now becomes the confirmed state and
        all the operator's work stays to be sent on top of it, never over it."""
        self.in_flight = None
        self._adopt(current)

    def _settle(self, sent: _Sent, answer: Fulfillment, *, applied: bool) -> None:
        lines = {line.item_id: line for line in answer.inventory}
        self.added.settle(
            sent.picks, None if applied else {i: line.picked_qty for i, line in lines.items()}
        )
        self.lot_added.settle(
            sent.lots,
            None
            if applied
            else {lot_key(i, p.lot_id): p.qty for i, line in lines.items() for p in line.lots},
        )
        for item_id, reason in sent.reasons.items():
            line = lines.get(item_id)
            landed = applied or (line is not None and line.short_reason == reason)
            if landed and self.reasons.get(item_id) == reason:
                del self.reasons[item_id]
        if sent.parcels is not None:
            held = [_contents(ParcelDraft.of(p).contents) for p in answer.parcels]
            if applied or held == [_contents(p) for p in sent.parcels]:
                self._parcels_confirmed = sent.parcels_version
                for draft, parcel in zip(self.parcels, answer.parcels, strict=False):
                    draft.id = draft.id or parcel.id

    def _drop(self, sent: _Sent) -> None:
        self.added.drop(sent.picks)
        self.lot_added.drop(sent.lots)
        for item_id, reason in sent.reasons.items():
            if self.reasons.get(item_id) == reason:
                del self.reasons[item_id]
        if sent.parcels is not None:
            self._parcels_version = self._parcels_confirmed

    def _adopt(self, answer: Fulfillment) -> None:
        self.fulfillment = answer
        self._lines = {line.item_id: line for line in answer.inventory}
        known = {line.item_id for line in answer.inventory}
        self.added.keep_only(known)
        self.lot_added.keep_only(
            k for k in self.lot_added.as_dict() if _split_lot_key(k)[0] in known
        )
        self.reasons = {k: v for k, v in self.reasons.items() if k in known}
        if self._parcels_version == self._parcels_confirmed:
            self.parcels = [ParcelDraft.of(p) for p in answer.parcels]


def _contents(contents: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted((item_id, qty) for item_id, qty in contents.items() if qty)


def due_in(complete_at: int | None, now: int) -> tuple[str, bool]:
    """When an order is due, as an operator reads it ('in 3 h', 'overdue 2 d'), and whether
    it is overdue."""
    if complete_at is None:
        return "no date", False
    left = complete_at - now
    span = abs(left)
    if span < 3600:
        amount = f"{span // 60} min"
    elif span < 2 * 86_400:
        amount = f"{span // 3600} h"
    else:
        amount = f"{span // 86_400} d"
    return (f"in {amount}", False) if left >= 0 else (f"overdue {amount}", True)
