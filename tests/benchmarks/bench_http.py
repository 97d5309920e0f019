"""The HTTP client and server together, on loopback, the way several consoles use them.

Run: ``python -m tests.benchmarks.bench_http [--items 100000] [--clients 8] [--adjustments 250]``

The server is a separate process (``warehouse-console serve``), so client and server do not share
one interpreter lock. It prints:

(a) several clients (separate HttpBackend instances, running concurrently) each sending +1
    adjustments to the same level: the final delta must be exactly clients x adjustments (no
    lost update), and the adjustments per second;
(b) the median (and 90th percentile) round trip, through HttpBackend, of ``GET /v1/items/:id``
    and of a search ``GET /v1/items?search=...`` on the demo warehouse of ``--items`` items;
(c) the same adjustments on a server keeping its warehouse in a file (``serve --data``), every
    change committed before its answer, beside (a) (target: at least half its rate), and that
    server's start-up from its file beside the in-memory start (the demo built, or read from the
    snapshot an earlier start left, as a user's second start is);
(d) the same adjustments on that file served by two worker processes (``--workers 2``): the
    final delta must be exact across workers too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from console.backends.http import HttpBackend
from console.domain.models import Item
from console.domain.queries import ItemQuery

ROOT = Path(__file__).resolve().parents[2]


def start_module(arguments: list[str], ready: str, key: str) -> tuple[subprocess.Popen[str], str]:
    """`python -m ARGUMENTS` (a server), once it prints a line starting with `ready`: the
    process, and the rest of that line (where it serves)."""
    process = subprocess.Popen(
        [sys.executable, "-m", *arguments],
        cwd=ROOT,
        env=os.environ | {"WAREHOUSE_SERVER_API_KEY": key},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(ready):
            # Keep reading what it prints, so a full pipe can never stall the server.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, line.removeprefix(ready).strip()
    raise SystemExit(f"{' '.join(arguments)} did not start")


def start_server(
    items: int, seed: int, key: str, data: Path | None = None, workers: int = 1
) -> tuple[subprocess.Popen[str], str, float]:
    """`warehouse-console serve` on a free port; returns the process, its URL and start time."""
    started = time.perf_counter()
    command = ["serve", "--port", "0", "--demo-items", str(items), "--seed", str(seed)]
    if data is not None:
        command += ["--data", str(data), "--workers", str(workers)]
    process, url = start_module(["console.cli", *command], "Serving the warehouse at ", key)
    return process, url, time.perf_counter() - started


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its worker processes (Linux /proc), to tell
    who the bottleneck is."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) or 0.0 for child in children)


def stop_server(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


async def pick_level(client: HttpBackend) -> tuple[Item, dict[str, str | None]]:
    """An item with a level, and that level's address (layout named, even when null)."""
    page = await client.list_items(ItemQuery(limit=100))
    item = next(i for i in page.data if i.levels)
    level = item.levels[0]
    return item, {"location_id": level.location_id, "layout_id": level.layout_id}


def level_qty(item: Item, where: dict[str, str | None]) -> int:
    return next(
        lv.verified_qty
        for lv in item.levels
        if lv.location_id == where["location_id"] and lv.layout_id == where["layout_id"]
    )


async def concurrent_adjustments(
    url: str, key: str, clients: int, each: int, pid: int, label: str = "(a)"
) -> float:
    async with HttpBackend(url, key) as probe:
        item, where = await pick_level(probe)
        before = level_qty(await probe.get_item(item.id), where)
        backends = [HttpBackend(url, key) for _ in range(clients)]
        change = {"levels": [where | {"verified_qty": 1}]}

        async def operator(backend: HttpBackend) -> None:
            for _ in range(each):
                await backend.update_item(item.id, change)

        started = time.perf_counter()
        server_cpu = cpu_seconds(pid)
        client_cpu = time.process_time()
        try:
            await asyncio.gather(*(operator(b) for b in backends))
        finally:
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            end_cpu = cpu_seconds(pid)
            server_cpu = None if server_cpu is None or end_cpu is None else end_cpu - server_cpu
            for backend in backends:
                await backend.aclose()
        after = level_qty(await probe.get_item(item.id), where)
    total = clients * each
    delta = after - before
    verdict = "OK" if delta == total else "LOST UPDATES"
    place = f"{where['location_id']} / {where['layout_id'] or 'no bin'}"
    print(
        f"{label} concurrent adjustments: {clients} clients x {each} (+1 each) to {item.id} at "
        f"{place}"
    )
    print(f"    final delta:            {delta:+d} (expected {total:+d}) {verdict}")
    print(f"    elapsed:                {elapsed:.2f} s")
    print(f"    adjustments/s:          {total / elapsed:,.0f}")
    if server_cpu is not None:
        print(
            f"    CPU used:               server {server_cpu:.2f} s, clients {client_cpu:.2f} s "
            f"(of {elapsed:.2f} s; {os.cpu_count()} CPUs)"
        )
    return total / elapsed


async def timed(call: Callable[[], Awaitable[object]], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    p90 = statistics.quantiles(times, n=10)[-1]
    return f"median {statistics.median(times):7.2f} ms   p90 {p90:7.2f} ms"


async def round_trips(url: str, key: str, samples: int, seed: int) -> None:
    rng = random.Random(seed)
    async with HttpBackend(url, key) as client:
        pages = [await client.list_items(ItemQuery(page=p, limit=250)) for p in (1, 7, 40)]
        items = [i for page in pages for i in page.data]
        ids = [rng.choice(items).id for _ in range(samples)]
        queries = []
        for _ in range(samples):
            words = rng.choice(items).name.split()
            start = rng.randrange(max(1, len(words) - 1))
            queries.append(" ".join(words[start : start + 2]))
        await client.get_item(ids[0])  # open the connection outside the measurement
        id_iter, query_iter = iter(ids), iter(queries)
        get_times = await timed(lambda: client.get_item(next(id_iter)), samples)
        search_times = await timed(
            lambda: client.list_items(ItemQuery(search=next(query_iter))), samples
        )
    print(f"(b) round trip over loopback through HttpBackend, {samples} requests each")
    print(f"    GET /v1/items/:id           {summary(get_times)}")
    print(f"    GET /v1/items?search=...    {summary(search_times)}   (25 results a page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--adjustments", type=int, default=250)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    key = secrets.token_urlsafe(16)
    process, url, startup = start_server(args.items, args.seed, key)
    try:
        print(f"server: {args.items:,} demo items (seed {args.seed}), ready in {startup:.1f} s")
        in_memory = asyncio.run(
            concurrent_adjustments(url, key, args.clients, args.adjustments, process.pid)
        )
        asyncio.run(round_trips(url, key, args.samples, args.seed))
    finally:
        stop_server(process)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "warehouse.db"
        process, url, created = start_server(args.items, args.seed, key, data)
        stop_server(process)
        process, url, reread = start_server(args.items, args.seed, key, data)
        try:
            print(
                f"(c) --data: the file made from the demo in {created:.1f} s "
                f"({data.stat().st_size / 2**20:.0f} MiB); a start from it {reread:.1f} s "
                f"(in memory: {startup:.1f} s)"
            )
            on_disk = asyncio.run(
                concurrent_adjustments(
                    url, key, args.clients, args.adjustments, process.pid, label="   "
                )
            )
        finally:
            stop_server(process)
        print(
            f"    with --data {on_disk:,.0f} adjustments/s, in memory {in_memory:,.0f}: "
            f"{on_disk / in_memory:.2f}x (target: at least 0.5x)"
        )
        process, url, _ = start_server(args.items, args.seed, key, data, workers=2)
        try:
            asyncio.run(
                concurrent_adjustments(
                    url, key, args.clients, args.adjustments, process.pid, label="(d) 2 workers:"
                )
            )
        finally:
            stop_server(process)


if __name__ == "__main__":
    main()
