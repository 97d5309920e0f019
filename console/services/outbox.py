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
from typing import Any, Generic, TypeVar

from console.backends.protocol import Backend
from console.domain.errors import (
    OutcomeUnknown,
    PreconditionFailed,
    RateLimited,
    Unreachable,
    WarehouseChanged,
    WarehouseError,
)
from console.services.clock import Clock
from console.services.journal import Journal, JournalError
from console.services.requests import Request

__all__ = ["ORPHANED", "Change", "Delivery", "Outbox", "Request", "Result"]


T = TypeVar("T")

# Seconds between attempts to send a change that did not get through; the last repeats.
RETRY_SECONDS: tuple[float, ...] = (1.0, 2.0, 5.0)
# A Retry-After longer than this is waited in steps of it, so the screen can move on meanwhile.
LONGEST_WAIT = 60.0

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
    # told (once) when the journal cannot be written: changes are then sent without it
    journal_failed: Callable[[str], None] | None = None
    retry_seconds: tuple[float, ...] = RETRY_SECONDS
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    _in_flight: dict[str, Change] = field(default_factory=dict)

    def _journaled(self, write: Callable[[Journal], None], journal: Journal | None = None) -> None:
        """One write to the journal; if the disk refuses it, the console goes on without one
        and the operator is told."""
        target = journal or self.journal
        if target is None:
            return
        try:
            write(target)
        except JournalError as error:
            if target is self.journal:
                self.journal = None
            if self.journal_failed is not None:
                self.journal_failed(
                    f"{error} Changes are still sent, but one in flight when the console "
                    "ends would not be sent again at the next start."
                )

    def keep_work(self, record: str, what: str, state: Mapping[str, Any]) -> None:
        """What the operator counted on `record` and the backend has not confirmed yet."""
        instance = self.backend.instance
        self._journaled(lambda journal: journal.keep_work(record, what, state, instance))

    def drop_work(self, record: str) -> None:
        self._journaled(lambda journal: journal.drop_work(record))

    def remember_place(self, screen: str, record: str | None) -> None:
        """Where the operator is: reopened after a recovery."""
        self._journaled(lambda journal: journal.remember_place(screen, record))

    def forget_place(self) -> None:
        self._journaled(lambda journal: journal.forget_place())

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
            entry = dict(context or {})
            self._journaled(
                lambda journal: journal.write(key, what, request, replayable, made_for, entry)
            )
        self._in_flight[key] = change
        try:
            delivery = await self._attempts(change, waiting)
        finally:
            del self._in_flight[key]
        note = delivery.error.message if delivery.error else ""
        # a change refused only because the record moved on was not applied: "stale", so a
        # recovery knows its amounts are still the operator's to send
        state = "stale" if isinstance(delivery.error, PreconditionFailed) else delivery.result.value
        if kept is not None:
            self._journaled(lambda journal: journal.settle(key, state, note), kept)
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
            except WarehouseChanged as elsewhere:
                return Delivery(Result.ORPHANED, error=elsewhere, waited=change.attempts > 1)
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
