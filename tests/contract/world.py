"""A small warehouse the contract suite knows by heart, the same for every backend."""

from __future__ import annotations

from collections.abc import Callable

from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.models import Item, Layout, Level, Location, Lot, Manifest, ManifestLine

NOW = 1_790_000_000  # a fixed "now" (2026-09-21) so expiry and ordering never depend on the day
DAY = 86_400

RENO = "loc_reno"
COLUMBUS = "loc_col"
A1, A2, BRACKET, C1 = "lay_a1", "lay_a2", "lay_bracket", "lay_c1"

BOLT, MILK, GLOVES, TAPE = "item_bolt", "item_milk", "item_gloves", "item_tape"
BOLT_GTIN13 = "4006381333931"
MILK_GTIN12 = "036000291452"
MANIFEST = "mfst_inbound1"


def _level(lid: str, loc: str, lay: str | None, name: str | None, verified: int) -> Level:
    return Level(id=lid, location_id=loc, layout_id=lay, layout_name=name, verified_qty=verified)


def build_world(clock: Callable[[], float] = lambda: NOW) -> MemoryWarehouse:
    locations = [
        Location(
            id=RENO,
            name="Reno DC",
            layouts=[
                Layout(id=A1, name="A-01-01", path="A/01/01"),
                Layout(id=A2, name="A-01-02", path="A/01/02"),
                Layout(id=BRACKET, name="Shelf [A1]", path="B/01/01"),
            ],
        ),
        Location(
            id=COLUMBUS, name="Columbus FC", layouts=[Layout(id=C1, name="C-01-01", path="C/01/01")]
        ),
    ]
    items = [
        Item(
            id=BOLT,
            name="Stainless Hex Bolt M8x40",
            sku="HW-BOLT-M8-40",
            gtin=BOLT_GTIN13,
            created_at=NOW - 30 * DAY,
            levels=[
                _level("lvl_b1", RENO, A1, "A-01-01", 10),
                _level("lvl_b2", RENO, A2, "A-01-02", 5),
            ],
        ),
        Item(
            id=MILK,
            name="Organic Oat Milk 1 L",
            sku="FB-OAT-1L",
            gtin=MILK_GTIN12,
            created_at=NOW - 20 * DAY,
            metadata={"_search": "barista edition"},
            levels=[_level("lvl_m1", RENO, None, None, 20)],
        ),
        Item(
            id=GLOVES,
            name="Nitrile Gloves Large",
            sku="PH-GLV-L",
            created_at=NOW - 10 * DAY,
            levels=[_level("lvl_g1", COLUMBUS, C1, "C-01-01", 100)],
        ),
        Item(id=TAPE, name="Packing Tape 48 mm", sku="PK-TAPE-48", created_at=NOW - 5 * DAY),
    ]
    for item in items:
        item.total_verified = sum(lv.verified_qty for lv in item.levels)
    lots = [
        Lot(
            id="lot_far",
            number="L-300",
            item_id=MILK,
            location_id=RENO,
            expires_at=NOW + 400 * DAY,
            total_qty=8,
            available_qty=8,
            created_at=NOW - 3 * DAY,
        ),
        Lot(
            id="lot_expired",
            number="L-100",
            manufacturer_number="MFR-77",
            item_id=MILK,
            location_id=RENO,
            expires_at=NOW - 3 * DAY,
            total_qty=4,
            available_qty=4,
            status="expired",
            created_at=NOW - 9 * DAY,
        ),
        Lot(
            id="lot_soon",
            number="L-200",
            item_id=MILK,
            location_id=RENO,
            expires_at=NOW + 5 * DAY,
            total_qty=6,
            available_qty=5,
            defective_qty=1,
            created_at=NOW - 1 * DAY,
        ),
        Lot(
            id="lot_none",
            number="L-050",
            item_id=GLOVES,
            location_id=COLUMBUS,
            total_qty=50,
            available_qty=50,
            created_at=NOW - 2 * DAY,
        ),
    ]
    manifests = [
        Manifest(
            id=MANIFEST,
            order_number="PO-1001",
            location_id=RENO,
            estimated_delivery_at=NOW + DAY,
            inventory=[ManifestLine(item_id=BOLT, qty=12), ManifestLine(item_id=MILK, qty=6)],
        )
    ]
    return MemoryWarehouse(
        locations=locations, items=items, lots=lots, manifests=manifests, clock=clock
    )
