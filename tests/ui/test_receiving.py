"""Receiving as an operator works it: the inbound list, counting by scans, closing, voiding."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain.errors import OutcomeUnknown
from console.domain.gtin import gtin14
from console.ui.app import WarehouseApp
from console.ui.screens.dialogs import Confirm
from console.ui.screens.receiving import InboundScreen, ManifestScreen
from tests.contract.world import (
    A1,
    A2,
    BOLT,
    BOLT_GTIN13,
    BRACKET,
    COLUMBUS,
    GLOVES,
    MANIFEST,
    MILK,
    MILK_GTIN12,
    NOW,
    RENO,
)
from tests.ui.conftest import (
    cells,
    message,
    press,
    rings,
    scan,
    settle,
    static_text,
    type_like_a_scanner,
)

GS = "\x1d"
BOLT_14 = gtin14(BOLT_GTIN13)
MILK_14 = gtin14(MILK_GTIN12)
BOLT_NAME = "Stainless Hex Bolt M8x40"
MILK_NAME = "Organic Oat Milk 1 L"


async def stock(warehouse: Any, item_id: str) -> dict[str | None, tuple[int, int, int]]:
    """(verified, damaged, manifested) per bin at Reno."""
    item = await warehouse.get_item(item_id)
    return {
        lv.layout_id: (lv.verified_qty, lv.damaged_qty, lv.manifested_qty)
        for lv in item.levels
        if lv.location_id == RENO
    }


def lines(app: WarehouseApp) -> dict[str, list[str]]:
    """Item name → [bin, lot, expected, received, damaged, missing] as the screen shows them."""
    return {row[1]: row[2:] for row in cells(app, "#receipt-table")}


async def open_manifest(pilot: Any, number: str = "PO-1001") -> ManifestScreen:
    await settle(pilot)
    await press(pilot, "f6")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InboundScreen)
    await scan(pilot, number)
    screen = pilot.app.screen
    assert isinstance(screen, ManifestScreen)
    await settle(pilot)
    return screen


async def confirm(pilot: Any, key: str) -> str:
    """Press `key`, read the confirmation it opens, and answer it with Enter."""
    await press(pilot, key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, Confirm), f"{key} opened no confirmation"
    text = static_text(pilot.app, ".dialog-body")
    await press(pilot, "enter")
    await settle(pilot, 0.4)
    return text


async def test_the_inbound_list_shows_manifests_here_expected_first(make_app, backend) -> None:
    await backend.inner.create_manifest(
        {
            "location_id": RENO,
            "order_number": "PO-LATE",
            "tracking_numbers": ["1Z999AA10123456784"],
            "estimated_delivery_at": NOW - 5 * 3600,
            "inventory": [{"item_id": MILK, "qty": 4}],
        }
    )
    voided = await backend.inner.create_manifest(
        {"location_id": RENO, "order_number": "PO-VOID", "inventory": [{"item_id": MILK, "qty": 1}]}
    )
    await backend.inner.update_manifest(voided.id, {"status": "void"})
    await backend.inner.create_manifest(
        {
            "location_id": COLUMBUS,
            "order_number": "PO-ELSEWHERE",
            "inventory": [{"item_id": GLOVES, "qty": 1}],
        }
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f6")
        await settle(pilot)
        rows = cells(app, "#records")
        assert [row[1] for row in rows] == ["PO-LATE", "PO-1001"]
        assert rows[0][0] == "✖" and rows[0][6] == "late 5 h", "late reads without colour"
        assert rows[1][2:] == ["2", "18", "0", "requested", "in 24 h"]
        assert "1 late" in static_text(app, "#summary")
        assert "1Z999AA10123456784" in static_text(app, "#record-line")
        await press(pilot, "ctrl+t")
        await settle(pilot)
        assert "PO-VOID" in [row[1] for row in cells(app, "#records")]
        await press(pilot, "ctrl+t")
        await settle(pilot)
        await scan(pilot, "1Z999AA10123456784")  # a tracking number opens its manifest
        assert isinstance(app.screen, ManifestScreen)
        assert app.screen.manifest.order_number == "PO-LATE"


async def test_a_full_receipt_by_scans_puts_every_unit_away(make_app, backend) -> None:
    before_bolt, before_milk = await stock(backend.inner, BOLT), await stock(backend.inner, MILK)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        effects = await confirm(pilot, "ctrl+a")
        assert f"{BOLT_NAME}: +12 manifested (on the way) at Reno DC, no bin" in effects
        assert screen.work.status == "accepted"
        assert (await stock(backend.inner, BOLT))[None] == (0, 0, 12)
        await scan(pilot, "A-01-02")  # the bin first
        await scan(pilot, f"]C101{BOLT_14}3012")  # a case label of 12
        await scan(pilot, "Shelf [A1]")
        for _ in range(6):  # six single units at scanner speed, one after another
            await type_like_a_scanner(pilot, MILK_GTIN12)
            await settle(pilot, 0.35)  # not a double read
        await settle(pilot)
        assert lines(app)[BOLT_NAME] == ["A-01-02", "—", "12", "12", "0", "0"]
        assert lines(app)[MILK_NAME] == ["Shelf [A1]", "—", "6", "6", "0", "0"]
        effects = await confirm(pilot, "ctrl+k")
        assert "+12 verified into A-01-02" in effects and "+6 verified into Shelf [A1]" in effects
        assert "Not received" not in effects
        assert "nothing missing" in message(app)
        assert screen.work.status == "completed"
    stored = await backend.inner.get_manifest(MANIFEST)
    assert stored.status == "completed"
    bolt, milk = await stock(backend.inner, BOLT), await stock(backend.inner, MILK)
    assert bolt[A2] == (before_bolt[A2][0] + 12, 0, 0) and bolt[A1] == before_bolt[A1]
    assert bolt[None] == (0, 0, 0), "manifested taken off again"
    assert milk[BRACKET] == (6, 0, 0) and milk[None] == (before_milk[None][0], 0, 0)


async def test_a_partial_receipt_with_damaged_units_reports_what_is_missing(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-01")
        await scan(pilot, f"]C101{BOLT_14}3010")
        await press(pilot, "ctrl+d")
        assert "DAMAGED" in static_text(app, "#manifest-summary")
        await scan(pilot, BOLT_GTIN13)
        await press(pilot, "ctrl+d")
        assert lines(app)[BOLT_NAME][2:] == ["12", "10", "1", "1"]
        assert lines(app)[MILK_NAME][2:] == ["6", "0", "0", "6"]
        effects = await confirm(pilot, "ctrl+k")
        assert f"Not received: {BOLT_NAME} 1 of 12, {MILK_NAME} 6 of 6." in effects
        assert "+10 verified into A-01-01" in effects and "+1 damaged into A-01-01" in effects
        assert "7 not received" in message(app)
    bolt = await stock(backend.inner, BOLT)
    assert bolt[A1] == (20, 1, 0) and bolt[None] == (0, 0, 0)
    assert (await stock(backend.inner, MILK))[None] == (20, 0, 0)


async def test_over_receipts_and_unexpected_items_ring_and_ask_first(make_app, backend) -> None:
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-02")
        await scan(pilot, f"]C101{BOLT_14}3012")
        assert not rung
        await scan(pilot, BOLT_GTIN13)  # the 13th
        assert isinstance(app.screen, Confirm) and rung
        assert "Over-receipt" in static_text(app, ".dialog-body")
        await press(pilot, "escape")
        await settle(pilot)
        assert "Nothing counted" in message(app)
        assert screen.work.received_qty(BOLT) == 12
        await scan(pilot, BOLT_GTIN13)
        await press(pilot, "enter")
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)  # confirmed once: not asked again
        assert not isinstance(app.screen, Confirm)
        assert lines(app)[BOLT_NAME][2:] == ["12", "14", "0", "+2"]
        await scan(pilot, "PH-GLV-L")  # gloves are not on the manifest
        assert isinstance(app.screen, Confirm)
        assert "unexpected item" in static_text(app, ".dialog-body")
        await press(pilot, "enter")
        await settle(pilot, 0.4)
        row = cells(app, "#receipt-table")[-1]
        assert row[0] == "+" and row[1] == "Nitrile Gloves Large" and row[4:6] == ["0", "1"]
    stored = await backend.inner.get_manifest(MANIFEST)
    counted = {line.item_id: (line.qty, line.received_qty) for line in stored.inventory}
    assert counted == {BOLT: (12, 14), MILK: (6, 0), GLOVES: (0, 1)}


async def test_scans_are_refused_before_accepting_and_without_a_bin(make_app, backend) -> None:
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await scan(pilot, BOLT_GTIN13)
        assert "Accept the manifest first" in message(app) and rung
        await confirm(pilot, "ctrl+a")
        await scan(pilot, BOLT_GTIN13)
        assert "Scan the bin" in message(app) and len(rung) == 2
        await scan(pilot, "no-such-thing")
        assert "no-such-thing" in message(app) and len(rung) == 3
        assert screen.work.units_counted == 0 and not screen.work.unsaved
    assert all(
        line.received_qty == 0 for line in (await backend.inner.get_manifest(MANIFEST)).inventory
    )


async def test_void_takes_away_what_accepting_added(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        assert (await stock(backend.inner, MILK))[None] == (20, 0, 6)
        await scan(pilot, "A-01-01")
        await scan(pilot, BOLT_GTIN13)
        await settle(pilot)
        effects = await confirm(pilot, "ctrl+x")
        assert "The 1 unit counted on it will not be put away." in effects
        assert f"{MILK_NAME}: -6 manifested at Reno DC, no bin" in effects
        assert screen.work.status == "void"
        assert "is void" in message(app)
    assert (await stock(backend.inner, MILK))[None] == (20, 0, 0)
    assert (await stock(backend.inner, BOLT))[A1] == (10, 0, 0)


async def test_a_case_label_lot_and_expiry_are_recorded_on_a_lot(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "Shelf [A1]")
        await scan(pilot, f"]C101{MILK_14}17271231{GS}10L-NEW{GS}306")
        await settle(pilot)
        assert lines(app)[MILK_NAME][:2] == ["Shelf [A1]", "L-NEW"]
        await confirm(pilot, "ctrl+k")
    lots = (await backend.inner.list_lots()).data
    new = next(lot for lot in lots if lot.number == "L-NEW")
    assert (new.item_id, new.layout_id, new.total_qty, new.available_qty) == (MILK, BRACKET, 6, 6)
    assert new.expires_at is not None
    stored = await backend.inner.get_manifest(MANIFEST)
    assert next(ln for ln in stored.inventory if ln.item_id == MILK).lot_id == new.id


async def test_typed_counts_refuse_bad_input_and_change_nothing(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-02")
        await press(pilot, "ctrl+u")  # the first line: bolts
        await settle(pilot)
        await press(pilot, "backspace", *"5x", "enter")  # the received field: "5x"
        await settle(pilot)
        assert "“5x” is not a count" in message(app)
        assert screen.work.counted(BOLT) == 0
        await press(pilot, "ctrl+u")
        await settle(pilot)
        await press(pilot, "backspace", "4", "tab", "backspace", "1", "enter")
        await settle(pilot)
        assert lines(app)[BOLT_NAME] == ["A-01-02", "—", "12", "4", "1", "7"]


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_keeps_the_counts_and_nothing_counts_twice(
    make_app, backend, when: str
) -> None:
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    failures = iter([True])

    async def flaky(real: Any, *args: Any, **kwargs: Any) -> Any:
        if "inventory" in args[1] and next(failures, False):
            if when == "after":
                await real(*args, **kwargs)  # applied, but the answer never arrives
            raise OutcomeUnknown("The answer was lost.")
        return await real(*args, **kwargs)

    backend.hooks["update_manifest"] = flaky
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_manifest(pilot)
        await scan(pilot, "A-01-01")
        await scan(pilot, BOLT_GTIN13)
        await settle(pilot, 1.5)
        await scan(pilot, BOLT_GTIN13)
        await settle(pilot, 0.5)
        assert lines(app)[BOLT_NAME][3] == "2"
    stored = await backend.inner.get_manifest(MANIFEST)
    assert next(ln for ln in stored.inventory if ln.item_id == BOLT).received_qty == 2


async def test_the_same_receipt_through_the_http_backend_against_the_server(memory, clock) -> None:
    from console.backends.http import HttpBackend
    from console.server import ServerThread, create_app
    from tests.contract.world import build_world

    warehouse = build_world()
    with ServerThread(create_app(warehouse)) as server:
        client = HttpBackend(server.url, None)
        app = WarehouseApp(client, bell=False, memory=memory, location_id=RENO, clock=clock)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await open_manifest(pilot)
                await confirm(pilot, "ctrl+a")
                await scan(pilot, "A-01-02")
                await scan(pilot, f"]C101{BOLT_14}3011")
                await press(pilot, "ctrl+d")
                await scan(pilot, BOLT_GTIN13)
                await press(pilot, "ctrl+d")
                await scan(pilot, "Shelf [A1]")
                await scan(pilot, f"]C101{MILK_14}10L-200{GS}305")
                await settle(pilot, 0.5)
                assert lines(app)[MILK_NAME] == ["Shelf [A1]", "L-200", "6", "5", "0", "1"]
                effects = await confirm(pilot, "ctrl+k")
                assert f"Not received: {MILK_NAME} 1 of 6." in effects
                await settle(pilot, 0.5)
                assert "1 not received" in message(app)
        finally:
            await client.aclose()
    assert (await warehouse.get_manifest(MANIFEST)).status == "completed"
    bolt = await stock(warehouse, BOLT)
    assert bolt[A2] == (16, 1, 0) and bolt[None] == (0, 0, 0)
    assert (await stock(warehouse, MILK))[BRACKET] == (5, 0, 0)
    lot = await warehouse.get_lot("lot_soon")
    assert lot.total_qty == 6 + 5


async def test_a_manifest_opened_from_an_old_list_counts_on_top_of_the_newest(
    make_app, backend
) -> None:
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f6")
        await settle(pilot)
        # another console counts 5 bolts while this list is on screen
        await backend.inner.update_manifest(
            MANIFEST, {"inventory": [{"item_id": BOLT, "received_qty": 5, "layout_id": A1}]}
        )
        await press(pilot, "enter")
        await settle(pilot)
        await type_like_a_scanner(pilot, BOLT_GTIN13, gap=0)  # at once, while it opens
        await settle(pilot)
        assert lines(app)[BOLT_NAME][3] == "6"
    stored = await backend.inner.get_manifest(MANIFEST)
    assert next(ln for ln in stored.inventory if ln.item_id == BOLT).received_qty == 6


async def test_leaving_with_unsaved_counts_asks_for_a_second_esc(make_app, backend) -> None:
    from console.domain.errors import Unreachable

    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})

    async def down(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("The backend is not answering.")

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        backend.hooks["update_manifest"] = down
        await scan(pilot, "A-01-01")
        # no settling while the backend is down: the saver keeps trying until it answers
        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await settle(pilot, 0.3)
        assert "kept and sent again" in message(app)
        await press(pilot, "escape")
        await settle(pilot, 0.1)
        assert app.screen is screen and "Esc again" in message(app)
        del backend.hooks["update_manifest"]  # back: the kept count lands
        await settle(pilot, 1.5)
        assert not screen.work.unsaved
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, InboundScreen)
    stored = await backend.inner.get_manifest(MANIFEST)
    assert next(ln for ln in stored.inventory if ln.item_id == BOLT).received_qty == 1


async def test_a_scan_cannot_answer_a_question_but_a_bin_chooser_takes_a_bin_label(
    make_app, backend
) -> None:
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await press(pilot, "ctrl+b")
        await settle(pilot)
        await type_like_a_scanner(pilot, "A-01-02", gap=0)  # scanned into the chooser
        await settle(pilot)
        assert screen.bin_id == A2 and isinstance(app.screen, ManifestScreen)
        await scan(pilot, f"]C101{MILK_14}307")  # 7 of 6: the question opens
        assert isinstance(app.screen, Confirm)
        before = len(rung)
        await type_like_a_scanner(pilot, MILK_GTIN12, gap=0)  # a stray scan: must not confirm
        await settle(pilot)
        assert isinstance(app.screen, Confirm) and len(rung) == before + 1
        await press(pilot, "escape")
        await settle(pilot)
        assert screen.work.counted(MILK) == 0


async def test_case_labels_of_a_new_lot_make_one_lot_and_a_second_lot_asks(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "Shelf [A1]")
        for serial in ("1", "2"):  # two cases of the same new lot, back to back
            await type_like_a_scanner(pilot, f"]C101{MILK_14}10L-NEW{GS}21{serial}{GS}302", gap=0)
        await settle(pilot)
        assert lines(app)[MILK_NAME][1:4] == ["L-NEW", "6", "4"]
        await scan(pilot, f"]C101{MILK_14}10L-OTHER{GS}302")  # the truck brought a second lot
        await settle(pilot)
        assert lines(app)[MILK_NAME][1:4] == ["L-OTHER +1", "6", "6"]  # where units go now, +1
        assert screen.work.parts(MILK)[1][2] == 2
    numbers = [lot.number for lot in (await backend.inner.list_lots()).data]
    assert numbers.count("L-NEW") == 1 and numbers.count("L-OTHER") == 1


async def test_where_a_line_holds_one_lot_a_second_lot_asks_and_counts_nothing_unless_told(
    make_app, backend
) -> None:
    backend.receipt_parts = False  # a backend without receipt parts, as PackageX
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "Shelf [A1]")
        await scan(pilot, f"]C101{MILK_14}10L-NEW{GS}302")
        await settle(pilot)
        await scan(pilot, f"]C101{MILK_14}10L-OTHER{GS}302")
        assert isinstance(app.screen, Confirm)
        assert "holds lot L-NEW" in static_text(app, ".dialog-body")
        await press(pilot, "escape")
        await settle(pilot)
        assert screen.work.counted(MILK) == 2
    numbers = [lot.number for lot in (await backend.inner.list_lots()).data]
    assert numbers.count("L-NEW") == 1 and "L-OTHER" not in numbers


def test_a_typed_count_is_a_plain_whole_number() -> None:
    from console.ui.text import typed_count

    assert typed_count(" 12 ") == 12
    for bad in ("5x", "²", "٣", "-3", "+3", "", "1" * 10):
        assert typed_count(bad) is None, bad


async def test_a_manifest_voided_elsewhere_refuses_the_count_and_shows_the_truth(
    make_app, backend
) -> None:
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-01")
        await backend.inner.update_manifest(MANIFEST, {"status": "void"})  # another console
        await scan(pilot, BOLT_GTIN13)
        await settle(pilot)
        assert "Refused" in message(app) and rung
        assert screen.work.status == "void" and screen.work.counted(BOLT) == 0
        assert "void" in static_text(app, "#manifest-summary")
        assert not screen.check_action("complete", ())


async def test_typed_counts_never_overwrite_a_scan_that_landed_while_typing(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-02")
        await press(pilot, "ctrl+u")  # bolts: 0 received, 0 damaged
        await settle(pilot)
        screen.record(lambda: screen.work.receive(BOLT, 1, layout_id=A2), BOLT)  # a slow lookup
        await press(pilot, "backspace", "4", "enter")
        await settle(pilot)
        assert "Scans came in while you typed" in message(app)
        assert screen.work.received_qty(BOLT) == 1
