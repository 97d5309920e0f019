"""F4: the lots at this location, first to expire first; a lot's detail; creating and editing."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Static

from console.domain.errors import WarehouseError
from console.domain.lots import (
    DEFAULT_SOON_DAYS,
    LOT_DAY_FIELDS,
    SOON_WINDOWS,
    ExpiryFilter,
    LotFilter,
    Urgency,
    show_day,
    time_left,
    urgency,
)
from console.domain.models import Item, Lot, LotStatus, WarehouseStock
from console.domain.queries import LOT_ORDERS, ItemQuery
from console.domain.scan import Scan, ScanKind, interpret
from console.services.lots import LotSaver, NothingChanged, NotSaved, Saved
from console.services.scans import KnownItems, resolve_scan
from console.ui.actions import BY_ID, bindings
from console.ui.screens.base import WarehouseScreen
from console.ui.screens.dialogs import BinPicker, Confirm, ItemPicker
from console.ui.text import clean, plain
from console.ui.widgets import Column, FormFields, ScanField, add_keyed_row, fit_columns

PAGE_SIZE = 50
ITEM_CHOICES = 12  # items offered when a typed name matches several
SOON_SETTING = "soon_days"
URGENCY_STYLE = {Urgency.EXPIRED: "bold red", Urgency.SOON: "bold yellow"}


class LotsScreen(WarehouseScreen):
    SCREEN = "lots"
    TITLE = "Lots"
    HELP = (
        "Every lot at this location, the first to expire on top. ✖ marks an expired lot and ! "
        "one expiring within the 'soon' window ({lots.window} changes it). Type to search lot "
        "and manufacturer numbers. Scan a GS1 case label to jump to its lot (or create it when "
        "it is not on record), an item to see only its lots, a bin label to see that bin's. "
        "Enter on a SKU or GTIN typed by hand, or an item's name, narrows to that item. With "
        "nothing typed, Enter opens the highlighted lot. {lots.expiry}, {lots.status} and "
        "{lots.bin} filter, {lots.clear} clears the filters, {sort} sorts, {lots.new} creates a "
        "lot."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self) -> None:
        super().__init__()
        self.filter = LotFilter()
        self.names = KnownItems()
        self._rows: list[Lot] = []
        self._has_more = False
        self._total: int | None = None
        self._shown: LotFilter | None = None
        self._page = 1
        self.pages_loaded = 0  # read by the benchmark
        self._soon_days: int | None = None

    @property
    def soon_days(self) -> int:
        """The operator's 'expiring soon' window: read from the state file once, not per row."""
        if self._soon_days is None:
            self._soon_days = self.console.memory.setting(SOON_SETTING, DEFAULT_SOON_DAYS)
        return self._soon_days

    def compose_body(self) -> ComposeResult:
        yield ScanField(id="find", placeholder="Lot or manufacturer number — or scan")
        yield Static(id="summary", classes="summary")
        yield DataTable(id="lot-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="lot-line", classes="preview")

    def on_mount(self) -> None:
        self._add_columns(self.app.size.width)
        self.query_one("#find", ScanField).focus()
        if self.location is not None:
            self.reload()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.location is not None and self._shown is not None:
            self.reload()  # a lot may have been created or edited meanwhile

    def location_changed(self) -> None:
        super().location_changed()
        if self.is_mounted:
            self.filter = dataclasses.replace(
                self.filter, layout_id=None, layout_label=""
            )  # bins belong to a location
            self.reload()

    # -- the table ----------------------------------------------------------------------------

    def _columns(self, width: int) -> list[tuple[str, str, int]]:
        """What fits: the marker, lot, expiry and what is available always; the item takes
        what is left; totals, reserved and defective join when the terminal is wider; on a
        narrow one the status, the days left, the bin and the item give way, in that order."""
        wide = 110
        bins = bool(self.location and self.location.layouts)  # a lot system keeps none
        available = "Avail" if "available_qty" in self.backend.capabilities.lot_counts else "Qty"
        return fit_columns(
            [
                Column("", "mark", 1),
                Column("Lot", "lot", 11 if bins else 14),
                Column("Item", "item", 0, gives_way=1),  # also on the line below
                *([Column("Bin", "bin", 8, gives_way=2)] if bins else []),
                Column("Expires", "expires", 10),
                Column("Left", "left", 9, gives_way=3),
                Column(available, "avail", 5),
                Column("Total", "total", 5, wide=wide),
                Column("Rsv", "reserved", 4, wide=wide),
                Column("Def", "defective", 4, wide=wide),
                Column("Status", "status", 10 if width < wide else 11, gives_way=4),
            ],
            width,
        )

    def _add_columns(self, width: int) -> None:
        table = self.query_one("#lot-table", DataTable)
        table.clear(columns=True)
        self.fitted_width = width
        for label, key, w in self._columns(width):
            table.add_column(label, key=key, width=w)

    def fit_to_width(self, width: int) -> None:
        if not self.query("#lot-table"):
            return  # a resize can arrive before the table is composed; on_mount sizes it then
        self._add_columns(width)
        if self._rows:
            self._fill(self._rows, append=False)

    def _cells(self, lot: Lot, now: int, layouts: dict[str, str]) -> dict[str, Text]:
        level = urgency(lot.expires_at, now=now, soon_days=self.soon_days)
        style = URGENCY_STYLE.get(level, "")
        left = time_left(lot.expires_at, now=now, short=True) or "none"
        return {
            "mark": Text(level.marker, style=style),
            "lot": plain(lot.number or lot.id, "bold" if style else ""),
            "item": plain(self.names.name(lot.item_id)),
            "bin": plain(layouts.get(lot.layout_id or "", lot.layout_id or "")),
            "expires": plain(show_day(lot.expires_at) or "—"),
            "left": plain(left, style),
            "avail": Text(str(lot.available_qty), justify="right"),
            "total": Text(str(lot.total_qty), justify="right"),
            "reserved": Text(str(lot.reserved_qty), justify="right"),
            "defective": Text(str(lot.defective_qty), justify="right"),
            "status": plain(lot.status),
        }

    def _fill(self, lots: list[Lot], *, append: bool) -> None:
        table = self.query_one("#lot-table", DataTable)
        if not append:
            table.clear()
        now = self.console.now()
        layouts = {lay.id: lay.name for lay in self.location.layouts} if self.location else {}
        for lot in lots:
            add_keyed_row(table, self._cells(lot, now, layouts), lot.id)
        count = f"{self._total:,}" if self._total is not None else f"{len(self._rows)}+"
        order = self.filter.order.words
        more = " · end of list loads more" if self._has_more else ""
        self.query_one("#summary", Static).update(
            Text.assemble(
                plain(self.filter.describe(self.soon_days)),
                f" · {count} {'lot' if count == '1' else 'lots'} · by {order} · ✖ expired ! within {self.soon_days} d{more}",
            )
        )
        self._show_line()

    def _highlighted(self) -> Lot | None:
        table = self.query_one("#lot-table", DataTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self._rows):
            return None
        return self._rows[table.cursor_row]

    def _show_line(self) -> None:
        """The highlighted lot in full: its item's whole name and every count (per warehouse,
        where the backend keeps several)."""
        lot = self._highlighted()
        line = self.query_one("#lot-line", Static)
        if lot is None:
            line.update("No lots match." if self._shown is not None else "")
            return
        line.update(plain(" · ".join(self.counts(lot))))

    def counts(self, lot: Lot) -> list[str]:
        """What the lot holds, in the counts its backend keeps: "4/4 available · 0 reserved ·
        0 defective · Oat milk"; "12.5 KGM · Oat milk" for one quantity; per warehouse where
        there are several."""
        kept = self.backend.capabilities.lot_counts
        if "available_qty" not in kept:
            quantity = (
                lot.metadata.get("quantity") or f"{lot.total_qty} {lot.metadata.get('uom', '')}"
            )
            return [str(quantity).strip(), self.names.name(lot.item_id)]
        parts = [f"{lot.available_qty}/{lot.total_qty} available"]
        if lot.warehouses:
            # a handheld's line holds two warehouses without their reservations (on the lot's
            # screen in full)
            brief = self.app.size.width < 60
            if brief:
                parts = [f"{lot.available_qty}/{lot.total_qty}"]
            return parts + [stock_words(stock, brief=brief) for stock in lot.warehouses]
        parts += [
            f"{getattr(lot, field)} {word}"
            for field, word in (("reserved_qty", "reserved"), ("defective_qty", "defective"))
            if field in kept
        ]
        return [*parts, self.names.name(lot.item_id)]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_line()
        if event.cursor_row >= event.data_table.row_count - 1:
            self.action_more()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        wanted = self.filter
        self.run_io(lambda: self._load(wanted, page=1), group="lots")

    async def _load(self, wanted: LotFilter, *, page: int) -> None:
        location = self.location
        if location is None:
            return
        query = wanted.query(
            location.id, now=self.console.now(), soon_days=self.soon_days, limit=PAGE_SIZE
        )
        answer = await self.backend.list_lots(query.model_copy(update={"page": page}))
        await self.names.fetch(self.backend, {lot.item_id for lot in answer.data})
        if wanted != self.filter:
            return  # the operator changed the filter while this page was on its way
        self._shown = wanted
        self._has_more = answer.pagination.has_more
        self._total = answer.pagination.total_count
        append = page > 1
        self._rows = [*self._rows, *answer.data] if append else list(answer.data)
        self._page = page
        self.pages_loaded += 1
        self._fill(answer.data, append=append)

    def action_more(self) -> None:
        if self._has_more and self._shown == self.filter:
            wanted, page = self.filter, self._page + 1
            self.run_io(lambda: self._load(wanted, page=page), group="lots")

    def action_reload(self) -> None:
        self.reload()

    def narrow(self, **changes: Any) -> None:
        self.filter = dataclasses.replace(self.filter, **changes)
        self.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "find":
            return
        self.debounce(self._search_typed)

    def _search_typed(self) -> None:
        text = self.query_one("#find", ScanField).value.strip()
        if text != self.filter.search and self.searchable(text):
            self.narrow(search=text)

    # -- filters ------------------------------------------------------------------------------

    def action_cycle_expiry(self) -> None:
        choices = list(ExpiryFilter)
        self.narrow(expiry=choices[(choices.index(self.filter.expiry) + 1) % len(choices)])
        self.say(f"Showing: {self.filter.describe(self.soon_days)}.")

    def action_cycle_status(self) -> None:
        statuses: tuple[str | None, ...] = (None, *self.backend.capabilities.lot_statuses)
        index = statuses.index(self.filter.status) if self.filter.status in statuses else 0
        self.narrow(status=statuses[(index + 1) % len(statuses)])
        self.say(f"Status: {self.filter.status or 'any'}.")

    def action_cycle_order(self) -> None:
        following = (LOT_ORDERS.index(self.filter.order) + 1) % len(LOT_ORDERS)
        self.narrow(order=LOT_ORDERS[following])

    def action_cycle_window(self) -> None:
        following = next((d for d in SOON_WINDOWS if d > self.soon_days), SOON_WINDOWS[0])
        self._soon_days = following
        self.console.memory.remember_setting(SOON_SETTING, following)
        self.say(f"Expiring soon now means within {following} days.")
        self.reload()

    def action_clear_filters(self) -> None:
        self.query_one("#find", ScanField).value = ""
        self.filter = LotFilter(order=self.filter.order)
        self.reload()
        self.say("All lots here.")

    def action_choose_bin(self) -> None:
        if self.location is None:
            return

        def chosen(layout: object) -> None:
            if layout is None:
                return
            name = getattr(layout, "name", "")
            self.narrow(layout_id=getattr(layout, "id", None), layout_label=name)

        self.app.push_screen(BinPicker("Lots in which bin?", self.location.layouts), chosen)

    def action_into_results(self) -> None:
        table = self.query_one("#lot-table", DataTable)
        if table.row_count:
            table.focus()

    # -- opening, scans -----------------------------------------------------------------------

    def open_lot(self, lot: Lot, notice: str | None = None) -> None:
        self.app.push_screen(LotDetailScreen(lot, self, notice=notice))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if lot := self._highlighted():
            self.open_lot(lot)

    async def take_entry(self, entry: ScanField.Entered) -> None:
        value = entry.value.strip()
        if not value:
            if lot := self._highlighted():
                self.open_lot(lot)
            return
        scan = interpret(entry.value)
        if scan.kind is ScanKind.TEXT:
            self.run_io(lambda: self.take_scan(scan, typed=entry), group="scan")
            return
        entry.field.done_with(entry)
        self.run_io(lambda: self.take_scan(scan), group="scan")

    async def handle_scan(self, scan: Scan) -> None:
        self.run_io(lambda: self.take_scan(scan), group="scan")

    async def take_scan(self, scan: Scan, *, typed: ScanField.Entered | None = None) -> None:
        """A case label opens its lot (or offers to create it); an item or a bin narrows the
        list; a lot number opens that lot. Words typed by hand (`typed`, the entry still in
        the field) stay a number search."""
        match = await resolve_scan(self.backend, scan, self.location)
        if match.item is not None:
            self.names.remember(match.item)
        if match.doubt:
            self.alert(match.describe_doubt())
        elif match.lot is not None:
            self.open_lot(match.lot)
        elif match.item is not None and scan.lot:
            self._offer_to_create(scan, match.item)
        elif match.item is not None:
            self._take_entry(typed)
            self.narrow(item_id=match.item.id, item_label=match.item.name, search="")
            self.say(f"Lots of {clean(match.item.name)}.")
        elif match.layout is not None:
            self._take_entry(typed)
            self.narrow(layout_id=match.layout.id, layout_label=match.layout.name, search="")
            self.say(f"Lots in bin {clean(match.layout.name)}.")
        elif typed is not None:
            await self._search_or_name_item(typed)
        else:
            self.alert(match.describe_miss())

    def _take_entry(self, entry: ScanField.Entered | None) -> None:
        """Words typed by hand became a narrowing: they leave the field."""
        if entry is not None:
            entry.field.done_with(entry)

    async def _search_or_name_item(self, entry: ScanField.Entered) -> None:
        """Enter on words that are no code: lot and manufacturer numbers first (now, not after
        the typing pause); when no lot has them, the operator means an item by its name."""
        text = entry.value.strip()
        if not self.searchable(text):
            return
        if self._shown is None or self._shown.search != text:
            self.filter = dataclasses.replace(self.filter, search=text)
            await self._load(self.filter, page=1)
        if self._rows:
            self.say(f"Lots numbered like “{clean(text)}”; ↓ and Enter open one.")
            return
        await self._narrow_to_named_item(entry)

    async def _narrow_to_named_item(self, entry: ScanField.Entered) -> None:
        """One item by that name narrows at once; several are offered to choose from."""
        text = entry.value.strip()
        found = await self.backend.list_items(ItemQuery(search=text, limit=ITEM_CHOICES))
        items = found.data
        if not items:
            self.say(f"No item is called “{clean(text)}”; still searching lot numbers for it.")
            return

        def chosen(item: object) -> None:
            if isinstance(item, Item):
                self.names.remember(item)
                self._take_entry(entry)
                self.narrow(item_id=item.id, item_label=item.name, search="")
                self.say(f"Lots of {clean(item.name)}.")

        if len(items) == 1:
            chosen(items[0])
        else:
            self.app.push_screen(ItemPicker(f"Lots of which item? (“{text}”)", items), chosen)

    def _offer_to_create(self, scan: Scan, item: Item) -> None:
        assert scan.lot is not None
        missing = f"{clean(scan.lot)} of {clean(item.name)} is not on record."
        if lacking := self.console.lacking(BY_ID["lots.new"]):
            # a read-only lot system (byrd): nothing to offer, and no form to open. Why first:
            # on a handheld the end of the line may not show.
            self.alert(f"{lacking.removesuffix('.')}: lot {missing}", "warning")
            return
        self.alert(f"Lot {missing}", "warning")
        expiry = f" | Expires {show_day(scan.expires_at)}." if scan.expires_at else ""

        def answered(create: bool | None) -> None:
            if create:
                self.app.push_screen(LotFormScreen.from_scan(self, item, scan))

        self.app.push_screen(
            Confirm(
                f"Create lot {scan.lot}?",
                f"{item.name}: lot {scan.lot} is not on record at "
                f"{self.location.name if self.location else 'this location'}.{expiry}",
            ),
            answered,
        )

    def action_new_lot(self) -> None:
        item = self.names.get(self.filter.item_id) if self.filter.item_id else None
        self.app.push_screen(LotFormScreen(self, item=item, layout_id=self.filter.layout_id))


class LotDetailScreen(WarehouseScreen):
    SCREEN = "lot"
    HOLDS_WORK = False
    TITLE = "Lot"
    HELP = (
        "Everything recorded about one lot, traceability dates and metadata included. "
        "{lot.edit} edits it; {back} goes back to the list. A scan here is taken by the lot list."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, lot: Lot, lots: LotsScreen, *, notice: str | None = None) -> None:
        super().__init__()
        self.lot = lot
        self.lots = lots
        self._notice = notice

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="lot-scroll"):
            yield Static(id="lot-title", classes="title")
            yield Static(id="lot-fields")
        yield ScanField(id="scan", placeholder="Scan another lot, item or bin")

    def on_mount(self) -> None:
        self.show_lot(self.lot)
        if self._notice:
            self.say(self._notice, "success")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.action_reload()

    def show_lot(self, lot: Lot) -> None:
        self.lot = lot
        now = self.console.now()
        level = urgency(lot.expires_at, now=now, soon_days=self.lots.soon_days)
        marker = f"{level.marker} " if level.marker else ""
        self.query_one("#lot-title", Static).update(
            Text.assemble(
                (marker, URGENCY_STYLE.get(level, "")),
                plain(f"Lot {lot.number or lot.id}", "bold"),
                plain(f" · {self.lots.names.name(lot.item_id)}"),
            )
        )
        location = next((x for x in self.console.locations if x.id == lot.location_id), None)
        layout = location.layout(lot.layout_id) if location else None
        expires = show_day(lot.expires_at)
        if expires:
            expires = f"{expires} ({time_left(lot.expires_at, now=now)})"
        pairs: list[tuple[str, object]] = [
            ("Lot number", lot.number),
            ("Manufacturer", lot.manufacturer_number),
            ("Item", self.lots.names.name(lot.item_id)),
            ("Location", location.name if location else lot.location_id),
            ("Bin", layout.name if layout else lot.layout_id),
            ("Status", lot.status),
            ("Expires", expires or "no expiry"),
            ("Produced", show_day(lot.production_date)),
            ("Best before", show_day(lot.best_before_date)),
            ("Sell by", show_day(lot.sell_by_date)),
            *(
                (label, getattr(lot, field))
                for field, label in COUNT_LABELS.items()
                if field in self.backend.capabilities.lot_counts
            ),
            ("Digital Link", lot.digital_link),
            ("Address", lot.address_id),
            ("Created", show_day(lot.created_at)),
            ("Updated", show_day(lot.updated_at)),
            ("Id", lot.id),
        ]
        for stock in lot.warehouses:
            pairs.append((stock.code or stock.name or stock.id, stock_words(stock, named=True)))
        for key, value in sorted(lot.metadata.items()):
            shown = value if isinstance(value, str) else json.dumps(value, default=str)
            pairs.append((METADATA_LABELS.get(key, f"meta {key}"), shown))
        lines = [
            Text.assemble((f"{clean(label)[:14]:>14} ", "dim"), clean(value))
            for label, value in pairs
            if value not in (None, "")
        ]
        self.query_one("#lot-fields", Static).update(Text("\n").join(lines))

    def action_reload(self) -> None:
        lot_id = self.lot.id

        async def reload() -> None:
            self.show_lot(await self.backend.get_lot(lot_id))

        self.run_io(reload, group="lot")

    def action_edit(self) -> None:
        item = self.lots.names.get(self.lot.item_id)
        self.app.push_screen(LotFormScreen(self.lots, item=item, lot=self.lot))

    async def handle_scan(self, scan: Scan) -> None:
        self.app.pop_screen()
        self.lots.run_io(lambda: self.lots.take_scan(scan), group="scan")


# What a lot system's backend keeps in a lot's metadata (fields the console has none for).
METADATA_LABELS = {
    "uom": "Unit",
    "quantity": "Quantity",
    "produced at": "Produced at",
    "product link": "Product link",
    "not before": "Not before",
    "not after": "Not after",
}
COUNT_LABELS = {
    "total_qty": "Total",
    "available_qty": "Available",
    "reserved_qty": "Reserved",
    "defective_qty": "Defective",
    "manifested_qty": "Manifested",
}


def stock_words(stock: WarehouseStock, *, named: bool = False, brief: bool = False) -> str:
    """A lot's stock in one warehouse: "TST 38/43 5 rsv" on the lot line ("TST 38/43" on a
    handheld); on the lot's screen "38/43 available, 5 reserved · DE - Demo"
    (available/physical)."""
    if not named:
        where = f"{stock.code or stock.name or stock.id} {stock.available_qty}/{stock.physical_qty}"
        return where if brief else f"{where} {stock.reserved_qty} rsv"
    name = f" · {stock.name}" if stock.name else ""
    return (
        f"{stock.available_qty}/{stock.physical_qty} available, {stock.reserved_qty} reserved{name}"
    )


# The form's fields: (key, label, placeholder). Item and bin are resolved from what is typed.
FORM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("item", "Item", "SKU or GTIN"),
    ("bin", "Bin", "bin label (optional)"),
    ("number", "Lot number", ""),
    ("manufacturer_number", "Manufacturer", "(optional)"),
    ("expires_at", "Expires", "YYYY-MM-DD"),
    ("production_date", "Produced", "YYYY-MM-DD"),
    ("best_before_date", "Best before", "YYYY-MM-DD"),
    ("sell_by_date", "Sell by", "YYYY-MM-DD"),
    ("total_qty", "Total", "0"),
    ("available_qty", "Available", "0"),
    ("reserved_qty", "Reserved", "0"),
    ("defective_qty", "Defective", "0"),
    ("status", "Status", ", ".join(LotStatus)),
    ("digital_link", "Digital Link", "https://… (optional)"),
)


class LotFormScreen(WarehouseScreen):
    """Create a lot, or edit one: a view over the lot saver (console/services/lots.py)."""

    SCREEN = "lot-form"
    TITLE = "Lot"
    HELP = (
        "Fill in the lot: {form.next} and {form.previous} move between fields, {form.save} "
        "saves, {form.cancel} leaves without saving. Dates are YYYY-MM-DD. Quantities are "
        "whole numbers; what is available, reserved and defective cannot add up to more than "
        "the total. If the answer to a save is lost, the lot is read back to see whether it "
        "was saved; saving again sends the same request, which applies once."
    )
    # Tab is a priority binding: it moves focus before the next key is delivered, so keys that
    # arrive in one burst (a scanner's Tab suffix, a fast typist) land in the next field.
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(
        self,
        lots: LotsScreen,
        *,
        item: Item | None = None,
        lot: Lot | None = None,
        layout_id: str | None = None,
        prefill: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.lots = lots
        self.item = item
        self.lot = lot
        self._layout_id = lot.layout_id if lot else layout_id
        self._prefill = prefill or {}
        self.saver = LotSaver(self.console.backend, self.console.outbox)
        self.saved: Lot | None = None

    @classmethod
    def from_scan(cls, lots: LotsScreen, item: Item, scan: Scan) -> LotFormScreen:
        prefill = {"number": scan.lot or ""}
        for field, epoch in (
            ("expires_at", scan.expires_at),
            ("production_date", scan.production_date),
            ("best_before_date", scan.best_before),
            ("sell_by_date", scan.sell_by),
        ):
            if epoch is not None:
                prefill[field] = show_day(epoch)
        if scan.count:
            prefill["total_qty"] = prefill["available_qty"] = str(scan.count)
        if scan.digital_link:
            prefill["digital_link"] = scan.digital_link
        return cls(lots, item=item, prefill=prefill)

    @property
    def editing(self) -> bool:
        return self.lot is not None

    def compose_body(self) -> ComposeResult:
        yield Static(id="form-title", classes="title")
        yield FormFields(self.form_fields(), id="lot-form")

    def form_fields(self) -> tuple[tuple[str, str, str], ...]:
        """The fields the backend keeps, its lot statuses offered in the status field."""
        capabilities = self.backend.capabilities
        kept = set(capabilities.lot_fields)
        if not self.location or not self.location.layouts:
            kept.discard("bin")  # a location without bins
        statuses = ", ".join(capabilities.lot_statuses)
        return tuple(
            (key, label, statuses if key == "status" else hint)
            for key, label, hint in FORM_FIELDS
            if key in kept
        )

    def on_mount(self) -> None:
        lot = self.lot
        values: dict[str, str] = {}
        if self.item is not None:
            values["item"] = self.item.sku or self.item.gtin or self.item.id
        if self._layout_id and self.location and (lay := self.location.layout(self._layout_id)):
            values["bin"] = lay.name
        if lot is not None:
            for key, *_ in self.form_fields():
                value = getattr(lot, key, None)
                if key in LOT_DAY_FIELDS:
                    values[key] = show_day(value)
                elif value is not None:
                    values[key] = str(value)
        values.update(self._prefill)
        form = self.query_one(FormFields)
        form.fill(values)
        if form.has("item"):
            form.field("item").disabled = self.editing  # a lot stays with its item
        verb = f"Edit lot {lot.number or lot.id}" if lot else "New lot"
        where = self.location.name if self.location else ""
        self.query_one("#form-title", Static).update(plain(f"{verb} at {where}", "bold"))
        first = "number" if self.item is not None or self.editing else "item"
        if self._prefill.get("number"):
            first = "bin" if form.has("bin") else "expires_at"
        if form.has(first):
            form.field(first).focus()

    def _form(self) -> dict[str, str]:
        return self.query_one(FormFields).values()

    def _refuse(self, error: WarehouseError) -> None:
        self.alert(str(error))
        self.query_one(FormFields).point_at(error, {"layout_id": "bin", "item_id": "item"})

    def action_save(self) -> None:
        self.run_io(self._save, group="save")

    async def _save(self) -> None:
        location = self.location
        if location is None:
            return
        result = await self.saver.save(self._form(), location, item=self.item, lot=self.lot)
        if isinstance(result, NothingChanged):
            self.say("Nothing changed.")
        elif isinstance(result, NotSaved):
            if result.unknown:
                self.alert(result.error.message, "warning")
            else:
                self._refuse(result.error)
        else:
            assert isinstance(result, Saved)
            self.item = result.item or self.item
            self._done(result.lot)

    def _done(self, saved: Lot) -> None:
        self.saved = saved
        if self.item is not None:
            self.lots.names.remember(self.item)
        self.app.pop_screen()
        screen = self.app.screen
        if isinstance(screen, LotDetailScreen):
            screen.show_lot(saved)
            screen.say(f"Lot {saved.number or saved.id} saved.", "success")
        else:
            self.lots.open_lot(saved, notice=f"Lot {saved.number or saved.id} created.")
