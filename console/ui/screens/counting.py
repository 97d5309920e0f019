"""What the screens where an operator counts units by scanning (picking, receiving) share: a view
over a counting session (console/services/counting.py), a table of lines, scans taken once the
record is fresh, status changes shown before they are sent, and no leaving with counts unsaved
by accident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.widgets import DataTable

from console.domain.errors import Unavailable
from console.domain.models import Item, Layout
from console.domain.scan import Scan, interpret
from console.services.counting import CountingSession
from console.services.notices import Notice
from console.services.scans import KnownItems, ScanMatch, find_bin, resolve_scan
from console.ui.screens.base import Job, WarehouseScreen
from console.ui.screens.dialogs import Confirm, effects_body
from console.ui.screens.records import at_cursor, step_cursor
from console.ui.widgets import Column, ScanField, add_keyed_row, fit_columns

# A second Esc within this many seconds leaves even though counts are not saved yet.
LEAVE_AGAIN_SECONDS = 5.0


class CountingScreen(WarehouseScreen):
    """Subclasses set `work` (console/domain/picking.py, receiving.py) and its `session`
    (console/services/counting.py, with this screen as its views).
    They give the lines table (`LINES`, `_columns`, `_line_ids`, `_cells`), the lines around
    it (`_show_summary`, `_show_line`, `_show_more`), what a status change redraws
    (`_after_change`), what a bin scan does (`_at_bin`) and how an item scan counts
    (`take_scan`, usually through `scanned_item`)."""

    WORK_WORD: ClassVar[str] = "counts"
    LINES: ClassVar[str] = ""  # the id of the table of lines, one row per item

    work: Any
    session: CountingSession[Any]

    def __init__(self) -> None:
        super().__init__()
        self._shown_ids: list[str] = []  # the items of the table's rows, in order
        self.names = KnownItems()
        self._leave_asked_at: float | None = None

    # -- what the session calls (console/services/counting.py, Views) --------------------------

    def reread(self) -> None:
        if self.live:
            self._show_all()
            self.refresh_bindings()

    def changed(self, before: Any) -> None:
        if self.live:
            self._after_change(before)

    def idle(self) -> None:
        if self.live:
            self._show_summary()

    # -- the lines table ------------------------------------------------------------------------

    @property
    def lines_table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.LINES}", DataTable)

    def _columns(self) -> list[Column]:
        """The lines table's columns (fitted to the screen by `fit_columns`)."""
        raise NotImplementedError

    def add_line_columns(self, width: int) -> None:
        table = self.lines_table
        table.clear(columns=True)
        self.fitted_width = width
        for label, key, w in fit_columns(self._columns(), width):
            table.add_column(label, key=key, width=w)

    def fit_to_width(self, width: int) -> None:
        if self.query(f"#{self.LINES}"):  # a resize can come before the table is composed
            self.add_line_columns(width)
            self._show_all()

    def _line_ids(self) -> list[str]:
        """The items of the lines, in the order the table shows them."""
        raise NotImplementedError

    def _cells(self, item_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def _show_all(self) -> None:
        table = self.lines_table
        keep = table.cursor_row
        table.clear()
        self._shown_ids = self._line_ids()
        for item_id in self._shown_ids:
            add_keyed_row(table, self._cells(item_id), item_id)
        if self._shown_ids:
            table.move_cursor(row=min(keep, len(self._shown_ids) - 1))
        self._show_more()
        self._show_summary()
        self._show_line()

    def _show_row(self, item_id: str) -> None:
        if item_id not in self._shown_ids:
            self._show_all()  # a line the table has not shown yet (an unexpected item)
        table = self.lines_table
        cells = self._cells(item_id)
        for column in table.columns.values():
            key = str(column.key.value)
            table.update_cell(item_id, key, cells[key])
        table.move_cursor(row=self._shown_ids.index(item_id))
        self._show_summary()
        self._show_line()

    def _highlighted_item(self) -> str | None:
        return at_cursor(self.lines_table, self._shown_ids)

    def action_cursor(self, step: int) -> None:
        step_cursor(self.lines_table, step)

    def _show_more(self) -> None:
        """Anything else the screen redraws with its lines (pick-pack's parcels)."""

    def _show_summary(self) -> None:
        raise NotImplementedError

    def _show_line(self) -> None:
        raise NotImplementedError

    def _after_change(self, before: Any) -> None:
        raise NotImplementedError

    async def take_scan(self, scan: Scan, **at_scan: Any) -> None:
        raise NotImplementedError

    # -- the record, fresh ----------------------------------------------------------------------

    def read_first(self, then: Callable[[], None] | None = None) -> None:
        """Read the record again on opening: the list it was opened from may be old, and counts
        sent on an old basis would overwrite newer ones. Scans wait for this read."""

        async def read() -> None:
            await self.session.open()
            if then is not None:
                then()

        self.run_io(read, group="first-read")

    def scan_now(self, scan: Scan, **at_scan: Any) -> None:
        """Take a scan once the record is fresh; `at_scan` is what held when it was scanned
        (the bin, the mode), not when its lookup finishes."""

        async def take() -> None:
            await self.session.ready.wait()
            await self.take_scan(scan, **at_scan)

        self.run_io(take, group="scan", exclusive=False)

    def action_reload(self) -> None:
        async def reload() -> None:
            await self.session.reload()

        self.run_io(reload, group="reload")

    # -- the operator's changes -----------------------------------------------------------------

    def record(self, change: Callable[[], object], item_id: str | None = None) -> bool:
        """Apply one of the operator's changes locally, show it, and send it."""
        if not self.session.record(change):
            return False
        self._after_record(item_id)
        return True

    def _after_record(self, item_id: str | None) -> None:
        if item_id is not None:
            self._show_row(item_id)
        else:
            self._show_summary()

    def changed_meanwhile(self, before: object, now: object) -> bool:
        """A typed total would overwrite what scans counted while the operator typed it."""
        if before != now:
            self.alert(
                f"Scans came in while you typed: nothing changed. The line shows {now} now; "
                "type again if needed."
            )
            return True
        return False

    def busy(self) -> bool:
        return self.session.busy()

    def confirm_change(
        self,
        title: str,
        effects: list[str],
        body: dict[str, Any],
        done: Callable[[], str],
    ) -> None:
        """Show what a status change does, then send it if the operator confirms (and nothing
        was counted meanwhile that is not saved yet)."""

        def answered(go: bool | None) -> None:
            if go and not self.busy():
                self.run_io(lambda: self._change_status(body, done), group="status")

        self.app.push_screen(Confirm(title, effects_body(effects)), answered)

    async def _change_status(self, body: dict[str, Any], done: Callable[[], str]) -> None:
        if await self.session.change_status(body):
            self.say(done(), "success")

    def action_back(self) -> None:
        now = self.console.clock.monotonic()
        unsaved = self.work.unsaved or self.session.sending
        asked = self._leave_asked_at
        if unsaved and (asked is None or now - asked > LEAVE_AGAIN_SECONDS):
            self._leave_asked_at = now
            self.alert(
                f"Your last {self.WORK_WORD} are not confirmed yet: press {self.key('back')} "
                "again to leave; they are kept and sent as soon as the warehouse answers.",
                "warning",
            )
            return
        self.console.forget_place()
        self.console.action_back()

    # -- what the session calls when the screen may be gone ---------------------------------------

    def start(self, job: Job) -> None:
        """The session's sending goes on when the screen is left: picks and receipts are sent
        until the warehouse has them, whatever the operator does next."""
        self.console.in_background(job, group="counting")

    def tell(self, notice: Notice) -> None:
        if self.live:
            super().tell(notice)
        else:
            self.console.tell_screen(notice)

    # -- scans ------------------------------------------------------------------------------------

    def at_scan(self) -> dict[str, Any]:
        """What a scan is taken with, as it is at the moment of the scan."""
        return {}

    def take_bin(self, scan: Scan) -> bool:
        """A bin label, taken at once (bins are known here): the scans after it count there."""
        if scan.gtin or (layout := find_bin(self.location, scan.text)) is None:
            return False
        self._at_bin(layout)
        return True

    def _at_bin(self, layout: Layout) -> None:
        raise NotImplementedError

    def remember_item(self, item: Item) -> None:
        """An item of this record (or one scanned into it): its name, and its codes for scans."""
        self.names.remember(item)

    async def fetch_items(self, item_ids: set[str]) -> None:
        await self.names.fetch(self.backend, item_ids)

    def known_item(self, scan: Scan) -> Item | None:
        """An item of this record the scan names by GTIN or SKU, known without asking the
        backend: counting goes on at scanner speed, and while the backend is away."""
        return self.names.known(scan)

    async def scanned_item(self, scan: Scan, known: Item | None) -> ScanMatch | None:
        """What a scan names: `known` (an item of this record) or what the backend resolves.
        None when there is no item to count: a bin (now the bin), a miss, the backend away;
        each is said."""
        if known is not None and not scan.suspect:
            match = ScanMatch(scan, item=known)
        else:
            try:
                match = await resolve_scan(self.backend, scan, self.location)
            except Unavailable as error:
                self.alert(f"{error.message} This scan was not counted: scan it again.")
                return None
        if match.item is None and match.layout is not None:
            self._at_bin(match.layout)
            return None
        if match.item is None:
            self.alert(self.offer_new_item(match))
            return None
        if match.doubt:
            self.alert(match.describe_doubt())
            return None
        self.remember_item(match.item)
        return match

    def _scanned(self, scan: Scan) -> None:
        here = self.work.record.location_id
        if self.location is None or self.location.id != here:
            self.alert(
                f"This is another location's record: change back ({self.key('site')}) to "
                "count on it."
            )
            return
        if not self.take_bin(scan):
            self.scan_now(scan, **self.at_scan())

    async def take_entry(self, entry: ScanField.Entered) -> None:
        value = entry.value.strip()
        entry.field.done_with(entry)
        if value:
            self._scanned(interpret(entry.value))

    async def handle_scan(self, scan: Scan) -> None:
        self._scanned(scan)
