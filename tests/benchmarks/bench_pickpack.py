"""Picking a 200-line order by 600 scans sent at scanner speed.

Run: `python -m tests.benchmarks.bench_pickpack [--lines 200] [--per-line 3]`. The console runs
headless at 80x24 on the in-memory demo warehouse. Each scan is a serialised GS1 label
(`]C1 01 <GTIN> 21 <serial>`, 30 characters) typed at 5 ms a character from a thread (as a
terminal driver reads and stamps keys, whatever the console is doing), then Enter, with no
pause before the next. Printed: whether every scan was counted once on its line (on screen and in
the warehouse), the time from each scan's Enter to its line updated on screen (target: median
under 50 ms), with every scan written to the console's journal first, and the journal's size.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

KEY_GAP = 0.005


def journal_size(state: Path) -> int:
    """Bytes of the console's journal files (each with its write-ahead log)."""
    return sum(f.stat().st_size for f in state.rglob("*.journal*"))


async def catch_up(screen: Any, scans: int, quiet: float = 5.0) -> float:
    """Seconds from the last key until every scan is on its line, or until no pick has come for
    `quiet` seconds (a scan was not counted: the figures below say which)."""
    last_key = time.perf_counter()
    seen, since = len(screen.picks_shown), time.perf_counter()
    while len(screen.picks_shown) < scans and time.perf_counter() - since < quiet:
        await asyncio.sleep(0.02)
        if len(screen.picks_shown) != seen:
            seen, since = len(screen.picks_shown), time.perf_counter()
    return (screen.picks_shown[-1] if screen.picks_shown else since) - last_key


async def measure(lines: int, per_line: int) -> int:
    from console.backends.memory.warehouse import MemoryWarehouse
    from console.domain.gtin import gtin14
    from console.ui.app import WarehouseApp
    from console.ui.screens.pickpack import OrderScreen
    from console.ui.state import Memory
    from tests.benchmarks.realtime import Keyboard, settle

    warehouse = MemoryWarehouse.demo(items=2000, seed=7)
    location = "loc_001"
    stocked = [
        item
        for item in warehouse._items.values()
        if item.gtin
        and sum(lv.verified_qty for lv in item.levels if lv.location_id == location) >= per_line
    ][:lines]
    assert len(stocked) == lines, f"only {len(stocked)} stocked items at {location}"
    order = await warehouse.create_fulfillment(
        {
            "location_id": location,
            "order_number": "BENCH-200",
            "inventory": [{"item_id": item.id, "qty": per_line} for item in stocked],
        }
    )
    labels = [
        f"]C101{gtin14(item.gtin or '')}21{round_ * lines + n:09d}"
        for round_ in range(per_line)
        for n, item in enumerate(stocked)
    ]

    with tempfile.TemporaryDirectory() as state:
        app = WarehouseApp(warehouse, bell=False, location_id=location, memory=Memory(Path(state)))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await app.push_screen(OrderScreen(await warehouse.get_fulfillment(order.id)))
            await settle(pilot, 0.5)
            screen: Any = app.screen
            assert isinstance(screen, OrderScreen)
            alerts: list[str] = []  # what the operator would have been told, for a scan not counted
            shown_alert = screen.alert

            def alert(message: str, severity: str = "error") -> None:
                alerts.append(message)
                shown_alert(message, severity)

            screen.alert = alert  # type: ignore[method-assign]
            started = time.perf_counter()
            keyboard = Keyboard(app)
            keyboard.start([key for label in labels for key in [*label, "enter"]], KEY_GAP)
            await keyboard.done()
            typing = time.perf_counter() - started
            enters = keyboard.enters
            behind = await catch_up(screen, len(labels))
            await settle(pilot, 0.3)
            await screen.session.settled()
            journal_bytes = journal_size(Path(state))
            shown = {item.id: screen.work.picked(item.id) for item in stocked}
            picks = len(screen.picks_shown)
            latencies = [
                (done - sent) * 1000 for sent, done in zip(enters, screen.picks_shown, strict=False)
            ]
    stored = await warehouse.get_fulfillment(order.id)
    stored_picked = {line.item_id: line.picked_qty for line in stored.inventory}
    lost = sum(1 for item in stocked if shown[item.id] != per_line)
    wrong_store = sum(1 for item in stocked if stored_picked[item.id] != per_line)
    print(
        f"{lines}-line order, {len(labels)} scans of 30 characters at {KEY_GAP * 1000:.0f} ms a "
        f"key ({typing:.1f} s of typing)"
    )
    print(
        f"  picks shown: {picks}/{len(labels)}; lines wrong on screen: {lost}; lines wrong in the "
        f"warehouse: {wrong_store}; order status: {stored.status}"
    )
    print(f"  the console caught up {behind * 1000:.0f} ms after the last key")
    for message in alerts[:5]:
        print(f"  told the operator: {message}")
    print(f"  journal on disk after the order (file and its WAL): {journal_bytes / 1024:.0f} KiB")
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else float("nan")
    print(
        f"  Enter to line updated: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(latencies):.1f} ms (target: median under 50 ms)"
    )
    return 0 if picks == len(labels) and not lost and not wrong_store else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--per-line", type=int, default=3)
    args = parser.parse_args(argv)
    return asyncio.run(measure(args.lines, args.per_line))


if __name__ == "__main__":
    raise SystemExit(main())
