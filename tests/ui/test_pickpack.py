"""Pick-pack as an operator works it: the queue, picking by scans, refusals, packing, closing."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain.errors import OutcomeUnknown
from console.domain.gtin import gtin14
from console.domain.models import Fulfillment
from console.ui.app import WarehouseApp
from console.ui.screens.dialogs import Ask, Confirm
from console.ui.screens.pickpack import OrderScreen, PickPackScreen
from tests.contract.world import (
    A1,
    A2,
    BOLT,
    BOLT_GTIN13,
    COLUMBUS,
    DAY,
    GLOVES,
    MILK,
    MILK_GTIN12,
    NOW,
    RENO,
)
from tests.ui.conftest import cells, message, press, rings, scan, settle, static_text

GS = "\x1d"
BOLT_14 = gtin14(BOLT_GTIN13)
MILK_14 = gtin14(MILK_GTIN12)


async def new_order(
    warehouse: Any, number: str = "SO-1", due: int = NOW + DAY, **lines: int
) -> Fulfillment:
    return await warehouse.create_fulfillment(
        {
            "location_id": RENO,
            "order_number": number,
            "complete_at": due,
            "inventory": [
                {"item_id": k, "qty": v} for k, v in (lines or {BOLT: 12, MILK: 3}).items()
            ],
        }
    )


async def with_box_sizes(warehouse: Any) -> None:
    await warehouse.update_item(
        BOLT, {"packaged_dimensions": {"length": 4, "width": 2, "height": 1, "weight": 0.5}}
    )
    await warehouse.update_item(
        MILK, {"packaged_dimensions": {"length": 3, "width": 3, "height": 8, "weight": 2.2}}
    )


async def levels(warehouse: Any, item_id: str) -> dict[str | None, tuple[int, int]]:
    """(verified, reserved) per bin at Reno."""
    item = await warehouse.get_item(item_id)
    return {
        lv.layout_id: (lv.verified_qty, lv.reserved_qty)
        for lv in item.levels
        if lv.location_id == RENO
    }


async def open_order(pilot: Any, number: str = "SO-1") -> OrderScreen:
    await settle(pilot)
    await press(pilot, "f5")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickPackScreen)
    await scan(pilot, number)
    screen = pilot.app.screen
    assert isinstance(screen, OrderScreen)
    await settle(pilot)
    return screen


async def pack_in_one_parcel_and_complete(pilot: Any, pause: float = 0.3) -> None:
    """Ctrl+N with the suggested sizes, Ctrl+A, then Ctrl+K confirmed twice: packed, completed."""
    await press(pilot, "ctrl+n")
    await settle(pilot)
    await press(pilot, "enter", "ctrl+a")
    await settle(pilot)
    for _ in range(2):
        await press(pilot, "ctrl+k")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot, pause)


def picked(app: WarehouseApp) -> dict[str, tuple[str, str]]:
    """Item name → (wanted, picked) as the pick list shows them."""
    return {row[2]: (row[3], row[4]) for row in cells(app, "#pick-table")}


async def test_the_queue_shows_open_orders_here_soonest_due_first(make_app, backend) -> None:
    await new_order(backend.inner, "SO-LATER", NOW + 2 * DAY, **{MILK: 1})
    await new_order(backend.inner, "SO-LATE", NOW - 3 * 3600, **{BOLT: 2})
    await backend.inner.create_fulfillment(
        {
            "location_id": COLUMBUS,
            "order_number": "SO-ELSEWHERE",
            "inventory": [{"item_id": GLOVES, "qty": 1}],
        }
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        rows = cells(app, "#records")
        assert [row[1] for row in rows] == ["SO-LATE", "SO-LATER"]
        assert rows[0][0] == "✖" and rows[0][6] == "overdue 3 h", "overdue reads without colour"
        assert rows[1][0] == "" and rows[1][6] == "in 2 d"
        assert "1 overdue" in static_text(app, "#summary")
        await press(pilot, "down", "enter")
        await settle(pilot)
        assert (
            isinstance(app.screen, OrderScreen)
            and app.screen.fulfillment.order_number == "SO-LATER"
        )


async def test_a_whole_order_picked_packed_and_completed_by_scans(make_app, backend) -> None:
    warehouse = backend.inner
    await with_box_sizes(warehouse)
    await new_order(warehouse)
    assert await levels(warehouse, BOLT) == {A1: (0, 10), A2: (3, 2)}
    assert await levels(warehouse, MILK) == {None: (17, 3)}
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_order(pilot)
        # walking order: the bolt's bins first, the milk (no bin) last; the FEFO lot shown
        rows = cells(app, "#pick-table")
        assert [row[1] for row in rows] == ["A-01-01 +1", "—"]
        assert rows[1][6] == "L-200", "the milk lot expiring first that may still ship"
        await scan(pilot, "A-01-01")
        assert "At bin A-01-01" in message(app)
        await scan(pilot, f"]C101{BOLT_14}3010")  # a case of ten
        await scan(pilot, BOLT_GTIN13)
        await scan(pilot, BOLT_GTIN13)
        await scan(pilot, f"]C101{MILK_14}10L-200{GS}303")
        await settle(pilot)
        assert picked(app) == {
            "Stainless Hex Bolt M8x40": ("12", "12"),
            "Organic Oat Milk 1 L": ("3", "3"),
        }
        stored = await warehouse.get_fulfillment(order.fulfillment.id)
        assert stored.status == "picked", "every line picked: the order is picked"
        assert [line.picked_qty for line in stored.inventory] == [12, 3]

        await press(pilot, "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, Ask)
        await press(pilot, "enter")  # the sizes the items' packaged dimensions give
        await settle(pilot)
        await scan(pilot, BOLT_GTIN13)  # one unit into the parcel by scanning
        await press(pilot, "ctrl+a")  # the rest by choosing
        await settle(pilot)
        parcels = cells(app, "#parcel-table")
        assert parcels[0][1:] == ["4×3×26", "12.6", "15", "ok"]
        await press(pilot, "ctrl+k")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await press(pilot, "enter")
        await settle(pilot)
        assert (await warehouse.get_fulfillment(order.fulfillment.id)).status == "packed"
        await press(pilot, "ctrl+k")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        body = static_text(app, ".dialog-body")
        assert "10 reserved shipped out of A-01-01" in body and "3 reserved shipped" in body
        await press(pilot, "enter")
        await settle(pilot)
        assert "is completed" in message(app)
    stored = await warehouse.get_fulfillment(order.fulfillment.id)
    assert stored.status == "completed"
    assert len(stored.parcels) == 1 and stored.parcels[0].inventory
    assert await levels(warehouse, BOLT) == {A1: (0, 0), A2: (3, 0)}
    assert await levels(warehouse, MILK) == {None: (17, 0)}


@pytest.mark.parametrize(
    ("label", "says"),
    [
        ("PK-TAPE-48", "Wrong item: Packing Tape 48 mm is not on this order."),
        (
            f"]C101{BOLT_14}3013",
            "Over-pick: Stainless Hex Bolt M8x40 wants 12, 0 picked; only 12 more.",
        ),
        (
            f"]C101{MILK_14}10L-050",
            "Lot L-050 is of Nitrile Gloves Large, not of Organic Oat Milk 1 L",
        ),
        ("00000000000000", "Scanned GTIN 00000000000000: no item has it."),
    ],
)
async def test_refused_scans_ring_say_why_and_change_nothing(
    make_app, backend, label, says
) -> None:
    await new_order(backend.inner)
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, label)
        assert says in message(app)
        assert rung == [1]
        assert picked(app) == {
            "Stainless Hex Bolt M8x40": ("12", "0"),
            "Organic Oat Milk 1 L": ("3", "0"),
        }
    assert backend.count("update_fulfillment") == 0


async def test_an_item_from_another_bin_than_the_one_scanned_is_refused(make_app, backend) -> None:
    await new_order(backend.inner)
    app = make_app()
    rung = rings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, "Shelf [A1]")
        await scan(pilot, BOLT_GTIN13)
        assert "taken from A-01-01 +1, not from the bin you scanned" in message(app)
        assert rung == [1]
    assert backend.count("update_fulfillment") == 0


async def test_a_lot_that_is_not_first_to_expire_asks_first(make_app, backend) -> None:
    await new_order(backend.inner)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, f"]C101{MILK_14}10L-300")
        assert isinstance(app.screen, Confirm)
        assert "L-200 expires first" in static_text(app, ".dialog-body")
        await press(pilot, "escape")
        await settle(pilot)
        assert picked(app)["Organic Oat Milk 1 L"] == ("3", "0")
        await scan(pilot, f"]C101{MILK_14}10L-300")
        await press(pilot, "enter")
        await settle(pilot)
        assert picked(app)["Organic Oat Milk 1 L"] == ("3", "1")


async def test_a_double_read_counts_once(make_app, backend) -> None:
    await new_order(backend.inner)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        from tests.ui.conftest import type_like_a_scanner

        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await settle(pilot)
        assert picked(app)["Stainless Hex Bolt M8x40"] == ("12", "1")
        assert "read twice" in message(app)


async def test_short_pick_and_typed_quantity_then_completion_returns_the_short(
    make_app, backend
) -> None:
    warehouse = backend.inner
    await with_box_sizes(warehouse)
    order = await new_order(warehouse)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await press(pilot, "ctrl+u")  # on the first line: the bolt
        await settle(pilot)
        await press(pilot, *"5x", "enter")
        await settle(pilot)
        assert "not a quantity" in message(app)
        await press(pilot, "ctrl+u")
        await settle(pilot)
        await press(pilot, "9", "enter")
        await settle(pilot)
        assert picked(app)["Stainless Hex Bolt M8x40"] == ("12", "9")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        await press(pilot, *"only 9 in bin", "enter")
        await settle(pilot)
        assert cells(app, "#pick-table")[0][0] == "S"
        await scan(pilot, f"]C101{MILK_14}10L-200{GS}303")
        stored = await warehouse.get_fulfillment(order.id)
        assert stored.status == "picked"
        assert stored.inventory[0].short_reason == "only 9 in bin"
        await pack_in_one_parcel_and_complete(pilot)
    assert (await warehouse.get_fulfillment(order.id)).status == "completed"
    # 9 shipped from the bolt's reservation (A-01-01 first); the 3 short go back to verified
    assert await levels(warehouse, BOLT) == {A1: (1, 0), A2: (5, 0)}


async def test_cancel_needs_a_reason_shows_its_effect_and_returns_stock(make_app, backend) -> None:
    warehouse = backend.inner
    order = await new_order(warehouse)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, BOLT_GTIN13)
        await press(pilot, "ctrl+x")
        await settle(pilot)
        await press(pilot, "enter")  # no reason
        await settle(pilot)
        assert "needs a reason" in message(app)
        assert (await warehouse.get_fulfillment(order.id)).status == "processing"
        await press(pilot, "ctrl+x")
        await settle(pilot)
        await press(pilot, *"customer called", "enter")
        await settle(pilot)
        body = static_text(app, ".dialog-body")
        assert "10 back from reserved to verified at A-01-01" in body
        await press(pilot, "enter")
        await settle(pilot)
    stored = await warehouse.get_fulfillment(order.id)
    assert stored.status == "canceled" and stored.cancel_reason == "customer called"
    assert await levels(warehouse, BOLT) == {A1: (10, 0), A2: (5, 0)}
    assert await levels(warehouse, MILK) == {None: (20, 0)}


async def test_a_lost_answer_keeps_the_picks_and_nothing_counts_twice(make_app, backend) -> None:
    warehouse = backend.inner
    order = await new_order(warehouse)
    lose: list[str] = ["after", "before"]

    async def flaky(real: Any, *args: Any, **kwargs: Any) -> Any:
        if lose:
            when = lose.pop()
            if when == "after":
                await real(*args, **kwargs)  # applied, but the answer never arrives
            raise OutcomeUnknown("The answer was lost.")
        return await real(*args, **kwargs)

    backend.hooks["update_fulfillment"] = flaky
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, BOLT_GTIN13)  # first try never arrives: kept, re-read, sent again
        await settle(pilot, 1.5)
        await scan(pilot, f"]C101{BOLT_14}303")  # applied, answer lost: the re-read shows it
        await settle(pilot, 1.5)
        assert picked(app)["Stainless Hex Bolt M8x40"] == ("12", "4")
        assert "saving" not in static_text(app, "#order-summary")
    stored = await warehouse.get_fulfillment(order.id)
    assert stored.inventory[0].picked_qty == 4


async def test_progress_is_saved_as_the_operator_goes(make_app, backend) -> None:
    await new_order(backend.inner)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        await scan(pilot, f"]C101{BOLT_14}305")
        await press(pilot, "escape")
        await settle(pilot)
        assert cells(app, "#records")[0][4] == "5"
    second = make_app()  # another console on the same warehouse
    async with second.run_test(size=(80, 24)) as pilot:
        await open_order(pilot)
        assert picked(second)["Stainless Hex Bolt M8x40"] == ("12", "5")


async def test_the_same_pick_pack_through_the_http_backend_against_the_server(
    memory, clock
) -> None:
    """The console on the HTTP client, talking to the real server over loopback."""
    from console.backends.http import HttpBackend
    from console.server import ServerThread, create_app
    from tests.contract.world import build_world

    warehouse = build_world()
    await with_box_sizes(warehouse)
    order = await new_order(warehouse)
    with ServerThread(create_app(warehouse)) as server:
        client = HttpBackend(server.url, None)
        app = WarehouseApp(client, bell=False, memory=memory, location_id=RENO, clock=clock)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await open_order(pilot)
                assert cells(app, "#pick-table")[1][6] == "L-200"
                await scan(pilot, f"]C101{BOLT_14}3012")
                await scan(pilot, f"]C101{MILK_14}10L-200{GS}303")
                await settle(pilot, 0.5)
                await pack_in_one_parcel_and_complete(pilot, pause=0.5)
                assert "is completed" in message(app)
        finally:
            await client.aclose()
    stored = await warehouse.get_fulfillment(order.id)
    assert stored.status == "completed"
    assert [(p.length, p.width, p.height, p.weight) for p in stored.parcels] == [(4, 3, 26, 12.6)]
    assert await levels(warehouse, BOLT) == {A1: (0, 0), A2: (3, 0)}
    assert await levels(warehouse, MILK) == {None: (17, 0)}
