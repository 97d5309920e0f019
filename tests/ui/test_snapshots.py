"""Every screen at 80x24 and 120x40, on fixed demo data, compared with the stored pictures.

Update after a deliberate change with `python -m pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from console.ui.app import WarehouseApp
from tests.ui.conftest import settle
from tests.ui.demo_app import demo_app

SIZES = [(80, 24), (120, 40)]


async def search_bolt(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press(*"stainles bolt")
    await settle(pilot)


async def open_first_item(pilot: Pilot[Any]) -> None:
    await search_bolt(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)


async def adjust_with_preview(pilot: Pilot[Any]) -> None:
    await open_first_item(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press(*"+5")
    await settle(pilot)


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)

    return run


SCREENS: dict[str, Callable[[Pilot[Any]], Awaitable[None]]] = {
    "search": search_bolt,
    "item": open_first_item,
    "adjust": adjust_with_preview,
    "lots": keys("f4"),
    "pickpack": keys("f5"),
    "help": keys("f3", "f1"),
    "location": keys("f9"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    app: WarehouseApp = demo_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
