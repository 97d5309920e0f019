"""Items made on the spot: from search, from a scan no item matched, from receiving; and
corrected from the item screen. Checked before sending, sent once."""

from __future__ import annotations

from typing import Any

from console.domain.gtin import gtin14, with_check_digit
from console.domain.queries import ItemQuery
from console.ui.screens.item import ItemScreen
from console.ui.screens.item_form import ItemFormScreen
from console.ui.screens.receiving import ManifestScreen
from console.ui.widgets import FormFields
from tests.contract.world import BOLT_GTIN13
from tests.recording import answers_lost
from tests.ui.conftest import message, press, scan, settle, static_text
from tests.ui.test_receiving import open_manifest

NEW_GTIN = with_check_digit("501234567890")  # no item of the world has it


def form_of(app: Any) -> FormFields:
    assert isinstance(app.screen, ItemFormScreen), app.screen
    return app.screen.query_one(FormFields)


async def items_named(backend: Any, name: str) -> list[Any]:
    page = await backend.inner.list_items(ItemQuery(limit=250))
    return [item for item in page.data if item.name == name]


async def fill(pilot: Any, **typed: str) -> None:
    form = form_of(pilot.app)
    for key, text in typed.items():
        form.field(key).focus()
        form.field(key).value = ""
        await press(pilot, *text)
    await settle(pilot)


async def test_ctrl_n_in_search_creates_an_item_once_and_opens_it(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        await fill(pilot, name="Brass Hinge 75 mm", sku="BH-75", gtin=NEW_GTIN, packed_weight="0.4")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.name == "Brass Hinge 75 mm"
        assert "created" in message(app)
    (made,) = await items_named(backend, "Brass Hinge 75 mm")
    assert (made.sku, made.gtin, made.packaged_dimensions.weight) == ("BH-75", NEW_GTIN, 0.4)
    assert backend.count("create_item") == 1


async def test_a_scanned_gtin_no_item_has_is_offered_with_the_gtin_filled_in(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, NEW_GTIN)
        assert "no item has it" in message(app) and "Ctrl+N creates it" in message(app)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        assert form_of(app).field("gtin").value == NEW_GTIN
        await fill(pilot, name="Walnut Shelf Bracket")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
    (made,) = await items_named(backend, "Walnut Shelf Bracket")
    assert gtin14(made.gtin) == gtin14(NEW_GTIN)


async def test_a_mistyped_gtin_or_a_taken_one_is_refused_and_nothing_is_made(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        await fill(
            pilot, name="Spare Hinge", gtin=NEW_GTIN[:-1] + str((int(NEW_GTIN[-1]) + 1) % 10)
        )
        await press(pilot, "enter")
        await settle(pilot)
        assert "check digit should be" in message(app)
        assert isinstance(app.screen, ItemFormScreen), "the form stays, with what was typed"
        assert app.screen.focused is form_of(app).field("gtin")
        assert backend.count("create_item") == 0
        await fill(pilot, gtin=BOLT_GTIN13)  # the bolt's
        await press(pilot, "enter")
        await settle(pilot)
        assert "already belongs to another item" in message(app)
        assert isinstance(app.screen, ItemFormScreen)
    assert await items_named(backend, "Spare Hinge") == []


async def test_a_create_whose_answer_was_lost_makes_one_item(make_app, backend) -> None:
    backend.hooks["create_item"] = answers_lost(1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        await fill(pilot, name="Lost Answer Hinge", gtin=NEW_GTIN)
        await press(pilot, "enter")
        await settle(pilot, 3)  # the outbox sends it again, same key
        assert isinstance(app.screen, ItemScreen)
    assert len(await items_named(backend, "Lost Answer Hinge")) == 1


async def test_ctrl_e_on_an_item_corrects_it_sending_only_what_changed(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        assert isinstance(app.screen, ItemScreen)
        await press(pilot, "ctrl+e")
        await settle(pilot)
        assert form_of(app).field("name").value == "Stainless Hex Bolt M8x40"
        await fill(pilot, value="0.35")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert "0.35" in static_text(app, "#item-fields")
    (call,) = [c for c in backend.calls if c[0] == "update_item"]
    assert call[1][1] == {"value": 35}


async def test_receiving_offers_an_unknown_product_as_a_new_item(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manifest(pilot)
        await scan(pilot, NEW_GTIN)
        assert "Ctrl+N creates it" in message(app)
        await press(pilot, "ctrl+n")
        await settle(pilot)
        await fill(pilot, name="Unexpected Widget")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ManifestScreen), "back to counting the truck"
        assert "Unexpected Widget created" in message(app)
    assert len(await items_named(backend, "Unexpected Widget")) == 1
