"""A console that ended with work unconfirmed: the next one says what, sends it once, and opens
the order again; an operator may discard a line instead; a damaged journal is said."""

from __future__ import annotations

import asyncio
from typing import Any

from console.domain.errors import Unreachable
from console.domain.picking import PickPack
from console.services import counting
from console.services.journal import Journal, journal_folder
from console.services.outbox import Outbox
from console.ui.screens.dialogs import Confirm
from console.ui.screens.pickpack import OrderScreen
from console.ui.screens.recovery import RecoveryScreen
from console.ui.screens.search import SearchScreen
from tests.contract.world import BOLT, BOLT_GTIN13, RENO
from tests.services.test_counting import Views
from tests.ui.conftest import cells, message, press, settle, type_like_a_scanner


async def picks_left_behind(backend: Any, memory: Any, clock: Any, picks: int) -> str:
    """A console picked `picks` bolts of a new order while the backend was away, and ended."""
    order = await backend.inner.create_fulfillment(
        {"location_id": RENO, "order_number": "SO-LEFT", "inventory": [{"item_id": BOLT, "qty": 5}]}
    )
    journal = Journal.start(journal_folder(memory.path.parent, "test", RENO), clock)
    outbox = Outbox(backend, clock, journal=journal)
    outbox.remember_place("order", order.id)
    views = Views()
    session = counting.picking(PickPack(order), backend, outbox, views)

    async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("connection refused")

    backend.hooks["update_fulfillment"] = away
    for _ in range(picks):
        session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    for _ in range(50):
        await asyncio.sleep(0)
    for job in views.jobs:
        job.cancel()
    await asyncio.gather(*views.jobs, return_exceptions=True)
    journal.close()  # the console is gone
    del backend.hooks["update_fulfillment"]
    return order.id


async def test_the_next_console_sends_what_was_left_once_and_reopens_the_order(
    make_app, backend, memory, clock
) -> None:
    order_id = await picks_left_behind(backend, memory, clock, 3)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        (row,) = cells(app, "#unconfirmed")
        assert "picks on SO-LEFT" in row[1]
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)  # where the operator was
        assert app.screen.fulfillment.id == order_id
        assert "3/5 picked" in str(app.screen.query_one("#order-summary").render())
        # and counting goes on from there
        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await settle(pilot)
    stored = await backend.inner.get_fulfillment(order_id)
    assert stored.inventory[0].picked_qty == 4


async def test_a_line_can_be_discarded_after_a_question_and_the_rest_is_kept(
    make_app, backend, memory, clock
) -> None:
    order_id = await picks_left_behind(backend, memory, clock, 2)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        await press(pilot, "ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)  # nothing left to offer
    assert (await backend.inner.get_fulfillment(order_id)).inventory[0].picked_qty == 0
    folder = journal_folder(memory.path.parent, "test", RENO)
    assert not list(folder.glob("*.journal"))  # settled: nothing to offer again


async def test_later_keeps_them_for_the_next_start(make_app, backend, memory, clock) -> None:
    await picks_left_behind(backend, memory, clock, 1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen) and "offered again" in message(app)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, RecoveryScreen)


async def test_a_damaged_journal_is_said_and_kept_aside(make_app, memory, clock) -> None:
    folder = journal_folder(memory.path.parent, "test", RENO)
    folder.mkdir(parents=True)
    (folder / "0f0f.journal").write_bytes(b"\x00garbage" * 100)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert "could not be read" in message(app)
    assert (folder / "0f0f.journal.damaged").exists()


async def test_quitting_with_changes_on_their_way_asks_first(make_app, backend) -> None:
    async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("connection refused")

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await settle(pilot)
        backend.hooks["update_item"] = away
        await press(pilot, *"+1", "enter")
        await settle(pilot)
        await press(pilot, "ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        body = str(app.screen.query_one(".dialog-body").render())
        assert "stay in the journal" in body
        await press(pilot, "escape")  # not now
        assert app.is_running


async def test_picks_left_on_a_closed_order_are_still_sent(make_app, backend) -> None:
    order = await backend.inner.create_fulfillment(
        {"location_id": RENO, "order_number": "SO-BG", "inventory": [{"item_id": BOLT, "qty": 5}]}
    )

    async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("connection refused")

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(OrderScreen(order))
        await settle(pilot)
        backend.hooks["update_fulfillment"] = away
        await type_like_a_scanner(pilot, BOLT_GTIN13)
        await settle(pilot)
        await press(pilot, "escape", "escape")  # left, though not confirmed yet
        await settle(pilot)
        assert not isinstance(app.screen, OrderScreen)
        del backend.hooks["update_fulfillment"]
        await settle(pilot, 6.0)  # the waits between attempts
        assert "everything is saved" in message(app)
    assert (await backend.inner.get_fulfillment(order.id)).inventory[0].picked_qty == 1
