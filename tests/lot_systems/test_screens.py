"""The console on the other lot systems, as an operator uses it: what byrd does not offer shows
unavailable and says so in one line; F4 shows byrd's stock per warehouse; a Digital Link
scanned against a real Directus opens its lot, or creates it, and the lot is edited there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.domain.queries import LotQuery
from console.services.clock import ManualClock
from console.ui.app import WarehouseApp
from console.ui.screens.dialogs import Confirm, HelpScreen
from console.ui.screens.lots import LotDetailScreen, LotFormScreen
from console.ui.screens.search import SearchScreen
from console.ui.state import Memory
from console.ui.widgets import KeysLine
from tests.lot_systems import spec
from tests.lot_systems.conftest import byrd_backend, empty_and_fill
from tests.ui.conftest import (
    STUCK_AFTER,
    cells,
    message,
    open_lots,
    press,
    scan,
    settle,
    shown_text,
    static_text,
)

NOW = int(spec.CREATED.timestamp())  # 2026-06-01: every spec lot expires years later


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(now=NOW, monotonic=time.monotonic(), fixed_now=True)


def console(backend: Any, tmp_path: Path, clock: ManualClock) -> WarehouseApp:
    return WarehouseApp(backend, bell=True, memory=Memory(tmp_path), clock=clock)


@pytest.fixture
async def byrd(byrd_server: Any, tmp_path: Path) -> Any:
    backend = byrd_backend(byrd_server, spec.byrd_world(), tmp_path)
    yield backend
    await backend.aclose()


@pytest.fixture
async def directus(directus_instance: Any) -> Any:
    from console.backends.directus import DirectusBackend

    empty_and_fill(directus_instance)
    backend = DirectusBackend(directus_instance.url, directus_instance.token)
    yield backend
    await backend.aclose()


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Until the console shows `condition` (an answer over real HTTP may come after the
    console's own work has settled), failing after STUCK_AFTER seconds."""
    deadline = time.monotonic() + STUCK_AFTER
    while not condition():
        assert time.monotonic() < deadline, f"the console never showed {what}"
        await settle(pilot, 0.01)
        await asyncio.sleep(0.01)  # the answer is on its way over the loopback


def numbers(app: WarehouseApp) -> list[str]:
    return [row[1] for row in cells(app, "#lot-table")]


def shown_keys(app: WarehouseApp) -> dict[str, bool]:
    """Each key of the keys line, and whether it works."""
    line = app.screen.query_one(KeysLine)
    return {shown.display: shown.enabled for shown in line.keys()}  # noqa: SIM118 (not a dict)


async def test_what_byrd_does_not_offer_shows_unavailable_and_says_so(
    byrd: Any, tmp_path: Path, clock: ManualClock
) -> None:
    app = console(byrd, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        keys = shown_keys(app)
        assert (keys["f3"], keys["f5"], keys["f6"], keys["^n"]) == (False,) * 4
        assert (keys["f2"], keys["f4"]) == (True, True)
        await press(pilot, "f3")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen), "nothing opened"
        assert message(app) == "⚠ byrd offers no level adjustment."
        await press(pilot, "f6")
        await settle(pilot)
        assert message(app) == "⚠ byrd offers no receiving (inbound manifests)."
        await scan(pilot, "09506000999999")  # a GTIN byrd has no product for
        await until(pilot, lambda: "09506000999999" in message(app), "the unknown GTIN")
        assert "creates it" not in message(app), "byrd keeps no new items"
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "byrd offers no pick-pack (outbound orders)." in shown_text(app, "*")


async def test_byrd_lots_with_stock_per_warehouse_and_a_case_barcode_narrowing(
    byrd: Any, tmp_path: Path, clock: ManualClock
) -> None:
    app = console(byrd, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await until(pilot, lambda: numbers(app) == spec.FEFO, "the lots first to expire first")
        assert "Bin" not in [
            str(c.label) for c in app.screen.query_one("#lot-table").columns.values()
        ]
        assert static_text(app, "#lot-line") == "9/10 available · TST 6/7 1 rsv · TES 3/3 0 rsv"
        await press(pilot, "ctrl+n")
        await settle(pilot)
        assert message(app) == "⚠ byrd offers no lot changes."
        # a case label of a lot byrd does not list: said, and no form offered to create it
        await scan(pilot, f"https://id.gs1.org/01/{spec.OAT.gtin14}/10/LZ-999")
        await until(pilot, lambda: "LZ-999" in message(app), "the lot not on record")
        assert message(app) == (
            "⚠ byrd offers no lot changes: lot LZ-999 of Organic oat drink 1 l is not on record."
        )
        assert not isinstance(app.screen, Confirm | LotFormScreen)
        await scan(pilot, spec.OAT.case_barcode or "")
        await until(pilot, lambda: numbers(app) == ["LA-100", "LA-200"], "the oat drink's lots")
        assert "Lots of Organic oat drink 1 l." in message(app)
        await press(pilot, "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, LotDetailScreen), "the lot")
        fields = static_text(app, "#lot-fields")
        assert "TST 26/27 available, 1 reserved · DE - Demo" in fields
        assert "TES 13/13 available, 0 reserved · ES - Demo" in fields


async def test_a_digital_link_opens_its_lot_in_directus_or_creates_it_and_it_is_edited(
    directus: Any, tmp_path: Path, clock: ManualClock
) -> None:
    app = console(directus, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await until(pilot, lambda: numbers(app) == spec.FEFO, "the lots first to expire first")
        assert static_text(app, "#lot-line") == "10 EA · Green tea, 20 bags"
        await scan(pilot, "https://id.gs1.org/01/09506000134352/10/LA-200")
        await until(pilot, lambda: isinstance(app.screen, LotDetailScreen), "the lot")
        assert app.screen.lot.number == "LA-200"
        await press(pilot, "escape")
        await settle(pilot)
        link = "https://id.gs1.org/01/09506000134352/10/LN-7?17=301231"
        await scan(pilot, link)
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await press(pilot, "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LotFormScreen)
        assert not form.query("#f-bin") and not form.query("#f-reserved_qty")
        assert form.query_one("#f-digital_link").value == link
        assert form.query_one("#f-status").placeholder == "draft, published"
        form.query_one("#f-total_qty").focus()
        await press(pilot, *"18", "enter")
        await until(pilot, lambda: isinstance(app.screen, LotDetailScreen), "the new lot")
        made = (await directus.list_lots(LotQuery(search="LN-7"))).data
        assert [(lot.total_qty, lot.status, lot.digital_link) for lot in made] == [
            (18, "draft", link)
        ]
        await press(pilot, "ctrl+e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LotFormScreen)
        form.query_one("#f-status").value = ""
        form.query_one("#f-status").focus()
        await press(pilot, *"published", "enter")
        await until(pilot, lambda: "saved" in message(app), "the lot saved")
        assert (await directus.get_lot(made[0].id)).status == "published"
