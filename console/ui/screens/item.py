"""One item: its fields, its levels per location and bin, and its lots (first to expire first)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from console.domain.lots import fefo, show_day
from console.domain.models import Dimensions, Item, Lot
from console.domain.queries import LotQuery
from console.ui.actions import bindings
from console.ui.screens.base import WarehouseScreen
from console.ui.text import clean, plain
from console.ui.widgets import Column, ScanField, add_keyed_row, fit_columns


def money(cents: int | None, currency: str | None) -> str:
    return "" if cents is None else f"{cents / 100:,.2f} {currency or ''}".strip()


def dimensions(d: Dimensions | None) -> str:
    if d is None or d.length is None:
        return ""
    size = f"{d.length:g} × {d.width or 0:g} × {d.height or 0:g} in"
    return f"{size}, {d.weight:g} lb" if d.weight is not None else size


def day(epoch: int | None) -> str:
    return show_day(epoch) or "—"


class ItemScreen(WarehouseScreen):
    SCREEN = "item"
    HOLDS_WORK = False
    TITLE = "Item"
    HELP = (
        "Everything known about one item: its fields, its stock per location and bin, and its "
        "lots with the first to expire on top. {adjust} adjusts this item's levels, {item.edit} "
        "corrects its name, codes, packed size or value; {back} goes back to the search. "
        "Scanning another item opens it; scanning a GTIN no item has offers {item.new}."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, item: Item, *, lot_id: str | None = None, notice: str | None = None) -> None:
        super().__init__()
        self.current_item = item
        self._lot_id = lot_id
        self._notice = notice

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="item-scroll"):
            yield Static(id="item-title", classes="title")
            yield Static(id="item-fields")
            yield Static("Levels", classes="section")
            yield DataTable(id="levels", cursor_type="row", show_cursor=False)
            yield Static("Lots (first to expire first)", classes="section")
            yield Static("No lots for this item.", id="no-lots", classes="hint")
            yield DataTable(id="lots", cursor_type="row")
        yield ScanField(id="scan", placeholder="Scan another item")

    def on_mount(self) -> None:
        self._add_columns(self.app.size.width)
        self.show_item(self.current_item)
        if self._notice:
            self.alert(self._notice, "warning")
        self.action_reload()

    def _add_columns(self, width: int) -> None:
        """On a narrow screen the other locations' names, then the rarer counts give way."""
        self.fitted_width = width
        for table_id, columns in (
            (
                "#levels",
                [
                    Column("Location", "location", 18, gives_way=3),
                    Column("Bin", "bin", 0, least=8),
                    Column("Verified", "verified", 8),
                    Column("Damaged", "damaged", 7, gives_way=1),
                    Column("Reserved", "reserved", 8, gives_way=2),
                    Column("Manifest", "manifested", 8, gives_way=4),
                ],
            ),
            (
                "#lots",
                [
                    Column("Lot", "lot", 14),
                    Column("Expires", "expires", 10),
                    Column("Avail", "avail", 6),
                    Column("Total", "total", 6, gives_way=1),
                    Column("Status", "status", 11, gives_way=2),
                    Column("Location", "location", 0, least=8, gives_way=3),
                ],
            ),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            for label, key, w in fit_columns(columns, width):
                table.add_column(label, key=key, width=w)

    def fit_to_width(self, width: int) -> None:
        if self.query("#levels"):
            self._add_columns(width)
            self.show_item(self.current_item)
            self.action_reload()

    def show_item(self, item: Item) -> None:
        self.current_item = item
        self.query_one("#item-title", Static).update(plain(item.name, "bold"))
        pairs = [
            ("SKU", item.sku),
            ("GTIN", item.gtin),
            ("Value", money(item.value, item.currency)),
            ("Size", dimensions(item.dimensions)),
            ("Packed", dimensions(item.packaged_dimensions)),
            ("Categories", ", ".join(item.categories)),
            ("Attributes", ", ".join(f"{k}: {v}" for k, v in item.attributes.items())),
            (
                "On hand",
                f"{item.total_verified} verified, {item.total_damaged} damaged, "
                f"{item.total_reserved} reserved, {item.total_manifested} manifested",
            ),
        ]
        lines = [
            Text.assemble((f"{label:>11} ", "dim"), clean(value)) for label, value in pairs if value
        ]
        self.query_one("#item-fields", Static).update(Text("\n").join(lines))
        names = {loc.id: loc.name for loc in self.console.locations}
        here = self.location.id if self.location else None
        table = self.query_one("#levels", DataTable)
        table.clear()
        rows = sorted(
            item.levels,
            key=lambda lv: (
                lv.location_id != here,
                names.get(lv.location_id, ""),
                lv.layout_name or "",
            ),
        )
        for level in rows:
            style = "bold" if level.location_id == here else ""
            cells: dict[str, Any] = {
                "location": plain(names.get(level.location_id, level.location_id), style),
                "bin": plain(level.layout_name or level.layout_id or "no bin", style),
            }
            for key in ("verified", "damaged", "reserved", "manifested"):
                count = getattr(level, f"{key}_qty")
                cells[key] = Text(str(count), justify="right", style=style)
            add_keyed_row(table, cells)

    def show_lots(self, lots: list[Lot]) -> None:
        names = {loc.id: loc.name for loc in self.console.locations}
        table = self.query_one("#lots", DataTable)
        table.clear()
        for index, lot in enumerate(fefo(lots)):
            cells = {
                "lot": plain(lot.number or lot.id),
                "expires": plain(day(lot.expires_at)),
                "avail": Text(str(lot.available_qty), justify="right"),
                "total": Text(str(lot.total_qty), justify="right"),
                "status": plain(lot.status),
                "location": plain(names.get(lot.location_id, lot.location_id)),
            }
            add_keyed_row(table, cells, lot.id)
            if lot.id == self._lot_id:
                table.move_cursor(row=index)
        table.display = bool(lots)
        self.query_one("#no-lots", Static).display = not lots
        if self._lot_id:
            table.focus()

    def action_edit(self) -> None:
        from console.ui.screens.item_form import ItemFormScreen

        def saved(item: Item) -> None:
            self.show_item(item)
            self.say(f"Item {item.name} saved.", "success")

        self.app.push_screen(ItemFormScreen(item=self.current_item, done=saved))

    def action_reload(self) -> None:
        item_id = self.current_item.id

        async def reload() -> None:
            item = await self.backend.get_item(item_id)
            lots = await self.backend.list_lots(LotQuery(item_id=item_id, limit=100))
            self.show_item(item)
            self.show_lots(lots.data)

        self.run_io(reload, group="item")
