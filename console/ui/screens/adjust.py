"""F3: adjust an item's levels per bin, seeing the level now and after before anything is sent.
A view over the adjustment session (console/services/adjusting.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from console.domain.levels import looks_like_entry
from console.domain.models import LEVEL_QUANTITIES, Item, Layout
from console.domain.scan import Scan, interpret
from console.services.adjusting import KIND_NAMES, AdjustmentSession, Plan, Refusal
from console.ui.actions import bindings
from console.ui.screens.base import WarehouseScreen
from console.ui.screens.dialogs import BinPicker, Confirm
from console.ui.text import clean, plain
from console.ui.widgets import Column, ScanField, add_keyed_row, fit_columns

T = TypeVar("T")


class AdjustScreen(WarehouseScreen):
    SCREEN = "adjust"
    TITLE = "Adjust levels"
    HELP = (
        "Scan or pick an item ({find} then {adjust} brings the item you were looking at). Choose "
        "the bin with ↑↓ or scan its label, and the quantity with {adjust.kind} (verified, "
        "damaged, reserved, manifested). Type +5, -3 or =100 and press {adjust.apply}: the line "
        "above shows the level now and after before anything is sent. =100 replaces the count "
        "and asks again. Type a number (3) and press {adjust.damage} to mark that many verified "
        "units damaged, or {adjust.move} to move them to another bin: each asks with the levels "
        "before and after, and is one update (all or nothing). {adjust.undo} undoes the "
        "last adjustment of this session after showing what it will send. If an answer is lost, "
        "it is sent again only where that cannot count twice; otherwise the screen re-reads the "
        "item, shows the true level and tells you to check it."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self) -> None:
        super().__init__()
        self.session = AdjustmentSession(
            self.console.backend,
            self.console.outbox,
            self.console.clock,
            tell=self.tell,
            changed=self._show_all,
            location=self.console.location,
        )

    @property
    def item(self) -> Item | None:
        """The item on screen (None before one is scanned or brought with F3)."""
        return self.session.item

    @property
    def current_item(self) -> Item | None:
        return self.session.item

    def compose_body(self) -> ComposeResult:
        yield Static(id="adjust-item", classes="title")
        yield DataTable(id="bins", cursor_type="row")
        yield Static(id="preview", classes="preview")
        yield ScanField(
            id="qty",
            placeholder="+5  -3  =100   (or scan an item or a bin)",
            typed_entry=looks_like_entry,
        )
        yield Static("This session", classes="section")
        yield DataTable(id="log", cursor_type="none", show_cursor=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.fit_to_width(self.app.size.width)
        self.query_one("#qty", ScanField).focus()
        self._show_all()

    def fit_to_width(self, width: int) -> None:
        """On a narrow screen the manifested, then the reserved column give way (the quantity
        being adjusted always shows), and the log keeps the change and its result."""
        self.fitted_width = width
        kind = self.session.kind
        bins = self.query_one("#bins", DataTable)
        bins.clear(columns=True)
        quantities = [
            Column(label, q, 8, gives_way=0 if q in (kind, "verified_qty") else rank)
            for label, q, rank in (
                ("Verified", "verified_qty", 0),
                ("Damaged", "damaged_qty", 1),
                ("Reserved", "reserved_qty", 2),
                ("Manifest", "manifested_qty", 3),
            )
        ]
        for label, key, w in fit_columns([Column("Bin", "bin", 0, least=8), *quantities], width):
            bins.add_column(label, key=key, width=w)
        log = self.query_one("#log", DataTable)
        log.clear(columns=True)
        columns = [
            Column("Time", "time", 8, gives_way=1),
            Column("Item", "item", 22, gives_way=2),
            Column("Change", "change", 0, least=14),
            Column("Result", "result", 10),
        ]
        for label, key, w in fit_columns(columns, width):
            log.add_column(label, key=key, width=w)
        if self.live:
            self._show_all()

    def location_changed(self) -> None:
        super().location_changed()
        self.session.at(self.location)
        if self.is_mounted:
            self._show_all()

    # -- showing ------------------------------------------------------------------------------

    def load_item(self, item_id: str) -> None:
        self.run_io(lambda: self.session.load(item_id), group="load")

    def action_reload(self) -> None:
        if self.session.item is not None:
            self.load_item(self.session.item.id)

    def _show_all(self) -> None:
        if not self.live:
            return
        self._show_item()
        self._show_log()

    def _show_item(self) -> None:
        session = self.session
        title = self.query_one("#adjust-item", Static)
        table = self.query_one("#bins", DataTable)
        table.clear()
        if session.item is None:
            title.update(
                Text(
                    f"No item yet: scan one, or open one in search ({self.key('find')}) and "
                    f"press {self.key('adjust')}.",
                    style="dim",
                )
            )
            self._preview()
            return
        item = session.item
        title.update(plain(f"{item.name}  ·  {item.sku or ''}", "bold"))
        slots = session.slots()
        for slot in slots:
            cells = {"bin": plain(slot.label)} | {
                q: Text(str(n), justify="right", style="bold" if q == session.kind else "")
                for n, q in zip(session.counts(slot), LEVEL_QUANTITIES, strict=True)
            }
            add_keyed_row(table, cells)
        if slots:
            session.choose(session.chosen)
            table.move_cursor(row=session.chosen)
        self._preview()

    def _preview(self) -> None:
        preview = self.query_one("#preview", Static)
        shown = self.session.preview(self.query_one("#qty", ScanField).value)
        if shown is None:
            preview.update(Text(f"Quantity: {KIND_NAMES[self.session.kind]}", style="dim"))
            return
        line = Text()
        line.append(f"{clean(shown.label)} · {shown.kind}: ", style="bold")
        line.append(str(shown.now))
        if shown.problem:
            line.append(f"   {shown.problem}", style="italic")
        elif shown.units is not None:
            left = shown.verified - shown.units
            line.append(" → ")
            line.append(str(left), style="bold")
            line.append(
                f"   {shown.units} units: {self.key('adjust.damage')} damaged, "
                f"{self.key('adjust.move')} moved"
            )
            if left < 0:
                line.append("   refused: more than is verified here", style="bold")
        elif shown.after is not None:
            line.append(" → ")
            line.append(str(shown.after), style="bold")
            if shown.below_zero:
                line.append("   refused: a level cannot go below zero", style="bold")
            elif shown.reset:
                line.append("   reset: Enter, then confirm")
        preview.update(line)

    def _show_log(self) -> None:
        table = self.query_one("#log", DataTable)
        table.clear()
        for record in reversed(self.session.log):
            cells = {
                "time": plain(record.at),
                "item": plain(record.item_name),
                "change": plain(record.summary),
                "result": plain(
                    record.outcome.value, "bold" if record.outcome.needs_a_look else ""
                ),
            }
            add_keyed_row(table, cells)

    def on_input_changed(self, event: ScanField.Changed) -> None:
        if event.input.id == "qty":
            self._preview()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "bins":
            self.session.choose(event.cursor_row)
            self._preview()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#bins", DataTable)
        if table.row_count:
            self.session.choose(self.session.chosen + step)
            table.move_cursor(row=self.session.chosen)

    def action_cycle_kind(self) -> None:
        kind = self.session.cycle_kind()
        self.fit_to_width(self.app.size.width)  # the quantity adjusted always shows
        self.say(f"Adjusting {kind} quantities ({self.key('adjust.kind')} changes).")

    # -- entering -----------------------------------------------------------------------------

    def _typed(self) -> str:
        return self.query_one("#qty", ScanField).value

    async def take_entry(self, entry: ScanField.Entered) -> None:
        """Enter in the field: a quantity if it starts with + - =, otherwise a scan."""
        text = entry.value.strip()
        if not text:
            return
        if looks_like_entry(text):
            self.action_apply()
            return
        entry.field.done_with(entry)
        await self.handle_scan(interpret(entry.value))

    async def handle_scan(self, scan: Scan) -> None:
        self.run_io(lambda: self.session.take_scan(scan), group="scan")

    def _plan(self, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except Refusal as refusal:
            self.tell(refusal.notice)
            return None

    def action_apply(self) -> None:
        typed = self._typed()
        plan = self._plan(lambda: self.session.plan_entry(typed))
        if plan is not None:
            self._ask_then_send(plan, not_sent="Reset not sent.")

    def action_damage(self) -> None:
        typed = self._typed()
        plan = self._plan(lambda: self.session.plan_damage(typed))
        if plan is not None:
            self._ask_then_send(plan, not_sent="Damage not sent.")

    def action_move(self) -> None:
        typed = self._typed()
        found = self._plan(lambda: self.session.move_targets(typed))
        if found is None:
            return
        units, targets = found
        source = self.session.slot
        assert source is not None

        def chosen(target: object) -> None:
            if not isinstance(target, Layout):
                self.say("Move not sent.")
                return
            plan = self._plan(lambda: self.session.plan_move(units, target))
            if plan is not None:
                self._ask_then_send(plan, not_sent="Move not sent.")

        self.app.push_screen(
            BinPicker(f"Move {units} from {source.label} to which bin?", targets), chosen
        )

    def action_undo(self) -> None:
        plan = self._plan(self.session.plan_undo)
        if plan is not None:
            self._ask_then_send(plan, not_sent="Undo not sent.")

    def _ask_then_send(self, plan: Plan, *, not_sent: str) -> None:
        if plan.question is None:
            self._send(plan)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(plan)
            else:
                self.say(not_sent)

        self.app.push_screen(Confirm(plan.question.title, plan.question.body), answered)

    def _send(self, plan: Plan) -> None:
        self.query_one("#qty", ScanField).value = ""
        self.run_io(lambda: self._deliver(plan), group="send", exclusive=False)

    async def _deliver(self, plan: Plan) -> None:
        await self.session.send(plan)
