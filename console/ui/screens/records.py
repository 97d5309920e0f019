"""What the lists of orders and manifests share: a table of records at this location, loaded a
page at a time, opened with Enter or by scanning one of their numbers."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from console.domain.errors import InvalidInput
from console.domain.numbers import known_by
from console.domain.queries import SEARCH_TEXT_MAX
from console.domain.scan import Scan, interpret
from console.ui.screens.base import WarehouseScreen
from console.ui.widgets import Column, ScanField, fit_columns

Row = TypeVar("Row")
Shown = TypeVar("Shown")


def step_cursor(table: DataTable[Any], step: int) -> None:
    """Move a table's highlighted row while the scan field keeps the focus."""
    if table.row_count:
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))


def at_cursor(table: DataTable[Any], shown: list[Shown]) -> Shown | None:
    """What the table's highlighted row shows, given what its rows show in order."""
    if not shown or not 0 <= table.cursor_row < len(shown):
        return None
    return shown[table.cursor_row]


class RecordList(WarehouseScreen, Generic[Row]):
    """Subclasses give `COLUMNS`, `PLACEHOLDER`, `load` (one page into the table), `show_line`
    (the highlighted record in a line), `numbers` (what scanning opens a record by) and
    `open_record`."""

    # fitted to the width (console/ui/widgets.py): on a handheld the counts give way to the
    # number, the status and when it is due
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    PLACEHOLDER: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.has_more = False
        self.page = 1

    def compose_body(self) -> ComposeResult:
        yield ScanField(id="scan", placeholder=self.PLACEHOLDER)
        yield Static(id="summary", classes="summary")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static(id="record-line", classes="preview")

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#records", DataTable)

    def on_mount(self) -> None:
        super().on_mount()
        self._add_columns(self.app.size.width)
        self.query_one("#scan", ScanField).focus()
        if self.location is not None:
            self.reload()

    def _add_columns(self, width: int) -> None:
        self.fitted_width = width
        self.table.clear(columns=True)
        for label, key, w in fit_columns(list(self.COLUMNS), width):
            self.table.add_column(label, key=key, width=w)

    def fit_to_width(self, width: int) -> None:
        if self.query("#records"):  # a resize can come before the table is composed
            self._add_columns(width)
            if self.location is not None:
                self.reload()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.location is not None:
            self.reload()

    def location_changed(self) -> None:
        super().location_changed()
        if self.is_mounted:
            self.reload()

    def reload(self) -> None:
        self.run_io(lambda: self._load_page(1), group="records")

    def action_reload(self) -> None:
        self.reload()

    async def _load_page(self, page: int) -> None:
        if self.location is None:
            return
        if page == 1:
            self.rows = []
            self.table.clear()
        self.has_more = await self.load(page)
        self.page = page
        self.show_line()

    async def load(self, page: int) -> bool:
        """Add one page of records to `rows` and the table; whether more pages follow."""
        raise NotImplementedError

    def show_line(self) -> None:
        raise NotImplementedError

    def numbers(self, row: Row) -> list[str]:
        raise NotImplementedError

    def open_record(self, row: Row) -> None:
        raise NotImplementedError

    def highlighted(self) -> Row | None:
        return at_cursor(self.table, self.rows)

    def set_line(self, text: Any) -> None:
        self.query_one("#record-line", Static).update(text)

    def set_summary(self, text: Any) -> None:
        self.query_one("#summary", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_line()
        if self.has_more and event.cursor_row >= event.data_table.row_count - 1:
            page = self.page + 1
            self.run_io(lambda: self._load_page(page), group="records")

    def action_cursor(self, step: int) -> None:
        step_cursor(self.table, step)

    def action_open(self) -> None:
        if (row := self.highlighted()) is not None:
            self.open_record(row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    async def take_entry(self, entry: ScanField.Entered) -> None:
        """Enter on nothing typed opens the highlighted record; on a number, its record."""
        value = entry.value.strip()
        entry.field.done_with(entry)
        if not value:
            self.action_open()
            return
        await self.handle_scan(interpret(entry.value))

    async def find(self, number: str) -> Row | None:
        """The record here known by `number`, asked of the backend (any status): one not
        among the rows loaded. None when there is none, or the backend cannot say."""
        raise NotImplementedError

    async def handle_scan(self, scan: Scan) -> None:
        """A record's number (order, PO, tracking, pallet SSCC) opens it, loaded or not;
        anything else is read as a code."""
        wanted = [scan.text, *((scan.sscc,) if scan.sscc else ())]
        for row in self.rows:
            if any(known_by(self.numbers(row), number) for number in wanted if number):
                self.open_record(row)
                return
        self.run_io(lambda: self._find_and_open(scan, wanted), group="find")

    async def _find_and_open(self, scan: Scan, wanted: list[str]) -> None:
        for number in wanted:
            if not number or len(number) > SEARCH_TEXT_MAX:
                continue
            try:
                found = await self.find(number)
            except InvalidInput:  # a backend without the number filter refuses it
                found = None
            # the backend's answer is checked here too: one that ignores the filter matches
            # nothing it should not
            if found is not None and any(known_by(self.numbers(found), n) for n in wanted if n):
                self.open_record(found)
                return
        await super().handle_scan(scan)
