"""Receiving an inbound manifest as an operator does it, one scan at a time.

Receipts travel as absolute counts, so a re-sent update never counts twice; the operator's
scans are kept as what they added on top of the last state the backend confirmed (see
`unconfirmed`). With a backend that keeps receipt parts (`split`), each unit counts in the bin
it went to and the lot its label carried, so one line's units may go to several bins and come
in several lots; with one that does not, a line holds one bin and one lot, and moving it moves
all its units.
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


_PART = "\x1f"  # between the item, the bin and the lot of a part's key


def part_key(item_id: str, layout_id: str | None, lot_id: str | None) -> str:
    return _PART.join((item_id, layout_id or "", lot_id or ""))


def _item_of(key: str) -> str:
    return key.split(_PART, 1)[0]


def _part_of(key: str) -> tuple[str | None, str | None]:
    _, layout_id, lot_id = [*key.split(_PART), "", ""][:3]
    return layout_id or None, lot_id or None


class Receiving:
    """One manifest as this console receives it: the last state the backend confirmed, plus the
    units, bins and lots counted here and not confirmed yet. Counts are kept per key: the item
    (one bin and lot per line), or with `split` the item, bin and lot of each part."""

    def __init__(self, manifest: Manifest, *, split: bool = False) -> None:
        self.manifest = manifest
        self.split = split
        self._lines = {line.item_id: line for line in manifest.inventory}
        self.received = AddedCounts()
        self.damaged = AddedCounts()
        # the bin and lot the next units of each item go to (with `split`: only a choice; a
        # line's bin and lot otherwise, sent as such)
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

    def _key(self, item_id: str, layout_id: str | None, lot_id: str | None) -> str:
        return part_key(item_id, layout_id, lot_id) if self.split else item_id

    def _added(self, counts: AddedCounts, item_id: str) -> int:
        if not self.split:
            return counts[item_id]
        return sum(n for key, n in counts.as_dict().items() if _item_of(key) == item_id)

    def _confirmed(self, attribute: str, manifest: Manifest | None = None) -> dict[str, int]:
        """The confirmed counts by key, of the manifest as confirmed (or as `manifest` shows)."""
        lines = (manifest or self.manifest).inventory
        if not self.split:
            return {line.item_id: getattr(line, attribute) for line in lines}
        return {
            part_key(line.item_id, part.layout_id, part.lot_id): getattr(part, attribute)
            for line in lines
            for part in line.received_parts()
        }

    def received_qty(self, item_id: str) -> int:
        line = self.line(item_id)
        return (line.received_qty if line else 0) + self._added(self.received, item_id)

    def damaged_qty(self, item_id: str) -> int:
        line = self.line(item_id)
        return (line.damaged_qty if line else 0) + self._added(self.damaged, item_id)

    def parts(self, item_id: str) -> list[tuple[str | None, str | None, int]]:
        """(bin, lot, units) of every part of the line with units, confirmed or not, in the
        order they were first counted."""
        if not self.split:
            counted = self.counted(item_id)
            return [(self.bin_of(item_id), self.lot_of(item_id), counted)] if counted else []
        confirmed_r, confirmed_d = self._confirmed("received_qty"), self._confirmed("damaged_qty")
        keys = [*confirmed_r, *self.received.as_dict(), *self.damaged.as_dict()]
        shown: list[tuple[str | None, str | None, int]] = []
        for key in dict.fromkeys(k for k in keys if _item_of(k) == item_id):
            units = (
                confirmed_r.get(key, 0)
                + confirmed_d.get(key, 0)
                + self.received[key]
                + self.damaged[key]
            )
            if units:
                shown.append((*_part_of(key), units))
        return shown

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
        counts = bool(self.received) or bool(self.damaged)
        return counts or (not self.split and (bool(self.bins) or bool(self.lots)))

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
        another bin, on a backend where a line holds one bin (moving it moves all its units).
        Never with `split`: the units counted at the other bin are a part of their own."""
        current = self.bin_of(item_id)
        if self.split or layout_id is None or current is None or current == layout_id:
            return None
        return current if self.counted(item_id) else None

    def receive(
        self,
        item_id: str,
        count: int,
        *,
        damaged: bool = False,
        layout_id: str | None = None,
        lot_id: str | None = None,
    ) -> None:
        """Count units off the truck into the bin (the line's bin when none is given), of the
        lot their label carried (with `split`; the line's lot otherwise)."""
        self._receiving()
        self._check_bin(item_id, layout_id)
        if count <= 0:
            raise refuse(f"A count must be at least 1, not {count}.")
        if self.line(item_id) is None and item_id not in self.unexpected:
            self.unexpected.append(item_id)
        if layout_id is not None and layout_id != self.bin_of(item_id):
            self.bins[item_id] = layout_id
        if self.split and lot_id is not None:
            self.lots[item_id] = lot_id
        key = self._key(item_id, self.bin_of(item_id), self.lot_of(item_id))
        (self.damaged if damaged else self.received).add(key, count)

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
        if not self.split:
            self.received.make_total(item_id, line.received_qty if line else 0, received)
            self.damaged.make_total(item_id, line.damaged_qty if line else 0, damaged)
            return
        self._make_line_total(self.received, "received_qty", item_id, received)
        self._make_line_total(self.damaged, "damaged_qty", item_id, damaged)

    def _make_line_total(
        self, counts: AddedCounts, attribute: str, item_id: str, total: int
    ) -> None:
        """With `split`: the line's count becomes `total`; the current bin and lot's part takes
        the difference, and when fewer are typed than the line holds, the current part gives
        back first, then the parts counted last."""
        confirmed = self._confirmed(attribute)
        line = self.line(item_id)
        change = total - (getattr(line, attribute) if line else 0) - self._added(counts, item_id)
        current = self._key(item_id, self.bin_of(item_id), self.lot_of(item_id))
        if change >= 0:
            counts.add(current, change)
            return
        keys = [k for k in dict.fromkeys([*confirmed, *counts.as_dict()]) if _item_of(k) == item_id]
        for key in [current, *reversed([k for k in keys if k != current])]:
            if change >= 0:
                break
            back = min(confirmed.get(key, 0) + counts[key], -change)
            counts.add(key, -back)
            change += back

    def put_in_bin(self, item_id: str, layout_id: str) -> None:
        self._receiving()
        if layout_id != self.bin_of(item_id):
            self.bins[item_id] = layout_id

    def record_lot(self, item_id: str, lot_id: str) -> str | None:
        """Note the lot a scanned case label carried; the line's other lot if it has one
        already (then nothing changes: a line holds one lot). With `split` the lot is the one
        the item's next units count in, and nothing is refused."""
        self._receiving()
        if self.split:
            self.lots[item_id] = lot_id
            return None
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
        received = self.received.sending(self._confirmed("received_qty"))
        damaged = self.damaged.sending(self._confirmed("damaged_qty"))
        if self.split:
            return self._next_parts(received, damaged)
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

    def _next_parts(self, received: Sent, damaged: Sent) -> dict[str, Any] | None:
        """With `split`: every part with unconfirmed units, both of its counts absolute."""
        confirmed_r, confirmed_d = self._confirmed("received_qty"), self._confirmed("damaged_qty")
        records: dict[str, list[dict[str, Any]]] = {}
        for key in dict.fromkeys([*received, *damaged]):
            layout_id, lot_id = _part_of(key)
            records.setdefault(_item_of(key), []).append(
                {
                    "layout_id": layout_id,
                    "lot_id": lot_id,
                    "received_qty": confirmed_r.get(key, 0) + self.received[key],
                    "damaged_qty": confirmed_d.get(key, 0) + self.damaged[key],
                }
            )
        if not records:
            return None
        self.in_flight = _Sent(received, damaged)
        order = {item_id: n for n, item_id in enumerate(self.item_ids)}
        return {
            "inventory": [
                {"item_id": item_id, "parts": parts}
                for item_id, parts in sorted(records.items(), key=lambda r: order.get(r[0], 0))
            ]
        }

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
            "split": self.split,
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
        bins = {str(k): str(v) for k, v in kept.get("bins", {}).items()}
        lots = {str(k): str(v) for k, v in kept.get("lots", {}).items()}
        if kept.get("split") and not self.split:
            # there they were where the next units went; here they would move whole lines:
            # kept only for lines that have no bin or lot yet
            bins = {k: v for k, v in bins.items() if self.bin_of(k) is None}
            lots = {k: v for k, v in lots.items() if self.lot_of(k) is None}
        self.bins, self.lots = bins, lots
        for key, count in kept.get("received", {}).items():
            self.received.add(self._rekey(str(key)), int(count))
        for key, count in kept.get("damaged", {}).items():
            self.damaged.add(self._rekey(str(key)), int(count))
        sent = kept.get("in_flight")
        if sent and landed is not None:
            for counts, carried in (
                (self.received, sent.get("received", {})),
                (self.damaged, sent.get("damaged", {})),
            ):
                counts.drop(self._rekeyed(carried))
            self._forget(sent.get("bins", {}), self.bins)
            self._forget(sent.get("lots", {}), self.lots)

    def _rekeyed(self, carried: Mapping[str, Any]) -> Sent:
        """What an update in flight carried, in this console's keys: parts that become one
        line (a backend without parts) add up, so none of them is dropped twice or not at all."""
        out: Sent = {}
        for key, (before, after) in carried.items():
            was, now = out.get(self._rekey(str(key)), (0, 0))
            out[self._rekey(str(key))] = (was + int(before), now + int(after))
        return out

    def _rekey(self, key: str) -> str:
        """A key kept on disk in the other form (a journal written before the backend kept
        parts, or by a console on a backend without them) in this one's."""
        if self.split and _PART not in key:
            return part_key(key, self.bin_of(key), self.lot_of(key))
        if not self.split and _PART in key:
            return _item_of(key)
        return key

    def rebase(self, current: Manifest) -> None:
        """The update was refused because the manifest changed meanwhile (another console
        counted on it): nothing of it was applied. The manifest as it is now becomes the
        confirmed state and all the operator's counts stay to be sent on top of it."""
        self.in_flight = None
        self._adopt(current)

    def _settle(self, sent: _Sent, answer: Manifest, *, applied: bool) -> None:
        lines = {line.item_id: line for line in answer.inventory}
        received = None if applied else self._confirmed("received_qty", answer)
        damaged = None if applied else self._confirmed("damaged_qty", answer)
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
            i
            for i in pending
            if self._added(self.received, i) or self._added(self.damaged, i) or i in self.bins
        }
        for counts in (self.received, self.damaged):
            counts.keep_only(k for k in counts.as_dict() if _item_of(k) in keep)
        self.bins = {k: v for k, v in self.bins.items() if k in keep}
        self.lots = {k: v for k, v in self.lots.items() if k in keep}
        self.unexpected = [i for i in self.unexpected if i in keep]
