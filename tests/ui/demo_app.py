"""The console on fixed demo data: what snapshots and the README's screenshots show."""

from __future__ import annotations

from pathlib import Path

from console.backends.memory.warehouse import MemoryWarehouse
from console.ui.app import WarehouseApp
from console.ui.state import Memory

FIXED_NOW = 1_790_000_000  # 2026-09-21: expiry and due times never depend on the day
DEMO_ITEMS = 400
LOCATION_NAME = "Reno DC"


def demo_app(state_dir: Path) -> WarehouseApp:
    warehouse = MemoryWarehouse.demo(items=DEMO_ITEMS, seed=7, now=FIXED_NOW)
    reno = next(loc for loc in warehouse._locations.values() if loc.name == LOCATION_NAME)
    return WarehouseApp(warehouse, bell=False, location_id=reno.id, memory=Memory(state_dir))
