"""The outbox's one policy for every change: not delivered, answer lost, refused."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from console.backends.protocol import Capabilities
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
from console.services.outbox import Outbox, Request, Result
from tests.services.conftest import let_time_pass, run_until_asleep


class Backend:
    """Answers an update from a script: each attempt takes the next outcome (an error to raise,
    or an answer); every attempt's key is recorded. Says whether it honours keys, and which
    warehouse it serves."""

    def __init__(self, *outcomes: object, keys_honoured: bool = False) -> None:
        self.outcomes = list(outcomes)
        self.keys: list[str] = []
        self.if_matches: list[str | None] = []
        self.keys_honoured = keys_honoured
        self.instance: str | None = "warehouse-1"

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(idempotency_keys=self.keys_honoured)

    async def update_item(
        self, item_id: str, body: dict, *, idempotency_key: str, if_match: str | None = None
    ) -> object:
        self.keys.append(idempotency_key)
        self.if_matches.append(if_match)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


CHANGE = Request("update_item", "item_1", {"levels": []})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def outbox_on(clock: ManualClock, backend: Backend) -> Outbox:
    return Outbox(backend, clock)  # type: ignore[arg-type]


async def test_an_answered_change_is_applied_once(clock: ManualClock) -> None:
    backend = Backend("done")
    backend.keys_honoured = False
    outbox = outbox_on(clock, backend)
    delivery = await outbox.deliver("+5", CHANGE, key=outbox.new_key("adj"))
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
    backend.keys_honoured = True
    outbox = outbox_on(clock, backend)
    delivery = await outbox.deliver("+5", CHANGE, key="k1")
    assert delivery.result is Result.REFUSED and delivery.error is refusal
    assert backend.keys == ["k1"]


async def test_not_delivered_is_sent_again_with_the_same_key_after_waits(
    clock: ManualClock,
) -> None:
    backend = Backend(Unreachable("refused"), Unreachable("refused"), Unreachable("x"), "done")
    backend.keys_honoured = False  # safe anyway: the backend never had it
    outbox = outbox_on(clock, backend)
    waited: list[WarehouseError] = []
    task = await run_until_asleep(
        clock, outbox.deliver("+5", CHANGE, key="k1", waiting=waited.append)
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
    backend.keys_honoured = True
    outbox = outbox_on(clock, backend)
    task = await run_until_asleep(clock, outbox.deliver("+5", CHANGE, key="k1"))
    await let_time_pass(clock, 1.0)
    delivery = task.result()
    assert delivery.result is Result.APPLIED and delivery.answer == "the first answer"
    assert backend.keys == ["k1", "k1"]


async def test_a_lost_answer_is_not_sent_again_where_keys_are_not_honoured(
    clock: ManualClock,
) -> None:
    lost = OutcomeUnknown("dropped")
    backend = Backend(lost)
    backend.keys_honoured = False
    outbox = outbox_on(clock, backend)
    delivery = await outbox.deliver("+5", CHANGE, key="k1")
    assert delivery.result is Result.UNKNOWN and delivery.error is lost
    assert backend.keys == ["k1"]


async def test_a_replayable_change_is_sent_again_even_without_keys(clock: ManualClock) -> None:
    """Absolute counts: sending picked_qty=3 twice sets 3 twice."""
    backend = Backend(OutcomeUnknown("dropped"), "saved")
    backend.keys_honoured = False
    outbox = outbox_on(clock, backend)
    task = await run_until_asleep(clock, outbox.deliver("picks", CHANGE, key="k1", replayable=True))
    await let_time_pass(clock, 1.0)
    assert task.result().applied and backend.keys == ["k1", "k1"]


async def test_whether_keys_are_honoured_is_asked_when_it_matters(clock: ManualClock) -> None:
    """An HTTP backend learns it from the server's answers: the outbox asks at each loss."""
    backend = Backend(OutcomeUnknown("dropped"), OutcomeUnknown("dropped"), "ok")
    outbox = outbox_on(clock, backend)
    assert (await outbox.deliver("+5", CHANGE, key="k1")).result is Result.UNKNOWN
    backend.keys_honoured = True  # an answer since said so
    task = await run_until_asleep(clock, outbox.deliver("+5", CHANGE, key="k2"))
    await let_time_pass(clock, 1.0)
    assert task.result().applied


async def test_rate_limited_waits_as_long_as_asked(clock: ManualClock) -> None:
    backend = Backend(RateLimited("slow down", retry_after=12.0), "ok")
    backend.keys_honoured = False
    outbox = outbox_on(clock, backend)
    task = await run_until_asleep(clock, outbox.deliver("+5", CHANGE, key="k1"))
    await let_time_pass(clock, 11.9)
    assert backend.keys == ["k1"]
    await let_time_pass(clock, 0.1)
    assert task.result().applied and backend.keys == ["k1", "k1"]


async def test_every_change_gets_its_own_key(clock: ManualClock) -> None:
    outbox = outbox_on(clock, Backend())
    keys = {outbox.new_key("adj") for _ in range(100)}
    assert len(keys) == 100


async def test_a_change_given_up_leaves_the_outbox(clock: ManualClock) -> None:
    """The screen that sent it was closed while it waited: nothing stays in flight."""
    backend = Backend(Unreachable("refused"))
    backend.keys_honoured = True
    outbox = outbox_on(clock, backend)
    task = await run_until_asleep(clock, outbox.deliver("+5", CHANGE, key="k1"))
    assert len(outbox.in_flight) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outbox.in_flight == []


async def test_a_change_is_not_sent_into_a_warehouse_started_afresh(clock: ManualClock) -> None:
    backend = Backend(Unreachable("refused"), "ok")
    outbox = outbox_on(clock, backend)
    task = await run_until_asleep(clock, outbox.deliver("+5", CHANGE, key="k1"))
    backend.instance = "warehouse-2"  # the training server came back with a new warehouse
    await let_time_pass(clock, 1.0)
    assert task.result().result is Result.ORPHANED and backend.keys == ["k1"]


async def test_the_version_a_change_is_based_on_goes_with_it(clock: ManualClock) -> None:
    backend = Backend("ok")
    based = Request("update_item", "item_1", {"levels": []}, if_match='"v1"')
    await outbox_on(clock, backend).deliver("=5", based, key="k1")
    assert backend.if_matches == ['"v1"']


def test_a_request_names_only_changes_of_the_protocol() -> None:
    with pytest.raises(ValueError, match="not a change"):
        Request("aclose", None, {})


def test_services_run_without_textual() -> None:
    code = (
        "import sys, console.services.adjusting, console.services.counting, "
        "console.services.lots, console.services.outbox, console.services.scans;"
        "bad = [m for m in ('textual', 'rich', 'httpx') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
