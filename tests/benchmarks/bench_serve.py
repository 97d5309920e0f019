"""How much of the machine the server uses: throughput beside a hello-world Starlette endpoint.

Run: ``python -m tests.benchmarks.bench_serve [--items 100000] [--seconds 3] [--workers 1 2]``

For each worker count, in one run:

* a hello-world endpoint (tests/benchmarks/hello_server.py) on the same uvicorn set-up: GET and
  POST answered per second by 8 clients, the yardstick;
* `warehouse-console serve --data FILE --workers N` on the demo warehouse of ``--items`` items:
  reads (``GET /v1/items/:id`` of random items), updates (``+1`` to one level, every request with
  its own Idempotency-Key, as a console sends them; then ``+1`` to up to 200 levels of random
  items, consoles counting different items) and searches (``GET /v1/items?search=`` of
  words from random item names) per second, by 8 clients for reads and updates and by 1 to 32
  clients for searches; each beside the yardstick (targets: reads >= 0.8x, updates >= 0.5x,
  search rising with clients up to the cores);
* after each set of updates, the levels' change against the updates answered 2xx: exact, or
  lost.

Clients are kept-alive connections of tests/benchmarks/load.py, one request at a time each, in
this process; its CPU use is printed so a reader can tell when it was the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

from tests.benchmarks.bench_http import start_module, stop_server
from tests.benchmarks.load import Load, read_answer, request, run_load

ROOT = Path(__file__).resolve().parents[2]
KEY = secrets.token_urlsafe(16)
SEARCH_CLIENTS = (1, 2, 4, 8, 16, 32)


def start(command: list[str], ready: str) -> tuple[subprocess.Popen[str], int]:
    process, url = start_module(command, ready, KEY)
    return process, int(urllib.parse.urlsplit(url).port or 0)


def line(name: str, load: Load, yardstick: Load | None = None) -> str:
    ratio = f"   {load.per_second / yardstick.per_second:.2f}x hello" if yardstick else ""
    bad = {s: n for s, n in load.statuses.items() if not 200 <= s < 300}
    errors = f"   NOT 2xx: {bad}" if bad else ""
    return (
        f"    {name:<28} {load.per_second:8,.0f}/s   p50 {load.quantile(0.5):6.2f} ms   "
        f"p95 {load.quantile(0.95):6.2f} ms   (load generator CPU "
        f"{load.client_cpu / load.seconds:.0%}){ratio}{errors}"
    )


def get(path: str) -> bytes:
    return request("GET", path, headers={"PX-API-KEY": KEY})


async def fetch_json(port: int, path: str) -> dict[str, object]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(get(path))
    _, body = await read_answer(reader)
    writer.close()
    return json.loads(body)


async def measure(port: int, hello_port: int, seconds: float, seed: int) -> None:
    rng = random.Random(seed)
    hello_get = await run_load(
        "127.0.0.1", hello_port, lambda c, n: request("GET", "/hello"), clients=8,
        seconds=seconds,
    )  # fmt: skip
    body = b'{"hello": "world"}'
    hello_post = await run_load(
        "127.0.0.1", hello_port, lambda c, n: request("POST", "/hello", body=body), clients=8,
        seconds=seconds,
    )  # fmt: skip
    print(line("hello GET (8 clients)", hello_get))
    print(line("hello POST (8 clients)", hello_post))

    items: list[dict[str, object]] = []
    for page in (1, 7, 40):
        answer = await fetch_json(port, f"/v1/items?limit=250&page={page}")
        items += answer["data"]  # type: ignore[arg-type]
    ids = [str(rng.choice(items)["id"]) for _ in range(10_000)]
    reads = await run_load(
        "127.0.0.1", port, lambda c, n: get(f"/v1/items/{ids[(c * 1000 + n) % len(ids)]}"),
        clients=8, seconds=seconds,
    )  # fmt: skip
    print(line("GET /v1/items/:id (8 clients)", reads, hello_get))

    item = next(i for i in items if i["levels"])
    level = item["levels"][0]  # type: ignore[index]
    where = {"location_id": level["location_id"], "layout_id": level["layout_id"]}

    async def level_qty() -> int:
        found = (await fetch_json(port, f"/v1/items/{item['id']}"))["data"]
        return next(
            lv["verified_qty"]
            for lv in found["levels"]  # type: ignore[index]
            if lv["location_id"] == where["location_id"] and lv["layout_id"] == where["layout_id"]
        )

    change = json.dumps({"levels": [where | {"verified_qty": 1}]}).encode()
    run = secrets.token_hex(4)
    before = await level_qty()
    updates = await run_load(
        "127.0.0.1", port,
        lambda c, n: request(
            "POST", f"/v1/items/{item['id']}", body=change,
            headers={"PX-API-KEY": KEY, "Idempotency-Key": f"bench-{run}-{c}-{n}"},
        ),
        clients=8, seconds=seconds,
    )  # fmt: skip
    delta = await level_qty() - before
    print(line("POST +1 to one level (8)", updates, hello_post))
    verdict = "exact" if delta == updates.ok() else "LOST OR DOUBLED"
    print(f"    level changed by {delta:+d} for {updates.ok()} updates answered 2xx: {verdict}")

    # the common case: consoles counting different items, up to 200 levels drawn at random
    stocked = [i for i in items if i["levels"]]
    drawn = {str(i["id"]): i for i in (rng.choice(stocked) for _ in range(200))}
    targets = [(item_id, i["levels"][0]) for item_id, i in drawn.items()]  # type: ignore[index]

    async def total() -> int:
        qty = 0
        for item_id, lv in targets:
            found = (await fetch_json(port, f"/v1/items/{item_id}"))["data"]
            qty += next(
                now["verified_qty"]
                for now in found["levels"]  # type: ignore[index]
                if (now["location_id"], now["layout_id"]) == (lv["location_id"], lv["layout_id"])
            )
        return qty

    def plus_one_somewhere(c: int, n: int) -> bytes:
        item_id, lv = targets[(c * 37 + n) % len(targets)]
        body = {"levels": [{"location_id": lv["location_id"], "layout_id": lv["layout_id"],
                            "verified_qty": 1}]}  # fmt: skip
        return request(
            "POST", f"/v1/items/{item_id}", body=json.dumps(body).encode(),
            headers={"PX-API-KEY": KEY, "Idempotency-Key": f"bench-{run}-many-{c}-{n}"},
        )  # fmt: skip

    before = await total()
    many = await run_load("127.0.0.1", port, plus_one_somewhere, clients=8, seconds=seconds)
    delta = await total() - before
    print(line(f"POST +1 to {len(targets)} levels (8)", many, hello_post))
    verdict = "exact" if delta == many.ok() else "LOST OR DOUBLED"
    print(f"    levels changed by {delta:+d} for {many.ok()} updates answered 2xx: {verdict}")

    queries = []
    for _ in range(10_000):
        words = str(rng.choice(items)["name"]).split()
        first = rng.randrange(max(1, len(words) - 1))
        queries.append(urllib.parse.quote(" ".join(words[first : first + 2])))
    for clients in SEARCH_CLIENTS:
        searches = await run_load(
            "127.0.0.1", port,
            lambda c, n: get(f"/v1/items?search={queries[(c * 997 + n) % len(queries)]}"),
            clients=clients, seconds=seconds,
        )  # fmt: skip
        print(line(f"search ({clients} clients)", searches, hello_get))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--in-memory", action="store_true", help="serve without --data")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.items:,} demo items; {args.seconds:g} s a measurement")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "warehouse.db"
        for workers in args.workers:
            hello, hello_port = start(
                ["tests.benchmarks.hello_server", "--workers", str(workers)], "Serving hello at "
            )
            command = ["console.cli", "serve", "--port", "0", "--demo-items", str(args.items)]
            command += ["--seed", str(args.seed), "--workers", str(workers)]
            if not args.in_memory:
                command += ["--data", str(data)]
            started = time.perf_counter()
            server, port = start(command, "Serving the warehouse at ")
            where = "in memory" if args.in_memory else "--data"
            print(f"\n{workers} worker(s), {where}: ready in {time.perf_counter() - started:.1f} s")
            try:
                asyncio.run(measure(port, hello_port, args.seconds, args.seed))
            finally:
                stop_server(server)
                stop_server(hello)


if __name__ == "__main__":
    main()
