"""The console on fixed demo data, and the scenes that snapshots and screenshots show."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from console.backends.memory.warehouse import MemoryWarehouse
from console.services.clock import ManualClock
from console.ui.app import WarehouseApp
from console.ui.state import Memory
from tests.ui.conftest import press, settle

FIXED_NOW = 1_790_000_000  # 2026-09-21: expiry and due times never depend on the day
DEMO_ITEMS = 400
LOCATION_NAME = "Reno DC"

Scene = Callable[[Pilot[Any]], Awaitable[None]]


def demo_app(state_dir: Path, scene: str = "") -> WarehouseApp:
    """The console on the demo warehouse; for a `byrd-` scene, on the byrd-shaped server's
    demo account (in this process, no network)."""
    clock = ManualClock(now=FIXED_NOW, monotonic=time.monotonic(), fixed_now=True)
    backend: Any
    if scene.startswith("byrd-"):
        import httpx

        from console.backends.byrd import ByrdBackend
        from tests.byrd_server import API_KEY, API_SECRET, build_app, demo_world

        today = dt.datetime.fromtimestamp(FIXED_NOW, dt.UTC).date()
        server = httpx.ASGITransport(app=build_app(demo_world(today=today)))
        backend = ByrdBackend("https://api.getbyrd.com/v2", API_KEY, API_SECRET, transport=server)
    else:
        backend = MemoryWarehouse.demo(items=DEMO_ITEMS, seed=7, now=FIXED_NOW)
    # no flash: a picture shows the message line as it settles, whatever the machine's speed
    return WarehouseApp(backend, bell=False, flash=False, memory=Memory(state_dir), clock=clock)


async def choose_location(pilot: Pilot[Any]) -> None:
    """First start: pick the demo location in the picker, as an operator would."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, WarehouseApp)
    if app.location is not None:
        return  # a backend with one location (a lot system): nothing to choose
    names = [loc.name for loc in app.locations]
    for _ in range(names.index(LOCATION_NAME)):
        await press(pilot, "down")
    await press(pilot, "enter")
    await settle(pilot)


async def search_bolt(pilot: Pilot[Any]) -> None:
    await choose_location(pilot)
    await press(pilot, *"stainles bolt")
    await settle(pilot)


async def open_first_item(pilot: Pilot[Any]) -> None:
    await search_bolt(pilot)
    await press(pilot, "down", "enter")
    await settle(pilot)


async def adjust_with_preview(pilot: Pilot[Any]) -> None:
    await open_first_item(pilot)
    await press(pilot, "f3")
    await settle(pilot)
    await press(pilot, *"+5")
    await settle(pilot)


def after_location(*pressed: str) -> Scene:
    async def run(pilot: Pilot[Any]) -> None:
        await choose_location(pilot)
        await press(pilot, *pressed)
        await settle(pilot)

    return run


async def lot_detail(pilot: Pilot[Any]) -> None:
    await choose_location(pilot)
    await press(pilot, "f4")
    await settle(pilot)
    await press(pilot, "down", "down", "enter")
    await settle(pilot)


async def open_order(pilot: Pilot[Any], status: str) -> None:
    """F5, then the first order in the queue with this status."""
    await choose_location(pilot)
    await press(pilot, "f5")
    await settle(pilot)
    rows = pilot.app.screen.rows  # type: ignore[attr-defined]
    index = next(i for i, ful in enumerate(rows) if ful.status == status)
    for _ in range(index):
        await press(pilot, "down")
    await press(pilot, "enter")
    await settle(pilot)


async def picking(pilot: Pilot[Any]) -> None:
    """An order half way through: its first line's item scanned once."""
    await open_order(pilot, "created")
    screen: Any = pilot.app.screen
    first = screen.names.get(screen._shown_ids[0])
    await press(pilot, *(first.gtin or first.sku), "enter")
    await settle(pilot)


async def packing(pilot: Pilot[Any]) -> None:
    """An order picked by typed quantities, a parcel opened (sizes from the items) and
    everything put in it."""
    await open_order(pilot, "created")
    screen: Any = pilot.app.screen
    for item_id in list(screen._shown_ids):
        line = screen.work.line(item_id)
        await press(pilot, "ctrl+u")
        await settle(pilot)
        await press(pilot, *str(line.qty), "enter")
        await settle(pilot)
        await press(pilot, "down")
    await settle(pilot)
    await press(pilot, "ctrl+n")
    await settle(pilot)
    await press(pilot, "enter")
    await settle(pilot)
    await press(pilot, "ctrl+a")
    await settle(pilot)


async def receiving(pilot: Pilot[Any]) -> None:
    """The first manifest on the inbound list accepted, a bin chosen and its first line's item
    scanned once."""
    await choose_location(pilot)
    await press(pilot, "f6")
    await settle(pilot)
    await press(pilot, "enter")
    await settle(pilot)
    screen: Any = pilot.app.screen
    if screen.work.status == "requested":
        await press(pilot, "ctrl+a")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
    await press(pilot, "ctrl+b")
    await settle(pilot)
    await press(pilot, "enter")
    await settle(pilot)
    first = screen.names.get(screen._shown_ids[0])
    await press(pilot, *(first.gtin or first.sku), "enter")
    await settle(pilot)


def with_steady_cursor(scene: Scene) -> Scene:
    """The scene, then the text cursor held steady: a blinking cursor is drawn or not depending
    on the instant of the picture, which made stored snapshots differ from run to run."""

    async def run(pilot: Pilot[Any]) -> None:
        await scene(pilot)
        # every screen on the stack: a dialog's picture shows the screen under it too
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
        await settle(pilot, 0)

    return run


SCENES: dict[str, Scene] = {
    "search": search_bolt,
    "item": open_first_item,
    "adjust": adjust_with_preview,
    "lots": after_location("f4"),
    "lot": lot_detail,
    "pickpack": after_location("f5"),
    "order": picking,
    "packing": packing,
    "receiving": after_location("f6"),
    "manifest": receiving,
    "help": after_location("f3", "f1"),
    "location": after_location("f9"),
    # the lots of a byrd account, with their stock per warehouse on the line below
    "byrd-lots": after_location("f4", "down", "down"),
}
SCREENS: dict[str, Scene] = {name: with_steady_cursor(scene) for name, scene in SCENES.items()}
