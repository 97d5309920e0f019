"""The services as a screen would use them, without Textual: the warehouse of the contract
suite behind a recording backend, a ManualClock, and notices collected in a list."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from console.services.clock import ManualClock
from console.services.notices import Notice
from console.services.outbox import Outbox
from tests.contract.world import NOW, build_world
from tests.recording import Recording


@pytest.fixture
def backend() -> Recording:
    return Recording(build_world())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(now=NOW, fixed_now=True)


@pytest.fixture
def outbox(clock: ManualClock, backend: Recording) -> Outbox:
    return Outbox(backend, clock)


@pytest.fixture
def notices() -> list[Notice]:
    return []


async def run_until_asleep(clock: ManualClock, job: Awaitable[Any], *, sleepers: int = 1) -> Any:
    """Run `job` until it (and whatever else runs) is asleep on the clock, or done."""
    task = asyncio.ensure_future(job)
    for _ in range(1000):
        await asyncio.sleep(0)
        if task.done() or clock.sleepers >= sleepers:
            break
    return task


async def let_time_pass(clock: ManualClock, seconds: float) -> None:
    """Move the clock in steps to each deadline within `seconds`, letting woken tasks run."""
    end = clock.monotonic() + seconds
    while (deadline := clock.next_deadline()) is not None and deadline <= end:
        clock.advance(deadline - clock.monotonic())
        for _ in range(50):
            await asyncio.sleep(0)
    clock.advance(max(0.0, end - clock.monotonic()))
    for _ in range(50):
        await asyncio.sleep(0)


def texts(notices: list[Notice]) -> str:
    return " | ".join(n.text for n in notices)


Hook = Callable[..., Awaitable[Any]]
