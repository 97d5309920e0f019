"""The one source of time for the console: the wall clock, the monotonic clock and sleeping.

Debounce waits, re-send back-off, the settle after start and "now" for expiry and due times all
come from a `Clock`. The console runs on `Clock()` (real time); tests and benchmarks give it a
`ManualClock`, whose time moves only when they say, so they wait on the console's own events
instead of sleeping.

Key presses carry their own arrival time (Textual stamps each key event with the monotonic
clock); scan detection compares those times with each other, so a test gives its key events
times from the same `ManualClock`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time


class Clock:
    """Real time."""

    def now(self) -> float:
        """Epoch seconds: what expiry and due times are measured against."""
        return time.time()

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back: for measuring waits."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock(Clock):
    """Time that moves only when `advance` is called. Sleepers wake, in the order of their
    deadlines, once the clock has been advanced past them. With `fixed_now`, the wall clock
    stays where it started (expiry and due times read the same at every step of a test)."""

    def __init__(
        self, now: float = 1_790_000_000.0, monotonic: float = 10_000.0, *, fixed_now: bool = False
    ) -> None:
        self._wall = now
        self._monotonic = monotonic
        self._fixed_now = fixed_now
        self._order = itertools.count()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._monotonic + seconds, next(self._order), waiting))
        await waiting

    @property
    def sleepers(self) -> int:
        """How many sleeps are waiting for the clock to move (cancelled ones not counted)."""
        return sum(1 for *_, waiting in self._sleepers if not waiting.done())

    def next_deadline(self) -> float | None:
        """The monotonic time the next sleeper wakes at, if any is waiting."""
        live = [deadline for deadline, _, waiting in self._sleepers if not waiting.done()]
        return min(live) if live else None

    def advance(self, seconds: float) -> None:
        """Move both clocks forward; every sleep whose deadline is passed is woken (its task
        runs when the event loop next gets to it)."""
        if seconds < 0:
            raise ValueError("time does not go back")
        if not self._fixed_now:
            self._wall += seconds
        self._monotonic += seconds
        while self._sleepers and self._sleepers[0][0] <= self._monotonic:
            _, _, waiting = heapq.heappop(self._sleepers)
            if not waiting.done():
                waiting.set_result(None)
