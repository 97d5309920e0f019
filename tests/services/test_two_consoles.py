"""Two consoles counting one record at once, through the real server: the server holds the sum,
never the last writer's count."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from console.backends.http import HttpBackend
from console.domain.picking import PickPack
from console.domain.receiving import Receiving
from console.services import counting
from console.services.clock import Clock
from console.services.outbox import Outbox
from tests.contract.world import A1, BOLT, MANIFEST, RENO, build_world
from tests.services.test_counting import Views, texts


@pytest.fixture
def server() -> Iterator[Any]:
    from console.server import ServerThread, create_app

    running = ServerThread(create_app(build_world())).start()
    yield running
    running.stop()


@pytest.fixture
async def consoles(server: Any) -> AsyncIterator[list[HttpBackend]]:
    clients = [HttpBackend(server.url), HttpBackend(server.url)]
    yield clients
    for client in clients:
        await client.aclose()


async def sessions_on(
    consoles: list[HttpBackend], make: Any, read: str, record_id: str
) -> list[tuple[Any, Views]]:
    """Each console opens the record (reads it fresh, with its version)."""
    opened = []
    for client in consoles:
        views = Views()
        record = await getattr(client, read)(record_id)
        session = make(record, client, Outbox(client, Clock()), views)
        await session.open()
        opened.append((session, views))
    return opened


async def test_two_consoles_picking_one_line_leave_the_sum(server: Any, consoles) -> None:
    warehouse = server.app.state.warehouse
    order = await warehouse.create_fulfillment(
        {"location_id": RENO, "order_number": "SO-2C", "inventory": [{"item_id": BOLT, "qty": 4}]}
    )
    (first, first_views), (second, second_views) = await sessions_on(
        consoles,
        lambda record, client, outbox, views: counting.picking(
            PickPack(record), client, outbox, views
        ),
        "get_fulfillment",
        order.id,
    )
    # both scan one unit of the same line, each on the version it read
    first.record(lambda: first.work.pick(BOLT, 1, "bolt"))
    second.record(lambda: second.work.pick(BOLT, 1, "bolt"))
    await asyncio.gather(first_views.done(), second_views.done())
    stored = await warehouse.get_fulfillment(order.id)
    assert stored.inventory[0].picked_qty == 2  # the sum, not the last writer's 1
    shown = {first.work.picked(BOLT), second.work.picked(BOLT)}
    assert 2 in shown  # the console that went second shows both
    said = texts(first_views.notices) + texts(second_views.notices)
    assert "Someone else is counting SO-2C too" in said
    # and each keeps counting on the other's work
    first.record(lambda: first.work.pick(BOLT, 1, "bolt"))
    await first_views.done()
    assert (await warehouse.get_fulfillment(order.id)).inventory[0].picked_qty == 3


async def test_two_consoles_receiving_one_line_leave_the_sum(server: Any, consoles) -> None:
    warehouse = server.app.state.warehouse
    await warehouse.update_manifest(MANIFEST, {"status": "accepted"})
    (first, first_views), (second, second_views) = await sessions_on(
        consoles,
        lambda record, client, outbox, views: counting.receiving(
            Receiving(record), client, outbox, views
        ),
        "get_manifest",
        MANIFEST,
    )
    first.record(lambda: first.work.receive(BOLT, 3, layout_id=A1))
    second.record(lambda: second.work.receive(BOLT, 2, layout_id=A1))
    await asyncio.gather(first_views.done(), second_views.done())
    line = next(
        ln for ln in (await warehouse.get_manifest(MANIFEST)).inventory if ln.item_id == BOLT
    )
    assert line.received_qty == 5  # completing would put away all five
    assert not first.work.unsaved and not second.work.unsaved


async def test_many_picks_from_two_consoles_at_once_are_all_counted(server: Any, consoles) -> None:
    """Each console scans as fast as it can, its updates racing the other's."""
    warehouse = server.app.state.warehouse
    order = await warehouse.create_fulfillment(
        {
            "location_id": RENO,
            "order_number": "SO-RACE",
            "inventory": [{"item_id": BOLT, "qty": 15}],
        }
    )
    opened = await sessions_on(
        consoles,
        lambda record, client, outbox, views: counting.picking(
            PickPack(record), client, outbox, views
        ),
        "get_fulfillment",
        order.id,
    )

    async def scan(session: Any, times: int) -> None:
        for _ in range(times):
            assert session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
            await asyncio.sleep(0)

    await asyncio.gather(scan(opened[0][0], 7), scan(opened[1][0], 6))
    for session, views in opened:
        await views.done()  # the scans are in: each sends until nothing is left
        assert not session.work.unsaved
    assert (await warehouse.get_fulfillment(order.id)).inventory[0].picked_qty == 13


async def test_a_change_answered_after_the_read_timeout_is_applied_once_and_shown_right() -> None:
    """The +1 whose answer took longer than the read timeout: sent again with its key, the
    server gives the first answer, and the level shown is the one after the +1."""
    from console.backends.memory.warehouse import MemoryWarehouse
    from console.server import ServerThread, create_app
    from console.services.adjusting import AdjustmentSession, Outcome
    from tests.contract.world import NOW

    class Slow(MemoryWarehouse):
        slow = True

        async def update_item(self, *args: Any, **kwargs: Any) -> Any:
            answer = await super().update_item(*args, **kwargs)
            if self.slow:  # applied, then a slow answer: longer than the read timeout
                self.slow = False
                await asyncio.sleep(0.6)
            return answer

    world = build_world()
    slow = Slow(
        locations=world._locations.values(),
        items=world._items.values(),
        clock=lambda: NOW,
    )
    server = ServerThread(create_app(slow)).start()
    client = HttpBackend(server.url, read_timeout=0.3)
    told: list[Any] = []
    try:
        reno = await client.get_location(RENO)
        session = AdjustmentSession(
            client,
            Outbox(client, Clock()),
            Clock(),
            tell=told.append,
            changed=lambda: None,
            location=reno,
        )
        await session.load(BOLT)
        record = await session.send(session.plan_entry("+1"))
        assert record.outcome is Outcome.APPLIED
        assert "answer was lost" in texts(told)  # said while it waited, as "waiting"
        bolt = await slow.get_item(BOLT)
        assert next(lv.verified_qty for lv in bolt.levels if lv.layout_id == A1) == 11  # once
        assert session.level(session.slot) == 11  # shown right
    finally:
        await client.aclose()
        server.stop()


async def test_a_change_is_never_applied_to_a_warehouse_started_afresh() -> None:
    from console.server import ServerThread, create_app
    from console.services.outbox import Request, Result

    first = ServerThread(create_app(build_world())).start()
    client = HttpBackend(first.url)
    seen: list[tuple[str, str]] = []
    client.watch_instance(lambda before, now: seen.append((before, now)))
    try:
        await client.list_locations()  # the console knows the warehouse it works on
        first.stop()
        fresh = build_world()
        second = ServerThread(create_app(fresh), port=first.port).start()  # started afresh
        try:
            change = Request(
                "update_item",
                BOLT,
                {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]},
            )
            delivery = await Outbox(client, Clock()).deliver("+1", change, key="adj-x")
            assert delivery.result is Result.ORPHANED
            bolt = await fresh.get_item(BOLT)
            assert next(lv.verified_qty for lv in bolt.levels if lv.layout_id == A1) == 10
            assert len(seen) == 1 and seen[0][1] == fresh.instance  # said at once
        finally:
            second.stop()
    finally:
        await client.aclose()
