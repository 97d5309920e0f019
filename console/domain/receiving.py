"""Receiving an inbound manifest as an operator does it, one scan at a time.

Receipts travel as absolute counts per line (`received_qty`, `damaged_qty`), so a re-sent
update never counts twice; the operator's scans are kept as what they added on top of the last
state the backend confirmed (see `unconfirmed`). A manifest line holds one bin and one lot: the
bin the units were put away in, the lot their case labels carried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.domain.errors import Conflict, FieldError
from console.domain.manifests import RECEIVING
from console.domain.models import Manifest, ManifestLine, ManifestStatus
from console.domain.unconfirmed import AddedCounts, Sent

S = ManifestStatus


def refuse(message: str, field_name: str = "inventory") -> Conflict:
    return Conflict(message, [FieldError(field_name, message)])


@dataclass
class _Sent:
    """What one update carried, to settle the operator's work when its answer comes back."""

    received: Sent
    damaged: Sent
    bins: dict[str, str] = field(default_factory=dict)
    lots: dict[str, str] = field(default_factory=dict)


class Receiving:
    """One manifest as this console receives it: the last state the backend confirmed, plus the
    units, bins and lots counted here and not confirmed yet."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._lines = {line.item_id: line for line in manifest.inventory}
        self.received = AddedCounts()
        self.damaged = AddedCounts()
        self.bins: dict[str, str] = {}
        self.lots: dict[str, str] = {}
        # items that came off the truck but are not on the manifest (yet: until confirmed)
        self.unexpected: list[str] = []
        # items whose unexpected or extra units the operator has confirmed: not asked again
        self.allowed: set[str] = set()
        self.in_flight: _Sent | None = None

    # -- reading ------------------------------------------------------------------------------

    @property
    def record(self) -> Manifest:
        return self.manifest

    @property
    def status(self) -> ManifestStatus:
        return self.manifest.status

    def line(self, item_id: str) -> ManifestLine | None:
        return self._lines.get(item_id)

    @property
    def item_ids(self) -> list[str]:
        """Every line's item in manifest order, then unexpected items counted here."""
        return [line.item_id for line in self.manifest.inventory] + [
            i for i in self.unexpected if i not in self._lines
        ]

    def expected(self, item_id: str) -> int:
        line = self.line(item_id)
        return line.qty if line else 0

    def received_qty(self, item_id: str) -> int:
        line = self.line(item_id)
        return (line.received_qty if line else 0) + self.received[item_id]

    def damaged_qty(self, item_id: str) -> int:
        line = self.line(item_id)
        return (line.damaged_qty if line else 0) + self.damaged[item_id]

    def counted(self, item_id: str) -> int:
        return self.received_qty(item_id) + self.damaged_qty(item_id)

    def missing(self, item_id: str) -> int:
        return max(0, self.expected(item_id) - self.counted(item_id))

    def over(self, item_id: str) -> int:
        return max(0, self.counted(item_id) - self.expected(item_id))

    def bin_of(self, item_id: str) -> str | None:
        line = self.line(item_id)
        return self.bins.get(item_id) or (line.layout_id if line else None)

    def lot_of(self, item_id: str) -> str | None:
        line = self.line(item_id)
        return self.lots.get(item_id) or (line.lot_id if line else None)

    @property
    def units_expected(self) -> int:
        return sum(line.qty for line in self.manifest.inventory)

    @property
    def units_counted(self) -> int:
        return sum(self.counted(i) for i in self.item_ids)

    @property
    def units_missing(self) -> int:
        return sum(self.missing(i) for i in self.item_ids)

    def shortfalls(self) -> list[tuple[str, int, int]]:
        """(item, expected, missing) of every line not received in full."""
        return [(i, self.expected(i), self.missing(i)) for i in self.item_ids if self.missing(i)]

    @property
    def unsaved(self) -> bool:
        return bool(self.received) or bool(self.damaged) or bool(self.bins) or bool(self.lots)

    # -- the operator's work ------------------------------------------------------------------

    def _receiving(self) -> None:
        if self.status == S.REQUESTED:
            raise refuse("Accept the manifest first (Ctrl+A): nothing counted.", "status")
        if self.status not in RECEIVING:
            raise refuse(f"The manifest is {self.status}: receiving is over.", "status")

    def warnings(
        self, item_id: str, count: int, name: str, layout_id: str | None = None
    ) -> list[str]:
        """Why counting `count` more units of the item (into `layout_id`, else the line's bin)
        needs the operator's confirmation (an unexpected item, an over-receipt); refuses when
        nothing may be counted at all."""
        self._receiving()
        if count <= 0:
            raise refuse(f"{name}: a count must be at least 1, not {count}.")
        self._check_bin(item_id, layout_id)
        line = self.line(item_id)
        if item_id in self.allowed:
            return []
        if line is None or line.qty == 0:
            return [f"{name} is not on this manifest (unexpected item)."]
        after = self.counted(item_id) + count
        if after > line.qty:
            return [f"Over-receipt: {name} expects {line.qty}; this makes {after}."]
        return []

    def _check_bin(self, item_id: str, layout_id: str | None) -> None:
        if layout_id is None and self.bin_of(item_id) is None:
            raise refuse("Scan the bin the units go to first (or Ctrl+B): nothing counted.")

    def needs_bin_move(self, item_id: str, layout_id: str | None) -> str | None:
        """The line's bin, when units are already counted into it and the operator is at
        another bin (a line holds one bin: moving it moves all its units)."""
        current = self.bin_of(item_id)
        if layout_id is None or current is None or current == layout_id:
            return None
        return current if self.counted(item_id) else None

    def receive(
        self, item_id: str, count: int, *, damaged: bool = False, layout_id: str | None = None
    ) -> None:
        """Count units off the truck into the bin (the line's bin when none is given)."""
        self._receiving()
        self._check_bin(item_id, layout_id)
        if count <= 0:
            raise refuse(f"A count must be at least 1, not {count}.")
        if self.line(item_id) is None and item_id not in self.unexpected:
            self.unexpected.append(item_id)
        if layout_id is not None and layout_id != self.bin_of(item_id):
            self.bins[item_id] = layout_id
        (self.damaged if damaged else self.received).add(item_id, count)

    def set_counts(
        self, item_id: str, received: int, damaged: int, *, layout_id: str | None = None
    ) -> None:
        """Manual entry: the line's received and damaged counts become these (into
        `layout_id` when the line has no bin yet)."""
        self._receiving()
        if received < 0 or damaged < 0:
            raise refuse("Counts cannot be below zero.")
        if received + damaged:
            self._check_bin(item_id, layout_id)
        if self.bin_of(item_id) is None and layout_id is not None:
            self.bins[item_id] = layout_id
        line = self.line(item_id)
        if line is None and item_id not in self.unexpected:
            self.unexpected.append(item_id)
        self.received.make_total(item_id, line.received_qty if line else 0, received)
        self.damaged.make_total(item_id, line.damaged_qty if line else 0, damaged)

    def put_in_bin(self, item_id: str, layout_id: str) -> None:
        self._receiving()
        if layout_id != self.bin_of(item_id):
            self.bins[item_id] = layout_id

    def record_lot(self, item_id: str, lot_id: str) -> str | None:
        """Note the lot a scanned case label carried; the line's other lot if it has one
        already (then nothing changes: a line holds one lot)."""
        self._receiving()
        current = self.lot_of(item_id)
        if current is not None and current != lot_id:
            return current
        if current is None:
            self.lots[item_id] = lot_id
        return None

    # -- talking to the backend ---------------------------------------------------------------

    def next_update(self) -> dict[str, Any] | None:
        """The update that sends the unconfirmed work, or None when there is none."""
        if not self.unsaved:
            return None
        lines = self._lines
        received = self.received.sending({i: line.received_qty for i, line in lines.items()})
        damaged = self.damaged.sending({i: line.damaged_qty for i, line in lines.items()})
        sent = _Sent(received, damaged, dict(self.bins), dict(self.lots))
        records = []
        for item_id in self.item_ids:
            record: dict[str, Any] = {"item_id": item_id}
            if item_id in received:
                record["received_qty"] = received[item_id][1]
            if item_id in damaged:
                record["damaged_qty"] = damaged[item_id][1]
            if item_id in sent.bins:
                record["layout_id"] = sent.bins[item_id]
            if item_id in sent.lots:
                record["lot_id"] = sent.lots[item_id]
            if len(record) > 1:
                records.append(record)
        self.in_flight = sent
        return {"inventory": records}

    def confirmed(self, answer: Manifest) -> None:
        """The update's answer arrived: it is the new confirmed state."""
        sent, self.in_flight = self.in_flight, None
        if sent is not None:
            self._settle(sent, answer, applied=True)
        self._adopt(answer)

    def reread(self, fresh: Manifest, *, refused: bool = False) -> None:
        """The true state after a lost answer or a refusal: what the backend shows is settled,
        the rest stays to be sent again; refused work is dropped. Nothing counts twice."""
        sent, self.in_flight = self.in_flight, None
        if sent is not None and refused:
            self.received.drop(sent.received)
            self.damaged.drop(sent.damaged)
            self._forget(sent.bins, self.bins)
            self._forget(sent.lots, self.lots)
        elif sent is not None:
            self._settle(sent, fresh, applied=False)
        self._adopt(fresh)

    # -- kept on disk (console/services/journal.py) ------------------------------------------

    def unconfirmed(self) -> dict[str, Any]:
        """What the operator counted that the backend has not confirmed, as plain data, and
        what the update in flight carries."""
        sent = self.in_flight
        return {
            "received": self.received.as_dict(),
            "damaged": self.damaged.as_dict(),
            "bins": dict(self.bins),
            "lots": dict(self.lots),
            "unexpected": list(self.unexpected),
            "allowed": sorted(self.allowed),
            "in_flight": None
            if sent is None
            else {
                "received": {k: list(v) for k, v in sent.received.items()},
                "damaged": {k: list(v) for k, v in sent.damaged.items()},
                "bins": sent.bins,
                "lots": sent.lots,
            },
        }

    def restore(self, kept: Mapping[str, Any], *, landed: bool | None) -> None:
        """Put back counts kept on disk on top of the manifest as it is now (see
        PickPack.restore for `landed`)."""
        self.unexpected = [str(i) for i in kept.get("unexpected", [])]
        self.allowed = {str(i) for i in kept.get("allowed", [])}
        for item_id, count in kept.get("received", {}).items():
            self.received.add(item_id, int(count))
        for item_id, count in kept.get("damaged", {}).items():
            self.damaged.add(item_id, int(count))
        self.bins = {str(k): str(v) for k, v in kept.get("bins", {}).items()}
        self.lots = {str(k): str(v) for k, v in kept.get("lots", {}).items()}
        sent = kept.get("in_flight")
        if sent and landed is not None:
            for counts, carried in (
                (self.received, sent.get("received", {})),
                (self.damaged, sent.get("damaged", {})),
            ):
                counts.drop({k: (int(v[0]), int(v[1])) for k, v in carried.items()})
            self._forget(sent.get("bins", {}), self.bins)
            self._forget(sent.get("lots", {}), self.lots)

    def rebase(self, current: Manifest) -> None:
        """The update was refused because the manifest changed meanwhile (another console
        counted on it): nothing of it was applied. The manifest as it is now becomes the
        confirmed state and all the operator's counts stay to be sent on top of it."""
        self.in_flight = None
        self._adopt(current)

    def _settle(self, sent: _Sent, answer: Manifest, *, applied: bool) -> None:
        lines = {line.item_id: line for line in answer.inventory}
        received = None if applied else {i: ln.received_qty for i, ln in lines.items()}
        damaged = None if applied else {i: ln.damaged_qty for i, ln in lines.items()}
        self.received.settle(sent.received, received)
        self.damaged.settle(sent.damaged, damaged)
        for chosen, sent_values, attribute in (
            (self.bins, sent.bins, "layout_id"),
            (self.lots, sent.lots, "lot_id"),
        ):
            landed = {
                item_id: value
                for item_id, value in sent_values.items()
                if applied or getattr(lines.get(item_id), attribute, None) == value
            }
            self._forget(landed, chosen)

    @staticmethod
    def _forget(sent: dict[str, str], chosen: dict[str, str]) -> None:
        for item_id, value in sent.items():
            if chosen.get(item_id) == value:
                del chosen[item_id]

    def _adopt(self, answer: Manifest) -> None:
        self.manifest = answer
        self._lines = {line.item_id: line for line in answer.inventory}
        pending = {i for i in self.unexpected if i not in self._lines}
        keep = set(self._lines) | {
            i for i in pending if self.received[i] or self.damaged[i] or i in self.bins
        }
        self.received.keep_only(keep)
        self.damaged.keep_only(keep)
        self.bins = {k: v for k, v in self.bins.items() if k in keep}
        self.lots = {k: v for k, v in self.lots.items() if k in keep}
        self.unexpected = [i for i in self.unexpected if i in keep]
