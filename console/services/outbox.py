"""Every change the console sends, from the moment the operator makes it until the backend has
answered it: its idempotency key, its re-sends, and the one policy for an answer that is lost.

The policy, for every change of every screen:

1. **One key per change.** A change gets its `Idempotency-Key` when it is made and keeps it for
   every attempt, so a backend that honours keys applies it once however often it arrives.
2. **Not delivered** (the backend could not be reached: nothing was sent; or it asked us to
   slow down, 429): the same request is sent again, with the same key, after a wait (1, 2, then
   every 5 seconds), until the backend answers. Always safe: the backend never had it.
3. **Answer lost** (the request went out but no trustworthy answer came back: a read timeout, a
   connection dropped mid-answer, a 5xx): sent again with the same key until answered *when the
   backend honours idempotency keys* (it returns the first answer and applies nothing twice) or
   *when the change is replayable* (it carries absolute numbers, such as a picked count: sending
   it twice sets the same count). Otherwise nothing is re-sent and the outcome is **unknown**:
   the caller re-reads the record, shows what the warehouse holds, and tells the operator to
   check it before entering the change again.
4. **Refused** (bad input, a conflict with the warehouse's state, not found, not allowed, or a
   backend that cannot take this change at all): final. Nothing is re-sent; the operator is told
   why.

While a change waits to be sent again it is in `Outbox.in_flight` (with its attempts and the
reason it waits), and the caller is told once, through `waiting`, so the screen can say that
the work is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from console.domain.errors import (
    OutcomeUnknown,
    RateLimited,
    Unreachable,
    WarehouseError,
)
from console.services.clock import Clock

T = TypeVar("T")

# Seconds between attempts to send a change that did not get through; the last repeats.
RETRY_SECONDS: tuple[float, ...] = (1.0, 2.0, 5.0)
# A Retry-After longer than this is waited in steps of it, so the screen can move on meanwhile.
LONGEST_WAIT = 60.0


class Result(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"
    UNKNOWN = "unknown"  # the answer was lost and the change could not safely be sent again


@dataclass(frozen=True)
class Delivery(Generic[T]):
    """How a change ended: applied (with the backend's answer), refused (with its reason) or
    unknown (with the error that lost the answer)."""

    result: Result
    answer: T | None = None
    error: WarehouseError | None = None
    waited: bool = False  # it had to be sent more than once

    @property
    def applied(self) -> bool:
        return self.result is Result.APPLIED


@dataclass
class Change:
    """A change in flight: what the operator would call it, its key, how many attempts it took
    so far and why it is waiting, if it is."""

    what: str
    key: str
    replayable: bool
    attempts: int = 0
    waiting_because: WarehouseError | None = None


@dataclass
class Outbox:
    """Sends changes under the policy above. `honours_keys` says, at the moment it matters,
    whether the backend applies a change once per idempotency key."""

    clock: Clock
    honours_keys: Callable[[], bool] = lambda: False
    retry_seconds: tuple[float, ...] = RETRY_SECONDS
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    _in_flight: dict[str, Change] = field(default_factory=dict)

    def new_key(self, kind: str) -> str:
        """A fresh idempotency key for one change (`kind` names it in the server's logs)."""
        return f"{kind}-{self.new_id()}"

    @property
    def in_flight(self) -> list[Change]:
        return list(self._in_flight.values())

    async def deliver(
        self,
        what: str,
        send: Callable[[str], Awaitable[T]],
        *,
        key: str,
        replayable: bool = False,
        waiting: Callable[[WarehouseError], None] | None = None,
    ) -> Delivery[T]:
        """Send one change (`send` is given the key) until it is answered, refused or its
        outcome is unknown. `waiting` is called once, when the first attempt did not get
        through and the change will be sent again."""
        change = Change(what, key, replayable)
        self._in_flight[key] = change
        try:
            while True:
                change.attempts += 1
                try:
                    answer = await send(key)
                except (Unreachable, RateLimited, OutcomeUnknown) as error:
                    if isinstance(error, OutcomeUnknown) and not (
                        replayable or self.honours_keys()
                    ):
                        return Delivery(Result.UNKNOWN, error=error, waited=change.attempts > 1)
                    if change.waiting_because is None and waiting is not None:
                        waiting(error)
                    change.waiting_because = error
                    await self.clock.sleep(self._wait(change.attempts, error))
                    continue
                except WarehouseError as refusal:
                    return Delivery(Result.REFUSED, error=refusal, waited=change.attempts > 1)
                return Delivery(Result.APPLIED, answer=answer, waited=change.attempts > 1)
        finally:
            del self._in_flight[key]

    def _wait(self, attempts: int, error: WarehouseError) -> float:
        steps = self.retry_seconds
        wait = steps[min(attempts, len(steps)) - 1]
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = max(wait, min(error.retry_after, LONGEST_WAIT))
        return wait
