"""One clock for every request body a server is reading: a body still arriving after its time
is cut off (`console/server/app.py`, `body_of`).

`asyncio.timeout` around each read does the same with a timer per request. The timer is armed,
then cancelled microseconds later when, as nearly always, the body came with the headers. The
loop keeps every cancelled timer in its heap until it would have been due, ten seconds on.
Measured: 6-7.5 us a read with `asyncio.timeout` against 1.7-2.6 us here (200,000 reads one
after the other). On the raw ASGI app, 8 consoles sending `+1` cost a median 171.8 against
165.3 us of CPU a change (rounds taken in turn, in one process).

A read notes its task and when its time is up. One timer per event loop, armed only while a
read is noted, looks every tenth of that time and cancels the reads whose time is up. So a
read is cut off between its time and a tenth of it later.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType


class BodyTimeout(Exception):
    """The body did not arrive in time; the read was cut off and the task carries on."""


class _Clock:
    """The reads of one event loop, and whether its timer is armed. It holds nothing that
    holds its loop, the key it is kept under (`_CLOCKS`), so the loop is let go when its server
    or test is done."""

    def __init__(self) -> None:
        self.reads: dict[asyncio.Task[object], _Read] = {}
        self.armed = False

    def note(self, read: _Read, seconds: float, loop: asyncio.AbstractEventLoop) -> None:
        self.reads[read.task] = read
        if not self.armed:
            self.armed = True
            loop.call_later(seconds / 10, self.look, seconds / 10)

    def look(self, every: float) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for read in list(self.reads.values()):
            if read.due <= now and not read.expired:
                read.expired = True
                read.task.cancel("the request body took too long")
        if self.reads:
            loop.call_later(every, self.look, every)
        else:
            self.armed = False


_CLOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Clock] = weakref.WeakKeyDictionary()


class _Read:
    __slots__ = ("cancelling", "clock", "due", "expired", "task")

    def __init__(self, clock: _Clock, task: asyncio.Task[object], due: float) -> None:
        self.clock, self.task, self.due = clock, task, due
        self.cancelling = task.cancelling()
        self.expired = False


class within:
    """``async with within(seconds): ...`` reads a body, or raises `BodyTimeout` once
    `seconds` have passed (and up to a tenth of them more). A cancellation from elsewhere
    stays a cancellation."""

    __slots__ = ("_read", "_seconds")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._read: _Read | None = None

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("a body is read in a task")
        clock = _CLOCKS.get(loop)
        if clock is None:
            clock = _CLOCKS[loop] = _Clock()
        self._read = _Read(clock, task, loop.time() + self._seconds)
        clock.note(self._read, self._seconds, loop)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        read = self._read
        assert read is not None
        read.clock.reads.pop(read.task, None)
        if not read.expired:
            return
        # cancelled here: take that back, unless another cancellation came too
        if read.task.uncancel() <= read.cancelling and kind is asyncio.CancelledError:
            raise BodyTimeout from None
