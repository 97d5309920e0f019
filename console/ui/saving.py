"""Keeping an operator's counted work (picks, receipts) sent to the backend.

The work object holds what was done here and not yet confirmed; it makes the next update and
settles it when the answer comes back. The saver sends one update at a time until nothing is
left. An update whose answer is lost, or that cannot reach the backend, is sent again as it was,
with the same idempotency key, until an answer comes: the backend applies it once whatever
happened to the first attempt. The operator keeps working meanwhile and is told what is going on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from console.domain.errors import (
    Conflict,
    InvalidInput,
    OutcomeUnknown,
    Unavailable,
    WarehouseError,
)
from console.ui.screens.base import WarehouseScreen

# How long to wait between attempts to reach a backend that stopped answering.
RETRY_SECONDS = (1.0, 2.0, 5.0)

Record = TypeVar("Record")


class Work(Protocol[Record]):
    in_flight: Any

    @property
    def status(self) -> Any: ...

    @property
    def unsaved(self) -> bool: ...

    def next_update(self) -> dict[str, Any] | None: ...

    def confirmed(self, answer: Record) -> None: ...

    def reread(self, fresh: Record, *, refused: bool = False) -> None: ...


class _Left(Exception):
    """The screen was left while the backend was away: the update stays unsent."""


class WorkSaver(Generic[Record]):
    """Sends a screen's unconfirmed work. `show` redraws everything (after a re-read),
    `changed(status_before)` runs after each answer, `idle` once nothing is left to send."""

    def __init__(
        self,
        screen: WarehouseScreen,
        work: Work[Record],
        *,
        update: Callable[[dict[str, Any], str], Awaitable[Record]],
        read: Callable[[], Awaitable[Record]],
        show: Callable[[], None],
        changed: Callable[[Any], None],
        idle: Callable[[], None],
        what: str,
    ) -> None:
        self.screen = screen
        self.work = work
        self._update = update
        self._read = read
        self._show = show
        self._changed = changed
        self._idle = idle  # nothing left to send (a light refresh: the summary line)
        self.what = what  # the operator's word for the work: "picks", "counts"
        self.sending = False
        self.waiting = False  # an update is waiting for the backend to answer again
        self._changing = False  # a status change is on its way: counts wait for its answer

    def send(self) -> None:
        if not self.sending and not self._changing:
            self.sending = True
            self.screen.run_worker(self._send_all(), group="send", exit_on_error=False)

    async def _send_all(self) -> None:
        """Send the unconfirmed work, one update at a time, until none is left. A refusal drops
        what was refused and shows the truth."""
        screen = self.screen
        try:
            while (body := self.work.next_update()) is not None:
                before = self.work.status
                try:
                    answer = await self._deliver(body, f"work-{uuid.uuid4()}")
                except _Left:
                    return
                except (Conflict, InvalidInput) as refusal:
                    screen.alert(f"Refused: {refusal}")
                    fresh = await self.try_read()
                    if fresh is None:
                        self.work.in_flight = None  # kept; sent again with the next change
                        return
                    self.work.reread(fresh, refused=True)
                    self._show()
                    self._changed(before)  # the refusal may come from a status changed elsewhere
                    continue  # what was done since is sent on its own
                self.work.confirmed(answer)
                self._changed(before)
        except Exception as error:  # the screen must survive anything a backend does
            self.work.in_flight = None
            screen.fail(error)
        finally:
            self.sending = False
            if screen.is_mounted:
                self._idle()

    async def _deliver(self, body: dict[str, Any], key: str) -> Record:
        """The backend's answer to this update, however many attempts it takes: every attempt
        carries the same body and key, so the backend applies it once."""
        attempt = 0
        while True:
            try:
                answer = await self._update(body, key)
            except Unavailable as error:
                if not self.screen.is_mounted:
                    raise _Left from error
                if attempt == 0:
                    self._lost(error)
                self.waiting = True
                await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1
                continue
            if self.waiting:
                self.waiting = False
                self.screen.say("Back in touch: everything is saved.", "success")
            return answer

    def _lost(self, error: Unavailable) -> None:
        kind = (
            "answer was lost" if isinstance(error, OutcomeUnknown) else "backend is not answering"
        )
        self.screen.alert(
            f"The {kind}: your {self.what} are kept and sent again until it answers; "
            "nothing will count twice.",
            "warning",
        )

    async def read(self) -> Record:
        return await self._read()

    async def try_read(self) -> Record | None:
        try:
            return await self._read()
        except WarehouseError:
            return None

    async def settled(self) -> None:
        """Wait until nothing is being sent."""
        while self.sending:  # noqa: ASYNC110 - the send loop is a worker, not an awaitable
            await asyncio.sleep(0.05)

    async def change_status(self, body: dict[str, Any]) -> bool:
        """Send one status change (shown to the operator before), after the counts are saved;
        True when it landed. A lost answer is sent again with the same key until it answers."""
        await self.settled()
        if self.work.unsaved:
            self.screen.alert(f"Your last {self.what} are not saved yet: nothing changed.")
            return False
        before = self.work.status
        self._changing = True
        try:
            answer = await self._deliver(body, f"status-{uuid.uuid4()}")
        except _Left:
            return False
        except (Conflict, InvalidInput) as refusal:
            self.screen.alert(f"Refused: {refusal}")
            return False
        finally:
            self._changing = False
            if self.work.unsaved and self.screen.is_mounted:
                self.send()  # scanned while the change was on its way
        self.work.confirmed(answer)
        self._changed(before)
        return True
