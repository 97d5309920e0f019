"""The console application: screens by function key, scans routed, one place for errors."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.resources
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen

from console.backends.protocol import Backend
from console.domain.errors import WarehouseError
from console.domain.models import Item, Location
from console.domain.queries import LocationQuery
from console.domain.scan import GS, interpret, load_gs1_tables, shown_scan
from console.services.clock import Clock
from console.services.journal import Journal, JournalError, journal_folder
from console.services.notices import Notice, Tone
from console.services.outbox import Outbox
from console.services.recovery import Recovery
from console.services.scanner import (
    END_GAP,
    GS_KEYS,
    SETUP_KEYS,
    Detector,
    ScannerSetup,
    Verdict,
    check_setup,
    cut_scan_said,
)
from console.ui.actions import (
    EVERYWHERE,
    Action,
    Keymap,
    action_called,
    actions_on,
    app_bindings,
    help_text,
    key_rank,
    resolve_keymap,
)
from console.ui.palette import ActionCommands
from console.ui.screens.base import WarehouseScreen
from console.ui.screens.dialogs import Confirm, HelpScreen, LocationPicker, StartupProblem
from console.ui.screens.item import ItemScreen
from console.ui.screens.recovery import RecoveryScreen
from console.ui.screens.search import SearchScreen
from console.ui.state import Memory
from console.ui.text import clean
from console.ui.widgets import DoubleReads


def _screen(module: str, name: str) -> Screen[None]:
    """A mode's first screen, its module imported when the operator first goes there: start-up
    loads only what the first screen needs."""
    screen: type[Screen[None]] = getattr(
        importlib.import_module(f"console.ui.screens.{module}"), name
    )
    return screen()


# Seconds after start before the GS1 tables are loaded (see _load_when_quiet), and of quiet
# keyboard: longer than the gap between a hand's keys, so never in the middle of typing.
SETTLE_AFTER = 1.0
SETTLE_QUIET = 0.3


def _stylesheet() -> Path:
    """The .tcss file: inside the installed package, or in the source tree's styles/."""
    packaged = importlib.resources.files("console") / "styles" / "console.tcss"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "styles" / "console.tcss"


class WarehouseApp(App[int]):
    """The operator's console on one backend."""

    TITLE = "warehouse-console"
    CSS_PATH: ClassVar = [_stylesheet()]
    ENABLE_COMMAND_PALETTE = True
    # Only the console's actions: Textual's own commands (theme, screenshot, its key panel) are
    # not an operator's.
    COMMANDS: ClassVar = {ActionCommands}
    # The search screen is the first screen, composed as the app starts: switching to it from
    # Textual's blank default screen parsed all CSS twice more and drew a frame for nothing.
    DEFAULT_MODE: ClassVar[str] = "search"
    MODES: ClassVar = {
        "search": SearchScreen,
        "adjust": lambda: _screen("adjust", "AdjustScreen"),
        "lots": lambda: _screen("lots", "LotsScreen"),
        "pickpack": lambda: _screen("pickpack", "PickPackScreen"),
        "receiving": lambda: _screen("receiving", "InboundScreen"),
    }
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(
        self,
        backend: Backend,
        *,
        bell: bool = True,
        flash: bool = True,
        location_id: str | None = None,
        memory: Memory | None = None,
        clock: Clock | None = None,
        keymap: Mapping[str, object] | None = None,
        scanner: ScannerSetup | None = None,
        setup_problems: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.clock = clock or Clock()
        self.outbox = Outbox(backend, self.clock)
        self.keymap, keymap_problems = resolve_keymap(keymap or {})
        # what the config file got wrong (each ignored): shown at start, printed after quitting
        self.setup_problems = [*keymap_problems, *(setup_problems or [])]
        self.scanner = Detector(scanner)
        self._journals: dict[str, Journal] = {}  # this console's, per location worked at
        self._journal_problems: list[str] = []
        self.outbox.journal_failed = self._journal_problem
        self.bell_on = bell
        self.flash_on = flash  # the message line flashes a success once, an error twice
        self.memory = memory or Memory()
        self.location: Location | None = None
        self._wanted_location = location_id
        self.locations: list[Location] = []
        self.double_reads = DoubleReads()
        self._last_key_at = 0.0  # when the last key arrived (its event's time), typed or scanned
        self._first_look_up: asyncio.Task[list[Location]] | None = None  # see on_load

    def key(self, action_id: str) -> str:
        """The key of an action, as the operator has it (remapped or not): 'Ctrl+T'."""
        return help_text(f"{{{action_id}}}", self.keymap)

    def now(self) -> int:
        """Epoch seconds: what expiry and due times are measured against."""
        return int(self.clock.now())

    # -- start-up -----------------------------------------------------------------------------

    def on_load(self) -> None:
        # Asked before the first screen is composed, not once it is drawn: the demo answers at
        # once, so the search screen mounts on a known location and its first frame has results.
        self._first_look_up = asyncio.create_task(self._look_up_locations())

    def on_unmount(self) -> None:
        if self._first_look_up is not None:  # the console closed before start-up took it
            self._first_look_up.cancel()
        self._close_journals()

    def on_mount(self) -> None:
        if self.keymap.keys:
            self.set_keymap(dict(self.keymap.keys))
        if not self.is_headless:
            self._end_on_hang_up()
        if hasattr(self.backend, "watch_instance"):
            self.backend.watch_instance(self._warehouse_started_afresh)
        self.run_worker(self._start, group="start", exclusive=True, exit_on_error=False)
        self.run_worker(self._load_when_quiet, group="settle", exit_on_error=False)

    def _end_on_hang_up(self) -> None:
        """A dropped SSH session (SIGHUP), a closed terminal or a `kill` (SIGTERM) ends the
        console cleanly: every change is in the journal already, and its lock is let go."""
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(number, self.exit, 0)

    def _warehouse_started_afresh(self, before: str, now: str) -> None:
        self.tell_screen(
            Notice.alert(
                f"The warehouse at {self.backend.label} was started afresh: changes not "
                "confirmed yet belonged to the warehouse before it, and are not sent into this "
                "one. Check what it holds before counting again."
            )
        )

    def in_background(self, work: Callable[[], Awaitable[None]], *, group: str) -> None:
        """Work of the console that outlives the screen that started it; what goes wrong is
        said on the screen on view."""

        async def guarded() -> None:
            try:
                await work()
            except Exception as error:  # the console must survive anything a backend does
                for screen in reversed(self.screen_stack):
                    if isinstance(screen, WarehouseScreen):
                        screen.fail(error)
                        break

        self.run_worker(guarded, group=group, exclusive=False, exit_on_error=False)

    def remember_place(self, screen: str, record: str | None) -> None:
        """Where the operator is, in the journal: opened again after a recovery."""
        self.outbox.remember_place(screen, record)

    def forget_place(self) -> None:
        self.outbox.forget_place()

    def tell_screen(self, notice: Notice) -> None:
        """A message on whatever console screen is on view."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, WarehouseScreen):
                screen.tell(notice)
                return

    # -- the journal ----------------------------------------------------------------------------

    def _journal_folder(self, location: Location) -> Path:
        return journal_folder(self.memory.path.parent, self.backend.label, location.id)

    def _open_journal(self, location: Location) -> None:
        """This console's journal for the location (one per location it works at)."""
        journal = self._journals.get(location.id)
        if journal is None:
            try:
                journal = Journal.start(self._journal_folder(location), self.clock)
            except JournalError as error:
                self._journal_problem(str(error))
                return
            self._journals[location.id] = journal
        self.outbox.journal = journal

    def _journal_problem(self, text: str) -> None:
        self._journal_problems.append(text)
        self.tell_screen(Notice.alert(text, Tone.WARNING))

    def _close_journals(self) -> None:
        for journal in self._journals.values():
            if journal.empty:
                journal.remove()  # everything confirmed: nothing to offer at the next start
            else:
                journal.close()
        self._journals.clear()

    async def _offer_recovery(self) -> None:
        """What a console that ended here left unconfirmed: shown, then sent or discarded on
        the operator's word; then the screen and record they were on opened again."""
        location = self.location
        if location is None:
            return
        journals, problems = Journal.left_behind(self._journal_folder(location), self.clock)
        for problem in problems:
            self._journal_problem(problem)
        if not journals:
            return
        recovery = Recovery(self.backend, self.outbox, journals)
        if not recovery.unconfirmed():
            return
        where = f"{self.backend.label} at {location.name}"
        honoured = self.backend.capabilities.idempotency_keys
        answer = await self.push_screen_wait(
            RecoveryScreen(recovery, where, keys_honoured=honoured)
        )
        if answer != "send":
            kept = recovery.unconfirmed()
            for journal in recovery.journals:
                journal.close()  # offered again at the next start
            if kept:
                self.tell_screen(
                    Notice(
                        "Changes left unconfirmed are kept; they are offered again at the next start.",
                        Tone.WARNING,
                    )
                )
            return
        place = recovery.place()
        self.tell_screen(Notice("Sending what was left unconfirmed…"))
        left = await recovery.send_all(self.tell_screen)
        for journal in recovery.journals:
            journal.close()
        if left == 0:
            self.tell_screen(Notice("Everything left unconfirmed is sent.", Tone.SUCCESS))
        if place is not None:
            await self.reopen(*place)

    async def reopen(self, screen: str, record: str | None) -> None:
        """The screen and record the operator was on (after a recovery)."""
        if record is None:
            return
        try:
            if screen == "order":
                from console.ui.screens.pickpack import OrderScreen

                await self.switch_mode("pickpack")
                await self.push_screen(OrderScreen(await self.backend.get_fulfillment(record)))
            elif screen == "manifest":
                from console.ui.screens.receiving import ManifestScreen

                await self.switch_mode("receiving")
                await self.push_screen(ManifestScreen(await self.backend.get_manifest(record)))
            elif screen == "adjust":
                await self.adjust_item(record)
        except WarehouseError as error:
            self.tell_screen(Notice.alert(f"Could not open what you were on: {error}"))

    async def _load_when_quiet(self) -> None:
        """Once the first screen is up, the GS1 tables are loaded, so the first case label reads
        at once and their decoding peak comes before the operator has filled the screens.

        In the event loop, not a thread (glibc gives back what a thread's arena would keep), so
        it holds the loop ~0.1 s: only once the keyboard has been quiet for a while, never
        between the keys of a search being typed or a scan."""
        await self.clock.sleep(SETTLE_AFTER)
        keep_out_of_collections()
        while self.clock.monotonic() - self._last_key_at < SETTLE_QUIET:
            await self.clock.sleep(SETTLE_QUIET)
        load_gs1_tables()
        keep_out_of_collections()

    async def _look_up_locations(self) -> list[Location]:
        """The locations; the one to work at is set when it needs no question (given, remembered
        or the only one)."""
        locations = (await self.backend.list_locations(LocationQuery(limit=250))).data
        wanted = self._wanted_location or self.memory.location_for(self.backend.label)
        chosen = next((loc for loc in locations if loc.id == wanted), None)
        if chosen is None and len(locations) == 1:
            chosen = locations[0]
        self.locations = locations  # F9 works as soon as the location is set
        if chosen is not None and self.location is None:
            self.set_location(chosen, remember=self._wanted_location is not None)
        return locations

    async def _start(self) -> None:
        first, self._first_look_up = self._first_look_up, None
        try:
            await (first or self._look_up_locations())
        except WarehouseError as error:
            await self.push_screen(StartupProblem(self.backend.label, str(error)), self._retry)
            return
        if not self.locations:
            await self.push_screen(
                StartupProblem(self.backend.label, "The warehouse has no locations."), self._retry
            )
            return
        if self.location is None:
            self.push_screen(LocationPicker(self.locations, None), self._location_chosen)
        else:
            await self._offer_recovery()
        if self.setup_problems:
            screen = self.screen
            if isinstance(screen, WarehouseScreen):
                more = len(self.setup_problems) - 1
                also = f" (and {more} more; the terminal shows all after quitting)" if more else ""
                screen.alert(f"{self.setup_problems[0]}{also}", "warning")

    def _retry(self, retry: bool | None) -> None:
        if retry:
            self.run_worker(self._start, group="start", exclusive=True, exit_on_error=False)
        else:
            self.exit(1)

    def _location_chosen(self, location: Location | None) -> None:
        if location is not None:
            self.set_location(location, remember=True)
            self.run_worker(self._offer_recovery, group="recovery", exit_on_error=False)
        elif self.location is None:
            self.exit(0)  # no location chosen at start: nothing can be done

    def set_location(self, location: Location, *, remember: bool) -> None:
        self.location = location
        self._open_journal(location)
        if remember:
            self.memory.remember_location(self.backend.label, location.id)
        for screen in self.screen_stack:
            if isinstance(screen, WarehouseScreen):
                screen.location_changed()

    # -- the bell and errors --------------------------------------------------------------------

    def ring(self) -> None:
        if self.bell_on:
            self.bell()

    def action_toggle_bell(self) -> None:
        self.bell_on = not self.bell_on
        screen = self.screen
        if isinstance(screen, WarehouseScreen):
            screen.say(f"Bell {'on' if self.bell_on else 'off'} (F10 toggles).")

    # -- navigation ---------------------------------------------------------------------------

    async def action_show(self, mode: str) -> None:
        if self.location is None:
            return
        if self.current_mode != mode:
            await self.switch_mode(mode)
        await self.close_record_views()

    async def close_record_views(self) -> None:
        """Back from views of one record (an item, a lot) to the list they were opened from."""
        while len(self.screen_stack) > 1:
            screen = self.screen
            if not isinstance(screen, WarehouseScreen) or screen.HOLDS_WORK:
                return
            await self.pop_screen()

    async def action_adjust(self) -> None:
        """F3: the level adjustment screen, on the item now on screen if there is one."""
        if self.location is None:
            return
        item = getattr(self.screen, "current_item", None)
        await self.adjust_item(item.id if isinstance(item, Item) else None)

    async def adjust_item(self, item_id: str | None) -> None:
        await self.switch_mode("adjust")
        from console.ui.screens.adjust import AdjustScreen

        if item_id is not None and isinstance(self.screen, AdjustScreen):
            self.screen.load_item(item_id)

    async def open_item(
        self, item: Item, lot_id: str | None = None, notice: str | None = None
    ) -> None:
        """Show one item (from a search or a scan on any screen)."""
        if self.current_mode != "search":
            await self.switch_mode("search")
        while isinstance(self.screen, ItemScreen):
            self.pop_screen()
        await self.push_screen(ItemScreen(item, lot_id=lot_id, notice=notice))

    def create_item(self, prefill: dict[str, str], done: Callable[[Item], None]) -> None:
        """The item form for a new item; `done` is told the item once it is saved."""
        from console.ui.screens.item_form import ItemFormScreen

        self.push_screen(ItemFormScreen(prefill=prefill, done=done))

    async def action_quit(self) -> None:
        """Quit; with changes still on their way, asked first (they are not lost either way)."""
        waiting = len(self.outbox.in_flight)
        if not waiting:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            Confirm(
                f"Quit with {waiting} change{'s' if waiting > 1 else ''} not confirmed yet?",
                "The warehouse has not answered them. They stay in the journal and are offered "
                "again when a console starts here next.",
            ),
            answered,
        )

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)  # F1 again closes it
        elif isinstance(screen, WarehouseScreen):
            self.push_screen(
                HelpScreen(
                    screen.TITLE,
                    help_text(screen.HELP, self.keymap),
                    self.keys_help(screen.SCREEN, self.keymap),
                )
            )

    # -- what the backend does not offer --------------------------------------------------------

    def lacking(self, action: Action) -> str | None:
        """The line a screen shows for an action the backend does not offer, or None."""
        capabilities = self.backend.capabilities
        if action.needs is None or capabilities.offer(action.needs):
            return None
        return capabilities.lacking(action.needs)

    def refuse_unoffered(self, action: Action) -> bool:
        """Say so when the backend does not offer the action (and do nothing else)."""
        line = self.lacking(action)
        if line is None:
            return False
        screen = self.screen
        if isinstance(screen, WarehouseScreen):
            screen.alert(line, "warning")
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        found = action_called(EVERYWHERE, action, parameters)
        return None if found is not None and self.lacking(found) else True

    def _refused_key(self, event: events.Key) -> bool:
        """A key of an action the backend does not offer: shown unavailable in the keys line,
        and said so in one line when pressed (Textual would pass it on in silence)."""
        screen_id = getattr(self.screen, "SCREEN", "")
        for action in actions_on(screen_id, everywhere=True):
            keys = self.keymap.key(action).split(",")
            if action.needs is not None and event.key in keys and self.refuse_unoffered(action):
                event.stop()
                return True
        return False

    def keys_help(self, screen_id: str, keymap: Keymap) -> list[tuple[str, str, str]]:
        """(key, words, what it does) of every action on a screen, its own first; what the
        backend does not offer says so."""
        from console.ui.actions import shown_key

        own = sorted(actions_on(screen_id), key=lambda action: key_rank(action.id))
        everywhere = [
            action for action in actions_on(screen_id, everywhere=True) if action.everywhere
        ]
        return [
            (shown_key(keymap.key(action)), action.words, self.lacking(action) or action.help)
            for action in [*own, *everywhere]
        ]

    def action_pick_location(self) -> None:
        if self.locations and not isinstance(self.screen, LocationPicker):
            self.push_screen(LocationPicker(self.locations, self.location), self._location_chosen)

    # -- scan routing ---------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Every key passes the scanner detector first (`console.services.scanner`): a scan's end
        key is taken here, never reaching a highlighted row, a question or a form's Enter.
        Characters typed while no text field has focus go to the screen's scan field, so a scan
        works without moving focus first and can never trigger a key binding."""
        if isinstance(event, events.Paste):
            self.scanner.reset()  # a paste is never a scan, nor part of one
        elif isinstance(event, events.Key) and not event.is_forwarded:
            self._last_key_at = event.time
            verdict = self.scanner.key(event.key, event.character, event.time)
            if verdict is Verdict.PREFIX:
                return
            if verdict is Verdict.SCAN and self._scan_ended(event):
                return
            if self._route_scan_key(event, verdict):
                return
            if verdict is not Verdict.SCAN and self._refused_key(event):
                return
        await super().on_event(event)

    def _scan_ended(self, event: events.Key) -> bool:
        """Hand the scan to whatever is in front; False when its end key should go on too."""
        from textual.widgets import Input, TextArea

        from console.ui.widgets import ScanField

        text = self.scanner.scanned
        for separator in self.scanner.setup.separators:
            text = text.replace(separator, GS)
        double = self.double_reads.seen(text, event.time)
        cut = self.scanner.cut
        screen, focused = self.screen, self.focused
        if isinstance(focused, ScanField):
            focused.post_message(ScanField.ScanEnded(text, double_read=double, cut=cut))
        elif isinstance(focused, Input | TextArea):
            # A form's field: the scan is its value (a lot number, a tracking number). Its end
            # key does not submit the form; a Tab end still moves on to the next field.
            if cut:
                self.ring()
                self.notify(
                    f"{clean(cut_scan_said(text))} Clear the field first.",
                    severity="error",
                    markup=False,
                )
            elif event.key == "tab":
                return False
            else:
                self.notify("Scan taken into the field; Enter submits it.", markup=False, timeout=3)
        elif isinstance(screen, WarehouseScreen):
            if cut:
                screen.alert(cut_scan_said(text))
            elif double:
                screen.say("Same label read twice at once: taken once.", "warning")
            else:
                screen.run_io(lambda: screen.handle_scan(interpret(text)), group="scan")
        else:
            self._scan_on_question(screen, text)
        return True

    def _route_scan_key(self, event: events.Key, verdict: Verdict) -> bool:
        from textual.widgets import Input, TextArea

        if isinstance(self.focused, Input | TextArea):
            return False
        is_gs = event.key in GS_KEYS or event.character == GS
        screen = self.screen
        if not isinstance(screen, WarehouseScreen):
            return self._hold_on_question(event, verdict, is_gs)
        if not (event.is_printable or is_gs):
            return False
        field = screen.scan_field
        if field is None:
            return False
        # Focus moves now, not after the keys already queued: the rest of the scan (its Enter
        # above all) must reach the field, not the widget that had focus.
        screen.set_focus(field)
        field.take_char(GS if is_gs else (event.character or ""))
        return True

    def _hold_on_question(self, event: events.Key, verdict: Verdict, is_gs: bool) -> bool:
        """On a question or a chooser, characters are held (a scan's would type into nothing
        or trigger a key); an Enter right after some is not the operator's answer."""
        if event.is_printable or is_gs:
            return True
        recent = event.time - self.scanner.last_key_at <= END_GAP
        if verdict is Verdict.END and self.scanner.entry and recent:
            self._scan_on_question(self.screen, self.scanner.entry)
            return True
        return False

    def _scan_on_question(self, screen: Screen[object], scanned: str) -> None:
        """A scan on a question answers nothing: the screen may take it whole (a bin chooser
        takes a bin label), else the bell rings and the operator is told."""
        take = getattr(screen, "take_scanned", None)
        if self.scanner.cut:
            self.ring()
            self.notify(clean(cut_scan_said(scanned)), severity="error", markup=False)
        elif take is None or not take(scanned):
            self.ring()
            self.notify(
                f"Scan “{clean(shown_scan(scanned))}” not taken: answer the question first "
                f"({self.key('confirm.yes')} or {self.key('confirm.no')}).",
                severity="warning",
                markup=False,
            )


def keep_out_of_collections() -> None:
    """What start-up built (modules, a demo warehouse, the GS1 tables, the first screen) lives
    as long as the console: frozen, the cyclic collector no longer walks it. A full collection
    over it held the interpreter for 100-300 ms every few dozen scans, and a scanner's keys
    arriving then were stamped as one burst, a pause, another burst: a label split in two."""
    gc.freeze()


def run_console(
    backend: Backend,
    *,
    bell: bool = True,
    flash: bool = True,
    location_id: str | None = None,
    keymap: Mapping[str, object] | None = None,
    scanner: Mapping[str, object] | None = None,
    **run_options: Any,
) -> int:
    """Run the console on a backend until the operator quits; returns the exit code."""
    scanner = scanner or {}
    setup, problems = check_setup(
        scanner.get("prefix"), scanner.get("suffix"), scanner.get("separators")
    )
    problems += [
        f"[scanner] unknown setting {name!r} ignored." for name in set(scanner) - SETUP_KEYS
    ]
    app = WarehouseApp(
        backend,
        bell=bell,
        flash=flash,
        location_id=location_id,
        keymap=keymap,
        scanner=setup,
        setup_problems=problems,
    )
    result = app.run(**run_options)
    for problem in app.setup_problems:  # shown at start too; here all of them, to keep
        print(f"warning: {problem}", file=sys.stderr)
    return result or 0
