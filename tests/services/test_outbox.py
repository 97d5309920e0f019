"""The outbox's one policy for every change: not delivered, answer lost, refused."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from console.domain.errors import (
    Conflict,
    InvalidInput,
    OutcomeUnknown,
    RateLimited,
    Unavailable,
    Unreachable,
    WarehouseError,
)
from console.services.clock import ManualClock
from console.services.outbox import Outbox, Result
from tests.services.conftest import let_time_pass, run_until_asleep


class Backend:
    """Answers from a script: each attempt takes the next outcome (an error to raise, or an
    answer); every attempt's key is recorded."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.keys: list[str] = []

    async def send(self, key: str) -> object:
        self.keys.append(key)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def outbox_on(clock: ManualClock, *, keys_honoured: bool) -> Outbox:
    return Outbox(clock, honours_keys=lambda: keys_honoured)


async def test_an_answered_change_is_applied_once(clock: ManualClock) -> None:
    backend = Backend("done")
    outbox = outbox_on(clock, keys_honoured=False)
    delivery = await outbox.deliver("+5", backend.send, key=outbox.new_key("adj"))
    assert delivery.result is Result.APPLIED and delivery.answer == "done"
    assert not delivery.waited and len(backend.keys) == 1 and backend.keys[0].startswith("adj-")
    assert outbox.in_flight == []


@pytest.mark.parametrize(
    "refusal",
    [
        Conflict("below zero"),
        InvalidInput("bad"),
        Unavailable("The API does not support POST /items (HTTP 405)"),
        WarehouseError("odd"),
    ],
)
async def test_a_refusal_is_final_and_nothing_is_sent_again(
    clock: ManualClock, refusal: WarehouseError
) -> None:
    backend = Backend(refusal)
    outbox = outbox_on(clock, keys_honoured=True)
    delivery = await outbox.deliver("+5", backend.send, key="k1")
    assert delivery.result is Result.REFUSED and delivery.error is refusal
    assert backend.keys == ["k1"]


async def test_not_delivered_is_sent_again_with_the_same_key_after_waits(
    clock: ManualClock,
) -> None:
    backend = Backend(Unreachable("refused"), Unreachable("refused"), Unreachable("x"), "done")
    outbox = outbox_on(clock, keys_honoured=False)  # safe anyway: the backend never had it
    waited: list[WarehouseError] = []
    task = await run_until_asleep(
        clock, outbox.deliver("+5", backend.send, key="k1", waiting=waited.append)
    )
    assert len(waited) == 1 and backend.keys == ["k1"]
    (change,) = outbox.in_flight
    assert change.key == "k1" and change.attempts == 1
    assert isinstance(change.waiting_because, Unreachable)
    await let_time_pass(clock, 0.99)
    assert backend.keys == ["k1"]  # the first wait is a second
    await let_time_pass(clock, 0.01 + 2.0 + 5.0)  # then two, then five
    delivery = task.result()
    assert delivery.result is Result.APPLIED and delivery.waited
    assert backend.keys == ["k1"] * 4 and len(waited) == 1
    assert outbox.in_flight == []


async def test_a_lost_answer_is_sent_again_where_keys_are_honoured(clock: ManualClock) -> None:
    backend = Backend(OutcomeUnknown("dropped"), "the first answer")
    outbox = outbox_on(clock, keys_honoured=True)
    task = await run_until_asleep(clock, outbox.deliver("+5", backend.send, key="k1"))
    await let_time_pass(clock, 1.0)
    delivery = task.result()
    assert delivery.result is Result.APPLIED and delivery.answer == "the first answer"
    assert backend.keys == ["k1", "k1"]


async def test_a_lost_answer_is_not_sent_again_where_keys_are_not_honoured(
    clock: ManualClock,
) -> None:
    lost = OutcomeUnknown("dropped")
    backend = Backend(lost)
    outbox = outbox_on(clock, keys_honoured=False)
    delivery = await outbox.deliver("+5", backend.send, key="k1")
    assert delivery.result is Result.UNKNOWN and delivery.error is lost
    assert backend.keys == ["k1"]


async def test_a_replayable_change_is_sent_again_even_without_keys(clock: ManualClock) -> None:
    """Absolute counts: sending picked_qty=3 twice sets 3 twice."""
    backend = Backend(OutcomeUnknown("dropped"), "saved")
    outbox = outbox_on(clock, keys_honoured=False)
    task = await run_until_asleep(
        clock, outbox.deliver("picks", backend.send, key="k1", replayable=True)
    )
    await let_time_pass(clock, 1.0)
    assert task.result().applied and backend.keys == ["k1", "k1"]


async def test_whether_keys_are_honoured_is_asked_when_it_matters(clock: ManualClock) -> None:
    """An HTTP backend learns it from the server's answers: the outbox asks at each loss."""
    honoured = [False]
    backend = Backend(OutcomeUnknown("dropped"))
    outbox = Outbox(clock, honours_keys=lambda: honoured[0])
    assert (await outbox.deliver("+5", backend.send, key="k1")).result is Result.UNKNOWN
    honoured[0] = True
    backend = Backend(OutcomeUnknown("dropped"), "ok")
    task = await run_until_asleep(clock, outbox.deliver("+5", backend.send, key="k2"))
    await let_time_pass(clock, 1.0)
    assert task.result().applied


async def test_rate_limited_waits_as_long_as_asked(clock: ManualClock) -> None:
    backend = Backend(RateLimited("slow down", retry_after=12.0), "ok")
    outbox = outbox_on(clock, keys_honoured=False)
    task = await run_until_asleep(clock, outbox.deliver("+5", backend.send, key="k1"))
    await let_time_pass(clock, 11.9)
    assert backend.keys == ["k1"]
    await let_time_pass(clock, 0.1)
    assert task.result().applied and backend.keys == ["k1", "k1"]


async def test_every_change_gets_its_own_key(clock: ManualClock) -> None:
    outbox = outbox_on(clock, keys_honoured=True)
    keys = {outbox.new_key("adj") for _ in range(100)}
    assert len(keys) == 100


async def test_a_change_given_up_leaves_the_outbox(clock: ManualClock) -> None:
    """The screen that sent it was closed while it waited: nothing stays in flight."""
    backend = Backend(Unreachable("refused"))
    outbox = outbox_on(clock, keys_honoured=True)
    task = await run_until_asleep(clock, outbox.deliver("+5", backend.send, key="k1"))
    assert len(outbox.in_flight) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outbox.in_flight == []


def test_services_run_without_textual() -> None:
    code = (
        "import sys, console.services.adjusting, console.services.counting, "
        "console.services.lots, console.services.outbox, console.services.scans;"
        "bad = [m for m in ('textual', 'rich', 'httpx') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
