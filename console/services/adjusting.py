"""Adjusting an item's levels per bin: what the operator typed becomes a plan, the plan is shown
(the level now and after) before anything is sent, sent once through the outbox, and logged
with what became of it; the last applied adjustment can be undone.

An entry is `+5`, `-3` (a delta) or `=100` (a reset, asked again before it is sent). Marking
units damaged and moving units to another bin are one atomic update each (a minus and a plus).
Nothing that would take a level below zero, or more units than are verified, is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from console.backends.protocol import Backend
from console.domain.errors import (
    InvalidInput,
    OutcomeUnknown,
    PreconditionFailed,
    WarehouseError,
)
from console.domain.levels import Entry, looks_like_entry, parse_entry, parse_units
from console.domain.models import LEVEL_QUANTITIES, Item, Layout, Level, Location
from console.domain.requests import LevelChange
from console.domain.scan import Scan
from console.services.clock import Clock
from console.services.notices import Notice, Tell, Tone
from console.services.outbox import ORPHANED, Outbox, Request, Result
from console.services.scans import find_bin, resolve_scan

NO_BIN = "—no bin—"
KIND_NAMES = {q: q.removesuffix("_qty") for q in LEVEL_QUANTITIES}


class Outcome(StrEnum):
    """What became of one adjustment, in the words of the session log."""

    SENDING = "sending"
    WAITING = "waiting"  # not answered yet: kept and sent again until it is
    APPLIED = "applied"
    REFUSED = "refused"
    UNKNOWN = "unknown"  # answer lost; the level is being re-read
    CHECK = "check level"  # answer lost; the level shown is re-read, the operator checks it
    UNDONE = "undone"

    @property
    def needs_a_look(self) -> bool:
        return self in (Outcome.REFUSED, Outcome.UNKNOWN, Outcome.CHECK, Outcome.WAITING)


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a change lands: one bin (or the no-bin level) at the operator's location."""

    layout_id: str | None
    label: str


@dataclass(frozen=True)
class Question:
    """Asked before a plan is sent: Enter sends it, Esc does not."""

    title: str
    body: str


@dataclass(frozen=True)
class Plan:
    """One atomic level update, described for the operator, with the update that undoes it."""

    item_id: str
    item_name: str
    summary: str
    changes: list[LevelChange]
    undo: list[LevelChange] | None  # None: cannot be undone (an undo itself)
    question: Question | None = None
    undoes: Adjustment | None = None
    based_on: str | None = None  # the version of the item the plan was made on
    # the summary as the applied answer tells it: another console may have changed the level
    # since this one read it, and the operator must read what the bin holds now
    as_applied: Callable[[Item], str] | None = None

    @property
    def resets(self) -> bool:
        """Whether it sets a count (=n) rather than adding to it."""
        return any(
            isinstance(getattr(change, q), list)
            for change in self.changes
            for q in LEVEL_QUANTITIES
        )


@dataclass
class Adjustment:
    """One line of the session log: what was sent, and what became of it."""

    item_id: str
    item_name: str
    summary: str
    changes: list[LevelChange]
    key: str
    undo: list[LevelChange] | None  # resets cannot be inverted by a delta: they set it back
    at: str
    outcome: Outcome = Outcome.SENDING


@dataclass(frozen=True)
class Preview:
    """The line above the entry: the chosen level now, and after what is typed."""

    label: str
    kind: str
    now: int
    after: int | None = None
    problem: str | None = None  # what is wrong with the entry, if it is one
    reset: bool = False
    # A bare number: the units a damage or a move would take from the verified level.
    units: int | None = None
    verified: int = 0

    @property
    def below_zero(self) -> bool:
        return self.after is not None and self.after < 0


class Refusal(Exception):
    """A plan that cannot be made; the notice says why. Nothing was sent."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.text)
        self.notice = notice


def _refuse(text: str, tone: Tone = Tone.ERROR) -> Refusal:
    return Refusal(Notice.alert(text, tone))


def _change(location_id: str, slot: Slot, **quantities: int | list[int]) -> LevelChange:
    return LevelChange.model_validate(
        {"location_id": location_id, "layout_id": slot.layout_id, **quantities}
    )


@dataclass
class AdjustmentSession:
    """The adjust screen's work: the item, the chosen bin and quantity, and the log. `tell`
    gives the operator a message; `changed` means the item, the bins or the log are to be
    drawn again."""

    backend: Backend
    outbox: Outbox
    clock: Clock
    tell: Tell
    changed: Callable[[], None]
    location: Location | None = None
    item: Item | None = None
    kind: str = "verified_qty"
    chosen: int = 0  # index of the chosen slot
    log: list[Adjustment] = field(default_factory=list)
    _extra_slots: list[Slot] = field(default_factory=list)  # bins scanned that hold none yet

    # -- where things stand -------------------------------------------------------------------

    def at(self, location: Location | None) -> None:
        """The operator works at another location: bins scanned elsewhere are forgotten."""
        self.location = location
        self._extra_slots.clear()

    def show(self, item: Item) -> None:
        if self.item is None or self.item.id != item.id:
            self._extra_slots.clear()
            self.chosen = 0
        self.item = item
        self.outbox.remember_place("adjust", item.id)
        self.changed()

    async def load(self, item_id: str) -> None:
        self.show(await self.backend.get_item(item_id))

    def _levels_here(self) -> dict[str | None, Level]:
        if self.item is None or self.location is None:
            return {}
        return {lv.layout_id: lv for lv in self.item.levels_at(self.location.id)}

    def slots(self) -> list[Slot]:
        """The bins of the item here (in walking order, the no-bin level last), then bins
        scanned that hold none of it yet."""
        levels = self._levels_here()
        layouts = {lay.id: lay for lay in (self.location.layouts if self.location else [])}

        def label(layout_id: str | None) -> str:
            if layout_id is None:
                return NO_BIN
            layout = layouts.get(layout_id)
            return layout.name if layout else (levels[layout_id].layout_name or layout_id)

        ordered = sorted(
            levels,
            key=lambda lid: (lid is None, layouts[lid].path or "" if lid in layouts else str(lid)),
        )
        slots = [Slot(lid, label(lid)) for lid in ordered]
        return slots + [s for s in self._extra_slots if s.layout_id not in levels]

    @property
    def slot(self) -> Slot | None:
        slots = self.slots()
        return slots[min(max(self.chosen, 0), len(slots) - 1)] if slots else None

    def level(self, slot: Slot, kind: str | None = None) -> int:
        level = self._levels_here().get(slot.layout_id)
        return getattr(level, kind or self.kind) if level else 0

    def counts(self, slot: Slot) -> list[int]:
        """The slot's quantities in LEVEL_QUANTITIES order."""
        return [self.level(slot, q) for q in LEVEL_QUANTITIES]

    def choose(self, index: int) -> None:
        slots = self.slots()
        self.chosen = min(max(index, 0), len(slots) - 1) if slots else 0

    def cycle_kind(self) -> str:
        order = list(LEVEL_QUANTITIES)
        self.kind = order[(order.index(self.kind) + 1) % len(order)]
        self.changed()
        return KIND_NAMES[self.kind]

    def preview(self, typed: str) -> Preview | None:
        slot = self.slot
        if self.item is None or slot is None:
            return None
        now = self.level(slot)
        shown = Preview(slot.label, KIND_NAMES[self.kind], now)
        text = typed.strip()
        if text.isascii() and text.isdigit():
            verified = self.level(slot, "verified_qty")
            try:
                units = parse_units(text)
            except InvalidInput as error:
                return Preview(slot.label, shown.kind, now, problem=error.message)
            return Preview(slot.label, "verified", verified, units=units, verified=verified)
        if not (text and looks_like_entry(text)):
            return shown
        try:
            entry = parse_entry(text)
        except InvalidInput as error:
            return Preview(slot.label, shown.kind, now, problem=error.message)
        return Preview(slot.label, shown.kind, now, after=entry.after(now), reset=entry.reset)

    # -- scans --------------------------------------------------------------------------------

    def choose_bin(self, layout: Layout) -> None:
        """A bin scanned or chosen: it becomes the chosen slot (added if the item has none)."""
        if all(slot.layout_id != layout.id for slot in self.slots()):
            self._extra_slots.append(Slot(layout.id, layout.name))
        self.chosen = next(i for i, s in enumerate(self.slots()) if s.layout_id == layout.id)
        self.changed()
        self.tell(Notice(f"Bin {layout.name} chosen."))

    async def take_scan(self, scan: Scan) -> None:
        """A bin label chooses the bin (once there is an item); an item becomes the item."""
        if (layout := find_bin(self.location, scan.text)) is not None and self.item is not None:
            self.choose_bin(layout)
            return
        match = await resolve_scan(self.backend, scan, self.location)
        if match.layout is not None and self.item is None:
            self.tell(Notice.alert("Scan an item first, then its bin.", Tone.WARNING))
        elif match.item is not None:
            self.show(match.item)
            self.tell(Notice(f"{match.item.name}: choose the bin and type +n, -n or =n."))
        else:
            hint = (
                " To change a quantity, type +5, -3 or =100."
                if scan.text.isdigit() and len(scan.text) < 8
                else ""
            )
            self.tell(Notice.alert(match.describe_miss() + hint))

    # -- plans --------------------------------------------------------------------------------

    def _ready(self) -> tuple[Item, Location, Slot]:
        if self.item is None or self.location is None or self.slot is None:
            raise _refuse("Scan or choose an item first.", Tone.WARNING)
        return self.item, self.location, self.slot

    def _entry(self, typed: str) -> Entry:
        try:
            return parse_entry(typed)
        except InvalidInput as error:
            raise _refuse(error.message) from None

    def plan_entry(self, typed: str) -> Plan:
        """`+n`, `-n` or `=n` at the chosen bin and quantity."""
        item, location, slot = self._ready()
        entry = self._entry(typed)
        kind, name = self.kind, KIND_NAMES[self.kind]
        now = self.level(slot)
        after = entry.after(now)
        if after < 0:
            raise _refuse(
                f"Refused: {slot.label} {name} would be {after} (it is {now}). Nothing was sent."
            )
        change = _change(location.id, slot, **{kind: entry.wire()})
        undo = [_change(location.id, slot, **{kind: [now] if entry.reset else -entry.amount})]
        question = None
        if entry.reset:
            question = Question(
                "Reset the count?",
                f"{item.name} | {slot.label} · {name}: {now} → {after} | This replaces the "
                "count; it does not add to it.",
            )

        def told(before: int, then: int) -> str:
            return f"{slot.label} {name} {entry} ({before}→{then})"

        def as_applied(answer: Item) -> str:
            level = answer.level_at(location.id, slot.layout_id)
            then = getattr(level, kind) if level else 0
            return told(now if entry.reset else then - entry.amount, then)

        return Plan(
            item.id, item.name, told(now, after), [change], undo, question, based_on=item.etag,
            as_applied=as_applied,
        )  # fmt: skip

    def units(self, typed: str) -> int:
        """How many units a damage or a move takes: the typed number (`3`, `+3` or `-3`)."""
        self._ready()
        try:
            return parse_units(typed)
        except InvalidInput as error:
            raise _refuse(error.message, Tone.WARNING) from None

    def _verified_at_least(self, slot: Slot, units: int, doing: str) -> None:
        verified = self.level(slot, "verified_qty")
        if units > verified:
            raise _refuse(f"Refused: only {verified} verified in {slot.label}; cannot {doing}.")

    def plan_damage(self, typed: str) -> Plan:
        """The typed number of verified units of the chosen bin marked damaged."""
        units = self.units(typed)
        item, location, slot = self._ready()
        self._verified_at_least(slot, units, f"mark {units} damaged")
        change = _change(location.id, slot, verified_qty=-units, damaged_qty=units)
        undo = [_change(location.id, slot, verified_qty=units, damaged_qty=-units)]
        verified, damaged = self.level(slot, "verified_qty"), self.level(slot, "damaged_qty")
        question = Question(
            f"Mark {units} damaged?",
            f"{item.name} | {slot.label} · verified: {verified} → {verified - units} | "
            f"{slot.label} · damaged: {damaged} → {damaged + units}",
        )
        summary = f"{slot.label}: {units} verified → damaged"
        return Plan(item.id, item.name, summary, [change], undo, question, based_on=item.etag)

    def move_targets(self, typed: str) -> tuple[int, list[Layout]]:
        """The units a move takes and the bins it may go to (checked before asking where)."""
        units = self.units(typed)
        _, location, slot = self._ready()
        self._verified_at_least(slot, units, f"move {units}")
        return units, [lay for lay in location.layouts if lay.id != slot.layout_id]

    def plan_move(self, units: int, target: Layout) -> Plan:
        item, location, source = self._ready()
        self._verified_at_least(source, units, f"move {units}")
        to = Slot(target.id, target.name)
        changes = [
            _change(location.id, source, verified_qty=-units),
            _change(location.id, to, verified_qty=units),
        ]
        undo = [
            _change(location.id, to, verified_qty=-units),
            _change(location.id, source, verified_qty=units),
        ]
        summary = f"move {units} {source.label} → {target.name}"
        here, there = self.level(source, "verified_qty"), self.level(to, "verified_qty")
        question = Question(
            f"Move {units} to {target.name}?",
            f"{item.name} | {source.label} · verified: {here} → {here - units} | "
            f"{target.name} · verified: {there} → {there + units}",
        )
        return Plan(item.id, item.name, summary, changes, undo, question, based_on=item.etag)

    def plan_undo(self) -> Plan:
        """The last applied adjustment of this session, inverted; asked before it is sent."""
        done = [a for a in self.log if a.outcome is Outcome.APPLIED and a.undo]
        if not done:
            raise Refusal(Notice("Nothing to undo in this session.", Tone.WARNING))
        last = done[-1]
        assert last.undo is not None
        sends = "; ".join(self.describe(change) for change in last.undo)
        question = Question(
            "Undo the last adjustment?",
            f"{last.item_name} | Undo “{last.summary}” | Sends: {sends}",
        )
        return Plan(
            last.item_id,
            last.item_name,
            f"undo: {last.summary}",
            last.undo,
            None,
            question,
            undoes=last,
            based_on=self.item.etag if self.item and self.item.id == last.item_id else None,
        )

    def describe(self, change: LevelChange) -> str:
        """A level change in the operator's words: 'A-01-01 verified -5'."""
        layouts = {lay.id: lay.name for lay in (self.location.layouts if self.location else [])}
        where = layouts.get(change.layout_id or "", NO_BIN) if change.layout_id else NO_BIN
        parts = []
        for q in LEVEL_QUANTITIES:
            value = getattr(change, q)
            if value is not None:
                shown = f"={value[0]}" if isinstance(value, list) else f"{value:+d}"
                parts.append(f"{KIND_NAMES[q]} {shown}")
        return f"{where} {' '.join(parts)}"

    # -- sending ------------------------------------------------------------------------------

    async def send(self, plan: Plan) -> Adjustment:
        """Send a plan once (see console/services/outbox.py), logging what becomes of it."""
        record = Adjustment(
            item_id=plan.item_id,
            item_name=plan.item_name,
            summary=plan.summary,
            changes=plan.changes,
            key=self.outbox.new_key("adj"),
            undo=plan.undo,
            at=dt.datetime.fromtimestamp(self.clock.now()).strftime("%H:%M:%S"),
        )
        if plan.undoes is not None:
            plan.undoes.outcome = Outcome.UNDONE
        self.log.append(record)
        self.changed()

        def waiting(error: WarehouseError) -> None:
            record.outcome = Outcome.WAITING
            self.changed()
            why = "answer was lost" if isinstance(error, OutcomeUnknown) else "warehouse is away"
            self.tell(
                Notice.alert(
                    f"“{record.summary}”: the {why}; it is kept and sent again until the "
                    "warehouse answers, and counts once.",
                    Tone.WARNING,
                )
            )

        delivery = await self.outbox.deliver(
            record.summary,
            Request(
                "update_item",
                record.item_id,
                {"levels": [change.wire() for change in record.changes]},
                # a reset replaces the count the operator saw: only on that version of the item
                if_match=plan.based_on if plan.resets else None,
            ),
            key=record.key,
            waiting=waiting,
            context={"screen": "adjust", "record": record.item_id},
        )
        if delivery.result is Result.APPLIED:
            assert delivery.answer is not None
            record.outcome = Outcome.APPLIED
            if plan.as_applied is not None and isinstance(delivery.answer, Item):
                record.summary = plan.as_applied(delivery.answer)
            if self.item is None or self.item.id == delivery.answer.id:
                self.item = delivery.answer
            self.changed()
            self.tell(Notice(f"Done: {record.summary}.", Tone.SUCCESS))
        elif delivery.result is Result.ORPHANED:
            record.outcome = Outcome.REFUSED
            self.changed()
            self.tell(Notice.alert(ORPHANED))
        elif isinstance(delivery.error, PreconditionFailed):
            record.outcome = Outcome.REFUSED
            if isinstance(delivery.error.current, Item) and self.item is not None:
                self.item = delivery.error.current if self.item.id == record.item_id else self.item
            self.changed()
            self.tell(
                Notice.alert(
                    f"The level changed while you counted (someone else changed {record.item_name}):"
                    " the reset was not sent. The level shown is the one now: check it and enter "
                    "it again."
                )
            )
        elif delivery.result is Result.REFUSED:
            record.outcome = Outcome.REFUSED
            self.changed()
            self.tell(Notice.alert(f"Refused: {delivery.error}"))
            # the refusal often means the level moved under us: show what it is now
            if self.item is not None and self.item.id == record.item_id:
                await self._reread(record.item_id)
        else:
            await self._reread_after_loss(record)
        return record

    async def _reread(self, item_id: str) -> None:
        try:
            await self.load(item_id)
        except WarehouseError as error:
            self.tell(Notice.alert(str(error)))

    async def _reread_after_loss(self, record: Adjustment) -> None:
        """The answer was lost and the change cannot be sent again safely: show what the
        warehouse holds now and let the operator decide."""
        record.outcome = Outcome.UNKNOWN
        self.changed()
        self.tell(
            Notice.alert(
                f"No answer for “{record.summary}”: it may or may not have been applied. "
                "Re-reading…",
                Tone.WARNING,
            )
        )
        try:
            item = await self.backend.get_item(record.item_id)
        except WarehouseError as error:
            self.tell(
                Notice.alert(
                    f"No answer for “{record.summary}” and the item cannot be re-read ({error}). "
                    "Press ctrl+r when the connection is back; do not re-enter it blind."
                )
            )
            return
        if self.item is None or self.item.id == item.id:
            self.item = item
        record.outcome = Outcome.CHECK
        self.changed()
        self.tell(
            Notice.alert(
                f"No answer for “{record.summary}”. The levels shown are re-read from the "
                "warehouse: check them before entering it again. Nothing was re-sent.",
                Tone.WARNING,
            )
        )
