"""The lot browser against a real local Directus holding 10,000 lots: opening it and changing a
filter, to the first page shown; beside it, Directus's own answer to one request for the same
page (the floor no client of it can go below).

Run: `python -m tests.benchmarks.bench_lot_systems [--lots 10000] [--rounds 15]` (needs Node.js
and `python -m scripts.directus install`). The console runs headless at 80x24; each figure is
from the key press until the table shows the new first page. Target: median under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _figures(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{statistics.median(values):6.1f} ms / {p95:6.1f} ms"


async def measure(instance: Any, lots: int, rounds: int) -> None:
    from console.backends.directus import DirectusBackend
    from console.ui.app import WarehouseApp
    from console.ui.screens.lots import LotsScreen
    from console.ui.state import Memory
    from tests.benchmarks.realtime import send, settle, type_keys

    backend = DirectusBackend(instance.url, instance.token)

    async def until_page(screen: LotsScreen, pages_before: int) -> None:
        # polling is the measurement: the page counter moves when the table has been filled
        while screen.pages_loaded == pages_before:  # noqa: ASYNC110
            await asyncio.sleep(0.0005)

    timings: dict[str, list[float]] = {
        "open (F4)": [],
        "expired only (ctrl+e)": [],
        "expiring soon (ctrl+e)": [],
        "status draft (ctrl+t)": [],
        "by lot number (ctrl+o)": [],
    }
    with tempfile.TemporaryDirectory() as state:
        app = WarehouseApp(backend, bell=False, memory=Memory(Path(state)))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, 1.0)
            screen: Any = None
            for _ in range(rounds):
                await type_keys(app, ["f2"], 0.0)
                await settle(pilot, 0.05)
                before = screen.pages_loaded if isinstance(screen, LotsScreen) else 0
                sent = time.perf_counter()
                send(app, "f4")
                while not isinstance(app.screen, LotsScreen):  # noqa: ASYNC110
                    await asyncio.sleep(0.0005)
                screen = app.screen
                await until_page(screen, before)
                timings["open (F4)"].append((time.perf_counter() - sent) * 1000)
                for label, key in (
                    ("expired only (ctrl+e)", "ctrl+e"),
                    ("expiring soon (ctrl+e)", "ctrl+e"),
                    ("status draft (ctrl+t)", "ctrl+t"),
                    ("by lot number (ctrl+o)", "ctrl+o"),
                ):
                    await settle(pilot, 0.02)
                    before = screen.pages_loaded
                    sent = time.perf_counter()
                    send(app, key)
                    await until_page(screen, before)
                    timings[label].append((time.perf_counter() - sent) * 1000)
                # all lots again, by expiry: the next round starts where the first did
                await type_keys(app, ["ctrl+x", "ctrl+o", "ctrl+o"], 0.05)
                await settle(pilot, 0.1)
    await backend.aclose()

    print(f"lot browser on Directus with {lots:,} lots, first page of 50 shown (median / p95):")
    for label, values in timings.items():
        print(f"  {label:<24} {_figures(values)} (target: median under 300 ms)")


def directus_alone(instance: Any, rounds: int) -> None:
    """The same first page asked of Directus directly: its own time, with no console."""
    import httpx

    from console.backends.directus.client import LOT_READ

    raw: list[float] = []
    with httpx.Client(
        base_url=instance.url, headers={"Authorization": f"Bearer {instance.token}"}
    ) as client:
        params = {
            "fields": LOT_READ,
            "sort": "expiry_date,lot_number,id",
            "limit": 50,
            "meta": "filter_count",
            "filter": json.dumps({"expiry_date": {"_nnull": True}}),
        }
        for _ in range(rounds * 5):
            sent = time.perf_counter()
            client.get("/items/lot", params=params).raise_for_status()
            raw.append((time.perf_counter() - sent) * 1000)
    print(f"  {'one GET /items/lot alone':<24} {_figures(raw)} (Directus's own time, no console)")


def main(argv: list[str] | None = None) -> None:
    from scripts import directus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    problem = directus.node_problem()
    if problem or not directus.installed():
        print(f"skipped: {problem or 'run `python -m scripts.directus install` first'}")
        return
    with directus.running() as instance:
        started = time.perf_counter()
        with instance.client() as client:
            directus.add_demo_lots(client, args.lots)
        print(
            f"Directus {directus.VERSION}: {args.lots:,} lots added in {time.perf_counter() - started:.1f} s"
        )
        asyncio.run(measure(instance, args.lots, args.rounds))
        directus_alone(instance, args.rounds)


if __name__ == "__main__":
    main()
