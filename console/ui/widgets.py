"""Widgets every screen shares: the scan field, the message line, the header bar and the keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

if TYPE_CHECKING:
    from textual.screen import Screen

from console.domain.errors import WarehouseError
from console.services.scanner import GS, GS_KEYS, LONGEST_SCAN
from console.ui.actions import key_rank
from console.ui.text import clean

# GS (0x1D) is kept in the field as this visible stand-in and turned back on submit: the raw
# byte would be invisible on screen and `Input` would drop it anyway.
GS_SHOWN = "␝"

# Two identical scans closer than this are one label read twice by the scanner.
DOUBLE_READ_SECONDS = 0.3


class DoubleReads:
    """Remembers the last scan across every field and screen: a label read twice in a row by
    the scanner (or re-read as the next screen opens) must count once."""

    def __init__(self, window: float = DOUBLE_READ_SECONDS) -> None:
        self.window = window
        self._last: tuple[str, float] | None = None

    def seen(self, value: str, now: float) -> bool:
        double = (
            self._last is not None and self._last[0] == value and now - self._last[1] < self.window
        )
        self._last = (value, now)
        return double


class ScanField(Input):
    """The field a screen's scans and typed entries arrive in.

    Typed text ends on Enter, LF (ctrl+j) or Tab (Tab only when something was typed, so an
    empty field still lets focus move): `Entered`, the text left in the field for the screen
    to take (`done_with`). A scan is told apart by the app (`console.services.scanner`), which
    sends `ScanEnded` after the scan's keys: the scan's characters leave the field (whatever
    was typed before it stays) and the screen gets `Scanned`. GS is kept visible as `GS_SHOWN`.
    """

    class Entered(Message):
        """Enter on what the operator typed."""

        def __init__(self, field: ScanField, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> ScanField:
            return self.field

    class Scanned(Message):
        """A scanner's scan, taken out of the field."""

        def __init__(
            self, field: ScanField, value: str, *, double_read: bool, cut: bool = False
        ) -> None:
            super().__init__()
            self.field = field
            self.value = value
            self.double_read = double_read
            self.cut = cut  # it came in pieces: refused (console.services.scanner.HELD_UP)

        @property
        def control(self) -> ScanField:
            return self.field

    class ScanEnded(Message, bubble=False):
        """From the app: the last characters that reached this field were a scan. Handled in
        order after them, so they are in the field by then."""

        def __init__(self, text: str, *, double_read: bool, cut: bool = False) -> None:
            super().__init__()
            self.text = text
            self.double_read = double_read
            self.cut = cut

    def __init__(
        self,
        *,
        placeholder: str = "",
        id: str | None = None,
        typed_entry: Callable[[str], bool] | None = None,
    ) -> None:
        # No label is longer: the rest of a stuck key or a runaway scanner is dropped, not kept
        # for every key to redraw (and the detector keeps as much).
        super().__init__(
            placeholder=placeholder, id=id, select_on_focus=False, max_length=LONGEST_SCAN
        )
        # Text this field takes as typed even at scanner speed (a quantity such as "+12"):
        # no label reads like it, and a quick hand must not have it looked up as a code.
        self.typed_entry = typed_entry

    @property
    def raw_value(self) -> str:
        """The field's text with GS restored."""
        return self.value.replace(GS_SHOWN, GS)

    def take_char(self, character: str) -> None:
        """Receive a character typed while another widget had focus (see the app's scan routing)."""
        self.insert_text_at_cursor(GS_SHOWN if character == GS else character)

    async def _on_key(self, event: events.Key) -> None:
        if event.key in GS_KEYS or event.character == GS:
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(GS_SHOWN)
            return
        if event.key in ("enter", "ctrl+j") or (event.key == "tab" and self.value):
            event.stop()
            event.prevent_default()
            self.post_message(self.Entered(self, self.raw_value))
        # anything else: Input's own key handler runs next (Textual calls each class's handler)

    def _on_paste(self, event: events.Paste) -> None:
        # A pasted label may carry GS; keep it visible rather than letting Input drop it.
        if GS in event.text:
            event.stop()
            event.prevent_default()
            self.insert_text_at_cursor(event.text.replace(GS, GS_SHOWN).splitlines()[0])

    def on_scan_field_scan_ended(self, message: ScanField.ScanEnded) -> None:
        message.stop()
        value = self.value
        if not message.cut and self.typed_entry is not None and self.typed_entry(message.text):
            self.post_message(self.Entered(self, self.raw_value))
            return
        shown = message.text.replace(GS, GS_SHOWN)
        at = value.rfind(shown)
        if at >= 0:  # at the end, unless the cursor had been moved back into typed text
            self.value = value[:at] + value[at + len(shown) :]
            self.cursor_position = at if at < len(self.value) else len(self.value)
        self.post_message(
            self.Scanned(self, message.text, double_read=message.double_read, cut=message.cut)
        )

    def done_with(self, message: ScanField.Entered) -> None:
        """The screen has taken this entry: take its text out of the field.

        Only that text goes: keys that arrived after its Enter (the start of the next scan, when
        the screen was busy) follow it in the field and must stay. If the field no longer starts
        with it, the operator has moved on and the field is theirs.
        """
        shown = message.value.replace(GS, GS_SHOWN)
        if self.value.startswith(shown):
            self.value = self.value[len(shown) :]
            self.cursor_position = len(self.value)


class MessageLine(Static):
    """The one line an operator looks at for what just happened: info, warning or error. With
    `flash`, a success flashes it once in reverse video and an error twice, so an operator
    looking at the shelf, not the screen, sees from the corner of an eye which it was (reverse
    video reads on a monochrome terminal too)."""

    DEFAULT_CLASSES = "message-line"
    # seconds on, off, on…: one short flash for a success, two for an error
    FLASHES: ClassVar[dict[str, tuple[float, ...]]] = {
        "success": (0.25,),
        "error": (0.2, 0.15, 0.2),
    }
    _flashing: tuple[Timer, ...] = ()

    def show(self, message: str, severity: str = "info", *, flash: bool = False) -> None:
        marker = {"error": "✖ ", "warning": "⚠ ", "success": "✔ "}.get(severity, "")
        self._stop_flashing()
        self.set_classes(f"message-line -{severity}")
        self.update(Text(marker + clean(message), overflow="ellipsis"))
        steps = self.FLASHES.get(severity, ()) if flash else ()
        if steps:
            self.add_class("-flash")
            timers, at = [], 0.0
            for step in steps:
                at += step
                timers.append(self.set_timer(at, lambda: self.toggle_class("-flash")))
            self._flashing = tuple(timers)

    def _stop_flashing(self) -> None:
        for timer in self._flashing:
            timer.stop()
        self._flashing = ()
        self.remove_class("-flash")

    def clear(self) -> None:
        self._stop_flashing()
        self.set_classes("message-line")
        self.update("")


class HeaderBar(Static):
    """Product, screen, backend and location: what an operator needs to know where they are.
    Fitted to the width: the location is never cut while the rest can give way (the product
    name goes first, then the backend, then the screen's title is shortened)."""

    DEFAULT_CLASSES = "header-bar"
    _parts: tuple[str, str, str] = ("", "", "")

    def show(self, screen_title: str, backend: str, location: str) -> None:
        self._parts = (screen_title, clean(backend), clean(location) or "no location")
        self.update(self.fitted(self.size.width))

    def on_resize(self) -> None:
        self.update(self.fitted(self.size.width))

    def fitted(self, width: int) -> Text:
        title, backend, location = self._parts
        product = ("warehouse-console", "bold")
        place = (location, "bold")
        choices = (
            [product, (title, ""), (backend, ""), place],
            [(title, ""), (backend, ""), place],
            [(title, ""), place],
        )
        for choice in choices:
            if width <= 0 or sum(len(t) + 3 for t, _ in choice) - 1 <= width:
                shown = choice
                break
        else:  # even the title and the location do not fit: the title gives way
            room = width - len(location) - 6
            shown = [(title[: room - 1] + "…" if room >= 6 else "", ""), place]
            shown = [part for part in shown if part[0]]
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (words, style) in enumerate(shown):
            if index:
                text.append("│")
            text.append(f" {words} ", style=style)
        return text


@dataclass(frozen=True)
class ShownKey:
    key: str
    action: str
    id: str | None
    display: str
    description: str
    enabled: bool
    everywhere: bool  # the app's own key, the same on every screen

    @property
    def terse(self) -> bool:
        """Shown without its words when the line is short of room (all but F1 Help)."""
        return self.everywhere and self.action != "help"


class KeysLine(Widget):
    """The keys that work now, on the bottom line, one line of text: the screen's own first,
    in the words of the action table (console/ui/actions.py), or the screen's `key_words` for
    an action whose words follow its state. Textual's Footer is not used: it rebuilt a widget
    per key on every focus change and kept the old ones alive (see console/ui/upstream.py).
    Keys that do not fit end in "…"; F1 lists them all."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keys-line--key", "keys-line--description"}
    DEFAULT_CSS = """
    KeysLine {
        dock: bottom;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $footer-foreground;
        background: $footer-background;
        .keys-line--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-line--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = False) -> None:
        super().__init__()
        self._show_command_palette = show_command_palette
        self._spans: list[tuple[int, int, ShownKey]] = []  # columns of each key, for a click

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def keys(self) -> list[ShownKey]:
        """The keys shown, one per action, the screen's own first."""
        shown: dict[str, ShownKey] = {}
        palette = self.app.COMMAND_PALETTE_BINDING
        for key, (node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if key == palette and self.app.ENABLE_COMMAND_PALETTE:
                if not self._show_command_palette:
                    continue
            elif not binding.show:
                continue
            words = getattr(self.screen, "key_words", lambda _binding: None)(binding)
            shown.setdefault(
                binding.action,
                ShownKey(
                    binding.key,
                    binding.action,
                    binding.id,
                    self.app.get_key_display(binding),
                    words or binding.description,
                    enabled,
                    everywhere=node is self.app,
                ),
            )
        return sorted(shown.values(), key=lambda key: key_rank(key.id))

    def render(self) -> Text:
        keys = self.keys()
        line = self._line(keys, brief=False)
        if line.cell_len > self.size.width:
            # Short of room, the keys that work on every screen (F2 Find, F3 Adjust...) lose
            # their words before this screen's own keys are cut off; F1 Help keeps them.
            line = self._line(keys, brief=True)
        if line.cell_len > self.size.width:
            # still short (a handheld): the keys that do nothing now give way to those that do
            line = self._line([key for key in keys if key.enabled], brief=True)
        return line

    def _line(self, keys: list[ShownKey], *, brief: bool) -> Text:
        key_style = self.get_component_rich_style("keys-line--key")
        description_style = self.get_component_rich_style("keys-line--description")
        line = Text(end="")
        self._spans = []
        for shown in keys:
            if line:
                line.append(" ")
            start = line.cell_len
            disabled = Style(dim=not shown.enabled)
            line.append(shown.display, key_style + disabled)
            if shown.description and not (brief and shown.terse):
                line.append(f" {shown.description}", description_style + disabled)
            self._spans.append((start, line.cell_len, shown))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, shown in self._spans:
            if start <= event.x < end:
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:  # the key does nothing now: the bell, unless the operator turned it off
                    getattr(self.app, "ring", self.app.bell)()
                return


@dataclass(frozen=True)
class Column:
    """One column of a table that fits its width. `width` 0: it takes what is left (at least
    `least`). `gives_way`: columns with the highest number are dropped first when the screen is
    too narrow for all (0: never dropped); `wide`: shown only from this screen width on."""

    label: str
    key: str
    width: int
    gives_way: int = 0
    wide: int = 0
    least: int = 8


def add_keyed_row(table: DataTable[Any], cells: dict[str, Any], key: str | None = None) -> None:
    """One row of a fitted table: its cells by column key, as many as the width shows."""
    table.add_row(*(cells[str(column.key.value)] for column in table.columns.values()), key=key)


def fit_columns(columns: list[Column], width: int) -> list[tuple[str, str, int]]:
    """(label, key, width) of the columns that fit `width`, secondary ones dropped first, so a
    number is never cut: every fixed column keeps its width, the flexible one takes the rest."""
    shown = [c for c in columns if width >= c.wide]

    def needed(cols: list[Column]) -> int:
        # one cell of padding either side of each column; the scrollbar takes two more
        return sum(c.width or c.least for c in cols) + 2 * len(cols) + 2

    while needed(shown) > width and any(c.gives_way for c in shown):
        worst = max(c.gives_way for c in shown)
        shown = [c for c in shown if c.gives_way != worst]
    fixed = sum(c.width for c in shown) + 2 * len(shown) + 2
    return [(c.label, c.key, c.width or max(c.least, width - fixed)) for c in shown]


class FormFields(VerticalScroll):
    """The fields of a form, one labelled line each (`fields`: key, label, placeholder); Tab
    and Shift+Tab move between them (the forms' action table)."""

    def __init__(self, fields: tuple[tuple[str, str, str], ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields = fields

    def compose(self) -> ComposeResult:
        for key, label, placeholder in self.fields:
            with Horizontal(classes="form-row"):
                yield Label(label, classes="form-label")
                yield Input(placeholder=placeholder, id=f"f-{key}", compact=True)

    def field(self, key: str) -> Input:
        return self.query_one(f"#f-{key}", Input)

    def has(self, key: str) -> bool:
        return any(key == field for field, *_ in self.fields)

    def fill(self, values: dict[str, str]) -> None:
        """Every field shows its value (untrusted text made safe), or nothing."""
        for key, *_ in self.fields:
            self.field(key).value = clean(values.get(key, ""))

    def values(self) -> dict[str, str]:
        return {key: self.field(key).value for key, *_ in self.fields}

    def point_at(self, error: WarehouseError, fields: dict[str, str] | None = None) -> None:
        """Focus the first field a refusal names (`fields` maps wire names to form keys)."""
        for problem in error.errors:
            key = (fields or {}).get(problem.field, problem.field)
            if any(k == key for k, *_ in self.fields):
                self.field(key).focus()
                return
