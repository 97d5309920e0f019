"""Pilot tests drive the console as an operator does: keys, scans at scanner speed, 80x24."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from console.backends.memory.warehouse import MemoryWarehouse
from console.ui.app import WarehouseApp
from console.ui.screens.lots import LotsScreen
from console.ui.state import Memory
from console.ui.widgets import MessageLine
from tests.contract.world import NOW, RENO, build_world

SIZE = (80, 24)


class Recording:
    """A backend in front of the in-memory warehouse that counts calls and can misbehave:
    `hooks[name]` runs before the real call and may sleep, raise, or call through."""

    def __init__(self, inner: MemoryWarehouse) -> None:
        self.inner = inner
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.hooks: dict[str, Callable[..., Awaitable[Any]]] = {}

    @property
    def label(self) -> str:
        return "test"

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call[0] == name)

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if not asyncio.iscoroutinefunction(real):
            return real

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            hook = self.hooks.get(name)
            if hook is not None:
                return await hook(real, *args, **kwargs)
            return await real(*args, **kwargs)

        return call


@pytest.fixture
def backend() -> Recording:
    return Recording(build_world())


@pytest.fixture
def memory(tmp_path: Path) -> Memory:
    return Memory(tmp_path)


@pytest.fixture
def make_app(backend: Recording, memory: Memory) -> Callable[..., WarehouseApp]:
    def make(**kwargs: Any) -> WarehouseApp:
        kwargs.setdefault("location_id", RENO)
        kwargs.setdefault("clock", lambda: NOW)
        return WarehouseApp(backend, bell=True, memory=memory, **kwargs)  # type: ignore[arg-type]

    return make


async def settle(pilot: Pilot[Any], seconds: float = 0.3) -> None:
    """Let debounce timers fire and workers finish."""
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


TERMINATORS = {"enter": "\r", "tab": "\t", "ctrl+j": "\n"}


async def type_like_a_scanner(
    pilot: Pilot[Any], text: str, end: str = "enter", gap: float = 0.005
) -> None:
    """Key events arriving every `gap` seconds whether or not the app keeps up, as a scanner
    sends them: GS as its own key (ctrl+]), then the terminator. With `gap=0` every key is
    queued before the app handles the first, as when the console is busy."""
    driver = pilot.app._driver
    assert driver is not None
    for char in text:
        if char == "\x1d":
            key = "ctrl+right_square_bracket"
        elif len(char) == 1 and not char.isalnum():
            key = _character_to_key(char)
        else:
            key = char
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
        if gap:
            await asyncio.sleep(gap)
    event = events.Key(end, TERMINATORS.get(end))
    event.set_sender(pilot.app)
    driver.send_message(event)


async def scan(pilot: Pilot[Any], text: str, end: str = "enter") -> None:
    await type_like_a_scanner(pilot, text, end)
    await settle(pilot)


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


async def open_lots(pilot: Pilot[Any]) -> LotsScreen:
    """The console settled, then F4: the lots screen."""
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LotsScreen)
    return screen
