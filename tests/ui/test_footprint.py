"""A console used all shift does not grow: what a closed screen drew is let go."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.widget import Widget

import console.ui.app as app_module
from console import collector
from console.domain.scan import interpret, load_gs1_tables
from console.ui.app import WarehouseApp
from console.ui.screens.dialogs import LocationPicker
from console.ui.screens.item import ItemScreen
from console.ui.screens.search import SearchScreen
from tests.contract.world import BOLT_GTIN13, MILK_GTIN12
from tests.ui.conftest import settle


async def look_ups(pilot: Any, rounds: int) -> None:
    for _ in range(rounds):
        for words in ("bolt", "oat milk"):
            pilot.app.screen.query_one("#find").focus()
            await pilot.press("ctrl+u", *words)
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, ItemScreen)
            await pilot.press("escape")
            await settle(pilot, 0.1)


def left_behind() -> tuple[int, int]:
    """Widgets no longer on any screen, and render caches, still alive."""
    gc.collect()
    objects = gc.get_objects()
    gone = sum(1 for o in objects if isinstance(o, Widget) and not o.is_attached)
    caches = sum(1 for o in objects if isinstance(o, StylesCache))
    return gone, caches


async def test_item_look_ups_leave_nothing_behind(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await look_ups(pilot, 2)  # every kind of screen and dialog drawn once
        gone, caches = left_behind()
        await look_ups(pilot, 5)
        assert isinstance(app.screen, SearchScreen)
        gone_after, caches_after = left_behind()
        # before the footprint fixes: +50 footer keys and +100 render caches per look-up
        assert gone_after <= gone + 5
        assert caches_after <= caches + 20


def test_scans_read_the_same_once_the_unread_gs1_table_is_released() -> None:
    load_gs1_tables()
    load_gs1_tables()  # a second call (the idle load after a first scan) is harmless
    label = interpret(f"]C101{BOLT_GTIN13.zfill(14)}17281231\x1d10LOT-7\x1d3012")
    assert (label.gtin, label.lot, label.count) == (BOLT_GTIN13.zfill(14), "LOT-7", 12)
    assert label.expires_at is not None
    assert interpret(f"(01){MILK_GTIN12.zfill(14)}(10)A1").lot == "A1"
    link = interpret(f"https://id.example.com/01/{BOLT_GTIN13.zfill(14)}/10/L9")
    assert (link.gtin, link.lot) == (BOLT_GTIN13.zfill(14), "L9")


async def test_gs1_tables_load_only_while_the_keyboard_is_quiet(make_app, monkeypatch) -> None:
    """Loading them holds the console ~0.1 s: never between the keys of someone typing."""
    loads: list[int] = []
    monkeypatch.setattr(app_module, "load_gs1_tables", lambda: loads.append(1))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for char in "stainless hex bolt m8":  # a hand typing for ~1.5 s, past the first second
            await pilot.press(char)
            await asyncio.sleep(0.07)
            assert loads == []
        await asyncio.sleep(app_module.SETTLE_QUIET * 3)
        assert loads == [1]


@pytest.fixture
def paused_for_start_up(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The collector as `warehouse-console` leaves it for start-up; settling is called by the
    test, not by the timer."""
    monkeypatch.setattr(app_module, "SETTLE_AFTER", 600.0)
    was_on = gc.isenabled()
    gc.enable()
    collector.pause_for_start_up()
    try:
        yield
    finally:
        gc.unfreeze()
        collector.end_start_up_pause()
        (gc.enable if was_on else gc.disable)()


async def test_the_collector_is_back_on_and_start_up_frozen_once_the_console_settles(
    make_app, paused_for_start_up: None
) -> None:
    """Left off, a console used all shift would keep every cycle of objects it ever dropped."""
    frozen = gc.get_freeze_count()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not gc.isenabled()  # the first screen is up, the console not yet settled
        app._settle_after_start()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen


async def test_a_question_open_as_the_console_settles_is_not_frozen(
    backend, memory, paused_for_start_up: None
) -> None:
    """Frozen, a dialog would never be freed once answered: its widgets refer to each other."""
    frozen = gc.get_freeze_count()
    app = WarehouseApp(backend, memory=memory)  # first start: which location?
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LocationPicker)
        app._settle_after_start()
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen
        await pilot.press("enter")
        await settle(pilot)
        assert app.location is not None
