"""Driving the console in real time, for benchmarks: keys posted as a terminal's driver posts
them, stamped with the real monotonic clock, and waits that take the time they say (the test
suite drives a ManualClock instead: tests/ui/conftest.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.pilot import Pilot

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
    await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()
