"""F6: inbound manifests at this location; receiving one by scans, completing or voiding it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from console.domain.errors import Conflict, WarehouseError
from console.domain.levels import describe_plan
from console.domain.lots import show_day
from console.domain.manifests import RECEIVING, announce, manifest_has_sscc, receive
from console.domain.models import Item, Layout, Lot, Manifest, ManifestStatus
from console.domain.numbers import manifest_numbers
from console.domain.picking import due_in
from console.domain.queries import ManifestQuery
from console.domain.receiving import Receiving
from console.domain.scan import Scan
from console.domain.words import counted
from console.services import counting
from console.services.lots import lot_from_label
from console.services.scans import ScanMatch
from console.ui.actions import bindings
from console.ui.screens.counting import CountingScreen
from console.ui.screens.dialogs import Ask, BinPicker, Confirm
from console.ui.screens.records import RecordList
from console.ui.text import clean, plain, typed_count
from console.ui.widgets import Column, ScanField, add_keyed_row

S = ManifestStatus
OPEN_STATUSES = (S.REQUESTED, S.ACCEPTED, S.PROCESSING)
LIST_PAGE = 50
LATE_STYLE = "bold red"
DAMAGED_STYLE = "bold red"


class InboundScreen(RecordList[Manifest]):
    """The inbound list: manifests expected at this location, the one due first on top."""

    SCREEN = "receiving"
    TITLE = "Receiving"
    HELP = (
        "Inbound manifests at this location, the one expected first on top: order number, "
        "lines, units expected and counted, status, estimated delivery (✖ when it is late). "
        "{open}, or scanning the order or a tracking number, opens a manifest to receive it. "
        "{receiving.all} shows completed and void manifests too. A product scanned here opens "
        "it in item search."
    )
    PLACEHOLDER = "Scan or type an order or tracking number"
    COLUMNS = (
        Column("", "mark", 1),
        Column("Order", "order", 14),
        Column("Lines", "lines", 5, gives_way=4),
        Column("Units", "units", 6, gives_way=3),
        Column("Counted", "counted", 7, gives_way=2),
        Column("Status", "status", 10, gives_way=1),
        Column("Delivery", "eta", 0, least=12),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = False

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.say("Completed and void manifests shown too." if self.show_closed else "Open ones.")
        self.reload()

    async def load(self, page: int) -> bool:
        assert self.location is not None
        statuses = None if self.show_closed else [s.value for s in OPEN_STATUSES]
        answer = await self.backend.list_manifests(
            ManifestQuery(location_id=self.location.id, status=statuses, limit=LIST_PAGE, page=page)
        )
        now = self.console.now()
        for manifest in answer.data:
            self.rows.append(manifest)
            late = self._late(manifest, now)
            style = LATE_STYLE if late else ""
            eta, _ = due_in(manifest.estimated_delivery_at, now)
            lines = manifest.inventory
            counted = sum(ln.received_qty + ln.damaged_qty for ln in lines)
            add_keyed_row(
                self.table,
                {
                    "mark": Text("✖" if late else "", style=style),
                    "order": plain(manifest.order_number or manifest.id, "bold" if late else ""),
                    "lines": Text(str(len(lines)), justify="right"),
                    "units": Text(str(sum(ln.qty for ln in lines)), justify="right"),
                    "counted": Text(str(counted), justify="right"),
                    "status": plain(manifest.status),
                    "eta": plain(eta.replace("overdue", "late"), style),
                },
                manifest.id,
            )
        more = " · end of list loads more" if answer.pagination.has_more else ""
        late_count = sum(1 for m in self.rows if self._late(m, now))
        kind = ("manifest" if self.show_closed else "open manifest") + (
            "" if len(self.rows) == 1 else "s"
        )
        self.set_summary(
            f"{len(self.rows)} {kind} · {late_count} late ✖ · expected first on top{more}"
        )
        return answer.pagination.has_more

    @staticmethod
    def _late(manifest: Manifest, now: int) -> bool:
        return manifest.status in OPEN_STATUSES and due_in(manifest.estimated_delivery_at, now)[1]

    def show_line(self) -> None:
        manifest = self.highlighted()
        if manifest is None:
            self.set_line("Nothing expected here." if not self.rows else "")
            return
        sender = manifest.sender.name or manifest.sender.company if manifest.sender else None
        tracking = ", ".join(manifest.tracking_numbers) or "no tracking number"
        when = show_day(manifest.estimated_delivery_at) or "no date"
        self.set_line(
            plain(
                f"{manifest.order_number or manifest.id} · {manifest.status} · delivery {when} · "
                f"from {sender or '—'} · {tracking}"
            )
        )

    def numbers(self, row: Manifest) -> list[str]:
        return manifest_numbers(row)

    async def find(self, number: str) -> Manifest | None:
        assert self.location is not None
        page = await self.backend.list_manifests(
            ManifestQuery(location_id=self.location.id, number=number, limit=2)
        )
        return page.data[0] if page.data else None

    def open_record(self, row: Manifest) -> None:
        self.app.push_screen(ManifestScreen(row))


class ManifestScreen(CountingScreen):
    """One manifest: its lines as they are counted off the truck, then completing it."""

    SCREEN = "manifest"
    TITLE = "Manifest"
    LINES = "receipt-table"
    HELP = (
        "{manifest.accept} accepts a requested manifest: its units show as manifested (on the "
        "way). Then scan the bin the units go to (or {manifest.bin} to choose it), and scan "
        "each unit: a scan counts one received unit, or the count a GS1 (30)/(37) label "
        "carries; a lot and expiry on the label are recorded on the lot. Units count in the bin "
        "scanned last and their label's lot, so one line may go to several bins and lots. "
        "{manifest.damaged} switches to counting damaged units and back. An item not on the "
        "manifest, or more than expected, rings and asks first. {manifest.counts} types the counts of the "
        "highlighted line. {manifest.complete} completes the manifest: received units go into "
        "verified (damaged into damaged) in their bins and what is missing is reported. "
        "{manifest.void} voids it. Every step shows its effect on stock before it is sent; "
        "your counts are saved as you go and are never applied twice."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(self, manifest: Manifest) -> None:
        super().__init__()
        self.work = Receiving(manifest, split=self.backend.capabilities.receipt_parts)
        self.lots: dict[str, Lot] = {}  # lot id → lot, for the lines' lot numbers and expiry
        self.bin_id: str | None = None  # the bin the operator scanned or chose last
        self.damaged_mode = False
        self._lot_gate = asyncio.Lock()  # one lot looked up or created at a time
        self.session = counting.receiving(self.work, self.backend, self.console.outbox, self)

    @property
    def manifest(self) -> Manifest:
        return self.work.manifest

    # -- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield ScanField(id="scan", placeholder="Scan bin, item or case label")
        yield Static(id="manifest-summary", classes="summary")
        yield DataTable(id="receipt-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="receipt-line", classes="preview")

    def _columns(self) -> list[Column]:
        # narrow: the lot, then the bin give way; the counts always show whole
        return [
            Column("", "mark", 1),
            Column("Item", "item", 0),
            Column("SKU", "sku", 18, wide=110),
            Column("Bin", "bin", 10, gives_way=1),  # "A-01-01 +1": its bins
            Column("Lot", "lot", 9, gives_way=2),
            Column("Expires", "expires", 10, wide=110),
            Column("Exp", "expected", 4),
            Column("Recv", "received", 4),
            Column("Dmg", "damaged", 3),
            Column("Miss", "missing", 4),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.console.remember_place("manifest", self.manifest.id)
        self.add_line_columns(self.app.size.width)
        self.query_one("#scan", ScanField).focus()
        self._show_all()
        self.read_first()
        self.run_io(self._load_details, group="details")

    async def _load_details(self) -> None:
        """Item names and the lines' lots, after the list shows."""
        await self.fetch_items(set(self.work.item_ids))
        for item_id in self.work.item_ids:
            lot_id = self.work.lot_of(item_id)
            if lot_id and lot_id not in self.lots:
                with contextlib.suppress(WarehouseError):  # else the line shows the lot id
                    self.lots[lot_id] = await self.backend.get_lot(lot_id)
        self._show_all()

    # -- showing ------------------------------------------------------------------------------

    def _bin_name(self, layout_id: str | None) -> str:
        if layout_id is None:
            return "—"
        layout = self.location.layout(layout_id) if self.location else None
        return layout.name if layout else layout_id

    def _cells(self, item_id: str) -> dict[str, Text]:
        work = self.work
        missing, over = work.missing(item_id), work.over(item_id)
        if work.line(item_id) is None or work.expected(item_id) == 0:
            mark, style = "+", "yellow"  # unexpected
        elif over:
            mark, style = "!", "yellow"
        elif not missing:
            mark, style = "✔", "green"
        elif work.counted(item_id):
            mark, style = "…", ""
        else:
            mark, style = "", ""
        lot_id = work.lot_of(item_id)
        lot = self.lots.get(lot_id) if lot_id else None
        item = self.names.get(item_id)
        parts = work.parts(item_id)
        more_bins = len({b for b, _, _ in parts} - {work.bin_of(item_id)})
        more_lots = len({lt for _, lt, _ in parts if lt} - {lot_id})
        return {
            "mark": Text(mark, style=style),
            "item": plain(self.names.name(item_id)),
            "sku": plain(item.sku or "" if item else ""),
            "bin": plain(
                self._bin_name(work.bin_of(item_id)) + (f" +{more_bins}" if more_bins else "")
            ),
            "lot": plain(
                ((lot.number or lot.id) if lot else (lot_id or "—"))
                + (f" +{more_lots}" if more_lots else "")
            ),
            "expires": plain(show_day(lot.expires_at) if lot else ""),
            "expected": Text(str(work.expected(item_id)), justify="right"),
            "received": Text(
                str(work.received_qty(item_id)),
                justify="right",
                style="bold" if work.received_qty(item_id) else "",
            ),
            "damaged": Text(
                str(work.damaged_qty(item_id)),
                justify="right",
                style=DAMAGED_STYLE if work.damaged_qty(item_id) else "",
            ),
            "missing": Text(
                f"+{over}" if over else str(missing),
                justify="right",
                style="yellow" if over else "",
            ),
        }

    def _line_ids(self) -> list[str]:
        return list(self.work.item_ids)

    def _show_summary(self) -> None:
        work, manifest = self.work, self.manifest
        damaged = sum(work.damaged_qty(i) for i in work.item_ids)
        text = Text.assemble(
            plain(manifest.order_number or manifest.id, "bold"),
            f" · {manifest.status}",
            f" · {work.units_counted}/{work.units_expected} counted",
            f" · {damaged} damaged" if damaged else "",
            f" · {work.units_missing} missing" if manifest.status != S.REQUESTED else "",
            plain(f" · at bin {self._bin_name(self.bin_id)}" if self.bin_id else ""),
            (" · DAMAGED: scans count damaged", DAMAGED_STYLE) if self.damaged_mode else "",
            " · ⟳ saving" if work.unsaved else "",
        )
        text.truncate(max(20, self.app.size.width - 2), overflow="ellipsis")
        self.query_one("#manifest-summary", Static).update(text)

    def _show_line(self) -> None:
        item_id = self._highlighted_item()
        out = self.query_one("#receipt-line", Static)
        if item_id is None:
            out.update("This manifest has no lines." if not self._shown_ids else "")
            return
        work = self.work
        parts = [self.names.name(item_id)]
        item = self.names.get(item_id)
        if item is not None and item.sku:
            parts.append(item.sku)
        if (lot_id := work.lot_of(item_id)) and (lot := self.lots.get(lot_id)):
            parts.append(f"lot {lot.number} exp {show_day(lot.expires_at) or '—'}")
        if work.expected(item_id) == 0:
            parts.append("not on the manifest")
        elif work.status == S.REQUESTED:
            parts.append(f"{work.expected(item_id)} expected")
        elif over := work.over(item_id):
            parts.append(f"{over} more than expected")
        elif missing := work.missing(item_id):
            parts.append(
                f"{missing} not received"
                if work.status == S.COMPLETED
                else f"{missing} still missing"
            )
        out.update(plain(" · ".join(parts)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_line()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.work.status
        receiving = status in RECEIVING
        shown = {
            "accept": status == S.REQUESTED,
            "choose_bin": receiving,
            "toggle_damaged": receiving,
            "counts": receiving,
            "complete": receiving,
            "void": status in OPEN_STATUSES,
        }
        return shown.get(action, True)

    # -- scans --------------------------------------------------------------------------------

    def at_scan(self) -> dict[str, Any]:
        return {"bin_id": self.bin_id, "damaged": self.damaged_mode}

    async def take_scan(self, scan: Scan, **at_scan: Any) -> None:
        bin_id: str | None = at_scan["bin_id"]
        damaged: bool = at_scan["damaged"]
        if (match := await self.scanned_item(scan, self.known_item(scan))) is None:
            return
        item = match.item
        assert item is not None
        count = scan.count or 1
        name = self.names.name(item.id)
        try:
            questions = self.work.warnings(item.id, count, name, bin_id)
        except Conflict as refusal:
            self.alert(refusal.message)
            return
        asked_extra = bool(questions)
        moving_from = self.work.needs_bin_move(item.id, bin_id)
        if moving_from is not None:
            questions.append(
                f"{name} is being received into {self._bin_name(moving_from)}; a line keeps one "
                f"bin: all its units move to {self._bin_name(bin_id)}."
            )
        held = self._line_lot_number(item.id)
        split = self.work.split
        if not split and scan.lot and held is not None and held.casefold() != scan.lot.casefold():
            questions.append(
                f"This line holds lot {held}; a line keeps one lot: these units count under "
                f"{held}, and lot {scan.lot} is not recorded."
            )

        async def count_them() -> None:
            if split:  # the units count in their own lot: known before they are counted
                lot = match.lot or (
                    await self._label_lot(item, scan, bin_id=bin_id) if scan.lot else None
                )
                self._record_count(item, count, bin_id, damaged, lot.id if lot else None)
            elif self._record_count(item, count, bin_id, damaged) and scan.lot and held is None:
                await self._note_lot(item, scan)

        if not questions:
            await count_them()
            return
        what = "damaged " if damaged else ""
        question = Confirm(
            f"Count {counted(count, what + 'unit')} of {name}?",
            " | ".join(questions)
            + f" | {self.key('confirm.yes')} counts it; {self.key('confirm.no')} counts nothing.",
        )

        def answered(go: bool | None) -> None:
            if not go:
                self.say("Nothing counted.")
                return
            if asked_extra:
                self.work.allowed.add(item.id)
            self.run_io(count_them, group="count", exclusive=False)

        self.console.ring()
        self.app.push_screen(question, answered)

    def item_created(self, item: Item) -> None:
        self.remember_item(item)
        self.say(
            f"Item {item.name} created. Scan it to count it (it is not on this manifest: "
            "you are asked first).",
            "success",
        )

    def describe_miss(self, match: ScanMatch) -> str:
        sscc = match.scan.sscc
        if not sscc or match.scan.gtin:
            return match.describe_miss()
        if manifest_has_sscc(self.manifest, sscc):
            return f"Pallet SSCC {sscc} of this manifest: scan the items on it to count them."
        return (
            f"Pallet SSCC {sscc} is not this manifest's (its tracking: "
            f"{', '.join(self.manifest.tracking_numbers) or 'none recorded'}): check the "
            "delivery, or scan the items."
        )

    def _line_lot_number(self, item_id: str) -> str | None:
        lot_id = self.work.lot_of(item_id)
        if lot_id is None:
            return None
        lot = self.lots.get(lot_id)
        return (lot.number if lot else None) or lot_id

    def _at_bin(self, layout: Layout) -> None:
        self.bin_id = layout.id
        self._show_summary()
        self.say(f"At bin {clean(layout.name)}: scans count into it.")

    def _record_count(
        self,
        item: Item,
        count: int,
        bin_id: str | None,
        damaged: bool,
        lot_id: str | None = None,
    ) -> bool:
        if not self.record(
            lambda: self.work.receive(
                item.id, count, damaged=damaged, layout_id=bin_id, lot_id=lot_id
            ),
            item.id,
        ):
            return False
        work = self.work
        line = f"{clean(item.name)}: {work.received_qty(item.id)} received"
        if work.damaged_qty(item.id):
            line += f", {work.damaged_qty(item.id)} damaged"
        line += f" of {work.expected(item.id)}."
        self.say(line, "warning" if damaged else "success")
        return True

    async def _note_lot(self, item: Item, scan: Scan) -> None:
        """Record the lot a case label carried on its line (a line holds one lot)."""
        if self.work.lot_of(item.id) is not None:
            return
        lot = await self._label_lot(item, scan, counted=True)
        if lot is not None and self.work.lot_of(item.id) is None:
            self.record(lambda: self.work.record_lot(item.id, lot.id), item.id)

    async def _label_lot(
        self, item: Item, scan: Scan, *, counted: bool = False, bin_id: str | None = None
    ) -> Lot | None:
        """The lot a case label names: the lot of that number here, or a new one. One at a
        time, so several labels of a new lot make one lot."""
        assert scan.lot is not None
        async with self._lot_gate:
            known = next(
                (
                    lot
                    for lot in self.lots.values()
                    if lot.item_id == item.id
                    and (lot.number or "").casefold() == scan.lot.casefold()
                ),
                None,
            )
            if known is not None:
                return known
            lot, created, error = await lot_from_label(
                self.backend,
                self.console.outbox,
                item,
                scan,
                location_id=self.manifest.location_id,
                layout_id=bin_id or self.work.bin_of(item.id),
            )
        if lot is None:
            done = "Units counted" if counted else "Units counted without a lot"
            self.alert(f"{done}, but lot {clean(scan.lot)} could not be recorded: {error}")
            return None
        if created:
            expiry = f" (expires {show_day(lot.expires_at)})" if lot.expires_at else ""
            self.say(
                f"New lot {clean(scan.lot)}{expiry} recorded for {clean(item.name)}.", "success"
            )
        self.lots[lot.id] = lot
        if scan.expires_at and lot.expires_at and scan.expires_at != lot.expires_at:
            self.alert(
                f"Lot {clean(scan.lot)} of {clean(item.name)} is on record expiring "
                f"{show_day(lot.expires_at)}; the label says {show_day(scan.expires_at)}.",
                "warning",
            )
        return lot

    def _after_change(self, before: ManifestStatus) -> None:
        if self.work.status != before:
            self.refresh_bindings()
            self._show_all()
        else:
            self._show_summary()

    # -- the operator's other keys ------------------------------------------------------------

    def action_toggle_damaged(self) -> None:
        self.damaged_mode = not self.damaged_mode
        self._show_summary()
        if self.damaged_mode:
            self.say(
                "Damaged: each scan now counts a damaged unit. "
                f"{self.key('manifest.damaged')} to go back.",
                "warning",
            )
        else:
            self.say("Scans count received units again.")

    def action_choose_bin(self) -> None:
        if self.location is None:
            return

        def chosen(layout: object) -> None:
            if isinstance(layout, Layout):
                self._at_bin(layout)

        self.app.push_screen(BinPicker("Receive into which bin?", self.location.layouts), chosen)

    def action_counts(self) -> None:
        item_id = self._highlighted_item()
        if item_id is None:
            return
        name = self.names.name(item_id)
        work = self.work

        def shown() -> str:
            return f"{work.received_qty(item_id)} received, {work.damaged_qty(item_id)} damaged"

        opened_on = shown()

        def answered(answer: dict[str, str] | None) -> None:
            if answer is None or self.changed_meanwhile(opened_on, shown()):
                return
            counts: dict[str, int] = {}
            for key, text in answer.items():
                count = typed_count(text)
                if count is None:
                    self.alert(
                        f"“{clean(text.strip())}” is not a count: type a whole number. "
                        "Nothing changed."
                    )
                    return
                counts[key] = count

            def change() -> None:
                work.set_counts(
                    item_id, counts["received"], counts["damaged"], layout_id=self.bin_id
                )

            if self.record(change, item_id):
                self.say(
                    f"{clean(name)}: {counts['received']} received, {counts['damaged']} damaged "
                    f"of {work.expected(item_id)}.",
                    "success",
                )

        self.app.push_screen(
            Ask(
                "Counts",
                f"{name}: {work.expected(item_id)} expected. Type how many are received and "
                "damaged in all (for units that cannot be scanned).",
                [
                    ("received", "Received in all", str(work.received_qty(item_id))),
                    ("damaged", "Damaged in all", str(work.damaged_qty(item_id))),
                ],
            ),
            answered,
        )

    # -- status changes -----------------------------------------------------------------------

    def _bins(self) -> dict[str, str]:
        location = self.location
        if location is None:
            return {}
        return {lay.id: lay.name for lay in location.layouts} | {"": f"{location.name}, no bin"}

    def _names(self) -> dict[str, str]:
        return {i: self.names.name(i) for i in self.work.item_ids}

    def _number(self) -> str:
        return self.manifest.order_number or self.manifest.id

    def action_accept(self) -> None:
        if self.work.status != S.REQUESTED:
            return
        effects = describe_plan(announce(self.manifest), self._names(), self._bins())
        self.confirm_change(
            f"Accept {self._number()}?",
            effects,
            {"status": S.ACCEPTED.value},
            lambda: (
                f"{self._number()} accepted: scan the bin, then the units as they come "
                "off the truck."
            ),
        )

    def action_complete(self) -> None:
        if self.work.status not in RECEIVING or self.busy():
            return
        work = self.work
        effects = describe_plan(receive(self.manifest), self._names(), self._bins())
        unbinned = [i for i in work.item_ids if work.counted(i) and work.bin_of(i) is None]
        shortfalls = [
            f"{self.names.name(i)} {missing} of {expected}"
            for i, expected, missing in work.shortfalls()
        ]
        report = [f"Not received: {', '.join(shortfalls)}."] if shortfalls else []
        if unbinned:
            report.append(
                f"{counted(len(unbinned), 'line')} without a bin: their units stay without one."
            )

        def done() -> str:
            return f"{self._number()} completed: {counted(work.units_counted, 'unit')} put away" + (
                f"; {work.units_missing} not received."
                if work.units_missing
                else "; nothing missing."
            )

        self.confirm_change(
            f"Complete {self._number()}?", report + effects, {"status": S.COMPLETED.value}, done
        )

    def action_void(self) -> None:
        if self.work.status not in OPEN_STATUSES or self.busy():
            return
        work = self.work
        plan = announce(self.manifest, sign=-1) if work.status in RECEIVING else {}
        effects = describe_plan(plan, self._names(), self._bins())
        warning = (
            [f"The {counted(work.units_counted, 'unit')} counted on it will not be put away."]
            if work.units_counted
            else []
        )
        self.confirm_change(
            f"Void {self._number()}?",
            warning + effects,
            {"status": S.VOID.value},
            lambda: f"{self._number()} is void.",
        )
