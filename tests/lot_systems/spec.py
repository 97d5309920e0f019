"""One set of lots, the same for every lot system, each written in that system's own terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.models import Item, Location, Lot
from tests.byrd_server import WAREHOUSES, ByrdWorld


@dataclass(frozen=True)
class SpecItem:
    key: str
    name: str
    gtin14: str
    case_barcode: str | None = None  # byrd: a packaging unit's barcode


@dataclass(frozen=True)
class SpecLot:
    number: str
    item: str
    expires: date | None
    qty: int
    second_status: bool = False  # the backend's second lot status (quarantined, published…)


OAT = SpecItem("oat", "Organic oat drink 1 l", "09506000134352", "19506000134359")
TEA = SpecItem("tea", "Green tea, 20 bags", "05012345678900")
ITEMS = (OAT, TEA)
LOTS = (
    SpecLot("LA-100", "oat", date(2030, 1, 10), 40),
    SpecLot("LA-200", "oat", date(2030, 3, 1), 25, second_status=True),
    SpecLot("LB-300", "tea", date(2029, 12, 1), 10),
    SpecLot("LB-400", "tea", None, 5),
    SpecLot("LB-500", "tea", date(2030, 2, 15), 30, second_status=True),
)
FEFO = ["LB-300", "LA-100", "LB-500", "LA-200", "LB-400"]  # the undated last
CREATED = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def epoch(day: date | None) -> int | None:
    return None if day is None else int(datetime(*day.timetuple()[:3], tzinfo=UTC).timestamp())


def memory_world() -> MemoryWarehouse:
    """The lots as a PackageX-style warehouse keeps them: at one location."""
    items = [
        Item(id=f"item_{i.key}", name=i.name, sku=f"SKU-{i.key.upper()}", gtin=i.gtin14[1:])
        for i in ITEMS
    ]
    lots = [
        Lot(
            id=f"lot_{n}",
            number=spec.number,
            item_id=f"item_{spec.item}",
            location_id="loc_main",
            status="quarantined" if spec.second_status else "available",
            expires_at=epoch(spec.expires),
            total_qty=spec.qty,
            available_qty=spec.qty,
            created_at=int(CREATED.timestamp()) + n * 3600,
        )
        for n, spec in enumerate(LOTS)
    ]
    return MemoryWarehouse(locations=[Location(id="loc_main", name="Main")], items=items, lots=lots)


def directus_records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Products and lots as the traceability collections hold them."""
    products = [{"id": f"/01/{i.gtin14}", "product_name": i.name, "gtin": i.gtin14} for i in ITEMS]
    by_key = {i.key: i for i in ITEMS}
    lots = [
        {
            "lot_number": spec.number,
            "product": f"/01/{by_key[spec.item].gtin14}",
            "expiry_date": spec.expires.isoformat() if spec.expires else None,
            "quantity": spec.qty,
            "uom": "EA",
            "status": "published" if spec.second_status else "draft",
        }
        for spec in LOTS
    ]
    return products, lots


def byrd_world(**options: Any) -> ByrdWorld:
    """Products with their barcodes and lots with stock in byrd's two warehouses."""
    world = ByrdWorld(**options)
    stamp = CREATED.isoformat()
    for item in ITEMS:
        units = [{"barcodeValue": item.case_barcode, "active": True, "quantity": 12}]
        world.products.append(
            {
                "id": f"prod-{item.key}",
                "name": item.name,
                "sku": f"SKU-{item.key.upper()}",
                "ean": item.gtin14[1:],
                "upc": None,
                "barcode": None,
                "packagingUnits": units if item.case_barcode else [],
                "physicalStock": 0,
                "reservedStock": 0,
                "availableStock": 0,
                "stocksByWarehouse": {},
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        )
    for n, spec in enumerate(LOTS):
        first = spec.qty - spec.qty // 3
        stock = [
            {**WAREHOUSES[0], "physicalStock": first, "reservedStock": 1},
            {**WAREHOUSES[1], "physicalStock": spec.qty - first, "reservedStock": 0},
        ]
        made = datetime.fromtimestamp(CREATED.timestamp() + n * 3600, UTC).isoformat()
        world.lots.append(
            {
                "id": f"lot-{n}",
                "lotNumber": spec.number,
                "expiryDate": spec.expires.isoformat() if spec.expires else None,
                "notBefore": None,
                "notAfter": None,
                "physicalStock": spec.qty,
                "reservedStock": 1,
                "activated": not spec.second_status,
                "productID": f"prod-{spec.item}",
                "createdAt": made,
                "updatedAt": made,
                "warehouses": stock,
            }
        )
    return world
