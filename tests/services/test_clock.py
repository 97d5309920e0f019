"""The console's one source of time, and the manual one tests drive."""

from __future__ import annotations

import asyncio

import pytest

from console.services.clock import Clock, ManualClock


async def test_sleepers_wake_in_the_order_of_their_deadlines() -> None:
    clock = ManualClock(now=100.0, monotonic=5.0)
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(name)

    tasks = [asyncio.ensure_future(sleeper(n, s)) for n, s in (("c", 3), ("a", 1), ("b", 2))]
    await asyncio.sleep(0)
    assert clock.sleepers == 3 and clock.next_deadline() == 6.0
    clock.advance(2.5)
    await asyncio.sleep(0)
    assert woke == ["a", "b"] and clock.sleepers == 1
    assert (clock.now(), clock.monotonic()) == (102.5, 7.5)
    clock.advance(0.5)
    await asyncio.gather(*tasks)
    assert woke == ["a", "b", "c"] and clock.next_deadline() is None


async def test_a_cancelled_sleep_is_not_waited_for() -> None:
    clock = ManualClock()
    task = asyncio.ensure_future(clock.sleep(5))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.sleepers == 0 and clock.next_deadline() is None


def test_a_fixed_now_stays_while_the_monotonic_clock_moves() -> None:
    clock = ManualClock(now=1_000.0, monotonic=1.0, fixed_now=True)
    clock.advance(60)
    assert (clock.now(), clock.monotonic()) == (1_000.0, 61.0)
    with pytest.raises(ValueError, match="back"):
        clock.advance(-1)


async def test_the_real_clock_is_real_time() -> None:
    clock = Clock()
    before = clock.monotonic()
    await clock.sleep(0)
    assert clock.monotonic() >= before and clock.now() > 1_700_000_000
