"""Pilot tests drive the console as an operator does: keys, scans at scanner speed, 80x24.

Time is the console's own `ManualClock`: a test moves it (`settle(pilot, seconds)`), and waits
for the console's own events (every message handled; every worker finished or asleep on the
clock), never for the machine. Keys are posted to the app the way a terminal's driver posts
them, each with its arrival time taken from the same clock.
"""

from __future__ import annotations

import asyncio
import io
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.keys import key_to_character
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from console.services.clock import ManualClock
from console.ui.app import WarehouseApp
from console.ui.screens.lots import LotsScreen
from console.ui.state import Memory
from console.ui.widgets import MessageLine
from tests.contract.world import NOW, RENO, build_world
from tests.recording import Recording

SIZE = (80, 24)
# How far apart a quick hand's keys are (slower than a scanner, quicker than the typing pause
# a search waits for), and a scanner's.
HAND_GAP = 0.06
SCANNER_GAP = 0.005
# A console that has not settled after this much real time is stuck: the test fails, saying so.
STUCK_AFTER = 15.0


@pytest.fixture
def backend() -> Recording:
    return Recording(build_world())


@pytest.fixture
def memory(tmp_path: Path) -> Memory:
    return Memory(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(now=NOW, monotonic=time.monotonic(), fixed_now=True)


@pytest.fixture
def make_app(backend: Recording, memory: Memory, clock: ManualClock) -> Callable[..., WarehouseApp]:
    def make(**kwargs: Any) -> WarehouseApp:
        kwargs.setdefault("location_id", RENO)
        kwargs.setdefault("clock", clock)
        return WarehouseApp(backend, bell=True, memory=memory, **kwargs)  # type: ignore[arg-type]

    return make


# -- waiting on the console ---------------------------------------------------------------------


def clock_of(pilot: Pilot[Any]) -> ManualClock:
    clock = pilot.app.clock  # type: ignore[attr-defined]
    assert isinstance(clock, ManualClock), "UI tests run the console on a ManualClock"
    return clock


class _Barrier:
    """Counts the callbacks the message loops have run. One callable for every node and round,
    so Textual looks at its signature once, not once per callback."""

    def __init__(self) -> None:
        self.seen = 0
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []

    def tick(self) -> None:
        self.seen += 1
        for target, done in self._waiting:
            if self.seen >= target and not done.done():
                done.set_result(None)

    def after(self, count: int) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting = [(t, f) for t, f in self._waiting if not f.done()]
        self._waiting.append((self.seen + count, done))
        if count <= 0:
            done.set_result(None)
        return done


_BARRIER = _Barrier()


async def handled(pilot: Pilot[Any]) -> None:
    """Until every message already queued for the app and the screen on view is handled."""
    app = pilot.app
    for _ in range(3):  # a key handled by the app is then forwarded to the focused widget
        nodes = [app, *app.screen.walk_children(with_self=True)]
        posted = sum(node.post_message(events.Callback(callback=_BARRIER.tick)) for node in nodes)
        # a node closing as the screen changes may never run it: not waited for long
        await asyncio.wait([_BARRIER.after(posted)], timeout=0.2)


async def quiet(pilot: Pilot[Any]) -> None:
    """Until nothing is left to do now: messages handled, and every worker finished, asleep on
    the console's clock, or waiting for one that is (time the test has not let pass yet)."""
    app, clock = pilot.app, clock_of(pilot)
    stuck_at = time.monotonic() + STUCK_AFTER
    calm = unchanged = 0
    seen: object = None
    while calm < 1 and unchanged < 20:
        await handled(pilot)
        busy = [worker for worker in app.workers if not worker.is_finished]
        state = ([(id(w), w.state) for w in busy], clock.sleepers)
        if len(busy) <= clock.sleepers:
            calm += 1
        else:
            calm = 0
            # workers blocked behind a sleeper (a status change waiting for a re-send) make
            # no progress until the clock moves
            unchanged = unchanged + 1 if state == seen and clock.sleepers else 0
            await asyncio.sleep(0)
        seen = state
        if time.monotonic() > stuck_at:
            names = ", ".join(f"{w.group}:{w.name}" for w in busy)
            raise AssertionError(f"the console did not settle; still working: {names}")


async def settle(pilot: Pilot[Any], seconds: float = 0.3) -> None:
    """Let `seconds` of the console's time pass (debounce waits, re-send waits fire on the way,
    in order), waiting for the console after each."""
    clock = clock_of(pilot)
    await quiet(pilot)
    end = clock.monotonic() + seconds
    while True:
        deadline = clock.next_deadline()
        if deadline is None or deadline > end:
            break
        clock.advance(max(0.0, deadline - clock.monotonic()))
        await quiet(pilot)
    clock.advance(max(0.0, end - clock.monotonic()))
    await quiet(pilot)


# -- keys ----------------------------------------------------------------------------------------

TERMINATORS = {"enter": "\r", "tab": "\t", "ctrl+j": "\n"}
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def key_event(key: str, at: float) -> events.Key:
    """A key as a terminal driver delivers it: its name, its character, its arrival time."""
    if key == "\x1d":
        event = events.Key("ctrl+right_square_bracket", "\x1d")
    elif len(key) == 1:
        name = key
        if not key.isalnum():
            try:
                name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
            except ValueError:
                name = {"\t": "tab"}.get(key, key)
            name = _REPLACEMENTS.get(name, name)
        event = events.Key(name, key)
    else:
        event = events.Key(key, TERMINATORS.get(key) or key_to_character(key))
    event.time = at
    return event


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Keys pressed one after another by a quick hand (each handled before the next), then the
    console left to settle."""
    await typed(pilot, keys)


async def typed(pilot: Pilot[Any], keys: Iterable[str], gap: float = HAND_GAP) -> None:
    """Keys (or the characters of a text) typed by hand, `gap` seconds of the console's time
    apart, each handled before the next."""
    clock = clock_of(pilot)
    for index, key in enumerate(keys):
        if index:
            clock.advance(gap)
            await quiet(pilot)  # what the gap woke (a search once typing paused) has run
        pilot.app.post_message(key_event(key, clock.monotonic()))
        await handled(pilot)
    await quiet(pilot)


async def type_like_a_scanner(
    pilot: Pilot[Any], text: str, end: str | None = "enter", gap: float = SCANNER_GAP
) -> None:
    """Key events arriving every `gap` seconds whether or not the app keeps up, as a scanner
    sends them: GS as its own key (ctrl+]), then the terminator. With `gap=0` every key is
    queued before the app handles the first, as when the console is busy."""
    clock = clock_of(pilot)
    for char in [*text, *([end] if end else [])]:  # no end: the rest of the label is to come
        pilot.app.post_message(key_event(char, clock.monotonic()))
        if gap:
            await handled(pilot)
            clock.advance(gap)


async def scan(pilot: Pilot[Any], text: str, end: str = "enter") -> None:
    await type_like_a_scanner(pilot, text, end)
    await settle(pilot)


# -- what the operator sees ----------------------------------------------------------------------


def rings(app: WarehouseApp) -> list[int]:
    """The bells the app rings from now on, one entry each."""
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    return rung


def message(app: WarehouseApp) -> str:
    return str(app.screen.query_one(MessageLine).render())


def cells(app: WarehouseApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


def static_text(app: WarehouseApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def shown_text(app: WarehouseApp, selector: str, width: int = 200) -> str:
    """What the widgets matching `selector` show, as plain text (tables included)."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    for widget in app.screen.query(selector):
        console.print(widget.content if isinstance(widget, Static) else widget.render())
    return out.getvalue()


async def open_lots(pilot: Pilot[Any]) -> LotsScreen:
    """The console settled, then F4: the lots screen."""
    await settle(pilot)
    await press(pilot, "f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LotsScreen)
    return screen
