"""The shell: function keys, help, location choice, start-up faults, untrusted text, the bell."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.color import Color
from textual.widgets import DataTable

from console.domain.errors import Unavailable
from console.domain.models import Item, Level
from console.ui.app import WarehouseApp
from console.ui.screens.adjust import AdjustScreen
from console.ui.screens.dialogs import HelpScreen, LocationPicker, StartupProblem
from console.ui.screens.item import ItemScreen
from console.ui.screens.lots import LotsScreen
from console.ui.screens.pickpack import PickPackScreen
from console.ui.screens.search import SearchScreen
from console.ui.text import clean, marked, plain
from console.ui.widgets import HeaderBar, KeysLine
from tests.contract.world import COLUMBUS, RENO
from tests.ui.conftest import cells, message, press, scan, settle, shown_text, static_text


async def test_function_keys_switch_screens_and_escape_goes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, kind in (
            ("f3", AdjustScreen),
            ("f4", LotsScreen),
            ("f5", PickPackScreen),
            ("f2", SearchScreen),
        ):
            await press(pilot, key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
        await scan(pilot, "PK-TAPE-48")
        assert isinstance(app.screen, ItemScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, SearchScreen)


async def test_header_shows_backend_and_location(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = str(app.screen.query_one(HeaderBar).render())
        assert "test" in header
        assert "Reno DC" in header
        assert "Item search" in header


async def test_help_lists_the_keys_of_the_current_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = shown_text(app, ".dialog-body")
        for words in ("Damaged", "Move", "Undo", "Qty type", "Find", "Ctrl+P"):
            assert words in text
        await press(pilot, "escape")
        assert isinstance(app.screen, AdjustScreen)


def keys_line(app: WarehouseApp) -> str:
    return app.screen.query_one(KeysLine).render().plain


async def test_the_keys_line_keeps_the_screens_own_keys_in_80_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # the search screen's keys and every screen's keys fit with their words
        assert keys_line(app) == (
            "^n New item ^o Sort f1 Help f2 Find f3 Adjust f4 Lots f5 Pick f6 Receive f9 Site"
        )
        await press(pilot, "f3")
        await settle(pilot)
        # short of room: the keys of every screen lose their words, this screen's keep theirs
        assert keys_line(app) == (
            "^d Damaged ^t Qty type ^b Move ^z Undo f1 Help f2 f3 f4 f5 f6 f9"
        )
    wide = make_app()
    async with wide.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        assert keys_line(wide).endswith(
            "^z Undo f1 Help f2 Find f3 Adjust f4 Lots f5 Pick f6 Receive f9 Site"
        )


async def test_a_click_on_a_key_in_the_keys_line_does_what_the_key_does(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        column = keys_line(app).index("f4 Lots")
        await pilot.click(KeysLine, offset=(column + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)


async def test_a_theme_change_restyles_the_screens_shown_before_it(make_app) -> None:
    """Screens are counted as styled when made, sparing a reparse of all CSS each; a theme
    chosen later still reaches a screen that was out of view meanwhile."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        dark = app.screen.styles.background
        await press(pilot, "f2")
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        assert isinstance(app.screen, AdjustScreen)
        assert app.screen.styles.background != dark
        assert app.screen.styles.background == Color.parse(app.get_css_variables()["background"])


async def test_a_table_redraws_its_rows_at_a_new_terminal_size(make_app) -> None:
    """Tables skip a redraw for a size they were already drawn at; a real resize still shows
    every row at the new width."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "PK-TAPE-48")
        table = app.screen.query_one("#levels", DataTable)
        narrow = table.size.width
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert table.size.width > narrow
        drawn = [table.render_line(y) for y in range(table.size.height)]
        assert {line.cell_length for line in drawn} == {table.size.width}


async def test_first_start_asks_for_the_location_and_remembers_it(backend, memory, clock) -> None:
    app = WarehouseApp(backend, memory=memory, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LocationPicker)
        assert cells(app, "#choices") == [["Columbus FC", "1"], ["Reno DC", "3"]]
        await press(pilot, "down", "enter")
        await settle(pilot)
        assert app.location is not None and app.location.id == RENO
    assert memory.location_for("test") == RENO
    again = WarehouseApp(backend, memory=memory, clock=clock)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, SearchScreen)
        assert again.location is not None and again.location.id == RENO


@pytest.mark.parametrize("answer_after", [0.0, 0.3])
async def test_start_looks_up_locations_once_and_searches_once(
    make_app, backend, monkeypatch, clock, answer_after: float
) -> None:
    """The location look-up goes out before the first screen is composed. Whether its answer
    comes before the screen is up (the demo) or after (a slow API), the results are shown for
    that location, from one look-up and one search."""

    async def slow(real: Any, *args: Any, **kwargs: Any) -> Any:
        await clock.sleep(answer_after)
        return await real(*args, **kwargs)

    backend.hooks["list_locations"] = slow
    located_at_mount: list[bool] = []
    mount = SearchScreen.on_mount

    def on_mount(screen: SearchScreen) -> None:
        located_at_mount.append(screen.location is not None)
        mount(screen)

    monkeypatch.setattr(SearchScreen, "on_mount", on_mount)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, 0.3 + answer_after)
        # the quick answer was there before the screen; the slow one came after it
        assert located_at_mount == [answer_after == 0]
        assert isinstance(app.screen, SearchScreen)
        assert "Reno DC" in str(app.screen.query_one(HeaderBar).render())
        # the catalogue by name, with the stock at Reno (the gloves are all in Columbus)
        assert [(row[0], row[3]) for row in cells(app, "#results")] == [
            ("Nitrile Gloves Large", "0"),
            ("Organic Oat Milk 1 L", "20"),
            ("Packing Tape 48 mm", "0"),
            ("Stainless Hex Bolt M8x40", "15"),
        ]
        assert (backend.count("list_locations"), backend.count("list_items")) == (1, 1)


async def test_f9_changes_location_and_stock_figures_follow(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *"gloves")
        await settle(pilot)
        assert cells(app, "#results")[0][3] == "0"  # none in Reno
        await press(pilot, "f9")
        await settle(pilot)
        await press(pilot, "up", "enter")
        await settle(pilot)
        assert app.location is not None and app.location.id == COLUMBUS
        assert "Columbus FC" in str(app.screen.query_one(HeaderBar).render())
        assert cells(app, "#results")[0][3] == "100"


async def test_unreachable_backend_at_start_is_a_message_not_a_traceback(
    backend, memory, clock
) -> None:
    async def down(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unavailable("Cannot connect to api.example.com: connection refused.")

    backend.hooks["list_locations"] = down
    app = WarehouseApp(backend, memory=memory, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartupProblem)
        body = " ".join(str(w.render()) for w in app.screen.query(".dialog-body"))
        assert "connection refused" in body
        backend.hooks.clear()
        await press(pilot, "enter")  # retry, now that it answers
        await settle(pilot)
        assert isinstance(app.screen, LocationPicker)


async def test_unreachable_backend_quit_exits_cleanly(backend, memory, clock) -> None:
    async def down(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unavailable("Cannot connect.")

    backend.hooks["list_locations"] = down
    app = WarehouseApp(backend, memory=memory, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot, 0)
    assert app.return_value == 1


HOSTILE = "Shelf [A1] [/x] [b [link=http://x]y [bold]Z\x1b]52;c;aGk=\x07\x1b[2J\x1b]0;owned\x07\u202eEND\x07"


def test_clean_keeps_brackets_and_drops_controls_and_escapes() -> None:
    assert clean(HOSTILE) == "Shelf [A1] [/x] [b [link=http://x]y [bold]ZEND"
    assert plain("[b]x[/b]").plain == "[b]x[/b]"
    text = marked("<mark>Shelf</mark> [A1] [/x]")
    assert text.plain == "Shelf [A1] [/x]"
    assert [(s.start, s.end) for s in text.spans] == [(0, 5)]


async def test_hostile_names_show_literally_everywhere(make_app, backend) -> None:
    item: Item = await backend.inner.create_item({"name": HOSTILE, "sku": "EVIL-[1]"})
    await backend.inner.update_item(
        item.id, {"levels": [{"location_id": RENO, "layout_id": "lay_bracket", "verified_qty": 3}]}
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *"shelf")
        await settle(pilot)
        first = cells(app, "#results")[0]
        assert first[0] == clean(HOSTILE)
        assert first[1] == "EVIL-[1]"
        await scan(pilot, "EVIL-[1]")
        assert isinstance(app.screen, ItemScreen)
        assert static_text(app, "#item-title") == clean(HOSTILE)
        assert cells(app, "#levels")[0][1] == "Shelf [A1]"
        await press(pilot, "f3")
        await settle(pilot)
        assert cells(app, "#bins")[0][0] == "Shelf [A1]"
        rendered = app.export_screenshot()
        assert "\x1b]52" not in rendered and "owned" not in rendered


async def test_bell_rings_on_refusal_and_can_be_turned_off(make_app) -> None:
    app = make_app()
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "NOTHING-HERE-1")
        assert len(rings) == 1
        await press(pilot, "f10")
        assert "Bell off" in message(app)
        await scan(pilot, "NOTHING-HERE-2")
        assert len(rings) == 1


def test_level_text_is_never_markup() -> None:
    level = Level(id="lvl_1", location_id="l", layout_name="[red]A1[/red]")
    assert isinstance(plain(level.layout_name), Text)
    assert plain(level.layout_name).plain == "[red]A1[/red]"
