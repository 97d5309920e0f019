"""What every console screen shares: header, message line, keys line, scans, guarded I/O."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.worker import Worker

from console.backends.protocol import Backend
from console.domain.errors import OutcomeUnknown, WarehouseError
from console.domain.gtin import shortest_gtin
from console.domain.models import Item, Location
from console.domain.queries import SEARCH_TEXT_MAX
from console.domain.scan import Scan, interpret
from console.services.notices import Notice, Tone
from console.services.scanner import cut_scan_said
from console.services.scans import ScanMatch, resolve_scan
from console.ui.actions import action_called, actions_on
from console.ui.upstream import forget_removed_widgets
from console.ui.widgets import HeaderBar, KeysLine, MessageLine, ScanField

if TYPE_CHECKING:
    from console.ui.app import WarehouseApp

log = logging.getLogger(__name__)

# Wait this long after the last key before acting on typed text: a scanner or a fast typist
# sends one request for the whole word, not one per letter.
DEBOUNCE_SECONDS = 0.12

Job = Callable[[], Awaitable[None]]


class WarehouseScreen(Screen[None]):
    """A screen of the console. Subclasses give `SCREEN` (its id in the action table, with
    `BINDINGS = bindings(SCREEN)`), `compose_body`, `TITLE`, `HELP` (`{action id}` in it shows
    that action's key) and, if they take scans, `take_entry`."""

    SCREEN: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    # A screen holding work (a form being filled, an order being picked) is still there when the
    # operator comes back to its mode; a view of one record is closed, so the mode's key shows
    # its list, and what is typed next goes to the list's field.
    HOLDS_WORK: ClassVar[bool] = True
    # The screen width the tables' columns were last fitted to (set by the screens that fit).
    fitted_width = 0

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """What the backend does not offer shows unavailable (console/ui/app.py says why)."""
        found = action_called(self.SCREEN, action, parameters)
        return None if found is not None and self.console.lacking(found) else True

    def on_mount(self) -> None:
        self.refresh_header()

    # Set once the screen is closed: work that outlives it (a counting session still sending)
    # then tells the screen on view instead, and draws nothing.
    gone = False
    # the typing pause `debounce` waits for
    _pause_waiting = False
    _pause_ends = 0.0
    _after_pause: Callable[[], object] = staticmethod(lambda: None)

    def on_unmount(self) -> None:
        self.gone = True

    @property
    def live(self) -> bool:
        """Mounted and not closed: there is something to draw on."""
        return self.is_mounted and not self.gone

    def debounce(self, callback: Callable[[], object]) -> None:
        """Run `callback` once typing pauses; each call restarts the wait (and replaces the
        callback). One waiting worker per screen, however many keys: a stuck key or a long
        scan must not start (and cancel) a worker per character."""
        clock = self.console.clock
        self._pause_ends = clock.monotonic() + DEBOUNCE_SECONDS
        self._after_pause = callback
        if self._pause_waiting:
            return

        async def after_the_pause() -> None:
            try:
                while (left := self._pause_ends - clock.monotonic()) > 0:
                    await clock.sleep(left)
            finally:
                self._pause_waiting = False  # before the callback: a call from now on waits anew
            self._after_pause()

        self._pause_waiting = True
        self.run_worker(after_the_pause, group="debounce", exit_on_error=False)

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

    def action_back(self) -> None:
        self.console.action_back()

    def key(self, action_id: str) -> str:
        """The key of an action, as the operator has it (remapped or not): 'Ctrl+T'."""
        return self.console.key(action_id)

    def key_words(self, binding: Binding) -> str | None:
        """The keys line's words for an action whose words follow the screen's state."""
        return None

    # -- the message line ---------------------------------------------------------------------

    def say(self, message: str, severity: str = "info") -> None:
        for line in self.query(MessageLine):  # none once the screen is closed
            line.show(message, severity, flash=self.console.flash_on)

    def alert(self, message: str, severity: str = "error") -> None:
        """Something the operator must look up for: the message line and the bell."""
        self.say(message, severity)
        self.console.ring()

    def tell(self, notice: Notice) -> None:
        """A service's message for the operator."""
        if notice.ring:
            self.alert(notice.text, notice.tone.value)
        else:
            self.say(notice.text, notice.tone.value)

    def searchable(self, text: str) -> bool:
        """Whether `text` can be sent as a search; when it cannot, the operator is told why."""
        if len(text) <= SEARCH_TEXT_MAX:
            return True
        self.say(
            f"Search text too long ({len(text)} characters, at most {SEARCH_TEXT_MAX}): "
            "not searched. ctrl+u clears the field.",
            Tone.WARNING,
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

    def run_io(self, work: Job, *, group: str, exclusive: bool = True) -> Worker[None]:
        """Run backend I/O off the event loop's critical path. Errors become a message, never an
        exit: an operator mid-task must not lose the screen to a network fault."""

        async def guarded() -> None:
            try:
                await work()
            except Exception as error:  # the screen must survive anything a backend does
                self.fail(error)

        # the function, not a coroutine: a worker replaced before it starts never makes one
        return self.run_worker(guarded, group=group, exclusive=exclusive, exit_on_error=False)

    def start(self, job: Job) -> None:
        """For services: run one of their background jobs as a worker of this screen (it ends
        when the screen is closed)."""
        self.run_io(job, group="service", exclusive=False)

    # -- scans --------------------------------------------------------------------------------

    @property
    def scan_field(self) -> ScanField | None:
        fields = self.query(ScanField)
        return fields.first() if fields else None

    async def on_scan_field_entered(self, message: ScanField.Entered) -> None:
        message.stop()
        await self.take_entry(message)

    async def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        message.stop()
        if message.cut:
            self.alert(cut_scan_said(message.value))
        elif message.double_read:
            self.say("Same label read twice at once: taken once.", "warning")
        elif message.value.strip():
            await self.handle_scan(interpret(message.value))

    # A GTIN scanned here that no item has: the new-item key fills it in.
    unknown_gtin: str | None = None

    def offer_new_item(self, match: ScanMatch) -> str:
        """What a scan that matched nothing is said as; a GTIN no item has is offered to be
        made into one (a garbled label is not)."""
        said = self.describe_miss(match)
        scan = match.scan
        # offered on this screen, and by the backend (the action table says what it needs)
        offered = any(
            action.id == "item.new" and self.console.lacking(action) is None
            for action in actions_on(self.SCREEN)
        )
        if scan.gtin and not scan.suspect and match.doubt is None and offered:
            self.unknown_gtin = scan.gtin
            return f"{said} {self.key('item.new')} creates it, GTIN filled in."
        return said

    def action_new_item(self) -> None:
        prefill = {"gtin": shortest_gtin(self.unknown_gtin)} if self.unknown_gtin else {}
        self.unknown_gtin = None
        self.console.create_item(prefill, self.item_created)

    def describe_miss(self, match: ScanMatch) -> str:
        """What the operator is told of a scan that names nothing here."""
        return match.describe_miss()

    def item_created(self, item: Item) -> None:
        """A new item was saved from this screen: by default it is opened."""

        async def show_it() -> None:
            await self.console.open_item(item)
            shown = self.console.screen
            if isinstance(shown, WarehouseScreen):
                shown.say(f"Item {item.name} created.", "success")

        self.run_io(show_it, group="open")

    async def take_entry(self, entry: ScanField.Entered) -> None:
        """Enter on what was typed in the scan field. By default it is read as a code that
        opens its item (with its lot, if it carries one); nothing typed, nothing done."""
        if not entry.value.strip():
            return
        entry.field.done_with(entry)
        await self.handle_scan(interpret(entry.value))

    async def handle_scan(self, scan: Scan) -> None:
        """A scanner's scan (or a code typed and entered). By default it opens its item."""
        self.run_io(lambda: self.open_scanned_item(scan), group="scan")

    async def open_scanned_item(self, scan: Scan, match: ScanMatch | None = None) -> None:
        if match is None:
            match = await resolve_scan(self.backend, scan, self.location)
        if match.item is None:
            self.alert(self.offer_new_item(match))
            return
        notices = []
        if match.doubt:
            notices.append(match.describe_doubt())
        elif scan.lot and match.lot is None:
            notices.append(f"Lot {scan.lot} of this item is not on record.")
        if said := scan.describe():
            notices.append(f"The label says: {said}.")
        notice = " ".join(notices) or None
        await self.console.open_item(
            match.item, lot_id=match.lot.id if match.lot else None, notice=notice
        )
