"""What a new operator saw go wrong with scans, on every screen that takes them: each case is
driven with keys as a terminal delivers them (a hand's, then a scanner's burst), and the test
asserts on what the operator would see or what the warehouse would hold."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events

from console.domain.gtin import gtin14, with_check_digit
from console.domain.scan import interpret
from console.ui.screens.adjust import AdjustScreen
from console.ui.screens.dialogs import Confirm
from console.ui.screens.item import ItemScreen
from console.ui.screens.lots import LotDetailScreen, LotsScreen
from console.ui.screens.pickpack import OrderScreen
from console.ui.screens.receiving import InboundScreen, ManifestScreen
from console.ui.screens.search import SearchScreen
from tests.contract.world import (
    BOLT,
    BOLT_GTIN13,
    DAY,
    GLOVES,
    MILK,
    MILK_GTIN12,
    NOW,
    RENO,
)
from tests.ui.conftest import (
    SCANNER_GAP,
    cells,
    clock_of,
    message,
    open_lots,
    press,
    rings,
    scan,
    settle,
    type_like_a_scanner,
    typed,
)
from tests.ui.test_pickpack import new_order, open_order
from tests.ui.test_receiving import confirm, lines, open_manifest, stock

BOLT_14 = gtin14(BOLT_GTIN13)
MILK_14 = gtin14(MILK_GTIN12)
GS = "\x1d"
# An operator types, looks up, picks up the scanner and aims: never quicker than this.
PAUSE = 1.0


async def typed_then_scanned(pilot: Any, by_hand: str, label: str) -> None:
    await typed(pilot, by_hand)
    await settle(pilot, PAUSE)
    await scan(pilot, label)


async def paste(pilot: Any, text: str) -> None:
    pilot.app.post_message(events.Paste(text))
    await settle(pilot, 0)


async def receiving(pilot: Any) -> ManifestScreen:
    """The manifest open, accepted, the operator at bin A-01-01: scans count."""
    screen = await open_manifest(pilot)
    await confirm(pilot, "ctrl+a")
    await scan(pilot, "A-01-01")
    return screen


def field_text(screen: Any) -> str:
    field = screen.scan_field
    assert field is not None
    return str(field.value)


# -- a scan stands alone ---------------------------------------------------------------------


async def test_search_typed_letters_then_a_scan_open_the_scanned_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        search = app.screen
        await typed(pilot, "oat")
        await settle(pilot, PAUSE)
        assert cells(app, "#results")[0][0] == "Organic Oat Milk 1 L"  # highlighted
        await scan(pilot, BOLT_GTIN13)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT
        assert field_text(search) == "oat"  # what the hand typed is still theirs


async def test_search_row_chosen_with_arrows_then_a_scan_open_the_scanned_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await typed(pilot, "o")
        await settle(pilot, PAUSE)
        await press(pilot, "down", "down")  # into the results, a row highlighted
        await settle(pilot, PAUSE)
        await scan(pilot, "HW-BOLT-M8-40")
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT


async def test_lots_typed_digit_then_a_digital_link_opens_its_lot(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lots = await open_lots(pilot)
        await typed_then_scanned(pilot, "9", f"https://id.gs1.org/01/{MILK_14}/10/L-300")
        assert isinstance(app.screen, LotDetailScreen)
        assert app.screen.lot.number == "L-300"
        assert field_text(lots) == "9"


async def test_adjust_typed_quantity_then_a_scan_changes_item_and_applies_nothing(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        screen = app.screen
        assert isinstance(screen, AdjustScreen)
        before = await backend.inner.get_item(MILK)
        await typed_then_scanned(pilot, "+2", MILK_GTIN12)
        assert screen.item is not None and screen.item.id == MILK
        assert field_text(screen) == "+2"
        assert backend.count("update_item") == 0
        assert (await backend.inner.get_item(MILK)).levels == before.levels


async def test_adjust_a_quick_hand_typing_a_quantity_is_still_a_quantity(make_app, backend) -> None:
    """Keys a hand types close together can look like a scan: a quantity never reads as one."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        await scan(pilot, "+4")  # at scanner speed, Enter at once
        await settle(pilot)
        assert "+4" in message(app) or "14" in message(app)
        assert isinstance(app.screen, AdjustScreen)
        assert app.screen.item is not None and app.screen.item.id == BOLT


async def test_item_screen_typed_text_then_a_scan_open_the_scanned_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        assert isinstance(app.screen, ItemScreen)
        await typed_then_scanned(pilot, "+2", MILK_GTIN12)
        assert app.screen.current_item.id == MILK


async def test_order_typed_text_then_a_scan_picks_the_scanned_item(make_app, backend) -> None:
    await new_order(backend.inner, **{BOLT: 3})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_order(pilot)
        await typed_then_scanned(pilot, "x9", BOLT_GTIN13)
        await settle(pilot, 0.5)
        assert isinstance(app.screen, OrderScreen)
        assert screen.work.picked(BOLT) == 1


async def test_manifest_typed_text_then_a_scan_counts_the_scanned_item(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await typed_then_scanned(pilot, "12", BOLT_GTIN13)
        await settle(pilot, 0.5)
        assert lines(app)["Stainless Hex Bolt M8x40"][3] == "1"


async def test_order_list_typed_text_then_an_order_label_opens_the_order(make_app, backend) -> None:
    await new_order(backend.inner, "SO-77")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        await typed_then_scanned(pilot, "so", "SO-77")
        assert isinstance(app.screen, OrderScreen)


# -- a paste is never a scan -------------------------------------------------------------------


async def scan_in_pieces(pilot: Any, label: str, cut_at: int, stall: float) -> None:
    """A label whose first `cut_at` keys came, then nothing for `stall` seconds (a link that
    stalled, a console starved of CPU), then the rest and its Enter."""
    await type_like_a_scanner(pilot, label[:cut_at], end=None)
    clock_of(pilot).advance(stall)
    await scan(pilot, label[cut_at:])


async def test_order_a_scan_that_came_in_pieces_picks_nothing_and_says_so(
    make_app, backend
) -> None:
    """Its end alone would be looked up as a code of its own: never a wrong pick."""
    await new_order(backend.inner, **{BOLT: 3})
    app = make_app()
    label = f"]C101{BOLT_14}21000000468"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_order(pilot)
        bells = rings(app)
        await scan_in_pieces(pilot, label, 16, 0.6)
        assert screen.work.picked(BOLT) == 0
        assert "Nothing done: the scan came in pieces" in message(app)
        assert bells and field_text(screen) == ""
        await scan(pilot, label)  # scanned again, whole
        assert screen.work.picked(BOLT) == 1
        assert backend.count("update_fulfillment") <= 1


async def test_adjust_a_scan_that_came_in_pieces_applies_nothing(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        before = await backend.inner.get_item(BOLT)
        await scan_in_pieces(pilot, "+12" + MILK_GTIN12, 3, 0.8)
        screen = app.screen
        assert isinstance(screen, AdjustScreen) and screen.item is not None
        assert screen.item.id == BOLT
        assert "came in pieces" in message(app)
        assert backend.count("update_item") == 0
        assert (await backend.inner.get_item(BOLT)).levels == before.levels


async def test_a_paste_then_enter_later_is_typed_words(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await paste(pilot, "gloves")
        await settle(pilot, PAUSE)
        assert field_text(app.screen) == "gloves"
        assert cells(app, "#results")[0][0] == "Nitrile Gloves Large"
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)  # the highlighted result, as typed words do
        assert app.screen.current_item.id == GLOVES


async def test_keys_of_a_paste_then_enter_later_are_typed_words(make_app) -> None:
    """A terminal without bracketed paste types a paste as keys, as fast as a scanner: the
    Enter pressed later is the operator's own."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await typed(pilot, "gloves", gap=SCANNER_GAP)
        await settle(pilot, PAUSE)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == GLOVES
        assert field_text(app.screen_stack[0]) == "gloves"  # the search was not wiped


async def test_a_paste_then_enter_at_once_is_still_typed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await paste(pilot, "tape")
        await settle(pilot, 0.3)
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen.current_item.name == "Packing Tape 48 mm"


# -- a question is never answered by a scan --------------------------------------------------


async def test_a_scan_with_markup_on_a_question_is_shown_literally(make_app, backend) -> None:
    app = make_app()
    bells = rings(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_lots(pilot)
        await scan(pilot, f"]C101{MILK_14}10NEW-1")  # a lot not on record: "Create lot?"
        assert isinstance(app.screen, Confirm)
        await scan(pilot, "AB[/x]CD[b]")
        assert app.is_running
        assert isinstance(app.screen, Confirm)  # not answered
        assert bells
        await settle(pilot, 0)  # the toast is mounted a few messages later
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("Scan “AB[/x]CD[b]” not taken" in toast for toast in toasts), toasts
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)
        assert backend.count("create_lot") == 0


# -- identifiers: only GS1 ones mean GS1 data -----------------------------------------------


@pytest.mark.parametrize(
    "label", ["]C010-4455", "]A010-4455", f"]C001{MILK_14}104455", f"]A001{MILK_14}104455"]
)
async def test_a_plain_code128_or_code39_label_is_not_a_lot(make_app, backend, label) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, label)
        await settle(pilot, 0.5)
        assert label[3:] in message(app)  # read as the text it is: no item, lot or bin
        assert backend.count("create_lot") == 0
        assert all(row[1] == "—" and row[3] == "0" for row in lines(app).values())


async def test_a_code128_label_carrying_a_gtin_counts_the_item(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, "]C0" + BOLT_GTIN13)
        await settle(pilot, 0.5)
        assert lines(app)["Stainless Hex Bolt M8x40"][3] == "1"


# -- Digital Links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        f"]Q1https://id.gs1.org/01/{BOLT_14}",
        f"HTTPS://ID.GS1.ORG/01/{BOLT_14}",
        f"]Q1HTTPS://ID.GS1.ORG/01/{BOLT_14}/21/XYZ",
        f"https://brand.example.com/products/qr/01/{BOLT_14}?linkType=all",
        f"]d1https://example.org/gtin/01/{BOLT_14}",
    ],
)
async def test_digital_links_as_scanners_send_them_find_the_item(make_app, label) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, label)
        assert isinstance(app.screen, ItemScreen), message(app)
        assert app.screen.current_item.id == BOLT


# -- UPC-E and add-ons -----------------------------------------------------------------------


@pytest.mark.parametrize("stored", ["042100005264", "0042100005264", "00042100005264"])
@pytest.mark.parametrize("label", ["04252614", "0425261", "425261", "]E004252614"])
async def test_upc_e_finds_the_item_stored_as_upc_a_or_gtin13_or_14(
    make_app, backend, stored, label
) -> None:
    await backend.inner.create_item({"name": "Soup, UPC-E", "gtin": stored})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, label)
        assert isinstance(app.screen, ItemScreen), message(app)
        assert app.screen.current_item.name == "Soup, UPC-E"


def _both_gtin8_and_upc_e() -> str:
    """An 8-digit code valid as a GTIN-8 and as a UPC-E: the first one in counting order."""
    for n in range(10**6):
        code = f"0{n:06d}"
        eight = with_check_digit(code)
        upc_e = interpret(eight)
        if upc_e.alternatives:
            return eight
    raise AssertionError("no such code")


@pytest.mark.parametrize("as_upc_e", [True, False])
async def test_an_8_digit_code_that_is_gtin8_and_upc_e_finds_either(
    make_app, backend, as_upc_e
) -> None:
    code = _both_gtin8_and_upc_e()
    read = interpret(code)
    stored = read.alternatives[0] if as_upc_e else code
    assert {read.gtin, *read.alternatives} >= {gtin14(stored)}
    await backend.inner.create_item({"name": "Eight digits", "gtin": stored})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, code)
        assert isinstance(app.screen, ItemScreen), message(app)
        assert app.screen.current_item.name == "Eight digits"


BOOK = "9780306406157"  # ISBN 978-0-306-40615-7


@pytest.mark.parametrize(
    ("label", "add_on"),
    [
        (BOOK + "12", "12"),
        (BOOK + "51995", "51995"),
        ("]E3" + BOOK + "12", "12"),
        ("]E0" + BOOK + "]E151995", "51995"),
        ("]E0" + MILK_GTIN12 + "]E107", "07"),
    ],
)
async def test_ean13_and_upc_a_with_an_add_on_find_the_item_and_show_it(
    make_app, backend, label, add_on
) -> None:
    await backend.inner.create_item({"name": "A Book", "gtin": BOOK})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, label)
        assert isinstance(app.screen, ItemScreen), message(app)
        assert app.screen.current_item.name == (
            "A Book" if BOOK in label else "Organic Oat Milk 1 L"
        )
        assert f"add-on {add_on}" in message(app)


# -- FNC1 substitutes ------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["<GS>", "^]", "{GS}", GS])
async def test_fnc1_substitutes_end_the_lot_number(make_app, backend, separator) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, f"]C101{BOLT_14}10LOT-7{separator}17261231")
        await settle(pilot, 0.5)
        assert lines(app)["Stainless Hex Bolt M8x40"][1] == "LOT-7"
        created = [c for c in backend.calls if c[0] == "create_lot"]
        assert len(created) == 1
        body = created[0][1][0]
        assert body["number"] == "LOT-7"
        assert body["expires_at"] is not None


async def test_a_configured_separator_character_ends_the_lot_number(make_app, backend) -> None:
    from console.services.scanner import ScannerSetup

    app = make_app(scanner=ScannerSetup(separators=("~",)))
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, f"]C101{BOLT_14}10LOT-8~17261231")
        await settle(pilot, 0.5)
        assert lines(app)["Stainless Hex Bolt M8x40"][1] == "LOT-8"


async def test_a_programmed_prefix_and_suffix_tell_a_slow_scan_exactly(make_app) -> None:
    """STX/ETX framing (ctrl+b, ctrl+c) at a hand's pace, as a buffering Bluetooth scanner
    delivers it: still one scan, its ETX neither quits nor copies."""
    from console.services.scanner import ScannerSetup

    app = make_app(scanner=ScannerSetup(prefix="ctrl+b", suffix="ctrl+c"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        search = app.screen
        await typed(pilot, "oat")
        await settle(pilot, PAUSE)
        await typed(pilot, ["ctrl+b", *BOLT_GTIN13, "ctrl+c"])
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == BOLT
        assert field_text(search) == "oat"


async def test_with_a_prefix_a_quick_burst_without_it_is_typed(make_app) -> None:
    from console.services.scanner import ScannerSetup

    app = make_app(scanner=ScannerSetup(prefix="f11"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_like_a_scanner(pilot, "oat milk")  # a burst, but no prefix: typed
        await settle(pilot, PAUSE)
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.current_item.id == MILK  # the Enter opened the row it chose


# -- SSCC, weight, serial --------------------------------------------------------------------

SSCC = "376104250021234569"


async def test_an_sscc_on_search_says_pallet_and_asks_for_the_items(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, f"]C100{SSCC}")
        assert isinstance(app.screen, SearchScreen)
        assert f"SSCC {SSCC}" in message(app) and "scan the items" in message(app)


async def pallet_manifest(warehouse: Any, tracking: str) -> None:
    await warehouse.create_manifest(
        {
            "location_id": RENO,
            "order_number": "PO-2002",
            "tracking_numbers": [tracking],
            "estimated_delivery_at": NOW + DAY,
            "inventory": [{"item_id": BOLT, "qty": 6}],
        }
    )


async def test_an_sscc_of_the_manifest_is_recognised_and_counts_nothing(make_app, backend) -> None:
    await pallet_manifest(backend.inner, SSCC)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manifest(pilot, "PO-2002")
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-01")
        await scan(pilot, f"(00){SSCC}")
        await settle(pilot, 0.5)
        assert "of this manifest" in message(app)
        assert all(row[3] == "0" for row in lines(app).values())


async def test_an_sscc_of_another_delivery_is_said(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, f"]C100{SSCC}")
        await settle(pilot, 0.5)
        assert "is not this manifest's" in message(app)


async def test_an_sscc_on_the_inbound_list_opens_its_manifest(make_app, backend) -> None:
    await pallet_manifest(backend.inner, "00" + SSCC)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f6")
        await settle(pilot)
        assert isinstance(app.screen, InboundScreen)
        await scan(pilot, f"]C100{SSCC}")
        assert isinstance(app.screen, ManifestScreen)
        assert app.screen.manifest.order_number == "PO-2002"


async def test_net_weight_and_serial_are_shown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, f"]C101{BOLT_14}3103001234{GS}21SN-42")
        assert isinstance(app.screen, ItemScreen)
        assert "net 1.234 kg" in message(app) and "serial SN-42" in message(app)


async def test_a_pallet_of_trade_items_counts_its_units(make_app, backend) -> None:
    """(02)+(37): the contents and how many, as before."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        await scan(pilot, f"]C100{SSCC}02{BOLT_14}376")
        await settle(pilot, 0.5)
        assert lines(app)["Stainless Hex Bolt M8x40"][3] == "6"


# -- a lost separator ------------------------------------------------------------------------

GLUED = f"]C101{MILK_14}10NEW117261231"  # lot NEW1, then (17) without its GS


async def test_a_lost_separator_in_receiving_counts_nothing_and_creates_no_lot(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await receiving(pilot)
        before = await stock(backend.inner, MILK)
        await scan(pilot, GLUED)
        await settle(pilot, 0.5)
        assert "not read whole" in message(app) and "separator" in message(app)
        assert lines(app)["Organic Oat Milk 1 L"][3] == "0"
        assert backend.count("create_lot") == 0
        assert await stock(backend.inner, MILK) == before


async def test_a_lost_separator_on_the_lots_screen_offers_no_new_lot(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await scan(pilot, GLUED)
        await settle(pilot)
        assert not isinstance(app.screen, Confirm)
        assert "not read whole" in message(app)


async def test_a_lost_separator_on_an_order_picks_nothing(make_app, backend) -> None:
    await new_order(backend.inner, **{MILK: 2})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_order(pilot)
        await scan(pilot, GLUED)
        await settle(pilot, 0.5)
        assert "not read whole" in message(app)
        assert screen.work.picked(MILK) == 0


async def test_a_lot_on_record_whose_number_looks_glued_is_taken(make_app, backend) -> None:
    await backend.inner.create_lot(
        {
            "number": "NEW117261231",
            "item_id": MILK,
            "location_id": RENO,
            "expires_at": NOW + 90 * DAY,
            "total_qty": 1,
            "available_qty": 1,
        }
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lots(pilot)
        await scan(pilot, GLUED)
        assert isinstance(app.screen, LotDetailScreen)
        assert app.screen.lot.number == "NEW117261231"


# -- nothing a scan carries breaks the console ------------------------------------------------

HOSTILE_SCANS = [
    "[/x]",
    "[bold red]RED[/]",
    "\x1b[31mRED\x1b]0;title\x07",
    "A\x00B\x07C\x08D\x7fE",
    "9" * 10_000,
    "]C1" + "é漢\u202e🙂" * 50,
    "".join(chr(c) for c in range(33, 127)) * 3,
]


@pytest.mark.parametrize("label", HOSTILE_SCANS, ids=range(len(HOSTILE_SCANS)))
@pytest.mark.parametrize("where", ["search", "lots", "order", "manifest", "adjust"])
async def test_hostile_scans_are_said_and_change_nothing(make_app, backend, label, where) -> None:
    await new_order(backend.inner, **{BOLT: 1})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        if where == "search":
            await settle(pilot)
        elif where == "lots":
            await open_lots(pilot)
        elif where == "order":
            await open_order(pilot)
        elif where == "manifest":
            await open_manifest(pilot)
        else:
            await settle(pilot)
            await press(pilot, "f3")
            await settle(pilot)
        screen = app.screen
        writes = sum(backend.count(name) for name in ("update_item", "create_lot", "update_lot"))
        # a long one arrives faster than the console handles keys, as it would
        await type_like_a_scanner(pilot, label, gap=0 if len(label) > 200 else SCANNER_GAP)
        await settle(pilot, 0.5)
        assert app.is_running and app.screen is screen
        shown = message(app)
        assert shown and len(shown) < 400
        assert "\x1b" not in shown and "\x00" not in shown
        after = sum(backend.count(name) for name in ("update_item", "create_lot", "update_lot"))
        assert after == writes


async def test_what_start_up_built_is_kept_out_of_collections(make_app) -> None:
    """A full collection over the warehouse held the interpreter for 100-300 ms every few dozen
    scans, and a scan's keys stamped either side of it read as two scans."""
    import gc

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        gc.unfreeze()
        await settle(pilot, 2.0)  # past the start-up's settling second
        assert gc.get_freeze_count() > 10_000
