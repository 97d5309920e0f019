"""Item search and scanning, as an operator does them."""

from __future__ import annotations

from typing import Any

from console.domain.errors import Unavailable
from console.ui.screens.item import ItemScreen
from console.ui.screens.search import SearchScreen
from console.ui.widgets import ScanField
from tests.contract.world import BOLT, BOLT_GTIN13, MILK_GTIN12, RENO
from tests.ui.conftest import cells, message, press, scan, settle, type_like_a_scanner, typed


async def test_typing_with_a_typo_finds_and_highlights(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *"stainles")
        await settle(pilot)
        rows = cells(app, "#results")
        assert rows[0][0] == "Stainless Hex Bolt M8x40"
        assert rows[0][1:] == ["HW-BOLT-M8-40", BOLT_GTIN13, "15", "15"]
        table = app.screen.query_one("#results")
        name_cell = table.get_row_at(0)[0]
        assert any("underline" in str(span.style) for span in name_cell.spans)


async def test_enter_on_typed_words_opens_the_highlighted_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for char in "oat milk":
            await press(pilot, char)
            await settle(pilot, 0.05)  # a hand, not a scanner
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.name == "Organic Oat Milk 1 L"


async def test_down_then_enter_opens_from_the_results(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # empty field: the catalogue by name
        await press(pilot, "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.name == "Organic Oat Milk 1 L"
        await press(pilot, "escape")
        assert isinstance(app.screen, SearchScreen)


async def test_fast_typing_sends_at_most_two_searches(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = backend.count("list_items")
        await typed(pilot, "stainless he", gap=0.005)  # 12 characters, 5 ms apart
        await settle(pilot)
        assert backend.count("list_items") - before <= 2
        assert app.screen.query_one("#results").row_count == 1
        assert cells(app, "#results")[0][0] == "Stainless Hex Bolt M8x40"


async def test_a_slow_old_answer_never_overwrites_a_newer_one(make_app, backend, clock) -> None:
    async def slow_for_gloves(real: Any, query: Any = None) -> Any:
        if query is not None and query.search == "gloves":
            await clock.sleep(0.6)
        return await real(query)

    backend.hooks["list_items"] = slow_for_gloves
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, *"gloves")
        await settle(pilot, 0.25)  # the slow search is under way
        for _ in "gloves":
            await press(pilot, "backspace")
        await press(pilot, *"tape")
        await settle(pilot, 1.0)
        await settle(pilot)
        assert [row[0] for row in cells(app, "#results")] == ["Packing Tape 48 mm"]


async def test_more_results_on_demand(make_app, backend) -> None:
    for n in range(60):
        await backend.inner.create_item({"name": f"Widget {n:02d}"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#results")
        assert table.row_count == 50
        await press(pilot, "ctrl+l")
        await settle(pilot)
        assert table.row_count == 64


async def test_scanning_a_gtin_opens_the_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT


async def test_scan_with_symbology_and_gtin12_padding(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "]E0" + "0" + MILK_GTIN12)
        assert app.screen.current_item.name == "Organic Oat Milk 1 L"


async def test_gs1_scan_with_gs_opens_the_item_with_its_lot(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "]C101" + "00" + MILK_GTIN12 + "10L-200\x1d17260926")
        assert isinstance(app.screen, ItemScreen)
        lots = app.screen.query_one("#lots")
        assert cells(app, "#lots")[lots.cursor_row][0] == "L-200"


async def test_gs1_scan_with_an_unknown_lot_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "(01)00" + MILK_GTIN12 + "(10)NOPE-9")
        assert isinstance(app.screen, ItemScreen)
        assert "Lot NOPE-9" in message(app) and "not on record" in message(app)


async def test_tab_and_lf_also_end_a_scan(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13, end="tab")
        assert app.screen.current_item.id == BOLT
        await press(pilot, "escape")
        await scan(pilot, "FB-OAT-1L", end="ctrl+j")
        assert app.screen.current_item.name == "Organic Oat Milk 1 L"


async def test_a_scan_that_matches_nothing_says_what_was_read(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "ZX-404-NOWHERE")
        assert isinstance(app.screen, SearchScreen)
        assert "ZX-404-NOWHERE" in message(app) and "no item" in message(app)
        await scan(pilot, "4006381333932")  # wrong check digit: not a GTIN, nothing matches
        assert "4006381333932" in message(app)


async def test_scan_works_while_the_results_table_has_focus(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down")
        assert app.focused is app.screen.query_one("#results")
        await scan(pilot, "HW-BOLT-M8-40")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT


async def test_scan_on_the_item_screen_opens_the_next_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        await scan(pilot, "PH-GLV-L")
        assert app.screen.current_item.name == "Nitrile Gloves Large"
        await press(pilot, "escape")
        assert isinstance(app.screen, SearchScreen)


async def test_scans_never_fire_bindings(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down")  # focus on the table, where letters would reach bindings
        await scan(pilot, "qQ jJ dD bB zZ ?/")
        assert isinstance(app.screen, SearchScreen)
        assert app.return_value is None and app.is_running


async def test_a_scan_arriving_all_at_once_on_the_table_opens_the_scanned_item(make_app) -> None:
    """Every key of the scan is queued before the first is handled (a busy console): the Enter
    that ends it must reach the scan field too, not open the highlighted row."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "down")  # the table has focus, Oat Milk highlighted
        await type_like_a_scanner(pilot, BOLT_GTIN13, gap=0)
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT


async def test_keys_typed_before_an_entry_is_taken_stay_in_the_field(make_app) -> None:
    """The next scan's first characters, typed while the screen was still busy with the last
    entry, survive the screen taking that entry out of the field."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.scan_field
        assert field is not None
        field.value = "oat milk"
        entry = ScanField.Entered(field, "oat milk")
        field.insert_text_at_cursor("]C1")  # handled before the screen's handler
        field.done_with(entry)
        assert field.value == "]C1"
        field.done_with(entry)  # the field no longer holds that entry: left as it is
        assert field.value == "]C1"


async def test_double_read_is_flagged_across_screens(make_app) -> None:
    app = make_app()
    seen: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        original = app.double_reads.seen

        def spy(value: str, at: float) -> bool:
            seen.append(original(value, at))
            return seen[-1]

        app.double_reads.seen = spy  # type: ignore[method-assign]
        # the same label read twice at once: both reads queued before the first is handled
        await type_like_a_scanner(pilot, BOLT_GTIN13, gap=0)
        await type_like_a_scanner(pilot, BOLT_GTIN13, gap=0)
        await settle(pilot, 0.5)
        await scan(pilot, BOLT_GTIN13)
    assert seen == [False, True, False]


async def test_backend_down_while_searching_keeps_the_screen(make_app, backend) -> None:
    async def down(real: Any, query: Any = None) -> Any:
        raise Unavailable("The warehouse API did not answer (connection refused).")

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        backend.hooks["list_items"] = down
        await press(pilot, *"bolt")
        await settle(pilot)
        assert "did not answer" in message(app)
        assert app.is_running
        backend.hooks.clear()
        await press(pilot, "backspace")
        await settle(pilot)
        assert cells(app, "#results")[0][0] == "Stainless Hex Bolt M8x40"
        assert app.location is not None and app.location.id == RENO


# -- a slow or failing server ------------------------------------------------------------------


def summary(app: Any) -> str:
    return str(app.screen.query_one("#summary").render())


async def test_a_slow_search_says_so_and_marks_the_rows_shown_as_old(make_app, backend) -> None:
    from tests.ui.conftest import clock_of

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        async def slow(real: Any, query: Any) -> Any:
            if query.search == "bolt":
                await clock_of(pilot).sleep(5.0)  # a server answering in 5 s
            return await real(query)

        backend.hooks["list_items"] = slow
        await typed(pilot, "bolt")
        await settle(pilot, 1.0)
        table = app.screen.query_one("#results")
        assert "“bolt”: searching…" in summary(app)
        assert table.has_class("-old")
        assert cells(app, "#results")[0][0] != "Stainless Hex Bolt M8x40"  # the old rows
        await settle(pilot, 5.0)
        assert cells(app, "#results")[0][0] == "Stainless Hex Bolt M8x40"
        assert not table.has_class("-old") and "searching" not in summary(app)


async def test_a_failed_search_is_said_and_the_next_answer_clears_it(make_app, backend) -> None:
    from console.domain.errors import Unavailable

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        async def down_for_bo(real: Any, query: Any) -> Any:
            if query.search == "bo":
                raise Unavailable("The API at test did not answer.")
            return await real(query)

        backend.hooks["list_items"] = down_for_bo
        await typed(pilot, "bo")
        await settle(pilot, 1.0)
        assert "did not answer" in message(app)
        assert "“bo”: not answered" in summary(app)
        await typed(pilot, "lt")
        await settle(pilot, 1.0)
        assert message(app) == ""
        assert cells(app, "#results")[0][0] == "Stainless Hex Bolt M8x40"
