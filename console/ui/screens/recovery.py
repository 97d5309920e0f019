"""At start: what a console that ended left unconfirmed, to send again or to discard."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from console.services.recovery import Recovery, Unconfirmed
from console.ui.actions import bindings, keymap_of, keys_hint
from console.ui.screens.dialogs import Confirm
from console.ui.text import plain


class RecoveryScreen(ModalScreen[str | None]):
    """The unconfirmed changes and counts, one line each. Answers "send" or None (later)."""

    SCREEN = "recovery"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, recovery: Recovery, where: str, *, keys_honoured: bool) -> None:
        super().__init__()
        self.recovery = recovery
        self._where = where
        self._keys_honoured = keys_honoured
        self._lines: list[Unconfirmed] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain("Not confirmed by the warehouse", "bold"), classes="dialog-title")
            body = (
                f"A console on {self._where} ended before the warehouse confirmed these. Each is "
                "sent with its original request id, and counts go on top of what the warehouse "
                "holds now."
            )
            if not self._keys_honoured:
                body += (
                    " This warehouse does not say it applies a repeated change once: discard any "
                    "you know it already has."
                )
            yield Static(plain(body), classes="dialog-body recovery-body")
            yield DataTable(id="unconfirmed", cursor_type="row")
            yield Static(
                keys_hint(
                    keymap_of(self.app),
                    ("recovery.send", "send them"),
                    ("recovery.discard", "discard"),
                    ("recovery.later", "later"),
                ),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        table = self.query_one("#unconfirmed", DataTable)
        table.add_column("When", width=12)
        table.add_column("What", width=48)
        self.refill()
        table.focus()

    def refill(self) -> None:
        table = self.query_one("#unconfirmed", DataTable)
        table.clear()
        self._lines = self.recovery.unconfirmed()
        for line in self._lines:
            when = dt.datetime.fromtimestamp(line.when).strftime("%d %b %H:%M")
            what = plain(line.what)
            if line.elsewhere:
                what = Text.assemble(what, (" (a warehouse since started afresh)", "bold"))
            table.add_row(plain(when), what)
        if not self._lines:
            self.dismiss(None)

    def action_send(self) -> None:
        self.dismiss("send")

    def action_later(self) -> None:
        self.dismiss(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # Enter sends them all; a row is chosen only to discard it

    def action_discard(self) -> None:
        table = self.query_one("#unconfirmed", DataTable)
        if not self._lines or not 0 <= table.cursor_row < len(self._lines):
            return
        line = self._lines[table.cursor_row]

        def answered(yes: bool | None) -> None:
            if yes:
                now = dt.datetime.fromtimestamp(self.app.clock.now())  # type: ignore[attr-defined]
                self.recovery.discard(line, f"discarded by the operator at {now:%Y-%m-%d %H:%M}")
                self.refill()

        self.app.push_screen(
            Confirm(
                f"Discard “{line.what}”?",
                "It will not be sent. The journal keeps a note that you discarded it.",
            ),
            answered,
        )
