"""F2: find an item in a second by name, SKU, GTIN or a scan."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from console.domain.errors import WarehouseError
from console.domain.gtin import gtin14
from console.domain.models import Item
from console.domain.queries import ITEM_ORDERS, SEARCH_TEXT_MAX, ItemQuery, ListOrder
from console.domain.scan import Scan, ScanKind, interpret
from console.services.scans import resolve_scan
from console.ui.actions import bindings
from console.ui.screens.base import WarehouseScreen
from console.ui.text import clean, marked, plain
from console.ui.widgets import Column, MessageLine, ScanField, add_keyed_row, fit_columns

PAGE_SIZE = 50
# A search not answered after this is said to be under way, and the rows shown marked as old.
SLOW_SEARCH = 0.5


class SearchScreen(WarehouseScreen):
    SCREEN = "search"
    TITLE = "Item search"
    HELP = (
        "Type part of a name, SKU or GTIN: results follow as you type, typos forgiven, matches "
        "underlined. Scan a barcode to open its item directly (a GS1 label with a lot opens the "
        "item with that lot shown). {results} moves into the results, {open} opens the "
        "highlighted item, and reaching the end of the list (or {search.more}) loads more."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self) -> None:
        super().__init__()
        self._order = 0
        self._shown_query: ItemQuery | None = None
        self._has_more = False
        self._rows: list[Item] = []
        self._total: int | None = None
        self._waiting_for: ItemQuery | None = None  # a search sent and not answered yet
        self._search_failed = False  # the message line holds a failed search's error
        self.searches_sent = 0  # read by the typing benchmark

    def compose_body(self) -> ComposeResult:
        yield ScanField(id="find", placeholder="Name, SKU or GTIN — or scan")
        yield Static(id="summary", classes="summary")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._add_columns(self.app.size.width)
        self.query_one("#find", ScanField).focus()
        if self.location is not None:
            self.start_search()

    def _add_columns(self, width: int) -> None:
        """Fixed columns for codes and counts; the name takes what is left of the width. On a
        narrow screen the GTIN gives way first, then the SKU: the counts always show whole."""
        table = self.query_one("#results", DataTable)
        table.clear(columns=True)
        self.fitted_width = width
        columns = [
            Column("Name", "name", 0, least=14),
            Column("SKU", "sku", 16, gives_way=1),
            Column("GTIN", "gtin", 14, gives_way=2),
            Column("Here", "here", 6),
            Column("Total", "total", 6),
        ]
        for label, key, w in fit_columns(columns, width):
            table.add_column(label, key=key, width=w)

    def fit_to_width(self, width: int) -> None:
        if not self.query("#results"):
            return  # a resize can arrive before the table is composed; on_mount sizes it then
        self._add_columns(width)
        if self._rows:
            self._fill(self._rows, append=False, total=self._total)

    def location_changed(self) -> None:
        super().location_changed()
        if self.is_mounted:
            self.start_search()

    # -- searching ----------------------------------------------------------------------------

    def on_input_changed(self, event: ScanField.Changed) -> None:
        if event.input.id != "find":
            return
        self.debounce(self.start_search)

    def _query(self, page: int = 1) -> ItemQuery:
        text = self.query_one("#find", ScanField).value.strip()
        order = self._list_order(text)
        return ItemQuery(
            search=text or None,
            order_by=order.order_by,  # type: ignore[arg-type]
            direction=order.direction,
            page=page,
            limit=PAGE_SIZE,
        )

    def _list_order(self, text: str | None) -> ListOrder:
        """The order picked; relevance needs words to rank by, so without any it is by name."""
        order = ITEM_ORDERS[self._order]
        return order if text or order.order_by else ITEM_ORDERS[1]

    def start_search(self) -> None:
        if not self.searchable(self.query_one("#find", ScanField).value.strip()):
            return
        query = self._query()
        self.run_io(lambda: self._search(query, append=False), group="search")

    async def _search(self, query: ItemQuery, *, append: bool) -> None:
        self.searches_sent += 1
        self._waiting_for = query
        self.run_io(lambda: self._mark_old_while_waiting(query), group="waiting")
        try:
            page = await self.backend.list_items(query)
        except WarehouseError:
            self._search_failed = True
            self._mark_old(query, failed=True)
            raise
        finally:
            if self._waiting_for is query:
                self._waiting_for = None
        # exclusive workers cancel older searches; this also drops an answer the field outran
        if query.search != self._query().search:
            return
        if self._search_failed:  # the error was about a search this answer supersedes
            self._search_failed = False
            for line in self.query(MessageLine):
                line.clear()
        self.query_one("#results", DataTable).remove_class("-old")
        self._shown_query = query
        self._has_more = page.pagination.has_more
        self._rows = [*self._rows, *page.data] if append else list(page.data)
        self._total = page.pagination.total_count
        self._fill(page.data, append=append, total=self._total)

    async def _mark_old_while_waiting(self, query: ItemQuery) -> None:
        """A search the server is slow to answer is said to be under way, and the rows shown,
        for other words, are marked as old: never taken for the answer."""
        await self.console.clock.sleep(SLOW_SEARCH)
        if self._waiting_for is query:
            self._mark_old(query, failed=False)

    def _mark_old(self, query: ItemQuery, *, failed: bool) -> None:
        table = self.query_one("#results", DataTable)
        shown = self._shown_query.search if self._shown_query else None
        if shown == query.search and not failed:
            return
        table.add_class("-old")
        wanted = f"“{clean(query.search)}”" if query.search else "all items"
        rows = f"“{clean(shown)}”" if shown else "the whole list"
        doing = "not answered" if failed else "searching…"
        self.query_one("#summary", Static).update(plain(f"{wanted}: {doing} · shown: {rows}"))

    def _fill(self, items: list[Item], *, append: bool, total: int | None) -> None:
        table = self.query_one("#results", DataTable)
        if not append:
            table.clear()
        here = self.location.id if self.location else ""
        for item in items:
            marks = item.search_highlights or {}
            cells = {
                "name": marked(marks.get("name"), item.name),
                "sku": marked(marks.get("sku"), item.sku or ""),
                "gtin": marked(marks.get("gtin"), item.gtin or ""),
                "here": Text(str(item.on_hand_at(here)), justify="right"),
                "total": Text(str(item.total_verified), justify="right"),
            }
            add_keyed_row(table, cells, item.id)
        count = f"{total:,}" if total is not None else f"{len(self._rows)}+"
        query = self._shown_query
        order = self._list_order(query.search if query else None).words
        more = " · end of list loads more" if self._has_more else ""
        self.query_one("#summary", Static).update(
            plain(
                f"{count} {'item' if count == '1' else 'items'} · sorted by {order} · showing {len(self._rows)}{more}"
            )
        )

    def action_more(self) -> None:
        if self._has_more and self._shown_query is not None:
            query = self._shown_query.next_page()
            self.run_io(lambda: self._search(query, append=True), group="search")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 1:
            self.action_more()

    def action_cycle_order(self) -> None:
        self._order = (self._order + 1) % len(ITEM_ORDERS)
        self.start_search()

    def action_new_item(self) -> None:
        """A new item, with what was scanned or typed filled in: a GTIN as its GTIN, words as
        its name."""
        typed = self.query_one("#find", ScanField).value.strip()
        if self.unknown_gtin is None and typed:
            self.unknown_gtin = typed if gtin14(typed) else None
        if self.unknown_gtin is None and typed:
            self.console.create_item({"name": typed}, self.item_created)
            return
        super().action_new_item()

    def action_into_results(self) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            table.focus()

    def action_focus_find(self) -> None:
        self.query_one("#find", ScanField).focus()

    # -- opening ------------------------------------------------------------------------------

    def _highlighted(self) -> Item | None:
        table = self.query_one("#results", DataTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self._rows):
            return None
        return self._rows[table.cursor_row]

    async def action_open(self) -> None:
        item = self._highlighted()
        if item is not None:
            await self.console.open_item(item)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.run_io(self.action_open, group="open")

    async def take_entry(self, entry: ScanField.Entered) -> None:
        # The text stays in the field: Enter on typed words opens the highlighted result.
        if entry.value.strip():
            scan = interpret(entry.value)
            self.run_io(lambda: self._open_typed(scan, entry), group="open")

    async def _open_typed(self, scan: Scan, entry: ScanField.Entered) -> None:
        """A code typed opens its item; words typed open the highlighted result instead."""
        is_code = scan.kind is not ScanKind.TEXT
        if is_code or await self.backend.find_item(scan.text) is not None:
            entry.field.done_with(entry)
            await self.open_scanned_item(scan)
        else:
            query = self._query()
            if self._shown_query is None or self._shown_query.search != query.search:
                # Enter outran the typing pause: the rows shown are for other words
                await self._search(query, append=False)
            if self._highlighted() is None:
                await self.open_scanned_item(scan)  # perhaps a lot number: says so if nothing
            else:
                await self.action_open()

    async def handle_scan(self, scan: Scan) -> None:
        self.run_io(lambda: self._open_scan(scan), group="open")

    async def _open_scan(self, scan: Scan) -> None:
        """A scan opens the item it names, never the highlighted row. Text that names no item
        (a hand that typed at scanner speed, a label of something else) becomes the search."""
        match = await resolve_scan(self.backend, scan, self.location)
        named = match.item is not None or match.lot is not None or match.layout is not None
        if named or scan.kind is not ScanKind.TEXT or len(scan.text) > SEARCH_TEXT_MAX:
            await self.open_scanned_item(scan, match)
            return
        field = self.query_one("#find", ScanField)
        field.value = scan.text
        field.cursor_position = len(field.value)
        self.alert(f"{match.describe_miss()} Searched for as words instead.")
