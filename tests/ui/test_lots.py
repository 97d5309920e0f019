"""The lot browser as an operator uses it: browse by expiry, narrow, scan, create, edit."""

from __future__ import annotations

from typing import Any

from console.domain.errors import Conflict, FieldError, OutcomeUnknown
from console.domain.gtin import gtin14
from console.domain.queries import LotQuery
from console.ui.screens.dialogs import Confirm, ItemPicker
from console.ui.screens.lots import LotDetailScreen, LotFormScreen, LotsScreen
from tests.contract.world import MILK, MILK_GTIN12, RENO, TAPE
from tests.ui.conftest import cells, message, open_lots, press, scan, settle, static_text

MILK_14 = gtin14(MILK_GTIN12)
GS = "\x1d"


def lot_rows(app: Any) -> list[list[str]]:
    return cells(app, "#lot-table")


def numbers(app: Any) -> list[str]:
    return [row[1] for row in lot_rows(app)]


async def lots_of_milk(backend: Any) -> dict[str, Any]:
    page = await backend.inner.list_lots(LotQuery(item_id=MILK, limit=100))
    return {lot.number: lot for lot in page.data}


async def test_lots_here_first_to_expire_first_with_markers_that_need_no_colour(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        rows = lot_rows(app)
        # Gloves' lot is at another location; the expired one first, then soon, then later
        assert numbers(app) == ["L-100", "L-200", "L-300"]
        assert [row[0] for row in rows] == ["✖", "!", ""]
        assert rows[0][4:6] == ["2026-09-18", "3 d ago"]
        assert rows[1][5] == "in 5 d"
        assert "3 lots" in static_text(app, "#summary")
        assert (
            static_text(app, "#lot-line")
            == "4/4 available · 0 reserved · 0 defective · Organic Oat Milk 1 L"
        )


async def test_expiry_status_and_number_filters_narrow_the_list(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await press(pilot, "ctrl+e")
        await settle(pilot)
        assert numbers(app) == ["L-100"]
        await press(pilot, "ctrl+e")
        await settle(pilot)
        assert numbers(app) == ["L-200"], "expiring within 30 days, not already expired"
        await press(pilot, "ctrl+e", "ctrl+t")
        await settle(pilot)
        assert numbers(app) == ["L-200", "L-300"], "status available"
        await press(pilot, "ctrl+x")
        await settle(pilot)
        await press(pilot, *"mfr-77")
        await settle(pilot)
        assert numbers(app) == ["L-100"], "search by manufacturer number"
        await press(pilot, "ctrl+o")
        await settle(pilot)
        assert "by lot number" in static_text(app, "#summary")


async def test_the_soon_window_is_a_remembered_setting(make_app, memory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await press(pilot, "ctrl+w", "ctrl+w", "ctrl+w")  # 30 -> 60 -> 90 -> 7
        await settle(pilot)
        assert memory.setting("soon_days", 0) == 7
        assert [row[0] for row in lot_rows(app)] == ["✖", "!", ""]  # L-200 is 5 days out
        await press(pilot, "ctrl+w", "ctrl+w", "ctrl+w", "ctrl+w")  # 14, 30, 60, 90
        await settle(pilot)
        assert memory.setting("soon_days", 0) == 90


async def test_scanning_an_item_narrows_to_its_lots_and_a_case_label_opens_its_lot(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lots = await open_lots(pilot)
        await scan(pilot, MILK_GTIN12)
        assert lots.filter.item_id == MILK
        assert numbers(app) == ["L-100", "L-200", "L-300"]
        await scan(pilot, f"]C101{MILK_14}17271231{GS}10L-200")
        screen = app.screen
        assert isinstance(screen, LotDetailScreen)
        assert screen.lot.number == "L-200"
        fields = static_text(app, "#lot-fields")
        assert "L-200" in fields and "in 5 d" in fields and "Defective" in fields


async def test_a_case_label_whose_lot_is_not_on_record_offers_to_create_it(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await scan(pilot, f"]C101{MILK_14}17281231{GS}10NEW-9")
        assert isinstance(app.screen, Confirm)
        assert "NEW-9 is not on record" in str(app.screen.query_one(".dialog-body").render())
        assert "Expires 2028-12-31" in str(app.screen.query_one(".dialog-body").render())
        await press(pilot, "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LotFormScreen)
        assert form.query_one("#f-number").value == "NEW-9"
        assert form.query_one("#f-expires_at").value == "2028-12-31"
        await press(pilot, *["tab"] * 7, *"12")  # from Bin to Total
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotDetailScreen)
        assert "created" in message(app)
        created = (await lots_of_milk(backend))["NEW-9"]
        assert (created.total_qty, created.location_id) == (12, RENO)
        assert created.expires_at == 1_861_833_600  # 2028-12-31 00:00 UTC
        assert backend.count("create_lot") == 1


async def open_l300_form(pilot: Any) -> LotFormScreen:
    await open_lots(pilot)
    await press(pilot, *"L-300")
    await settle(pilot)
    await press(pilot, "enter")  # the field's Enter: an exact lot number opens it
    await settle(pilot)
    assert isinstance(pilot.app.screen, LotDetailScreen)
    await press(pilot, "ctrl+e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, LotFormScreen)
    return form


async def test_edit_sends_only_what_changed(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_l300_form(pilot)
        await press(pilot, "tab", *"MFR-9", "enter")  # Lot number -> Manufacturer
        await settle(pilot)
        assert isinstance(app.screen, LotDetailScreen)
        assert "MFR-9" in static_text(app, "#lot-fields")
        (call,) = [c for c in backend.calls if c[0] == "update_lot"]
        assert call[1][1] == {"manufacturer_number": "MFR-9"}
        assert (await lots_of_milk(backend))["L-300"].manufacturer_number == "MFR-9"


async def test_bad_input_is_named_and_nothing_is_sent(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_l300_form(pilot)
        for field, typed, named in (
            ("total_qty", "5x", "total_qty"),
            ("total_qty", "-3", "total_qty"),
            ("expires_at", "31/12/2027", "expires_at"),
            ("status", "lost", "status"),
            ("available_qty", "99", "total_qty"),  # more available than the lot holds
        ):
            before = form.query_one(f"#f-{field}").value
            form.query_one(f"#f-{field}").value = typed
            await press(pilot, "enter")
            await settle(pilot)
            assert named in message(app), (typed, message(app))
            assert isinstance(app.screen, LotFormScreen)
            form.query_one(f"#f-{field}").value = before
        assert backend.count("update_lot") == 0
        assert (await lots_of_milk(backend))["L-300"].total_qty == 8


async def test_a_refused_edit_shows_the_reason_and_changes_nothing(make_app, backend) -> None:
    async def refuse(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Conflict("Lot L-300 is locked by a stock count.", [FieldError("status", "locked")])

    backend.hooks["update_lot"] = refuse
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_l300_form(pilot)
        form.query_one("#f-status").value = "quarantined"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotFormScreen)
        assert "locked by a stock count" in message(app)
        assert (await lots_of_milk(backend))["L-300"].status == "available"


async def test_a_lost_answer_is_checked_not_resent(make_app, backend) -> None:
    async def lose(real: Any, *args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)
        raise OutcomeUnknown("The connection dropped before the answer arrived.")

    backend.hooks["update_lot"] = lose
    backend.keys_honoured = False  # a backend that may apply a repeat twice
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_l300_form(pilot)
        form.query_one("#f-total_qty").value = "9"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotDetailScreen), "re-read showed it was applied"
        assert backend.count("update_lot") == 1
        assert (await lots_of_milk(backend))["L-300"].total_qty == 9


async def test_lot_numbers_with_markup_are_shown_literally(make_app, backend) -> None:
    await backend.inner.create_lot(
        {"item_id": MILK, "location_id": RENO, "number": "[b]X[/b]", "total_qty": 1}
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        assert "[b]X[/b]" in numbers(app)


async def test_typing_an_items_name_narrows_to_its_lots(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lots = await open_lots(pilot)
        await press(pilot, *"oat milk", "enter")
        await settle(pilot)
        assert lots.filter.item_id == MILK, "one item matches the name: narrowed at once"
        assert numbers(app) == ["L-100", "L-200", "L-300"]
        assert "Organic Oat Milk" in static_text(app, "#summary")
        await press(pilot, "ctrl+x", *"L-2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen), "a lot number is searched, not a name"
        assert numbers(app) == ["L-200"]


async def test_a_name_several_items_share_offers_a_choice(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lots = await open_lots(pilot)
        await press(pilot, *"gloves tape", "enter")  # no lot number has these words
        await settle(pilot)
        assert isinstance(app.screen, ItemPicker)
        await press(pilot, "escape")
        await settle(pilot)
        assert lots.filter.item_id is None, "Esc leaves the list as it was"
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "down", "enter")
        await settle(pilot)
        assert lots.filter.item_id == TAPE
        assert "No lots match." in static_text(app, "#lot-line")
