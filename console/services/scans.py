"""What a scan refers to, found through the backend protocol alone, so every backend resolves
alike: an item (by GTIN or SKU), its lot, a bin of the operator's location, or a lot number."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from console.backends.protocol import Backend
from console.domain.errors import NotFound
from console.domain.gtin import gtin14
from console.domain.models import Item, Layout, Location, Lot
from console.domain.queries import SEARCH_TEXT_MAX, LotQuery
from console.domain.scan import Scan


@dataclass(frozen=True, slots=True)
class ScanMatch:
    """The item, lot and bin a scan names; any of them may be missing."""

    scan: Scan
    item: Item | None = None
    lot: Lot | None = None
    layout: Layout | None = None
    # Why the label cannot be trusted whole (its separator was lost and its lot is not on
    # record): nothing may be counted or created from it.
    doubt: str | None = None

    @property
    def found(self) -> bool:
        return self.item is not None or self.lot is not None or self.layout is not None

    def describe_miss(self) -> str:
        """What an operator is told when the scan matched nothing."""
        scan = self.scan
        read = scan.shown or "(empty)"
        if scan.suspect and not scan.gtin:
            return f"Label not read whole: {scan.suspect}. Scan it again."
        if scan.sscc and not scan.gtin:
            return f"Pallet or case label, SSCC {scan.sscc}: scan the items on it."
        if scan.gtin:
            also = f" (nor {', '.join(scan.alternatives)})" if scan.alternatives else ""
            return f"Scanned GTIN {scan.gtin}{also}: no item has it."
        return f"Scanned “{read}”: no item, lot or bin matches it."

    def describe_doubt(self) -> str:
        return (
            f"Label not read whole: {self.doubt}. Nothing taken from it; check the scanner "
            "sends its separators (GS), or scan another label."
        )


def find_bin(location: Location | None, label: str) -> Layout | None:
    """A bin of the operator's location by its label (name) or id, ignoring case."""
    if location is None or not label:
        return None
    wanted = label.strip().casefold()
    return next(
        (lay for lay in location.layouts if lay.name.casefold() == wanted or lay.id == label),
        None,
    )


async def find_lot(
    backend: Backend, number: str, item_id: str | None = None, location_id: str | None = None
) -> Lot | None:
    """The lot with exactly this number (of this item, at this location, when given)."""
    if len(number) > SEARCH_TEXT_MAX:
        return None  # longer than any lot number: no need to ask
    page = await backend.list_lots(
        LotQuery(search=number, item_id=item_id, location_id=location_id, limit=50)
    )
    wanted = number.casefold()
    return next((lot for lot in page.data if (lot.number or "").casefold() == wanted), None)


async def resolve_scan(backend: Backend, scan: Scan, location: Location | None) -> ScanMatch:
    """Item by GTIN (with its lot when the scan carries one), else by SKU, else a bin of this
    location, else a lot number."""
    if not scan.text:
        return ScanMatch(scan)
    if scan.gtin:
        item = None
        for gtin in scan.gtins:  # a UPC-E that is also a valid GTIN-8: the likelier first
            if item := await backend.find_item(gtin):
                break
        lot = await find_lot(backend, scan.lot, item.id) if item and scan.lot else None
        # a lost separator glued fields onto the lot; a lot of that number on record settles it
        doubt = scan.suspect if scan.suspect and lot is None else None
        return ScanMatch(scan, item=item, lot=lot, doubt=doubt)
    if scan.sscc:
        return ScanMatch(scan)
    if item := await backend.find_item(scan.text):
        return ScanMatch(scan, item=item)
    if layout := find_bin(location, scan.text):
        return ScanMatch(scan, layout=layout)
    if lot := await find_lot(backend, scan.text):
        return ScanMatch(scan, item=await backend.get_item(lot.item_id), lot=lot)
    return ScanMatch(scan)


class KnownItems:
    """Items by id, fetched once per screen (lots and order lines name only their item's id),
    and their codes: a scan of one of them is resolved here, at scanner speed and while the
    backend is away, without asking it."""

    def __init__(self) -> None:
        self._items: dict[str, Item | None] = {}
        self._by_gtin: dict[str, Item] = {}
        self._by_sku: dict[str, Item] = {}

    def get(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def name(self, item_id: str) -> str:
        item = self._items.get(item_id)
        return item.name if item else item_id

    def remember(self, item: Item) -> None:
        self._items[item.id] = item
        if code := gtin14(item.gtin):
            self._by_gtin[code] = item
        if item.sku:
            self._by_sku[item.sku.casefold()] = item

    def known(self, scan: Scan) -> Item | None:
        """The item a scan names by GTIN or SKU, if it is one of these."""
        if scan.gtin:
            return next((self._by_gtin[g] for g in scan.gtins if g in self._by_gtin), None)
        return self._by_sku.get(scan.text.casefold())

    async def fetch(self, backend: Backend, item_ids: set[str]) -> None:
        missing = [i for i in item_ids if i not in self._items]

        async def one(item_id: str) -> None:
            try:
                self.remember(await backend.get_item(item_id))
            except NotFound:
                self._items[item_id] = None

        await asyncio.gather(*(one(i) for i in missing))
