"""A small HTTP/1.1 load generator: many kept-alive connections, each sending one request after
another for a while, counting answers and timing them.

Written on raw asyncio streams so that the generator costs a few tens of microseconds a request,
well under what any Python server spends answering one; `client_cpu` says what it did cost, so a
reader can tell when the generator, not the server, was the limit.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# the request a client sends next: (client number, its request number) -> the request's bytes
Requests = Callable[[int, int], bytes]


@dataclass
class Load:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, answered requests
    statuses: dict[int, int] = field(default_factory=dict)
    client_cpu: float = 0.0

    @property
    def answered(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q * 100) - 1]


def request(
    method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _client(
    number: int,
    host: str,
    port: int,
    requests: Requests,
    until: float,
    load: Load,
    answers: list[bytes] | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        sent = 0
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(requests(number, sent))
            sent += 1
            status, body = await read_answer(reader)
            load.latencies.append((time.perf_counter() - started) * 1000)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            if answers is not None:
                answers.append(body)
    finally:
        writer.close()


async def run_load(
    host: str,
    port: int,
    requests: Requests,
    *,
    clients: int,
    seconds: float,
    answers: list[bytes] | None = None,
) -> Load:
    """`clients` connections sending `requests` for `seconds`; each waits for its answer
    before sending again (a console does not pipeline)."""
    load = Load(clients, seconds)
    cpu = time.process_time()
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_client(n, host, port, requests, until, load, answers) for n in range(clients))
    )
    load.seconds = time.perf_counter() - started
    load.client_cpu = time.process_time() - cpu
    return load
