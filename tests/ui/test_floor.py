"""What a day on the floor tripped over, each fixed: pilot tests that failed before the fix."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable

from console.domain.errors import InvalidInput
from console.domain.models import Lot
from console.ui.screens.dialogs import Ask, Confirm
from console.ui.screens.item import ItemScreen
from console.ui.screens.lots import LotDetailScreen, LotFormScreen, LotsScreen
from console.ui.screens.receiving import ManifestScreen
from console.ui.screens.search import SearchScreen
from console.ui.widgets import MessageLine
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, BOLT_GTIN13, DAY, MANIFEST, MILK_GTIN12, NOW, RENO
from tests.ui.conftest import cells, message, open_lots, press, rings, scan, settle, static_text
from tests.ui.test_adjust import open_bolt
from tests.ui.test_lots import open_l300_form
from tests.ui.test_pickpack import (
    new_order,
    open_order,
    pack_in_one_parcel_and_complete,
    with_box_sizes,
)
from tests.ui.test_receiving import confirm, lines, open_manifest


async def bolt_lots(warehouse: Any) -> tuple[Lot, Lot]:
    """A lot in A-01-02 that expires first, and one in A-01-01 that expires later."""
    early = await warehouse.create_lot(
        {
            "item_id": BOLT,
            "location_id": RENO,
            "layout_id": A2,
            "number": "B-EARLY",
            "expires_at": NOW + 10 * DAY,
            "total_qty": 5,
        }
    )
    late = await warehouse.create_lot(
        {
            "item_id": BOLT,
            "location_id": RENO,
            "layout_id": A1,
            "number": "B-LATE",
            "expires_at": NOW + 60 * DAY,
            "total_qty": 10,
        }
    )
    return early, late


async def test_the_lot_proposed_for_a_pick_is_one_stored_in_the_lines_bin(
    make_app, backend
) -> None:
    warehouse = backend.inner
    await bolt_lots(warehouse)
    await new_order(warehouse, **{BOLT: 4})  # reserved from A-01-01 alone
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_order(pilot)
        row = cells(app, "#pick-table")[0]
        assert row[1] == "A-01-01"
        assert "B-LATE" in row, "the lot in the line's bin, not the first to expire anywhere"
        assert "B-EARLY" not in row


async def test_a_picked_lot_follows_the_pick_and_leaves_the_lot_on_completion(
    make_app, backend
) -> None:
    warehouse = backend.inner
    early, late = await bolt_lots(warehouse)
    await with_box_sizes(warehouse)
    order = await new_order(warehouse, **{BOLT: 4})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, "A-01-01")
        for _ in range(4):
            await scan(pilot, BOLT_GTIN13)
        await settle(pilot, 0.3)
        stored = await warehouse.get_fulfillment(order.id)
        assert [(p.lot_id, p.qty) for p in stored.inventory[0].lots] == [(late.id, 4)]
        held = await warehouse.get_lot(late.id)
        assert (held.available_qty, held.reserved_qty) == (6, 4), "held for the order"
        await pack_in_one_parcel_and_complete(pilot)
    assert (await warehouse.get_fulfillment(order.id)).status == "completed"
    shipped = await warehouse.get_lot(late.id)
    assert (shipped.total_qty, shipped.available_qty, shipped.reserved_qty) == (6, 6, 0)
    untouched = await warehouse.get_lot(early.id)
    assert (untouched.total_qty, untouched.available_qty) == (5, 5)


async def test_a_backend_without_lots_per_pick_is_sent_none(make_app, backend) -> None:
    warehouse = backend.inner
    await bolt_lots(warehouse)
    order = await new_order(warehouse, **{BOLT: 2})
    backend.lot_picks = False
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, BOLT_GTIN13)
        await settle(pilot, 0.3)
    sent = [call[1][1] for call in backend.calls if call[0] == "update_fulfillment"]
    assert sent and all("lots" not in record for body in sent for record in body["inventory"])
    assert (await warehouse.get_fulfillment(order.id)).inventory[0].picked_qty == 1


async def test_newest_means_the_latest_created_first_on_items_and_on_lots(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+o", "ctrl+o")  # relevance (by name with no words), name, newest
        await settle(pilot)
        assert "sorted by newest" in static_text(app, "#summary")
        names = [row[0] for row in cells(app, "#results")]
        tape, milk, bolt = (
            names.index(n)
            for n in ("Packing Tape 48 mm", "Organic Oat Milk 1 L", "Stainless Hex Bolt M8x40")
        )
        assert tape < milk < bolt, names
        await open_lots(pilot)
        await press(pilot, "ctrl+o", "ctrl+o")  # expiry, lot number, newest
        await settle(pilot)
        assert "by newest" in static_text(app, "#summary")
        assert [row[1] for row in cells(app, "#lot-table")] == ["L-200", "L-300", "L-100"]


async def test_f2_from_an_item_is_the_search_and_f4_from_a_lot_is_the_list(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)
        assert isinstance(app.screen, ItemScreen)
        await press(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await press(pilot, *"milk")
        await settle(pilot)
        assert app.screen.query_one("#find").value == "milk"  # type: ignore[attr-defined]
        await open_lots(pilot)
        await press(pilot, *"L-300", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotDetailScreen)
        await press(pilot, "f4")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)
        # and from another screen and back: the list, not the lot last looked at
        assert app.screen.query_one("#find").value == "L-300"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotDetailScreen)
        await press(pilot, "f2")
        await settle(pilot)
        await press(pilot, "f4")
        await settle(pilot)
        assert isinstance(app.screen, LotsScreen)


async def test_a_lot_edit_with_a_production_date_after_its_expiry_is_refused(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_l300_form(pilot)
        form.query_one("#f-production_date").focus()
        await press(pilot, *"2028-01-01", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LotFormScreen), "the form stays, with the reason"
        assert "production date 2028-01-01 is after the expiry date" in message(app)
        assert backend.count("update_lot") == 0
    with pytest.raises(InvalidInput, match="after the expiry date"):
        await backend.inner.update_lot("lot_far", {"production_date": NOW + 500 * DAY})


async def test_enter_on_an_empty_short_pick_reason_keeps_the_dialog_for_the_reason(
    make_app, backend
) -> None:
    warehouse = backend.inner
    order = await new_order(warehouse, **{BOLT: 2})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, Ask)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, Ask), "still asking"
        assert "needs a reason" in static_text(app, "#ask-problem")
        await press(pilot, *"not in bin", "enter")  # typed into the reason, not the scan field
        await settle(pilot, 0.3)
        assert not isinstance(app.screen, Ask)
        assert "the order is picked" in message(app)
    assert (await warehouse.get_fulfillment(order.id)).inventory[0].short_reason == "not in bin"


async def test_the_adjust_columns_show_the_quantity_their_heading_names(make_app, backend) -> None:
    warehouse = backend.inner
    await new_order(warehouse, **{BOLT: 3})  # 3 of A-01-01's 10 reserved
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_bolt(pilot)
        table = app.screen.query_one("#bins", DataTable)
        headings = [str(column.label) for column in table.columns.values()]
        first = dict(zip(headings, cells(app, "#bins")[0], strict=True))
        assert (first["Verified"], first["Reserved"], first["Manifest"]) == ("7", "3", "0")


async def test_on_a_handheld_every_count_shows_whole(make_app, backend) -> None:
    """At 40 columns the secondary columns give way; the counts are never cut."""
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await open_bolt(pilot)
        table = app.screen.query_one("#bins", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Bin", "Verified", "Damaged"]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 40 - 2
        await press(pilot, "f2")
        await settle(pilot)
        results = app.screen.query_one("#results", DataTable)
        assert [str(c.label) for c in results.columns.values()] == ["Name", "Here", "Total"]
        assert sum(c.get_render_width(results) for c in results.columns.values()) <= 40 - 2


async def test_a_refusal_rings_and_flashes_twice_a_success_flashes_once(make_app, backend) -> None:
    await new_order(backend.inner, **{BOLT: 2})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        bells = rings(app)
        line = app.screen.query_one(MessageLine)
        await scan(pilot, MILK_GTIN12)  # not on this order
        assert bells == [1] and line.has_class("-error") and line.has_class("-flash")
        assert len(MessageLine.FLASHES["error"]) == 3, "on, off, on: two flashes"
        await scan(pilot, BOLT_GTIN13)
        assert bells == [1], "a success rings nothing"
        assert line.has_class("-success") and line.has_class("-flash")
        assert len(MessageLine.FLASHES["success"]) == 1, "one flash"


async def test_without_flash_or_bell_the_message_line_only_says_it(make_app, backend) -> None:
    await new_order(backend.inner, **{BOLT: 2})
    app = make_app(flash=False)
    app.bell_on = False
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        bells = rings(app)
        await scan(pilot, MILK_GTIN12)
        line = app.screen.query_one(MessageLine)
        assert "not on this order" in message(app)
        assert bells == [] and not line.has_class("-flash")


async def test_a_scanned_tracking_number_finds_a_manifest_beyond_the_first_page(
    make_app, backend
) -> None:
    warehouse = backend.inner
    for n in range(55):
        await warehouse.create_manifest(
            {
                "location_id": RENO,
                "order_number": f"PO-{n:04d}",
                "estimated_delivery_at": NOW + DAY,
                "inventory": [{"item_id": BOLT, "qty": 1}],
            }
        )
    late = await warehouse.create_manifest(
        {
            "location_id": RENO,
            "order_number": "PO-LATE",
            "estimated_delivery_at": NOW + 30 * DAY,  # sorts last: not among the 50 shown
            "tracking_numbers": ["1Z999AA10123456784"],
            "inventory": [{"item_id": BOLT, "qty": 2}],
        }
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f6")
        await settle(pilot)
        assert all(row[1] != "PO-LATE" for row in cells(app, "#records"))
        await scan(pilot, "1Z999AA10123456784")
        assert isinstance(app.screen, ManifestScreen)
        assert app.screen.manifest.id == late.id


async def test_one_line_received_into_two_bins_is_put_away_in_both(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_manifest(pilot)
        await confirm(pilot, "ctrl+a")
        await scan(pilot, "A-01-01")
        for _ in range(2):
            await scan(pilot, BOLT_GTIN13)
        await scan(pilot, "A-01-02")  # the rest of the bolts went to the next bin
        for _ in range(3):
            await scan(pilot, BOLT_GTIN13)
        await settle(pilot)
        assert not isinstance(app.screen, Confirm), "no question: each part keeps its bin"
        assert screen.work.parts(BOLT) == [(A1, None, 2), (A2, None, 3)]
        assert lines(app)["Stainless Hex Bolt M8x40"][1] == "A-01-02 +1"  # after the SKU
        before = await backend.inner.get_item(BOLT)
        await confirm(pilot, "ctrl+k")
        await settle(pilot)
    bolt = await backend.inner.get_item(BOLT)
    assert qty(bolt, RENO, A1) == qty(before, RENO, A1) + 2
    assert qty(bolt, RENO, A2) == qty(before, RENO, A2) + 3
    stored = await backend.inner.get_manifest(MANIFEST)
    assert [(p.layout_id, p.received_qty) for p in stored.inventory[0].parts] == [(A1, 2), (A2, 3)]
