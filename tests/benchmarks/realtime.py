"""Driving the console in real time, for benchmarks: keys posted as a terminal's driver posts
them, stamped with the real monotonic clock, and waits that take the time they say (the test
suite drives a ManualClock instead: tests/ui/conftest.py).

A scanner keeps typing while the console is busy, and Textual's driver reads and stamps keys in
its own thread: `Keyboard` does the same, so a busy console sees keys stamped when they were
sent, never bunched up or spread out by its own delays."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tests.ui.conftest import key_event


def send(app: Any, key: str) -> None:
    """One key, arriving now."""
    app.post_message(key_event(key, time.monotonic()))


async def type_keys(app: Any, keys: str | list[str], gap: float) -> None:
    """Keys arriving `gap` seconds apart whether or not the console keeps up."""
    for key in keys:
        send(app, key)
        await asyncio.sleep(gap)


async def settle(pilot: Pilot[Any], seconds: float = 0.3) -> None:
    """Let `seconds` pass, then wait for the console's work in hand (not for the idle-time GS1
    load, which waits for a quiet keyboard)."""
    await asyncio.sleep(seconds)
    busy = [w for w in pilot.app.workers if not w.is_finished and w.group != "settle"]
    for worker in busy:
        # a search superseded by the next key is cancelled: the console's normal way
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()


class Keyboard:
    """Keys typed from a thread, `gap` seconds apart by the wall clock whatever the console
    does; `enters` holds when each Enter was sent (perf_counter)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.enters: list[float] = []
        self._thread: threading.Thread | None = None

    def start(self, keys: list[str], gap: float) -> None:
        self._thread = threading.Thread(target=self._type, args=(keys, gap), daemon=True)
        self._thread.start()

    def _type(self, keys: list[str], gap: float) -> None:
        due = time.perf_counter()
        for key in keys:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            if key == "enter":
                self.enters.append(time.perf_counter())
            self.app.post_message(key_event(key, time.monotonic()))  # thread-safe, as drivers do
            due += gap

    async def done(self) -> None:
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    @property
    def typing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
