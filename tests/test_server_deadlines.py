"""The time a request body has to arrive (console/server/deadlines.py): a trickled body is cut
off once its time is up, a body that comes in time is read whole, and a cancellation from
elsewhere (the server stopping) stays a cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable

import pytest

from console.server.deadlines import BodyTimeout, within

SECONDS = 0.5
IN_TIME = SECONDS / 10  # a body's rest comes well within its time, even on a busy machine


def arriving_after(seconds: float) -> asyncio.Future[None]:
    """The rest of a body, on its way for `seconds`."""
    loop = asyncio.get_running_loop()
    rest: asyncio.Future[None] = loop.create_future()
    loop.call_later(seconds, lambda: rest.done() or rest.set_result(None))
    return rest


async def answered() -> None:
    """What a request does after its read: waits on the loop again (sending its answer). A
    cancellation left pending on the task would be thrown here."""
    sent = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(sent.set_result, None)
    await sent


async def cut_off_or_read(
    rest: Awaitable[None], seconds: float = SECONDS, entered: asyncio.Event | None = None
) -> str:
    try:
        async with within(seconds):
            if entered is not None:
                entered.set()
            await rest
    except BodyTimeout:
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # the request carries on
        await answered()  # and can still answer
        return "cut off"
    return "read"


async def test_a_trickled_body_is_cut_off_once_its_time_is_up() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await cut_off_or_read(arriving_after(30)) == "cut off"  # long before the rest
    assert loop.time() - started >= SECONDS  # not before its time


async def test_a_body_that_comes_in_time_is_read() -> None:
    assert await cut_off_or_read(arriving_after(IN_TIME)) == "read"


async def test_of_bodies_read_together_only_the_late_ones_are_cut_off() -> None:
    outcomes = await asyncio.gather(
        *(cut_off_or_read(arriving_after(s)) for s in (0, 30, IN_TIME, 30))
    )
    assert outcomes == ["read", "cut off", "read", "cut off"]


async def test_reads_after_a_cut_off_have_their_own_time() -> None:
    assert await cut_off_or_read(arriving_after(30)) == "cut off"
    assert await cut_off_or_read(arriving_after(IN_TIME)) == "read"
    assert await cut_off_or_read(arriving_after(30)) == "cut off"


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    loop = asyncio.get_running_loop()
    rest: asyncio.Future[None] = loop.create_future()
    entered = asyncio.Event()
    reading = asyncio.create_task(cut_off_or_read(rest, entered=entered))
    await entered.wait()
    reading.cancel()  # the server stopping, while the body is still on its way
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


async def test_a_short_time_is_kept_beside_a_long_one() -> None:
    """Reads with different times share the loop's clock: the shorter is not cut off only
    when the longer one would look."""
    entered = asyncio.Event()
    long_read = asyncio.create_task(
        cut_off_or_read(arriving_after(30), seconds=100, entered=entered)
    )
    await entered.wait()  # the long read takes the clock first
    async with asyncio.timeout(SECONDS * 8):  # well past a tenth of 100 s otherwise
        assert await cut_off_or_read(arriving_after(30)) == "cut off"
    long_read.cancel()


async def test_an_outer_time_is_kept_while_an_inner_read_runs() -> None:
    async def nested() -> str:
        try:
            async with within(SECONDS), within(100):
                await arriving_after(30)
        except BodyTimeout:
            return "cut off"
        return "read"

    async with asyncio.timeout(SECONDS * 8):
        assert await nested() == "cut off"


async def test_a_task_cancelled_before_its_read_is_still_cut_off_in_time() -> None:
    """As asyncio.timeout counts it: a cancellation the task took earlier (and carried on
    from) is not taken for one from elsewhere."""
    task = asyncio.current_task()
    assert task is not None
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.get_running_loop().create_future()  # where the cancellation lands
    try:
        async with within(SECONDS):
            await arriving_after(30)
    except BodyTimeout:
        outcome = "cut off"
    finally:
        task.uncancel()
    assert outcome == "cut off"


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


def test_an_event_loop_left_with_a_read_in_progress_is_let_go() -> None:
    import gc
    import weakref

    async def start_a_read() -> asyncio.Task[str]:
        never = asyncio.get_running_loop().create_future()
        entered = asyncio.Event()
        task = asyncio.create_task(cut_off_or_read(never, entered=entered))
        await entered.wait()
        return task

    loop = asyncio.new_event_loop()
    reading = loop.run_until_complete(start_a_read())
    assert not reading.done()
    gone = weakref.ref(loop)
    loop.close()
    del loop, reading
    gc.collect()
    assert gone() is None
