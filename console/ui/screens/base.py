"""What every console screen shares: header, message line, keys line, scans, guarded I/O."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from console.backends.lookup import resolve_scan
from console.backends.protocol import Backend
from console.domain.errors import OutcomeUnknown, WarehouseError
from console.domain.models import Location
from console.domain.queries import SEARCH_TEXT_MAX
from console.domain.scan import Scan, interpret
from console.ui.footprint import forget_removed_widgets
from console.ui.widgets import HeaderBar, KeysLine, MessageLine, ScanField

if TYPE_CHECKING:
    from console.ui.app import WarehouseApp

log = logging.getLogger(__name__)

# Wait this long after the last key before acting on typed text: a scanner or a fast typist
# sends one request for the whole word, not one per letter.
DEBOUNCE_SECONDS = 0.12


class WarehouseScreen(Screen[None]):
    """A screen of the console. Subclasses give `compose_body`, `TITLE`, `HELP` and, if they take
    scans, `handle_scan`."""

    TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    _debounce: Timer | None = None
    # The screen width the tables' columns were last fitted to (set by the screens that fit).
    fitted_width = 0

    def __init__(self) -> None:
        super().__init__()
        # Textual counts a new mode screen's styles as out of date and reparses all the CSS
        # when it is first shown (~10 ms at start and at each F-key's first use), though the
        # screen was made under the CSS in force: it is counted as up to date (Textual's private
        # counter; a later theme change still restyles it).
        try:
            current = getattr(self.app, "_css_update_count", None)
        except RuntimeError:  # no app running: a screen made outside one is left as Textual has it
            current = None
        if isinstance(current, int):
            self._css_update_count = current

    @property
    def console(self) -> WarehouseApp:
        return self.app  # type: ignore[return-value]

    @property
    def backend(self) -> Backend:
        return self.console.backend

    @property
    def location(self) -> Location | None:
        return self.console.location

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield MessageLine(id="message")
        # without the palette key (ctrl+p, listed by F1): at 80 columns the screen's keys come first
        yield KeysLine()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.refresh_header()

    def debounce(self, callback: Callable[[], object]) -> None:
        """Run `callback` once typing pauses; each call restarts the wait."""
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, callback)

    def on_resize(self, event: events.Resize) -> None:
        # Textual repeats a size while a screen settles: fitting again would redraw every row
        # for nothing
        if event.size.width != self.fitted_width:
            self.fit_to_width(event.size.width)

    def fit_to_width(self, width: int) -> None:
        """Fit the screen's tables to `width` columns and redraw their rows (screens whose
        columns follow the width); set `fitted_width`."""

    def on_screen_resume(self) -> None:
        self.refresh_header()
        forget_removed_widgets()  # the screen or dialog just left is no longer drawn

    def refresh_header(self) -> None:
        location = self.location
        self.query_one(HeaderBar).show(
            self.TITLE, self.backend.label, location.name if location else ""
        )

    def location_changed(self) -> None:
        """The operator now works at another location; screens that show stock reload. (Also
        called before the screen is mounted: its on_mount then shows the location.)"""
        if self.is_mounted:
            self.refresh_header()

    # -- the message line ---------------------------------------------------------------------

    def say(self, message: str, severity: str = "info") -> None:
        self.query_one(MessageLine).show(message, severity)

    def alert(self, message: str, severity: str = "error") -> None:
        """Something the operator must look up for: the message line and the bell."""
        self.say(message, severity)
        self.console.ring()

    def searchable(self, text: str) -> bool:
        """Whether `text` can be sent as a search; when it cannot, the operator is told why."""
        if len(text) <= SEARCH_TEXT_MAX:
            return True
        self.say(
            f"Search text too long ({len(text)} characters, at most {SEARCH_TEXT_MAX}): "
            "not searched. ctrl+u clears the field.",
            "warning",
        )
        return False

    def fail(self, error: BaseException) -> None:
        if isinstance(error, OutcomeUnknown):
            self.alert(f"{error.message} Re-reading to show the true state…", "warning")
        elif isinstance(error, WarehouseError):
            self.alert(str(error))
        else:
            log.exception("unexpected error", exc_info=error)
            self.alert(f"Unexpected error: {type(error).__name__}: {error}")

    def run_io(
        self,
        work: Callable[[], Awaitable[None]],
        *,
        group: str,
        exclusive: bool = True,
    ) -> Worker[None]:
        """Run backend I/O off the event loop's critical path. Errors become a message, never an
        exit: an operator mid-task must not lose the screen to a network fault."""

        async def guarded() -> None:
            try:
                await work()
            except WarehouseError as error:
                self.fail(error)
            except Exception as error:  # the screen must survive anything a backend does
                self.fail(error)

        return self.run_worker(guarded(), group=group, exclusive=exclusive, exit_on_error=False)

    # -- scans --------------------------------------------------------------------------------

    @property
    def scan_field(self) -> ScanField | None:
        fields = self.query(ScanField)
        return fields.first() if fields else None

    async def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        message.stop()
        if not message.value.strip():
            return
        message.field.done_with(message)
        await self.handle_scan(interpret(message.value), message)

    async def handle_scan(self, scan: Scan, message: ScanField.Scanned) -> None:
        """By default a scan opens the item it names (with its lot, if the label carries one)."""
        self.run_io(lambda: self.open_scanned_item(scan), group="scan")

    async def open_scanned_item(self, scan: Scan) -> None:
        match = await resolve_scan(self.backend, scan, self.location)
        if match.item is None:
            self.alert(match.describe_miss())
            return
        notice = None
        if scan.lot and match.lot is None:
            notice = f"Lot {scan.lot} of this item is not on record."
        await self.console.open_item(
            match.item, lot_id=match.lot.id if match.lot else None, notice=notice
        )
