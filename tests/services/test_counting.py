"""Counting sessions without a screen: picks and receipts kept, sent, settled, refused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from console.domain.errors import OutcomeUnknown, Unreachable
from console.domain.models import Fulfillment
from console.domain.picking import PickPack
from console.domain.receiving import Receiving
from console.services import counting
from console.services.clock import ManualClock
from console.services.notices import Notice
from console.services.outbox import Outbox
from tests.contract.world import A1, BOLT, MANIFEST, MILK, RENO
from tests.recording import Recording, answers_lost
from tests.services.conftest import let_time_pass, texts


class Views:
    """What a counting screen gives its session, recorded."""

    def __init__(self) -> None:
        self.jobs: list[asyncio.Task[None]] = []
        self.notices: list[Notice] = []
        self.rereads = 0
        self.changes: list[Any] = []
        self.idles = 0

    def start(self, job: Callable[[], Awaitable[None]]) -> None:
        self.jobs.append(asyncio.ensure_future(job()))

    def tell(self, notice: Notice) -> None:
        self.notices.append(notice)

    def reread(self) -> None:
        self.rereads += 1

    def changed(self, before: Any) -> None:
        self.changes.append(before)

    def idle(self) -> None:
        self.idles += 1

    async def done(self) -> None:
        await asyncio.gather(*self.jobs)


async def an_order(backend: Recording, **lines: int) -> Fulfillment:
    return await backend.inner.create_fulfillment(
        {
            "location_id": RENO,
            "order_number": "SO-7",
            "inventory": [{"item_id": k, "qty": v} for k, v in (lines or {BOLT: 3}).items()],
        }
    )


@pytest.fixture
async def picking(backend: Recording, outbox: Outbox) -> tuple[Any, Views]:
    views = Views()
    work = PickPack(await an_order(backend, **{BOLT: 3, MILK: 1}))
    session = counting.picking(work, backend, outbox, views)
    await session.open()
    return session, views


async def picked(backend: Recording, item_id: str) -> int:
    ful = (await backend.inner.list_fulfillments()).data[-1]
    return next(line.picked_qty for line in ful.inventory if line.item_id == item_id)


async def test_the_record_is_read_fresh_on_opening(picking) -> None:
    session, views = picking
    assert session.ready.is_set() and views.rereads == 1


async def test_picks_are_sent_as_they_are_made_and_confirmed(picking, backend) -> None:
    session, views = picking
    assert session.record(lambda: session.work.pick(BOLT, 2, "bolt"))
    await views.done()
    assert await picked(backend, BOLT) == 2 and not session.work.unsaved
    assert views.idles >= 1 and backend.count("update_fulfillment") == 1
    key = backend.calls[-1][2]["idempotency_key"]
    assert key.startswith("picks-")


async def test_an_over_pick_is_refused_and_nothing_is_sent(picking, backend) -> None:
    session, views = picking
    assert not session.record(lambda: session.work.pick(BOLT, 4, "bolt"))
    assert "Over-pick" in texts(views.notices) and views.notices[-1].ring
    assert backend.count("update_fulfillment") == 0


async def test_picks_are_kept_while_the_backend_is_away_and_land_once(
    picking, backend, clock: ManualClock
) -> None:
    session, views = picking

    async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("connection refused")

    backend.hooks["update_fulfillment"] = away
    session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    for _ in range(20):
        await asyncio.sleep(0)
    assert session.sending and session.waiting
    assert "kept and sent again" in texts(views.notices)
    session.record(lambda: session.work.pick(BOLT, 1, "bolt"))  # scanned meanwhile
    del backend.hooks["update_fulfillment"]
    await let_time_pass(clock, 1.0)
    await views.done()
    assert await picked(backend, BOLT) == 2 and not session.work.unsaved
    assert "Back in touch" in texts(views.notices)


async def test_a_lost_answer_of_counts_is_sent_again_even_without_keys(
    picking, backend, clock: ManualClock
) -> None:
    """Absolute counts: a repeat sets the same count, never one more."""
    session, views = picking
    backend.keys_honoured = False
    backend.hooks["update_fulfillment"] = answers_lost(1)
    session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    for _ in range(20):
        await asyncio.sleep(0)
    await let_time_pass(clock, 1.0)
    await views.done()
    assert await picked(backend, BOLT) == 1 and backend.count("update_fulfillment") == 2


async def test_a_refused_update_drops_what_it_carried_and_shows_the_truth(picking, backend) -> None:
    session, views = picking
    # another console cancels the order while this one picks
    await backend.inner.update_fulfillment(
        session.work.fulfillment.id, {"status": "canceled", "cancel_reason": "customer"}
    )
    session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    await views.done()
    # first on the version it counted on (412: changed meanwhile), then on the order as it is
    # now, which the status rules refuse: nothing is left to send and the screen shows the truth
    said = texts(views.notices)
    assert "Someone else is counting" in said and "Refused" in said
    assert session.work.status == "canceled" and session.work.picked(BOLT) == 0
    assert not session.work.unsaved and views.rereads == 3
    assert await picked(backend, BOLT) == 0


async def test_a_status_change_waits_for_the_counts_and_lands(picking, backend) -> None:
    session, views = picking
    session.record(lambda: session.work.pick(BOLT, 3, "bolt"))
    session.record(lambda: session.work.short(MILK, "not in the bin", "milk"))
    await views.done()
    assert session.work.status == "picked"  # the last line settled: sent with the counts
    assert await session.change_status({"status": "packed"}) is False  # nothing in a parcel
    assert "Refused" in texts(views.notices)


async def test_a_status_change_lost_then_refused_as_already_made_counts_as_made(
    backend: Recording, outbox: Outbox, clock: ManualClock
) -> None:
    views = Views()
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    work = Receiving(await backend.inner.get_manifest(MANIFEST))
    session = counting.receiving(work, backend, outbox, views)
    backend.keys_honoured = False
    first = [1]

    async def apply_then_lose(real: Any, manifest_id: str, body: Any, **kwargs: Any) -> Any:
        if first:
            first.pop()
            await real(manifest_id, body, **kwargs)
            raise OutcomeUnknown("dropped")
        kwargs["idempotency_key"] = None  # a server without keys sees a second request
        return await real(manifest_id, body, **kwargs)

    backend.hooks["update_manifest"] = apply_then_lose
    change = asyncio.ensure_future(session.change_status({"status": "void"}))
    for _ in range(20):
        await asyncio.sleep(0)
    await let_time_pass(clock, 1.0)
    assert await change is True and session.work.status == "void"


async def test_receipts_are_sent_with_their_bin(backend: Recording, outbox: Outbox) -> None:
    views = Views()
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    work = Receiving(await backend.inner.get_manifest(MANIFEST))
    session = counting.receiving(work, backend, outbox, views)
    await session.open()
    session.record(lambda: session.work.receive(BOLT, 2, damaged=False, layout_id=A1))
    await views.done()
    line = next(
        ln for ln in (await backend.inner.get_manifest(MANIFEST)).inventory if ln.item_id == BOLT
    )
    assert (line.received_qty, line.layout_id) == (2, A1)
    assert backend.calls[-1][2]["idempotency_key"].startswith("receipt-")
