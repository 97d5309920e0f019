"""F3: adjust an item's levels per bin, seeing the level now and after before anything is sent."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from console.backends.lookup import find_bin, resolve_scan
from console.backends.protocol import adjust_levels
from console.domain.errors import InvalidInput, OutcomeUnknown, WarehouseError
from console.domain.levels import Entry, looks_like_entry, parse_entry
from console.domain.models import LEVEL_QUANTITIES, Item, Layout, Level
from console.domain.requests import LevelChange
from console.domain.scan import Scan
from console.ui.screens.base import WarehouseScreen
from console.ui.screens.dialogs import BinPicker, Confirm
from console.ui.text import clean, plain
from console.ui.widgets import ScanField, Table

NO_BIN = "—no bin—"
KIND_NAMES = {q: q.removesuffix("_qty") for q in LEVEL_QUANTITIES}


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a change lands: one bin (or the no-bin level) at the operator's location."""

    layout_id: str | None
    label: str


@dataclass
class Adjustment:
    """One line of the session log: what was sent, and what became of it."""

    item_id: str
    item_name: str
    summary: str
    changes: list[LevelChange]
    key: str
    # Resets cannot be inverted by a delta: their undo sets the old count back.
    undo: list[LevelChange] | None
    outcome: str = "sending"
    at: str = field(default_factory=lambda: dt.datetime.now().strftime("%H:%M:%S"))


def _change(location_id: str, slot: Slot, **quantities: int | list[int]) -> LevelChange:
    return LevelChange.model_validate(
        {"location_id": location_id, "layout_id": slot.layout_id, **quantities}
    )


class AdjustScreen(WarehouseScreen):
    TITLE = "Adjust levels"
    HELP = (
        "Scan or pick an item (F2 then F3 brings the item you were looking at). Choose the bin "
        "with ↑↓ or scan its label, and the quantity with ctrl+t (verified, damaged, reserved, "
        "manifested). Type +5, -3 or =100 and press Enter: the line above shows the level now "
        "and after before anything is sent. =100 replaces the count and asks again. ctrl+d "
        "marks the typed number of units damaged, ctrl+b moves them to another bin (each one "
        "update: all or nothing). ctrl+z undoes the last adjustment of this session after showing "
        "what it will send. If an answer is lost, the screen re-reads the item and shows the "
        "true level; it never re-sends by itself."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "Apply", show=True),
        Binding("up", "bin(-1)", "Bin ↑", show=False, priority=True),
        Binding("down", "bin(1)", "Bin ↓", show=False, priority=True),
        Binding("ctrl+t", "cycle_kind", "Qty type", priority=True),
        Binding("ctrl+d", "damage", "Damaged", priority=True),
        Binding("ctrl+b", "move", "Move", priority=True),
        Binding("ctrl+z", "undo", "Undo", priority=True),
        Binding("ctrl+r", "reload", "Reload", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.item: Item | None = None
        self.kind = "verified_qty"
        self.session: list[Adjustment] = []
        self._extra_slots: list[Slot] = []  # bins scanned that hold none of this item yet
        self._slots: list[Slot] = []

    @property
    def current_item(self) -> Item | None:
        return self.item

    def compose_body(self) -> ComposeResult:
        yield Static(id="adjust-item", classes="title")
        yield Table(id="bins", cursor_type="row")
        yield Static(id="preview", classes="preview")
        yield ScanField(
            id="qty", placeholder="+5  -3  =100   (or scan an item or a bin)", clear_scans=False
        )
        yield Static("This session", classes="section")
        yield Table(id="log", cursor_type="none", show_cursor=False)

    def on_mount(self) -> None:
        bins = self.query_one("#bins", DataTable)
        for label, width in (
            ("Bin", 16),
            ("Verified", 8),
            ("Damaged", 8),
            ("Reserved", 8),
            ("Manifest", 8),
        ):
            bins.add_column(label, width=width)
        log = self.query_one("#log", DataTable)
        for label, width in (("Time", 8), ("Item", 22), ("Change", 26), ("Result", 12)):
            log.add_column(label, width=width)
        self.query_one("#qty", ScanField).focus()
        self._show_item()

    def location_changed(self) -> None:
        super().location_changed()
        self._extra_slots.clear()
        if self.is_mounted:
            self._show_item()

    # -- showing ------------------------------------------------------------------------------

    def load_item(self, item_id: str) -> None:
        async def load() -> None:
            self.item = await self.backend.get_item(item_id)
            self._extra_slots.clear()
            self._show_item()

        self.run_io(load, group="load")

    def action_reload(self) -> None:
        if self.item is not None:
            self.load_item(self.item.id)

    def _levels_here(self) -> dict[str | None, Level]:
        here = self.location.id if self.location else ""
        return {lv.layout_id: lv for lv in self.item.levels_at(here)} if self.item else {}

    def _show_item(self) -> None:
        title = self.query_one("#adjust-item", Static)
        table = self.query_one("#bins", DataTable)
        keep = table.cursor_row
        table.clear()
        if self.item is None:
            title.update(
                Text("No item yet: scan one, or open one in search (F2) and press F3.", style="dim")
            )
            self._slots = []
            self._preview()
            return
        item = self.item
        title.update(plain(f"{item.name}  ·  {item.sku or ''}", "bold"))
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
        self._slots = [Slot(lid, label(lid)) for lid in ordered]
        self._slots += [s for s in self._extra_slots if s.layout_id not in levels]
        for slot in self._slots:
            level = levels.get(slot.layout_id)
            numbers = [getattr(level, q) if level else 0 for q in LEVEL_QUANTITIES]
            table.add_row(
                plain(slot.label),
                *(
                    Text(str(n), justify="right", style="bold" if q == self.kind else "")
                    for n, q in zip(numbers, LEVEL_QUANTITIES, strict=True)
                ),
            )
        if self._slots:
            table.move_cursor(row=min(max(keep, 0), len(self._slots) - 1))
        self._preview()

    @property
    def slot(self) -> Slot | None:
        table = self.query_one("#bins", DataTable)
        if not self._slots:
            return None
        return self._slots[min(max(table.cursor_row, 0), len(self._slots) - 1)]

    def _now(self, slot: Slot, kind: str) -> int:
        level = self._levels_here().get(slot.layout_id)
        return getattr(level, kind) if level else 0

    def _preview(self) -> None:
        preview = self.query_one("#preview", Static)
        slot = self.slot
        kind = KIND_NAMES[self.kind]
        if self.item is None or slot is None:
            preview.update(Text(f"Quantity: {kind}", style="dim"))
            return
        text = self.query_one("#qty", ScanField).value.strip()
        now = self._now(slot, self.kind)
        line = Text()
        line.append(f"{clean(slot.label)} · {kind}: ", style="bold")
        line.append(str(now))
        if text and looks_like_entry(text):
            try:
                entry = parse_entry(text)
            except InvalidInput as error:
                line.append(f"   {error.message}", style="italic")
            else:
                after = entry.after(now)
                line.append(" → ")
                line.append(str(after), style="bold")
                if after < 0:
                    line.append("   refused: a level cannot go below zero", style="bold")
                elif entry.reset:
                    line.append("   reset: Enter, then confirm")
        preview.update(line)

    def on_input_changed(self, event: ScanField.Changed) -> None:
        if event.input.id == "qty":
            self._preview()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "bins":
            self._preview()

    def action_bin(self, step: int) -> None:
        table = self.query_one("#bins", DataTable)
        if self._slots:
            table.move_cursor(row=min(max(table.cursor_row + step, 0), len(self._slots) - 1))

    def action_cycle_kind(self) -> None:
        order = list(LEVEL_QUANTITIES)
        self.kind = order[(order.index(self.kind) + 1) % len(order)]
        self._show_item()
        self.say(f"Adjusting {KIND_NAMES[self.kind]} quantities (ctrl+t changes).")

    # -- entering -----------------------------------------------------------------------------

    async def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        """Enter in the field: a quantity if it starts with + - =, otherwise a scan."""
        message.stop()
        message.prevent_default()  # instead of the base screen's handling
        text = message.value.strip()
        if not text:
            return
        if looks_like_entry(text):
            self.action_apply()
            return
        message.field.done_with(message)
        from console.domain.scan import interpret

        scan = interpret(message.value)
        self.run_io(lambda: self._take_scan(scan), group="scan")

    async def _take_scan(self, scan: Scan) -> None:
        if (layout := find_bin(self.location, scan.text)) is not None and self.item is not None:
            self._select_bin(layout)
            return
        match = await resolve_scan(self.backend, scan, self.location)
        if match.layout is not None and self.item is None:
            self.alert("Scan an item first, then its bin.", "warning")
        elif match.item is not None:
            self.item = match.item
            self._extra_slots.clear()
            self._show_item()
            self.say(f"{match.item.name}: choose the bin and type +n, -n or =n.", "info")
        else:
            hint = (
                " To change a quantity, type +5, -3 or =100."
                if scan.text.isdigit() and len(scan.text) < 8
                else ""
            )
            self.alert(match.describe_miss() + hint)

    def _select_bin(self, layout: Layout) -> None:
        if all(slot.layout_id != layout.id for slot in self._slots):
            self._extra_slots.append(Slot(layout.id, layout.name))
            self._show_item()
        index = next(i for i, slot in enumerate(self._slots) if slot.layout_id == layout.id)
        self.query_one("#bins", DataTable).move_cursor(row=index)
        self.say(f"Bin {layout.name} chosen.")

    def _entry(self) -> Entry | None:
        """The typed quantity, or None after telling the operator what is wrong."""
        if self.item is None or self.location is None or self.slot is None:
            self.alert("Scan or choose an item first.", "warning")
            return None
        try:
            return parse_entry(self.query_one("#qty", ScanField).value)
        except InvalidInput as error:
            self.alert(error.message)
            return None

    def action_apply(self) -> None:
        entry = self._entry()
        if entry is None or self.item is None or self.location is None or self.slot is None:
            return
        slot, kind, location_id = self.slot, self.kind, self.location.id
        now = self._now(slot, kind)
        after = entry.after(now)
        name = KIND_NAMES[kind]
        if after < 0:
            self.alert(
                f"Refused: {slot.label} {name} would be {after} (it is {now}). Nothing was sent."
            )
            return
        change = _change(location_id, slot, **{kind: entry.wire()})
        undo = [_change(location_id, slot, **{kind: [now] if entry.reset else -entry.amount})]
        summary = f"{slot.label} {name} {entry} ({now}→{after})"
        if entry.reset:
            body = f"{self.item.name} | {slot.label} · {name}: {now} → {after} | This replaces the count; it does not add to it."
            self.app.push_screen(
                Confirm("Reset the count?", body),
                lambda yes: (
                    self._send(summary, [change], undo) if yes else self.say("Reset not sent.")
                ),
            )
            return
        self._send(summary, [change], undo)

    def _units(self) -> int | None:
        entry = self._entry()
        if entry is None:
            return None
        if entry.reset or entry.amount == 0:
            self.alert("Type how many units, like +3, then ctrl+d or ctrl+b.", "warning")
            return None
        return abs(entry.amount)

    def action_damage(self) -> None:
        units = self._units()
        if units is None or self.item is None or self.location is None or self.slot is None:
            return
        slot = self.slot
        verified = self._now(slot, "verified_qty")
        if units > verified:
            self.alert(
                f"Refused: only {verified} verified in {slot.label}; cannot mark {units} damaged."
            )
            return
        change = _change(self.location.id, slot, verified_qty=-units, damaged_qty=units)
        undo = [_change(self.location.id, slot, verified_qty=units, damaged_qty=-units)]
        self._send(f"{slot.label}: {units} verified → damaged", [change], undo)

    def action_move(self) -> None:
        units = self._units()
        if units is None or self.item is None or self.location is None or self.slot is None:
            return
        source = self.slot
        verified = self._now(source, "verified_qty")
        if units > verified:
            self.alert(f"Refused: only {verified} verified in {source.label}; cannot move {units}.")
            return
        targets = [lay for lay in self.location.layouts if lay.id != source.layout_id]
        location_id = self.location.id

        def chosen(target: object) -> None:
            if not isinstance(target, Layout):
                self.say("Move not sent.")
                return
            to = Slot(target.id, target.name)
            changes = [
                _change(location_id, source, verified_qty=-units),
                _change(location_id, to, verified_qty=units),
            ]
            undo = [
                _change(location_id, to, verified_qty=-units),
                _change(location_id, source, verified_qty=units),
            ]
            self._send(f"move {units} {source.label} → {target.name}", changes, undo)

        self.app.push_screen(
            BinPicker(f"Move {units} from {source.label} to which bin?", targets), chosen
        )

    def action_undo(self) -> None:
        done = [a for a in self.session if a.outcome == "applied" and a.undo]
        if not done:
            self.say("Nothing to undo in this session.", "warning")
            return
        last = done[-1]
        assert last.undo is not None
        undo = last.undo
        sends = "; ".join(self._describe(c) for c in undo)
        body = f"{last.item_name} | Undo “{last.summary}” | Sends: {sends}"

        def confirmed(yes: bool | None) -> None:
            if yes:
                last.outcome = "undone"
                self._send(
                    f"undo: {last.summary}",
                    undo,
                    None,
                    item_id=last.item_id,
                    item_name=last.item_name,
                )
            else:
                self.say("Undo not sent.")

        self.app.push_screen(Confirm("Undo the last adjustment?", body), confirmed)

    def _describe(self, change: LevelChange) -> str:
        layouts = {lay.id: lay.name for lay in (self.location.layouts if self.location else [])}
        where = layouts.get(change.layout_id or "", NO_BIN) if change.layout_id else NO_BIN
        parts = []
        for q in LEVEL_QUANTITIES:
            value = getattr(change, q)
            if value is not None:
                parts.append(
                    f"{KIND_NAMES[q]} {'=' + str(value[0]) if isinstance(value, list) else f'{value:+d}'}"
                )
        return f"{where} {' '.join(parts)}"

    # -- sending ------------------------------------------------------------------------------

    def _send(
        self,
        summary: str,
        changes: list[LevelChange],
        undo: list[LevelChange] | None,
        *,
        item_id: str | None = None,
        item_name: str | None = None,
    ) -> None:
        assert self.item is not None or item_id is not None
        record = Adjustment(
            item_id=item_id or self.item.id,  # type: ignore[union-attr]
            item_name=item_name or self.item.name,  # type: ignore[union-attr]
            summary=summary,
            changes=changes,
            key=f"adj-{uuid.uuid4()}",
            undo=undo,
        )
        self.session.append(record)
        self.query_one("#qty", ScanField).value = ""
        self._show_log()
        self.run_io(lambda: self._deliver(record), group=f"send-{record.key}", exclusive=False)

    async def _deliver(self, record: Adjustment) -> None:
        try:
            item = await adjust_levels(
                self.backend, record.item_id, record.changes, idempotency_key=record.key
            )
        except OutcomeUnknown:
            record.outcome = "unknown"
            self._show_log()
            await self._reread_after_loss(record)
            return
        except WarehouseError as error:
            record.outcome = "refused"
            self._show_log()
            self.alert(f"Refused: {error}")
            # the refusal often means the level moved under us: show what it is now
            if self.item is not None and self.item.id == record.item_id:
                self.load_item(record.item_id)
            return
        record.outcome = "applied"
        self._show_log()
        if self.item is None or self.item.id == item.id:
            self.item = item
            self._show_item()
        self.say(f"Done: {record.summary}.", "success")

    async def _reread_after_loss(self, record: Adjustment) -> None:
        """The answer was lost: show what the warehouse holds now and let the operator decide."""
        self.alert(
            f"No answer for “{record.summary}”: it may or may not have been applied. Re-reading…",
            "warning",
        )
        try:
            item = await self.backend.get_item(record.item_id)
        except WarehouseError as error:
            self.alert(
                f"No answer for “{record.summary}” and the item cannot be re-read ({error}). "
                "Press ctrl+r when the connection is back; do not re-enter it blind."
            )
            return
        if self.item is None or self.item.id == item.id:
            self.item = item
            self._show_item()
        record.outcome = "check level"
        self._show_log()
        self.alert(
            f"No answer for “{record.summary}”. The levels shown are re-read from the warehouse: "
            "check them before entering it again. Nothing was re-sent.",
            "warning",
        )

    def _show_log(self) -> None:
        table = self.query_one("#log", DataTable)
        table.clear()
        for record in reversed(self.session):
            table.add_row(
                plain(record.at),
                plain(record.item_name),
                plain(record.summary),
                plain(
                    record.outcome,
                    "bold" if record.outcome in ("refused", "unknown", "check level") else "",
                ),
            )
