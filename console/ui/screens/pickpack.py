"""F5: open fulfillments at this location; picking one by scans, packing it, closing it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from console.domain.errors import Conflict
from console.domain.fulfillments import PACKING, PICKING, consume, release
from console.domain.levels import describe_plan
from console.domain.lots import lots_to_take, not_expired_after, show_day
from console.domain.models import (
    OPEN_FULFILLMENT_STATUSES,
    Fulfillment,
    FulfillmentStatus,
    Layout,
    Lot,
)
from console.domain.numbers import fulfillment_numbers
from console.domain.picking import (
    ParcelDraft,
    ParcelLimits,
    PickPack,
    default_parcel,
    due_in,
    line_bins,
    walking_order,
)
from console.domain.queries import FulfillmentQuery, LotQuery
from console.domain.scan import Scan
from console.domain.words import counted
from console.services import counting
from console.services.scans import find_lot
from console.ui.actions import bindings
from console.ui.screens.counting import CountingScreen
from console.ui.screens.dialogs import Ask, Confirm
from console.ui.screens.records import RecordList
from console.ui.text import clean, plain, typed_count
from console.ui.widgets import Column, ScanField, add_keyed_row, fit_columns

S = FulfillmentStatus
QUEUE_PAGE = 50
LOTS_READ = 50  # lots of a line's item read to choose from, first to expire first
OVERDUE_STYLE = "bold red"
LIMIT_SETTINGS = {
    "max_weight": "parcel_max_weight_lb",
    "max_length": "parcel_max_length_in",
    "max_length_and_girth": "parcel_max_length_girth_in",
}


def parcel_limits(memory: Any) -> ParcelLimits:
    """The carrier limits parcels are checked against: settings in the state file, or the
    usual parcel-carrier maximums."""
    default = ParcelLimits()
    return ParcelLimits(
        **{
            name: float(memory.setting(key, int(getattr(default, name))))
            for name, key in LIMIT_SETTINGS.items()
        }
    )


class PickPackScreen(RecordList[Fulfillment]):
    """The queue: open fulfillments here, the one due first on top."""

    SCREEN = "pickpack"
    TITLE = "Pick-pack"
    HELP = (
        "Open fulfillments at this location (created, processing, picked, packed), the one due "
        "first on top. ✖ marks an overdue order. {open} (or scanning the order number) opens an "
        "order to pick, pack and complete it. A product scanned here opens it in item search."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)
    PLACEHOLDER = "Scan or type an order number"
    COLUMNS = (
        Column("", "mark", 1),
        Column("Order", "order", 14),
        Column("Lines", "lines", 5, gives_way=4),
        Column("Units", "units", 6, gives_way=3),
        Column("Picked", "picked", 6, gives_way=2),
        Column("Status", "status", 10, gives_way=1),
        Column("Due", "due", 0, least=12),
    )

    async def load(self, page: int) -> bool:
        assert self.location is not None
        query = FulfillmentQuery(
            location_id=self.location.id,
            status=[s.value for s in OPEN_FULFILLMENT_STATUSES],
            limit=QUEUE_PAGE,
            page=page,
        )
        answer = await self.backend.list_fulfillments(query)
        now = self.console.now()
        for ful in answer.data:
            self.rows.append(ful)
            due, overdue = due_in(ful.complete_at, now)
            style = OVERDUE_STYLE if overdue else ""
            add_keyed_row(
                self.table,
                {
                    "mark": Text("✖" if overdue else "", style=style),
                    "order": plain(ful.order_number or ful.id, "bold" if overdue else ""),
                    "lines": Text(str(len(ful.inventory)), justify="right"),
                    "units": Text(str(sum(ln.qty for ln in ful.inventory)), justify="right"),
                    "picked": Text(
                        str(sum(ln.picked_qty for ln in ful.inventory)), justify="right"
                    ),
                    "status": plain(ful.status),
                    "due": plain(due, style),
                },
                ful.id,
            )
        more = " · end of list loads more" if answer.pagination.has_more else ""
        overdue_count = sum(1 for f in self.rows if due_in(f.complete_at, now)[1])
        self.set_summary(
            f"{len(self.rows)} open order{'' if len(self.rows) == 1 else 's'} · "
            f"{overdue_count} overdue ✖ · soonest due first{more}"
        )
        return answer.pagination.has_more

    def show_line(self) -> None:
        ful = self.highlighted()
        if ful is None:
            self.set_line("No open orders here." if not self.rows else "")
            return
        who = ful.recipient.name or ful.recipient.company if ful.recipient else None
        self.set_line(plain(f"{ful.order_number or ful.id} · {ful.status} · for {who or '—'}"))

    def numbers(self, row: Fulfillment) -> list[str]:
        return fulfillment_numbers(row)

    async def find(self, number: str) -> Fulfillment | None:
        assert self.location is not None
        page = await self.backend.list_fulfillments(
            FulfillmentQuery(location_id=self.location.id, number=number, limit=2)
        )
        return page.data[0] if page.data else None

    def open_record(self, row: Fulfillment) -> None:
        self.app.push_screen(OrderScreen(row))


class OrderScreen(CountingScreen):
    """One fulfillment: its pick list in walking order, then its parcels, then closing it."""

    SCREEN = "order"
    TITLE = "Order"
    HELP = (
        "Pick: scan the item (or the bin first, then the item). Each scan picks one unit, or "
        "the count a GS1 (30)/(37) label carries. The Lot column is the lot to take first "
        "(first to expire); scanning another lot of the item asks first. A wrong item, an "
        "over-pick or another item's lot is refused and changes nothing. {order.qty} types a "
        "quantity for what cannot be scanned; {order.short} records a short pick with its "
        "reason. When every line is picked the order becomes 'picked'. Pack: {order.parcel} "
        "opens a parcel (sizes from the items' packaged dimensions), then scan units into it, "
        "or {order.pack_all} puts everything left in it. {order.close} marks the order packed, "
        "then completed. {order.cancel} cancels it with a reason. Every status change shows "
        "what it does to stock before it is sent. Your picks are saved as you go; if the "
        "backend stops answering they are kept and sent when it answers again."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)
    WORK_WORD = "picks"
    LINES = "pick-table"

    def __init__(self, fulfillment: Fulfillment) -> None:
        super().__init__()
        self.work = PickPack(fulfillment, keeps_lots=self.backend.capabilities.lot_picks)
        # The lots here of each line's item, as read, and how many of each this order had
        # picked when it was read: what is left of a lot is what it had then, less what this
        # order has picked of it since.
        self.lots_here: dict[str, list[Lot]] = {}
        self._lot_read: dict[str, tuple[Lot, int]] = {}
        self.bin_id: str | None = None  # the bin the operator scanned last
        self.parcel_index: int | None = None  # the parcel scans pack into
        self.session = counting.picking(self.work, self.backend, self.console.outbox, self)
        self.picks_shown: list[float] = []  # when each pick reached its line (benchmark)
        self._limits: ParcelLimits | None = None

    @property
    def fulfillment(self) -> Fulfillment:
        return self.work.fulfillment

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield ScanField(id="scan", placeholder="Scan bin, item or case label")
        yield Static(id="order-summary", classes="summary")
        yield DataTable(id="pick-table", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="parcel-table", cursor_type="row")
        yield Static(id="pick-line", classes="preview")

    def _columns(self) -> list[Column]:
        # narrow, while picking: the lot (also on the line below the table) and the packed
        # count give way; while packing: the lot, the bin and the count wanted
        packing = self.work.status in PACKING
        return [
            Column("", "mark", 1),
            Column("Bin", "bin", 10, gives_way=3 if packing else 0),  # "A-01-01 +1"
            Column("Item", "item", 0, least=7),
            Column("SKU", "sku", 18, wide=110),
            Column("Want", "want", 4, gives_way=1 if packing else 0),
            Column("Picked", "picked", 6),
            Column("Packed", "packed", 6, gives_way=0 if packing else 1),
            Column("Lot first", "lot", 11, gives_way=2),
            Column("Expires", "expires", 10, wide=110),
        ]

    def add_line_columns(self, width: int) -> None:
        super().add_line_columns(width)
        parcels = self.query_one("#parcel-table", DataTable)
        parcels.clear(columns=True)
        columns = [
            Column("#", "n", 2),
            Column("L×W×H in", "size", 11),
            Column("lb", "weight", 6),
            Column("Units", "units", 5),
            Column("Check", "check", 0, least=4),
        ]
        for label, key, w in fit_columns(columns, width):
            parcels.add_column(label, key=key, width=w)

    def on_mount(self) -> None:
        super().on_mount()
        self.console.remember_place("order", self.fulfillment.id)
        self.add_line_columns(self.app.size.width)
        self.query_one("#scan", ScanField).focus()
        self._show_all()
        self.run_io(self._load_details, group="details")

        def after_read() -> None:
            if self.work.status in PICKING and self.work.all_settled:
                self._send()  # picked in full earlier, but the status change never landed

        self.read_first(then=after_read)

    def refresh_header(self) -> None:
        super().refresh_header()
        if self.is_mounted:
            self._show_summary()

    async def _load_details(self) -> None:
        """Item names (and packaged sizes) and the lot to take first, after the list shows."""
        lines = self.fulfillment.inventory
        await self.fetch_items({line.item_id for line in lines})
        self._show_all()
        location = self.location
        if location is None or self.work.status not in PICKING:
            return
        gate = asyncio.Semaphore(8)
        now = self.console.now()

        async def read_lots(item_id: str) -> None:
            async with gate:
                page = await self.backend.list_lots(
                    LotQuery(
                        item_id=item_id,
                        location_id=location.id,
                        statuses=["available"],
                        expires_after=not_expired_after(now),
                        order_by="expires_at",
                        limit=LOTS_READ,
                    )
                )
            self.lots_here[item_id] = page.data
            for lot in page.data:
                self.saw_lot(lot)

        await asyncio.gather(*(read_lots(line.item_id) for line in lines))
        self._show_all()

    def saw_lot(self, lot: Lot) -> None:
        self._lot_read[lot.id] = (lot, self.work.lot_picked(lot.item_id, lot.id))

    def lot_left(self, lot: Lot) -> int:
        """Units of the lot not yet picked, as far as this console knows."""
        read, picked_then = self._lot_read.get(lot.id, (lot, 0))
        return read.available_qty - (self.work.lot_picked(lot.item_id, lot.id) - picked_then)

    def lots_for(
        self, item_id: str, count: int, bin_id: str | None = None
    ) -> list[tuple[Lot, int]]:
        """The lots `count` units of the line come from: first to expire first, among the
        lots in the bin scanned (or the line's bins)."""
        line = self.work.line(item_id)
        bins = line_bins(line) if line else []
        if bin_id and bin_id in bins:
            bins = [bin_id]
        lots = self.lots_here.get(item_id, [])
        return lots_to_take(lots, bins, count, self.lot_left, now=self.console.now())

    def first_lot(self, item_id: str, bin_id: str | None = None) -> Lot | None:
        taking = self.lots_for(item_id, 1, bin_id)
        return taking[0][0] if taking else None

    # -- showing ------------------------------------------------------------------------------

    def _bin_names(self, layout_ids: list[str]) -> str:
        location = self.location
        names = [
            (lay.name if (lay := location.layout(i)) else i) if location else i for i in layout_ids
        ]
        if not names:
            return "—"
        return names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")

    def _cells(self, item_id: str) -> dict[str, Text]:
        work = self.work
        line = work.line(item_id)
        assert line is not None
        picked = work.picked(item_id)
        short = work.short_reason(item_id)
        if picked >= line.qty:
            mark, style = "✔", "green"
        elif short:
            mark, style = "S", "yellow"
        elif picked:
            mark, style = "…", ""
        else:
            mark, style = "", ""
        lot = self.first_lot(item_id)
        item = self.names.get(item_id)
        return {
            "mark": Text(mark, style=style),
            "bin": plain(self._bin_names(line_bins(line))),
            "item": plain(self.names.name(item_id)),
            "sku": plain(item.sku or "" if item else ""),
            "want": Text(str(line.qty), justify="right"),
            "picked": Text(str(picked), justify="right", style="bold" if picked else ""),
            "packed": Text(str(work.packed(item_id)), justify="right"),
            "lot": plain(lot.number or lot.id if lot else "—"),
            "expires": plain(show_day(lot.expires_at) if lot else ""),
        }

    def _line_ids(self) -> list[str]:
        return [line.item_id for line in walking_order(self.fulfillment, self.location)]

    def _show_more(self) -> None:
        self._show_parcels()

    def _show_parcels(self) -> None:
        table = self.query_one("#parcel-table", DataTable)
        table.display = self.work.status in PACKING or bool(self.work.parcels)
        table.clear()
        if self._limits is None:
            self._limits = parcel_limits(self.console.memory)
        limits = self._limits
        for index, parcel in enumerate(self.work.parcels):
            problems = limits.problems(parcel)
            marker = "▶" if index == self.parcel_index else ""
            table.add_row(
                Text(f"{marker}{index + 1}"),
                plain(f"{parcel.length:g}×{parcel.width:g}×{parcel.height:g}"),
                Text(f"{parcel.weight:g}", justify="right"),
                Text(str(parcel.units), justify="right"),
                plain(
                    "⚠ " + ", ".join(problems) if problems else "ok", "bold red" if problems else ""
                ),
            )

    def _show_summary(self) -> None:
        ful, work = self.fulfillment, self.work
        due, overdue = due_in(ful.complete_at, self.console.now())
        unsaved = " · ⟳ saving" if work.unsaved else ""
        where = ""
        if self.bin_id and self.location and (lay := self.location.layout(self.bin_id)):
            where = f" · at bin {lay.name}"
        text = Text.assemble(
            plain(ful.order_number or ful.id, "bold"),
            f" · {ful.status} · ",
            plain(("✖ " if overdue else "due ") + due, OVERDUE_STYLE if overdue else ""),
            f" · {work.units_picked}/{work.units} picked",
            f" · {sum(p.units for p in work.parcels)} packed" if work.parcels else "",
            plain(where),
            unsaved,
        )
        text.truncate(max(20, self.app.size.width - 2), overflow="ellipsis")
        self.query_one("#order-summary", Static).update(text)

    def _show_line(self) -> None:
        item_id = self._highlighted_item()
        out = self.query_one("#pick-line", Static)
        if item_id is None:
            out.update("")
            return
        line = self.work.line(item_id)
        assert line is not None
        short = self.work.short_reason(item_id)
        lot = self.first_lot(item_id, self.bin_id)
        # what to take first, then the name (the table shows it too): a narrow screen cuts the
        # name, not the lot
        parts = []
        if lot is not None:
            parts.append(f"take lot {lot.number} (exp {show_day(lot.expires_at) or '—'})")
        if short:
            parts.append(f"short: {short}")
        parts.append(self.names.name(item_id))
        out.update(plain(" · ".join(parts)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "pick-table":
            self._show_line()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.work.status
        picking, packing = status in PICKING, status in PACKING
        shown = {
            "quantity": picking,
            "short": picking,
            "new_parcel": packing,
            "pack_rest": packing and self.parcel_index is not None,
            "edit_parcel": packing and self.parcel_index is not None,
            "cancel_order": status in OPEN_FULFILLMENT_STATUSES,
        }
        if action == "advance":
            return packing or status == S.PACKED
        return shown.get(action, True)

    def key_words(self, binding: Binding) -> str | None:
        if binding.action == "advance":
            return "Complete" if self.work.status == S.PACKED else "Packed"
        return None

    # -- scans --------------------------------------------------------------------------------

    def at_scan(self) -> dict[str, Any]:
        return {"bin_id": self.bin_id}

    async def take_scan(self, scan: Scan, **at_scan: Any) -> None:
        bin_id: str | None = at_scan["bin_id"]
        # a label with a lot is looked up anyway: the lot decides (first to expire, whose lot)
        known = None if scan.lot else self.known_item(scan)
        if (match := await self.scanned_item(scan, known)) is None:
            return
        item = match.item
        assert item is not None
        if scan.lot and match.lot is None:
            other = await find_lot(self.backend, scan.lot)
            if other is not None and other.item_id != item.id:
                await self.names.fetch(self.backend, {other.item_id})
                self.alert(
                    f"Lot {clean(scan.lot)} is of {clean(self.names.name(other.item_id))}, not "
                    f"of {clean(item.name)}: nothing picked."
                )
                return
        count = scan.count or 1
        if self.work.status in PACKING:
            self._pack(item.id, count)
        else:
            await self._pick(item.id, count, match.lot, bin_id)

    def _at_bin(self, layout: Layout) -> None:
        layout_id = self.bin_id = layout.id
        here = [i for i in self._shown_ids if layout_id in line_bins(self.work.line(i))]  # type: ignore[arg-type]
        open_here = [i for i in here if not self.work.settled(self.work.line(i))]  # type: ignore[arg-type]
        if open_here:
            self._show_row(open_here[0])
        else:
            self._show_summary()
        self.say(f"At bin {clean(layout.name)}: {counted(len(open_here), 'line')} to pick here.")

    async def _pick(self, item_id: str, count: int, lot: Lot | None, bin_id: str | None) -> None:
        name = self.names.name(item_id)
        try:
            line = self.work.check_pick(item_id, count, name)
        except Conflict as refusal:
            self.alert(refusal.message)
            return
        if bin_id and line_bins(line) and bin_id not in line_bins(line):
            self.alert(
                f"{clean(name)} is taken from {self._bin_names(line_bins(line))}, not from the "
                f"bin you scanned: nothing picked."
            )
            return
        first = self.first_lot(item_id, bin_id)
        if lot is not None:
            if lot.id not in self._lot_read:
                self.saw_lot(lot)
            if self.lot_left(lot) < count:
                self.alert(
                    f"Lot {clean(lot.number or lot.id)} of {clean(name)} has "
                    f"{max(0, self.lot_left(lot))} left to pick, not {count}: nothing picked."
                )
                return
        if lot is not None and first is not None and lot.id != first.id:
            question = Confirm(
                f"Take lot {lot.number} instead of {first.number}?",
                f"{name}: lot {first.number} expires first ({show_day(first.expires_at)}); "
                f"lot {lot.number} expires {show_day(lot.expires_at) or 'never'}. | "
                f"{self.key('confirm.yes')} takes {lot.number} anyway; "
                f"{self.key('confirm.no')} picks nothing.",
            )

            def answered(take: bool | None) -> None:
                if take:
                    self._take(item_id, count, name, [(lot, count)])
                else:
                    self.say("Nothing picked.")

            self.console.ring()
            self.app.push_screen(question, answered)
            return
        self._take(
            item_id, count, name, [(lot, count)] if lot else self.lots_for(item_id, count, bin_id)
        )

    def _take(self, item_id: str, count: int, name: str, lots: list[tuple[Lot, int]]) -> None:
        # the work keeps them only for a backend that records lots per pick (PickPack.keeps_lots)
        taken = [(lot.id, qty) for lot, qty in lots]
        if self.record(lambda: self.work.pick(item_id, count, name, taken), item_id):
            self.picks_shown.append(time.perf_counter())
            line = self.work.line(item_id)
            wanted = line.qty if line else 0
            self.say(f"{clean(name)}: {self.work.picked(item_id)}/{wanted} picked.", "success")

    def _pack(self, item_id: str, count: int) -> None:
        name = self.names.name(item_id)
        index = self.parcel_index if self.parcel_index is not None else -1
        if index < 0 and len(self.work.parcels) == 1:
            index = self.parcel_index = 0
        self.record(lambda: self.work.pack(index, item_id, count, name), item_id)

    def _after_record(self, item_id: str | None) -> None:
        if self.work.status in PACKING:
            self._show_parcels()
        super()._after_record(item_id)

    # -- keeping the backend up to date -------------------------------------------------------

    def _send(self) -> None:
        self.session.send()

    def _after_change(self, before: FulfillmentStatus) -> None:
        status = self.work.status
        if status != before:
            self.add_line_columns(self.app.size.width)  # packing keeps other columns
        if status != before and status == S.PICKED:
            self.say(
                f"Every line is picked: the order is picked. {self.key('order.parcel')} opens "
                "a parcel.",
                "success",
            )
            self.refresh_bindings()
            self._show_all()
        elif status != before:
            self.refresh_bindings()
            self._show_all()
        else:
            self._show_summary()

    # -- manual entry, short picks ------------------------------------------------------------

    def action_quantity(self) -> None:
        item_id = self._highlighted_item()
        line = self.work.line(item_id) if item_id else None
        if item_id is None or line is None:
            return
        name = self.names.name(item_id)
        opened_on = f"{self.work.picked(item_id)} picked"

        def answered(answer: dict[str, str] | None) -> None:
            if answer is None or self.changed_meanwhile(
                opened_on, f"{self.work.picked(item_id)} picked"
            ):
                return
            qty = typed_count(answer["qty"])
            if qty is None:
                self.alert(
                    f"“{clean(answer['qty'].strip())}” is not a quantity: type a whole number. "
                    "Nothing changed."
                )
                return
            if self.record(lambda: self.work.set_picked(item_id, qty, name), item_id):
                self.say(f"{clean(name)}: {qty}/{line.qty} picked.", "success")

        self.app.push_screen(
            Ask(
                "Picked quantity",
                f"{name}: {self.work.picked(item_id)} of {line.qty} picked. Type how many are "
                "picked in all (for units that cannot be scanned).",
                [("qty", "Picked in all", str(self.work.picked(item_id)))],
            ),
            answered,
        )

    def action_short(self) -> None:
        item_id = self._highlighted_item()
        line = self.work.line(item_id) if item_id else None
        if item_id is None or line is None:
            return
        name = self.names.name(item_id)
        picked = self.work.picked(item_id)

        def answered(answer: dict[str, str] | None) -> None:
            if answer is None:
                return
            if self.record(lambda: self.work.short(item_id, answer["reason"], name), item_id):
                self.say(f"{clean(name)}: short by {line.qty - picked}, recorded.", "warning")

        self.app.push_screen(
            Ask(
                "Short pick",
                f"{name}: {picked} of {line.qty} picked; {line.qty - picked} will not ship "
                "(at completion they go back to verified stock). Why: not in the bin, damaged…?",
                [("reason", "Reason", "")],
                required={"reason": "A short pick needs a reason: type it, or Esc to go back."},
            ),
            answered,
        )

    # -- parcels ------------------------------------------------------------------------------

    def _ask_parcel(
        self, title: str, draft: ParcelDraft, then: Callable[[ParcelDraft], None]
    ) -> None:
        def answered(answer: dict[str, str] | None) -> None:
            if answer is None:
                return
            values: dict[str, float] = {}
            for key, text in answer.items():
                try:
                    number = float(text.strip())
                except ValueError:
                    number = -1.0
                if not 0 < number <= 10_000:  # also refuses nan
                    self.alert(f"Parcel {key}: “{clean(text)}” is not a size; nothing changed.")
                    return
                values[key] = number
            then(ParcelDraft(**values))

        self.app.push_screen(
            Ask(
                title,
                "Inches and pounds. Prefilled from the packaged dimensions of the units to pack.",
                [
                    ("length", "Length (in)", f"{draft.length:g}"),
                    ("width", "Width (in)", f"{draft.width:g}"),
                    ("height", "Height (in)", f"{draft.height:g}"),
                    ("weight", "Weight (lb)", f"{draft.weight:g}"),
                ],
            ),
            answered,
        )

    def action_new_parcel(self) -> None:
        units = self.work.unpacked()
        if not units:
            self.alert("Every picked unit is in a parcel already.", "warning")
            return

        def opened(draft: ParcelDraft) -> None:
            if self.record(lambda: self._open_parcel(draft)):
                assert self.parcel_index is not None
                self.say(
                    f"Parcel {self.parcel_index + 1} open: scan units into it, or "
                    f"{self.key('order.pack_all')} for all.",
                    "success",
                )
                self.refresh_bindings()

        default = default_parcel({i: self.names.get(i) for i in units}, units)
        self._ask_parcel("New parcel", default, opened)

    def _open_parcel(self, draft: ParcelDraft) -> None:
        self.parcel_index = self.work.new_parcel(draft)

    def action_edit_parcel(self) -> None:
        index = self.parcel_index
        if index is None:
            return
        self._ask_parcel(
            f"Parcel {index + 1}",
            self.work.parcels[index],
            lambda draft: self.record(lambda: self.work.edit_parcel(index, draft)) and None,
        )

    def action_pack_rest(self) -> None:
        if self.parcel_index is None:
            return
        index = self.parcel_index

        def pack_all() -> None:
            for item_id, left in self.work.unpacked().items():
                self.work.pack(index, item_id, left, self.names.name(item_id))

        if self.record(pack_all):
            self._show_all()
            self.say(
                f"Everything picked is in parcel {index + 1}. {self.key('order.close')} marks "
                "it packed."
            )

    # -- status changes -----------------------------------------------------------------------

    def _effects(self, target: FulfillmentStatus) -> list[str]:
        ful = self.fulfillment
        plan = (
            release(ful) if target == S.CANCELED else consume(ful) if target == S.COMPLETED else {}
        )
        names = {line.item_id: self.names.name(line.item_id) for line in ful.inventory}
        bins = {lay.id: lay.name for lay in self.location.layouts} if self.location else {}
        return describe_plan(plan, names, bins)

    def _confirm_status(self, status: FulfillmentStatus, body: dict[str, Any], title: str) -> None:
        def done() -> str:
            ful = self.fulfillment
            return f"Order {ful.order_number or ful.id} is {ful.status}."

        self.confirm_change(title, self._effects(status), body, done)

    def action_advance(self) -> None:
        """Packed once everything is in parcels, then completed."""
        status = S.COMPLETED if self.work.status == S.PACKED else S.PACKED
        if self.busy():
            return
        if status == S.PACKED and (unpacked := self.work.unpacked()):
            self.alert(f"{counted(sum(unpacked.values()), 'picked unit')} not in a parcel yet.")
            return
        number = self.fulfillment.order_number or self.fulfillment.id
        self._confirm_status(status, {"status": status.value}, f"Mark {number} {status}?")

    def action_cancel_order(self) -> None:
        if self.work.status not in OPEN_FULFILLMENT_STATUSES or self.busy():
            return
        number = self.fulfillment.order_number or self.fulfillment.id

        def answered(answer: dict[str, str] | None) -> None:
            if answer is None:
                return
            reason = answer["reason"].strip()
            if not reason:
                self.alert("A cancel needs a reason; nothing changed.")
                return
            body = {"status": S.CANCELED.value, "cancel_reason": reason}
            self._confirm_status(S.CANCELED, body, f"Cancel {number}?")

        self.app.push_screen(
            Ask(f"Cancel {number}", "Why is this order canceled?", [("reason", "Reason", "")]),
            answered,
        )
