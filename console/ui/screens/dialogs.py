"""Modal dialogs: confirm, choose a location or a bin, help, and the start-up problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from console.domain.models import Item, Layout, Location
from console.ui.actions import bindings, keymap_of, keys_hint
from console.ui.text import clean, plain
from console.ui.widgets import KeysLine

MOST_EFFECT_LINES = 40


def effects_body(lines: list[str]) -> str:
    """A status change's effects, one line each, as a confirmation's body (it scrolls)."""
    shown = " | ".join(lines[:MOST_EFFECT_LINES]) or "No change to stock levels."
    if len(lines) > MOST_EFFECT_LINES:
        shown += f" | …and {len(lines) - MOST_EFFECT_LINES} more"
    return shown


class Confirm(ModalScreen[bool]):
    """Ask before something that cannot simply be taken back. Enter confirms, Esc cancels; no
    single letters, and a scan's Enter is held back by the app, so a stray scan cannot
    confirm."""

    SCREEN = "confirm"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._title, "bold"), classes="dialog-title")
            # a long body (a status change's effects, item by item) scrolls; the keys stay seen
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(Text(clean(self._body).replace(" | ", "\n")), classes="dialog-body")
            yield Static(
                keys_hint(
                    keymap_of(self.app),
                    ("confirm.yes", "confirm"),
                    ("↑↓", "scroll"),
                    ("confirm.no", "cancel"),
                ),
                classes="dialog-keys",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Ask(ModalScreen[dict[str, str] | None]):
    """A few typed answers (a reason, a quantity, a parcel's sizes). Tab moves between fields,
    Enter gives them all, Esc gives up; the caller checks what was typed."""

    SCREEN = "ask"
    # Tab is a priority binding, so keys typed in one burst after it land in the next field
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(
        self,
        title: str,
        body: str,
        fields: list[tuple[str, str, str]],
        *,
        required: Mapping[str, str] | None = None,
    ) -> None:
        """`fields`: (key, label, value typed in already). `required`: key → what to say when
        Enter is pressed with that field empty (the dialog stays open, the field focused)."""
        super().__init__()
        self._title = title
        self._body = body
        self._fields = fields
        self._required = dict(required or {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask"):
            yield Static(plain(self._title, "bold"), classes="dialog-title")
            if self._body:
                yield Static(Text(clean(self._body).replace(" | ", "\n")), classes="dialog-body")
            for key, label, value in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(plain(label), classes="form-label")
                    yield Input(value, id=f"ask-{key}", compact=True)
            yield Static(id="ask-problem", classes="dialog-problem")
            yield Static(
                keys_hint(
                    keymap_of(self.app),
                    ("ask.next", "next"),
                    ("ask.ok", "OK"),
                    ("ask.cancel", "cancel"),
                ),
                classes="dialog-keys",
            )

    def action_give(self) -> None:
        answer = {key: self.query_one(f"#ask-{key}", Input).value for key, *_ in self._fields}
        for key, needed in self._required.items():
            if not answer.get(key, "").strip():
                self.query_one("#ask-problem", Static).update(plain(needed, "bold"))
                self.query_one(f"#ask-{key}", Input).focus()
                getattr(self.app, "ring", self.app.bell)()  # the console's bell, if it is on
                return
        self.dismiss(answer)

    def action_give_up(self) -> None:
        self.dismiss(None)


class _Chooser(ModalScreen[object]):
    """A list to choose one row from with the arrows and Enter."""

    SCREEN = "choose"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._title, "bold"), classes="dialog-title")
            yield DataTable(id="choices", cursor_type="row")
            yield Static(
                keys_hint(
                    keymap_of(self.app),
                    ("↑↓", "choose"),
                    ("Enter", "take"),
                    ("choose.cancel", "cancel"),
                ),
                classes="dialog-keys",
            )

    def action_cancel(self) -> None:
        self.dismiss(None)


class LocationPicker(_Chooser):
    """Which site the operator works at: stock figures and queues are for this location."""

    def __init__(self, locations: list[Location], current: Location | None) -> None:
        super().__init__("Where are you working?")
        self._locations = locations
        self._current = current

    def on_mount(self) -> None:
        table = self.query_one("#choices", DataTable)
        table.add_column("Location", width=30)
        table.add_column("Bins", width=6)
        for index, location in enumerate(self._locations):
            table.add_row(plain(location.name), Text(str(len(location.layouts)), justify="right"))
            if self._current and location.id == self._current.id:
                table.move_cursor(row=index)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(self._locations[event.cursor_row])


class BinPicker(_Chooser):
    """Choose a bin of the location (for a move), excluding the one the units come from."""

    def __init__(self, title: str, layouts: list[Layout]) -> None:
        super().__init__(title)
        self._layouts = sorted(layouts, key=lambda lay: lay.path or lay.name)

    def on_mount(self) -> None:
        table = self.query_one("#choices", DataTable)
        table.add_column("Bin", width=20)
        table.add_column("Path", width=20)
        for layout in self._layouts:
            table.add_row(plain(layout.name), plain(layout.path or ""))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(self._layouts[event.cursor_row])

    def take_scanned(self, text: str) -> bool:
        """A bin label scanned while choosing: that bin, if it is one of the choices."""
        wanted = text.strip().casefold()
        chosen = next((lay for lay in self._layouts if lay.name.casefold() == wanted), None)
        if chosen is not None:
            self.dismiss(chosen)
        return chosen is not None


class ItemPicker(_Chooser):
    """Choose one of the items a typed name matched: the name can be long, the SKU tells
    apart items whose names look alike."""

    def __init__(self, title: str, items: list[Item]) -> None:
        super().__init__(title)
        self._items = items

    def on_mount(self) -> None:
        table = self.query_one("#choices", DataTable)
        table.add_column("Item", width=42)
        table.add_column("SKU", width=22)
        for item in self._items:
            table.add_row(plain(item.name), plain(item.sku or ""))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(self._items[event.cursor_row])


class HelpScreen(ModalScreen[None]):
    """F1: what this screen is for and every key that works on it."""

    SCREEN = "help"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, title: str, text: str, keys: list[tuple[str, str, str]]) -> None:
        """`keys`: (key, words, what it does) of each action."""
        super().__init__()
        self._title = title
        self._text = text
        self._keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(plain(f"Help: {self._title}", "bold"), classes="dialog-title")
            yield Static(Text(self._text), classes="dialog-body")
            keys = Table.grid(padding=(0, 1))
            keys.add_column(justify="right", no_wrap=True, style="bold")
            keys.add_column(ratio=1)
            for key, words, description in [
                *self._keys,
                ("Ctrl+P", "Palette", "Command palette: every action here by its words"),
            ]:
                keys.add_row(key, Text.assemble((words, "bold"), " ", description))
            yield Static(keys, classes="dialog-body")
            yield Static(
                keys_hint(keymap_of(self.app), ("help.close", "close"), ("↑↓", "scroll")),
                classes="dialog-keys",
            )

    def action_close(self) -> None:
        self.dismiss(None)


class StartupProblem(ModalScreen[bool]):
    """The backend could not be reached at start: say so plainly and offer a retry."""

    SCREEN = "startup"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, backend: str, reason: str) -> None:
        super().__init__()
        self._backend = backend
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Static(
                plain(f"Cannot open the warehouse at {self._backend}", "bold"),
                classes="dialog-title",
            )
            yield Static(plain(self._reason), classes="dialog-body")
            yield Static(
                "Check the network and the API URL and key (--api-url, PX_API_URL, PX_API_KEY or "
                "the config file). "
                + keys_hint(
                    keymap_of(self.app), ("startup.retry", "retry"), ("startup.quit", "quit")
                ),
                classes="dialog-keys",
            )
        yield KeysLine(show_command_palette=True)

    def action_answer(self, retry: bool) -> None:
        self.dismiss(retry)
