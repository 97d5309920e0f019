"""How much of the machine the server uses: throughput beside a hello-world Starlette endpoint.

Run: ``python -m tests.benchmarks.bench_serve [--items 100000] [--seconds 3] [--workers 1 2]
[--rounds 3]``

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

Each comparison is taken in ``--rounds`` rounds, the yardstick then ours in turn, so that a
shared machine getting slower or faster meanwhile slows both alike; the ratio printed is the
median of the rounds', each round's beside it. The server's CPU time per request (its worker
processes' included, read from /proc on Linux) is printed too: it varies less than throughput
on a shared machine, and says what each request costs the server; "a CPU second" is the
yardstick's CPU time a request over ours, the ratio throughput would have where the server's
CPU is all that limits both.

Clients are kept-alive connections of tests/benchmarks/load.py, one request at a time each, in
this process; its CPU use is printed so a reader can tell when it was the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import secrets
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks.bench_http import start_module, stop_server
from tests.benchmarks.load import Load, Requests, read_answer, request, run_load

ROOT = Path(__file__).resolve().parents[2]
KEY = secrets.token_urlsafe(16)
SEARCH_CLIENTS = (1, 2, 4, 8, 16, 32)


def start(command: list[str], ready: str) -> tuple[subprocess.Popen[str], Server]:
    process, url = start_module(command, ready, KEY)
    return process, Server(process.pid, int(urllib.parse.urlsplit(url).port or 0))


def processes(pid: int) -> list[int]:
    """A server's process and its workers (Linux's /proc; just the process elsewhere)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        waiting += [int(child) for child in children]
    return found


def cpu_seconds(pid: int) -> float | None:
    """CPU time a server (and its workers) used so far, or None where /proc does not say."""
    total = 0.0
    for each in processes(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class Side:
    """One side of a comparison, over all its rounds."""

    loads: list[Load] = field(default_factory=list)
    cpu: float | None = 0.0  # server CPU seconds, None when not known

    @property
    def per_second(self) -> float:
        return sum(x.answered for x in self.loads) / sum(x.seconds for x in self.loads)

    def microseconds(self) -> float | None:
        """The server's CPU time a request answered, when known."""
        answered = sum(x.answered for x in self.loads)
        return None if self.cpu is None or not answered else self.cpu / answered * 1e6

    def cpu_per_request(self) -> str:
        spent = self.microseconds()
        return "" if spent is None else f"   server CPU {spent:5.0f} us/request"

    def merged(self) -> Load:
        out = Load(self.loads[0].clients, sum(x.seconds for x in self.loads))
        for each in self.loads:
            out.latencies += each.latencies
            out.client_cpu += each.client_cpu
            for status, n in each.statuses.items():
                out.statuses[status] = out.statuses.get(status, 0) + n
        return out

    async def measure(
        self, server: Server, requests: Requests, clients: int, seconds: float
    ) -> Load:
        """One more round of this side: its load, and the server's CPU time added."""
        before = cpu_seconds(server.pid)
        load = await run_load("127.0.0.1", server.port, requests, clients=clients, seconds=seconds)
        after = cpu_seconds(server.pid)
        self.loads.append(load)
        if self.cpu is not None:
            self.cpu = None if before is None or after is None else self.cpu + after - before
        return load


@dataclass
class Server:
    pid: int
    port: int


async def compare(
    ours: Server,
    requests: Requests,
    hello: Server,
    yardstick: Requests,
    *,
    clients: int,
    seconds: float,
    rounds: int,
) -> tuple[Side, Side, list[float]]:
    """`rounds` of the yardstick then ours, one after the other, so that a machine that gets
    slower or faster meanwhile (a shared one does) slows both alike: each side over all its
    rounds, and the ratio of each round."""  # fmt: skip
    theirs, mine, ratios = Side(), Side(), []
    for _ in range(rounds):
        for side, server, making in ((theirs, hello, yardstick), (mine, ours, requests)):
            await side.measure(server, making, clients, seconds)
        ratios.append(mine.loads[-1].per_second / theirs.loads[-1].per_second)
    return theirs, mine, ratios


def line(
    name: str, side: Side, ratios: list[float] | None = None, yardstick: Side | None = None
) -> str:
    """A side's figures; with `ratios` and its `yardstick`, beside the yardstick's: answers
    a second, and answers a CPU second (what throughput would be where the server's CPU is
    the limit, and steadier than it on a shared machine)."""
    load = side.merged()
    ratio = ""
    if ratios:
        shown = " ".join(f"{r:.2f}" for r in ratios)
        ratio = f"   {statistics.median(ratios):.2f}x hello (rounds {shown})"
    ours, theirs = side.microseconds(), yardstick.microseconds() if yardstick else None
    if ours and theirs:
        ratio += f", a CPU second {theirs / ours:.2f}x"
    bad = {s: n for s, n in load.statuses.items() if not 200 <= s < 300}
    errors = f"   NOT 2xx: {bad}" if bad else ""
    return (
        f"    {name:<28} {side.per_second:8,.0f}/s   p50 {load.quantile(0.5):6.2f} ms   "
        f"p95 {load.quantile(0.95):6.2f} ms   (load generator CPU "
        f"{load.client_cpu / load.seconds:.0%}){side.cpu_per_request()}{ratio}{errors}"
    )


def get(path: str) -> bytes:
    return request("GET", path, headers={"PX-API-KEY": KEY})


async def fetch_json(port: int, path: str) -> dict[str, object]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(get(path))
    _, body = await read_answer(reader)
    writer.close()
    return json.loads(body)


async def verified_at(port: int, item_id: str, level: dict[str, object]) -> int:
    """The verified quantity the server holds now at `level`'s location and bin."""
    found = (await fetch_json(port, f"/v1/items/{item_id}"))["data"]
    return next(
        now["verified_qty"]
        for now in found["levels"]  # type: ignore[attr-defined]
        if (now["location_id"], now["layout_id"]) == (level["location_id"], level["layout_id"])
    )


async def measure(ours: Server, hello: Server, seconds: float, seed: int, rounds: int) -> None:
    port = ours.port
    rng = random.Random(seed)
    hello_get: Requests = lambda c, n: request("GET", "/hello")  # noqa: E731
    hello_body = b'{"hello": "world"}'
    hello_post: Requests = lambda c, n: request("POST", "/hello", body=hello_body)  # noqa: E731

    items: list[dict[str, object]] = []
    for page in (1, 7, 40):
        answer = await fetch_json(port, f"/v1/items?limit=250&page={page}")
        items += answer["data"]  # type: ignore[arg-type]
    ids = [str(rng.choice(items)["id"]) for _ in range(10_000)]

    def read(c: int, n: int) -> bytes:
        return get(f"/v1/items/{ids[(c * 1000 + n) % len(ids)]}")

    theirs, reads, ratios = await compare(
        ours, read, hello, hello_get, clients=8, seconds=seconds, rounds=rounds
    )
    print(line("hello GET (8 clients)", theirs))
    print(line("GET /v1/items/:id (8 clients)", reads, ratios, theirs))

    item = next(i for i in items if i["levels"])
    level = item["levels"][0]  # type: ignore[index]
    where = {"location_id": level["location_id"], "layout_id": level["layout_id"]}

    change = json.dumps({"levels": [where | {"verified_qty": 1}]}).encode()
    keys = itertools.count()  # every request its own key, over every round
    run = secrets.token_hex(4)
    before = await verified_at(port, str(item["id"]), where)
    theirs, updates, ratios = await compare(
        ours,
        lambda c, n: request(
            "POST", f"/v1/items/{item['id']}", body=change,
            headers={"PX-API-KEY": KEY, "Idempotency-Key": f"bench-{run}-{next(keys)}"},
        ),
        hello, hello_post, clients=8, seconds=seconds, rounds=rounds,
    )  # fmt: skip
    delta = await verified_at(port, str(item["id"]), where) - before
    print(line("hello POST (8 clients)", theirs))
    print(line("POST +1 to one level (8)", updates, ratios, theirs))
    ok = updates.merged().ok()
    verdict = "exact" if delta == ok else "LOST OR DOUBLED"
    print(f"    level changed by {delta:+d} for {ok} updates answered 2xx: {verdict}")

    # the common case: consoles counting different items, up to 200 levels drawn at random
    stocked = [i for i in items if i["levels"]]
    drawn = {str(i["id"]): i for i in (rng.choice(stocked) for _ in range(200))}
    targets = [(item_id, i["levels"][0]) for item_id, i in drawn.items()]  # type: ignore[index]

    async def total() -> int:
        return sum([await verified_at(port, item_id, lv) for item_id, lv in targets])

    def plus_one_somewhere(c: int, n: int) -> bytes:
        item_id, lv = targets[(c * 37 + n) % len(targets)]
        body = {"levels": [{"location_id": lv["location_id"], "layout_id": lv["layout_id"],
                            "verified_qty": 1}]}  # fmt: skip
        return request(
            "POST", f"/v1/items/{item_id}", body=json.dumps(body).encode(),
            headers={"PX-API-KEY": KEY, "Idempotency-Key": f"bench-{run}-{next(keys)}"},
        )  # fmt: skip

    before = await total()
    theirs, many, ratios = await compare(
        ours, plus_one_somewhere, hello, hello_post, clients=8, seconds=seconds, rounds=rounds
    )
    delta = await total() - before
    # the yardstick's own rounds for this comparison: a shared machine's speed moves it too
    print(line("hello POST (8 clients)", theirs))
    print(line(f"POST +1 to {len(targets)} levels (8)", many, ratios, theirs))
    ok = many.merged().ok()
    verdict = "exact" if delta == ok else "LOST OR DOUBLED"
    print(f"    levels changed by {delta:+d} for {ok} updates answered 2xx: {verdict}")

    queries = []
    for _ in range(10_000):
        words = str(rng.choice(items)["name"]).split()
        first = rng.randrange(max(1, len(words) - 1))
        queries.append(urllib.parse.quote(" ".join(words[first : first + 2])))
    for clients in SEARCH_CLIENTS:
        searches = Side()
        await searches.measure(
            ours,
            lambda c, n: get(f"/v1/items?search={queries[(c * 997 + n) % len(queries)]}"),
            clients,
            seconds,
        )
        print(line(f"search ({clients} clients)", searches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--in-memory", action="store_true", help="serve without --data")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of each comparison, taken in turn"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.items:,} demo items; {args.seconds:g} s a measurement")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "warehouse.db"
        for workers in args.workers:
            hello, hello_server = start(
                ["tests.benchmarks.hello_server", "--workers", str(workers)], "Serving hello at "
            )
            command = ["console.cli", "serve", "--port", "0", "--demo-items", str(args.items)]
            command += ["--seed", str(args.seed), "--workers", str(workers)]
            if not args.in_memory:
                command += ["--data", str(data)]
            started = time.perf_counter()
            server, ours = start(command, "Serving the warehouse at ")
            where = "in memory" if args.in_memory else "--data"
            print(f"\n{workers} worker(s), {where}: ready in {time.perf_counter() - started:.1f} s")
            try:
                asyncio.run(measure(ours, hello_server, args.seconds, args.seed, args.rounds))
            finally:
                stop_server(server)
                stop_server(hello)


if __name__ == "__main__":
    main()
