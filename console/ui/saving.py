"""Keeping an operator's counted work (picks, receipts) sent to the backend.

The work object holds what was done here and not yet confirmed; it makes the next update and
settles it when the answer (or, after a lost answer, a fresh read) comes back. The saver sends
one update at a time until nothing is left, waits out a backend that stopped answering, and
says so on the screen: the operator keeps working meanwhile.
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

    def next_update(self) -> dict[str, Any] | None: ...

    def confirmed(self, answer: Record) -> None: ...

    def reread(self, fresh: Record, *, refused: bool = False) -> None: ...


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

    def send(self) -> None:
        if not self.sending:
            self.sending = True
            self.screen.run_worker(self._send_all(), group="send", exit_on_error=False)

    async def _send_all(self) -> None:
        """Send the unconfirmed work, one update at a time, until none is left. A lost answer
        keeps the work and re-reads; a refusal drops what was refused and shows the truth."""
        screen = self.screen
        try:
            while (body := self.work.next_update()) is not None:
                before = self.work.status
                try:
                    answer = await self._update(body, f"work-{uuid.uuid4()}")
                except Unavailable as error:
                    self._lost(error)
                    if not await self.reread_until_answered():
                        return
                    continue
                except WarehouseError as refusal:
                    screen.alert(f"Refused: {refusal}")
                    fresh = await self.try_read()
                    if fresh is not None:
                        self.work.reread(fresh, refused=True)
                    else:
                        self.work.in_flight = None
                    self._show()
                    return
                self.work.confirmed(answer)
                self._changed(before)
        except Exception as error:  # the screen must survive anything a backend does
            self.work.in_flight = None
            screen.fail(error)
        finally:
            self.sending = False
            if screen.is_mounted:
                self._idle()

    def _lost(self, error: Unavailable) -> None:
        kind = (
            "answer was lost" if isinstance(error, OutcomeUnknown) else "backend is not answering"
        )
        self.screen.alert(
            f"The {kind}: your {self.what} are kept and will be sent when it answers; "
            "nothing will count twice.",
            "warning",
        )

    async def try_read(self) -> Record | None:
        try:
            return await self._read()
        except WarehouseError:
            return None

    async def reread_until_answered(self) -> bool:
        """Read the true state again, waiting longer between attempts; False if the screen was
        left meanwhile (the work stays unsent)."""
        attempt = 0
        while self.screen.is_mounted:
            fresh = await self.try_read()
            if fresh is not None:
                self.work.reread(fresh)
                self._show()
                self.screen.say("Back in touch: as the warehouse has it now.", "success")
                return True
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1
        return False

    async def change_status(self, body: dict[str, Any]) -> bool:
        """Send one status change (shown to the operator before). A lost answer re-reads and
        shows the status the warehouse has now, and is never re-sent; True when it landed."""
        before = self.work.status
        try:
            answer = await self._update(body, f"status-{uuid.uuid4()}")
        except Unavailable as error:
            self.screen.fail(error)
            fresh = await self.try_read()
            if fresh is not None:
                self.work.reread(fresh)
                self._changed(before)
                self.screen.say(f"It is {self.work.status} now (read again).", "warning")
            return False
        except (Conflict, InvalidInput) as refusal:
            self.screen.alert(f"Refused: {refusal}")
            return False
        self.work.confirmed(answer)
        self._changed(before)
        return True
