"""Entries longer than any search the API accepts: a stuck key, a long Digital Link, a pasted
paragraph. Each is told apart from a search and never ends the console."""

from __future__ import annotations

from console.ui.screens.search import SearchScreen
from tests.ui.conftest import cells, message, open_lots, press, scan, settle

LONG = "x" * 240


async def test_typing_past_the_search_limit_says_so_and_keeps_the_results(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *LONG)
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, SearchScreen)
        assert "Search text too long (240 characters, at most 200)" in message(app)
        searched = [c[1][0].search for c in backend.calls if c[0] == "list_items"]
        assert searched and all(len(text or "") <= 200 for text in searched)
        # back under the limit, searching resumes
        await press(pilot, "ctrl+u", *"bolt")
        await settle(pilot)
        assert cells(app, "#results")[0][0] == "Stainless Hex Bolt M8x40"


async def test_a_long_scan_on_search_matches_nothing_and_says_what_was_read(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "https://id.example.com/" + "a" * 220)
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, SearchScreen)
        assert "nothing matches" in message(app).lower() or "no item" in message(app).lower()


async def test_a_long_entry_on_the_lots_screen_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await press(pilot, *LONG)
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert app.is_running
        assert "too long" in message(app)
