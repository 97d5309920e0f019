"""A real console process, ended by a hang-up or kill -9 in the middle of picking while the
server is unreachable; the next console, with the server back, lands every pick exactly once.

The consoles are real `warehouse-console --api-url …` processes (headless), the server a real
one on loopback; the test waits on what each console prints (its events), not on the clock."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from console.server import ServerThread, create_app
from tests.contract.world import BOLT_GTIN13, RENO, build_world

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and process groups: POSIX")

# Each child drives its console with the operator's keys, and prints a line at each step.
_PICKER = """
import asyncio, os, sys
from console.cli import build_parser, run_console_command

async def until(pilot, ready):
    for _ in range(1500):
        if ready():
            return
        await pilot.pause(0.02)
    print("STUCK", flush=True)

async def work(pilot):
    from console.ui.screens.pickpack import OrderScreen, PickPackScreen
    app = pilot.app
    await until(pilot, lambda: app.location is not None)
    await pilot.press("f5")
    await until(pilot, lambda: isinstance(app.screen, PickPackScreen) and app.screen.rows)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, OrderScreen) and app.screen.session.ready.is_set())
    print("OPEN", flush=True)
    await until(pilot, lambda: os.path.exists(sys.argv[3]))  # the server is down now
    for _ in range(3):
        await pilot.press(*sys.argv[2], "enter")
    await until(pilot, lambda: app.screen.work.picked(app.screen.work.fulfillment.inventory[0].item_id) == 3)
    print("PICKED", flush=True)
    await asyncio.sleep(3600)  # picking on while the server is away, until the end comes

args = build_parser().parse_args(["--api-url", sys.argv[1], "--location", "loc_reno"])
run_console_command(args, headless=True, auto_pilot=work, size=(80, 24))
"""

_RECOVERER = """
import sys
from console.cli import build_parser, run_console_command

async def until(pilot, ready):
    for _ in range(1500):
        if ready():
            return
        await pilot.pause(0.02)
    print("STUCK", flush=True)

async def work(pilot):
    from console.ui.screens.pickpack import OrderScreen
    from console.ui.screens.recovery import RecoveryScreen
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, RecoveryScreen))
    print("OFFERED", len(app.screen.recovery.unconfirmed()), flush=True)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, OrderScreen) and not app.screen.work.unsaved)
    work = app.screen.work
    print("REOPENED", work.picked(work.fulfillment.inventory[0].item_id), flush=True)
    app.exit()

args = build_parser().parse_args(["--api-url", sys.argv[1], "--location", "loc_reno"])
run_console_command(args, headless=True, auto_pilot=work, size=(80, 24))
"""


def console(code: str, state: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WAREHOUSE_CONSOLE_STATE_DIR": str(state),
        "XDG_CONFIG_HOME": str(state),  # no config file of the machine's user
    }
    env.pop("PX_API_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def said(child: subprocess.Popen[str], word: str, within: float = 60.0) -> str:
    """The console's next line, which must start with `word`."""
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], within)
    line = child.stdout.readline() if ready else ""
    if not line.startswith(word):
        child.kill()
        _, err = child.communicate(timeout=30)
        raise AssertionError(f"expected {word}, the console said {line!r}; stderr: {err[-2000:]}")
    return line


def finish(child: subprocess.Popen[str]) -> None:
    """Ended (killed if it has not ended by itself), its pipes closed."""
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=30)


@pytest.fixture
def warehouse() -> Any:
    return build_world()


@pytest.mark.parametrize("ending", [signal.SIGHUP, signal.SIGKILL], ids=["hang-up", "kill-9"])
def test_every_pick_lands_once_after_the_console_is_ended_mid_pick(
    tmp_path: Path, warehouse: Any, ending: signal.Signals
) -> None:
    import asyncio

    order = asyncio.run(
        warehouse.create_fulfillment(
            {
                "location_id": RENO,
                "order_number": "SO-HUP",
                "inventory": [{"item_id": "item_bolt", "qty": 5}],
            }
        )
    )
    app = create_app(warehouse)
    server = ServerThread(app).start()
    port = server.port
    down = tmp_path / "server-down"
    picker = console(_PICKER, tmp_path, server.url, BOLT_GTIN13, str(down))
    try:
        said(picker, "OPEN")
        server.stop()  # the warehouse is unreachable from here on
        down.touch()
        said(picker, "PICKED")
        os.killpg(picker.pid, ending)  # the SSH session drops (or the process is killed)
        picker.wait(timeout=30)
    finally:
        finish(picker)
    assert asyncio.run(warehouse.get_fulfillment(order.id)).inventory[0].picked_qty == 0

    back = ServerThread(app, port=port).start()  # the same warehouse, on the same address
    try:
        recoverer = console(_RECOVERER, tmp_path, back.url)
        try:
            assert said(recoverer, "OFFERED").split()[1] == "1"
            assert said(recoverer, "REOPENED").split()[1] == "3"
            recoverer.wait(timeout=30)
        finally:
            finish(recoverer)
    finally:
        back.stop()
    assert asyncio.run(warehouse.get_fulfillment(order.id)).inventory[0].picked_qty == 3
