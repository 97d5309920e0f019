"""Every change the console sends, from the moment the operator makes it until the backend has
answered it: its idempotency key, its re-sends, its line in the journal on disk, and the one
policy for an answer that is lost.

The policy, for every change of every screen:

1. **One key per change.** A change gets its `Idempotency-Key` when it is made and keeps it for
   every attempt, so a backend that honours keys applies it once however often it arrives.
2. **Written down first.** With a journal (console/services/journal.py), the change is written
   to disk before it is first sent, and marked when it is answered: a console that dies meanwhile
   (a dropped SSH session) sends it again, with the same key, at its next start.
3. **Not delivered** (the backend could not be reached: nothing was sent; or it asked us to
   slow down, 429): the same request is sent again, with the same key, after a wait (1, 2, then
   every 5 seconds), until the backend answers. Always safe: the backend never had it.
4. **Answer lost** (the request went out but no trustworthy answer came back: a read timeout, a
   connection dropped mid-answer, a 5xx): sent again with the same key until answered *when the
   backend honours idempotency keys* (it returns the first answer and applies nothing twice) or
   *when the change is replayable* (it carries absolute numbers, such as a picked count: sending
   it twice sets the same count). Otherwise nothing is re-sent and the outcome is **unknown**:
   the caller re-reads the record, shows what the warehouse holds, and tells the operator to
   check it before entering the change again.
5. **Refused** (bad input, a conflict with the warehouse's state, a record changed since it was
   read (412), not found, not allowed, or a backend that cannot take this change at all): final.
   Nothing is re-sent as it was; the operator is told why (a counting session puts its counts on
   top of the changed record and sends them as a new change).
6. **Another warehouse.** When the backend now serves another warehouse than the one the change
   was made for (a training server restarted afresh), the change is not sent into it.

While a change waits to be sent again it is in `Outbox.in_flight` (with its attempts and the
reason it waits), and the caller is told once, through `waiting`, so the screen can say that
the work is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from console.backends.protocol import Backend
from console.domain.errors import (
    OutcomeUnknown,
    RateLimited,
    Unreachable,
    WarehouseError,
)
from console.services.clock import Clock

if TYPE_CHECKING:
    from console.services.journal import Journal

T = TypeVar("T")

# Seconds between attempts to send a change that did not get through; the last repeats.
RETRY_SECONDS: tuple[float, ...] = (1.0, 2.0, 5.0)
# A Retry-After longer than this is waited in steps of it, so the screen can move on meanwhile.
LONGEST_WAIT = 60.0

# The backend calls a change may be: a journal on disk names one of these, nothing else.
CHANGES = frozenset(
    {
        "create_item",
        "update_item",
        "create_lot",
        "update_lot",
        "create_manifest",
        "update_manifest",
        "create_fulfillment",
        "update_fulfillment",
    }
)


@dataclass(frozen=True)
class Request:
    """One change as the backend protocol takes it: the call, the record it changes (None for a
    create), its body and the version it is based on. Plain data, so the journal can keep it."""

    method: str
    record_id: str | None
    body: Mapping[str, Any]
    if_match: str | None = None

    def __post_init__(self) -> None:
        if self.method not in CHANGES:
            raise ValueError(f"{self.method} is not a change of the backend protocol")

    async def send(self, backend: Backend, key: str) -> Any:
        call = getattr(backend, self.method)
        args = (dict(self.body),) if self.record_id is None else (self.record_id, dict(self.body))
        if self.if_match is not None:
            return await call(*args, idempotency_key=key, if_match=self.if_match)
        return await call(*args, idempotency_key=key)


ORPHANED = (
    "The warehouse was started afresh since this change was made: it was not sent into the new "
    "one. Check what the warehouse holds and enter it again if it is still right."
)


class Result(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"
    UNKNOWN = "unknown"  # the answer was lost and the change could not safely be sent again
    ORPHANED = "orphaned"  # made for a warehouse the backend no longer serves: not sent there


@dataclass(frozen=True)
class Delivery(Generic[T]):
    """How a change ended: applied (with the backend's answer), refused (with its reason),
    unknown (with the error that lost the answer), or orphaned."""

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
    request: Request
    replayable: bool
    instance: str | None  # the warehouse it was made for, when the backend says
    attempts: int = 0
    waiting_because: WarehouseError | None = None


@dataclass
class Outbox:
    """Sends changes to `backend` under the policy above, writing each to `journal` (when there
    is one) before it is first sent."""

    backend: Backend
    clock: Clock
    journal: Journal | None = None
    retry_seconds: tuple[float, ...] = RETRY_SECONDS
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    _in_flight: dict[str, Change] = field(default_factory=dict)

    def new_key(self, kind: str) -> str:
        """A fresh idempotency key for one change (`kind` names it in the server's logs)."""
        return f"{kind}-{self.new_id()}"

    @property
    def in_flight(self) -> list[Change]:
        return list(self._in_flight.values())

    def _honours_keys(self) -> bool:
        return self.backend.capabilities.idempotency_keys

    async def deliver(
        self,
        what: str,
        request: Request,
        *,
        key: str,
        replayable: bool = False,
        waiting: Callable[[WarehouseError], None] | None = None,
        context: Mapping[str, Any] | None = None,
        instance: str | None = None,
        journal: Journal | None = None,
    ) -> Delivery[Any]:
        """Send one change until it is answered, refused, orphaned or its outcome is unknown.
        `waiting` is called once, when the first attempt did not get through and the change
        will be sent again. `context` goes to the journal with it (where the operator was, and
        what they meant: what a recovery needs). A change read back from the journal gives
        the `instance` it was made for and the `journal` it stands in."""
        made_for = instance if instance is not None else self.backend.instance
        change = Change(what, key, request, replayable, made_for)
        kept = journal
        if kept is None and self.journal is not None:
            kept = self.journal
            kept.write(key, what, request, replayable, made_for, dict(context or {}))
        self._in_flight[key] = change
        try:
            delivery = await self._attempts(change, waiting)
        finally:
            del self._in_flight[key]
        if kept is not None:
            kept.settle(
                key, delivery.result.value, delivery.error.message if delivery.error else ""
            )
        return delivery

    async def _attempts(
        self, change: Change, waiting: Callable[[WarehouseError], None] | None
    ) -> Delivery[Any]:
        while True:
            if self._elsewhere(change):
                return Delivery(Result.ORPHANED, waited=change.attempts > 0)
            change.attempts += 1
            try:
                answer = await change.request.send(self.backend, change.key)
            except (Unreachable, RateLimited, OutcomeUnknown) as error:
                if isinstance(error, OutcomeUnknown) and not (
                    change.replayable or self._honours_keys()
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

    def _elsewhere(self, change: Change) -> bool:
        """The backend now serves another warehouse than the one the change was made for."""
        now = self.backend.instance
        return change.instance is not None and now is not None and now != change.instance

    def _wait(self, attempts: int, error: WarehouseError) -> float:
        steps = self.retry_seconds
        wait = steps[min(attempts, len(steps)) - 1]
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = max(wait, min(error.retry_after, LONGEST_WAIT))
        return wait
