"""The time a request body has to arrive (console/server/deadlines.py): a trickled body is cut
off once its time is up, a body that comes in time is read whole, and a cancellation from
elsewhere (the server stopping) stays a cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from console.server.deadlines import BodyTimeout, within

SECONDS = 0.2


def arriving_after(seconds: float) -> asyncio.Future[None]:
    """The rest of a body, on its way for `seconds`."""
    loop = asyncio.get_running_loop()
    rest: asyncio.Future[None] = loop.create_future()
    loop.call_later(seconds, lambda: rest.done() or rest.set_result(None))
    return rest


async def cut_off_or_read(rest: Awaitable[None]) -> str:
    try:
        async with within(SECONDS):
            await rest
    except BodyTimeout:
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # the request carries on
        await asyncio.sleep(0)  # and can still answer
        return "cut off"
    return "read"


async def test_a_trickled_body_is_cut_off_once_its_time_is_up() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await cut_off_or_read(arriving_after(30)) == "cut off"  # long before the rest
    assert loop.time() - started >= SECONDS  # not before its time


async def test_a_body_that_comes_in_time_is_read() -> None:
    assert await cut_off_or_read(arriving_after(SECONDS / 2)) == "read"


async def test_of_bodies_read_together_only_the_late_ones_are_cut_off() -> None:
    outcomes = await asyncio.gather(
        *(cut_off_or_read(arriving_after(s)) for s in (0, 30, SECONDS / 2, 30))
    )
    assert outcomes == ["read", "cut off", "read", "cut off"]


async def test_reads_after_a_cut_off_have_their_own_time() -> None:
    assert await cut_off_or_read(arriving_after(30)) == "cut off"
    assert await cut_off_or_read(arriving_after(SECONDS / 2)) == "read"
    assert await cut_off_or_read(arriving_after(30)) == "cut off"


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    loop = asyncio.get_running_loop()
    rest: asyncio.Future[None] = loop.create_future()
    reading = asyncio.create_task(cut_off_or_read(rest))
    loop.call_later(SECONDS / 4, reading.cancel)  # the server stopping
    with pytest.raises(asyncio.CancelledError):
        await reading


async def test_a_cancellation_at_the_moment_the_time_is_up_stays_a_cancellation() -> None:
    loop = asyncio.get_running_loop()
    rest: asyncio.Future[None] = loop.create_future()  # never comes
    # Run as the clock cuts the read off, before the read wakes to it (this callback was
    # added first): the server stopping in that same moment.
    rest.add_done_callback(lambda _: reading.cancel())
    reading = asyncio.create_task(cut_off_or_read(rest))
    with pytest.raises(asyncio.CancelledError):
        await reading


def test_an_event_loop_done_with_is_let_go() -> None:
    """Each test, and each server thread, runs its own loop: the clock must not keep them."""
    import gc
    import weakref

    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def a_read() -> str:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        return await cut_off_or_read(arriving_after(0))

    assert asyncio.run(a_read()) == "read"
    gc.collect()
    assert loops[0]() is None
