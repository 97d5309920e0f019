"""The HTTP client against a real server on loopback that misbehaves on purpose.

`FaultServer` is a small HTTP/1.1 server (raw asyncio, real TCP on 127.0.0.1) in front of the
real API app. Each request it receives is counted and then, according to the test's plan, either
forwarded to the app (which applies it to a real in-memory warehouse) or answered badly: late,
with a canned status, with garbage, cut off half-way, or not at all after the app applied it.
Nothing in httpx is mocked; only `sleep` is replaced, so retries are counted instead of waited.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from console.backends.http import HttpBackend, RetryPolicy
from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Unauthorized,
    Unavailable,
    WarehouseError,
)
from console.domain.queries import ItemQuery
from console.server import create_app
from tests.contract.world import A1, BOLT, BOLT_GTIN13, GLOVES, RENO, build_world

SERVER_KEY = "server-key-5f1d"
CLIENT_KEY = "client-key-0a9c7e"  # deliberately wrong for the 401 test
PLUS_ONE = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}


# -- the misbehaving server ----------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Forward:
    """Pass the request to the real app and return its answer (optionally late)."""

    delay: float = 0.0


@dataclass
class Canned:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Raw:
    """Write these bytes as the whole answer and close the connection."""

    data: bytes


@dataclass
class CutOff:
    """Forward, then send the status line, headers and half the body, and close."""


@dataclass
class DropAfterApply:
    """Forward (the app applies the change), then close without answering."""


@dataclass
class DropBeforeApply:
    """Close without answering and without forwarding."""


Fault = Forward | Canned | Raw | CutOff | DropAfterApply | DropBeforeApply
Plan = Callable[[Seen, int], Fault]


def envelope(data: object, status: int = 200, **extra: object) -> bytes:
    body = {
        "message": "OK",
        "data": data,
        "status": status,
        "errors": [],
        "code": None,
        "pagination": None,
        "endpoint": "/v1/x",
    }
    return json.dumps(body | extra).encode()


class FaultServer:
    def __init__(self, warehouse: MemoryWarehouse) -> None:
        self.warehouse = warehouse
        self.app = create_app(warehouse, api_key=SERVER_KEY)
        self._upstream = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://app"
        )
        self.seen: list[Seen] = []
        self.plan: Plan = lambda seen, n: Forward()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._upstream.aclose()

    def count(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if s.method == method and s.path.split("?")[0] == path)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while (seen := await self._read_request(reader)) is not None:
                self.seen.append(seen)
                fault = self.plan(seen, len(self.seen))
                if not await self._answer(seen, fault, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> Seen | None:
        head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
        if not head:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Seen(method, path, headers, body)

    async def _forward(self, seen: Seen) -> httpx.Response:
        headers = {k: v for k, v in seen.headers.items() if k not in ("host", "content-length")}
        return await self._upstream.request(
            seen.method, seen.path, headers=headers, content=seen.body
        )

    @staticmethod
    def _head(status: int, headers: dict[str, str], length: int) -> bytes:
        lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"content-length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _answer(self, seen: Seen, fault: Fault, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close."""
        if isinstance(fault, DropBeforeApply):
            return False
        if isinstance(fault, Raw):
            writer.write(fault.data)
            await writer.drain()
            return False
        if isinstance(fault, Canned):
            headers = {"content-type": "application/json"} | fault.headers
            writer.write(self._head(fault.status, headers, len(fault.body)) + fault.body)
            await writer.drain()
            return True
        if isinstance(fault, Forward) and fault.delay:
            await asyncio.sleep(fault.delay)
        response = await self._forward(seen)
        if isinstance(fault, DropAfterApply):
            return False
        headers = {"content-type": response.headers.get("content-type", "application/json")}
        if "retry-after" in response.headers:
            headers["retry-after"] = response.headers["retry-after"]
        head = self._head(response.status_code, headers, len(response.content))
        if isinstance(fault, CutOff):
            writer.write(head + response.content[: len(response.content) // 2])
            await writer.drain()
            return False
        writer.write(head + response.content)
        await writer.drain()
        return True


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    fault_server = FaultServer(build_world())
    await fault_server.start()
    yield fault_server
    await fault_server.stop()


class Sleeps:
    """Stands in for asyncio.sleep: records each wait and lets the loop run, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


Factory = Callable[..., HttpBackend]


@pytest.fixture
async def make_client(server: FaultServer, sleeps: Sleeps) -> AsyncIterator[Factory]:
    clients: list[HttpBackend] = []

    def make(**options: object) -> HttpBackend:
        settings: dict = {"read_timeout": 2.0, "connect_timeout": 2.0, "sleep": sleeps}
        settings.update(options)
        url = str(settings.pop("url", server.url))
        key = settings.pop("key", SERVER_KEY)
        client = HttpBackend(url, key, **settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def assert_clean(error: BaseException, *secrets: str) -> None:
    """The error is typed, says something, chains nothing, and shows no secret."""
    assert isinstance(error, WarehouseError)
    assert error.message
    assert error.__cause__ is None
    assert error.__context__ is None
    for secret in secrets:
        assert secret not in str(error)
        assert secret not in repr(error)
        assert all(secret not in str(e) for e in error.errors)


def bolt_a1(warehouse: MemoryWarehouse) -> int:
    level = warehouse.level(BOLT, RENO, A1)
    assert level is not None
    return level.verified_qty


# -- slow answers --------------------------------------------------------------------------------


async def test_a_slow_read_times_out_with_advice_and_is_not_repeated(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: Forward(delay=1.0)
    client = make_client(read_timeout=0.1)
    with pytest.raises(Unavailable) as caught:
        await client.get_item(BOLT)
    assert not isinstance(caught.value, OutcomeUnknown)
    assert "no answer within 0.1 s" in caught.value.message
    assert "check the network" in caught.value.message
    assert_clean(caught.value, SERVER_KEY)
    # Repeating a timed-out read would only multiply the operator's wait.
    assert server.count("GET", f"/v1/items/{BOLT}") == 1


async def test_a_slow_change_is_outcome_unknown(server: FaultServer, make_client: Factory) -> None:
    server.plan = lambda seen, n: Forward(delay=1.0)
    client = make_client(read_timeout=0.1)
    with pytest.raises(OutcomeUnknown) as caught:
        await client.update_item(BOLT, PLUS_ONE)
    assert "may or may not have been applied" in caught.value.message
    assert f"Re-read item {BOLT}" in caught.value.message
    assert server.count("POST", f"/v1/items/{BOLT}") == 1
    assert_clean(caught.value, SERVER_KEY)


# -- server errors and rate limits ---------------------------------------------------------------


async def test_500_on_a_read_is_retried_a_bounded_number_of_times(
    server: FaultServer, make_client: Factory, sleeps: Sleeps
) -> None:
    server.plan = lambda seen, n: Canned(500, envelope(None, 500, message="database on fire"))
    client = make_client(retry=RetryPolicy(attempts=3, backoff=0.2))
    with pytest.raises(Unavailable) as caught:
        await client.list_items()
    assert server.count("GET", "/v1/items") == 3
    assert len(sleeps.waits) == 2
    assert sleeps.waits[1] > sleeps.waits[0] * 0.9  # backoff grows (with jitter)
    assert "HTTP 500: database on fire" in caught.value.message
    assert not isinstance(caught.value, OutcomeUnknown)
    assert_clean(caught.value)


async def test_a_read_succeeds_when_the_server_recovers(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: Canned(503, b"busy") if n < 3 else Forward()
    item = await make_client().get_item(BOLT)
    assert item.id == BOLT
    assert server.count("GET", f"/v1/items/{BOLT}") == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_a_change_is_never_retried_and_is_outcome_unknown(
    server: FaultServer, make_client: Factory, status: int
) -> None:
    server.plan = lambda seen, n: Canned(status, b"<html>gateway</html>")
    with pytest.raises(OutcomeUnknown) as caught:
        await make_client().update_item(BOLT, PLUS_ONE)
    assert server.count("POST", f"/v1/items/{BOLT}") == 1
    assert f"HTTP {status}" in caught.value.message
    assert "may or may not have been applied" in caught.value.message


async def test_429_is_retried_after_the_wait_the_server_asks_for(
    server: FaultServer, make_client: Factory, sleeps: Sleeps
) -> None:
    limited = Canned(429, envelope(None, 429, message="slow down"), {"Retry-After": "2"})
    server.plan = lambda seen, n: limited if n == 1 else Forward()
    page = await make_client().list_items(ItemQuery(limit=2))
    assert len(page.data) == 2
    assert server.count("GET", "/v1/items") == 2
    assert sleeps.waits == [pytest.approx(2.0)]


async def test_429_asking_for_too_long_a_wait_is_reported_at_once(
    server: FaultServer, make_client: Factory, sleeps: Sleeps
) -> None:
    server.plan = lambda seen, n: Canned(429, b"", {"Retry-After": "600"})
    with pytest.raises(RateLimited) as caught:
        await make_client(retry=RetryPolicy(max_retry_after=30)).list_items()
    assert caught.value.retry_after == 600
    assert "wait about 10 min" in caught.value.message
    assert server.count("GET", "/v1/items") == 1
    assert sleeps.waits == []


async def test_429_on_a_change_is_not_retried_and_nothing_is_applied(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: Canned(429, b"", {"Retry-After": "3"})
    with pytest.raises(RateLimited) as caught:
        await make_client().update_item(BOLT, PLUS_ONE)
    assert "wait 3 s" in caught.value.message
    assert server.count("POST", f"/v1/items/{BOLT}") == 1
    assert bolt_a1(server.warehouse) == 10


# -- answers that are not what the contract promises ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html><body>Welcome to nginx</body></html>", "not JSON"),
        (b"", "empty"),
        (b"\xff\xfe garbage", "not JSON"),
        (b"[1, 2, 3]", "not an envelope"),
        (b'{"message": "hello"}', "no data"),
        (envelope({"id": "x", "name": "y"}), "data is a dict, not a list"),
        (envelope([{"name": "no id"}]), "row 1 of the list is not a valid item: id is missing"),
        (envelope([], pagination=[1]), "pagination is not an object"),
        (
            envelope([{"id": f"item_{n}", "name": f"n{n}"} for n in range(5000)]),
            "5,000 rows came back for a page of 25",
        ),
    ],
    ids=[
        "html",
        "empty",
        "binary",
        "array",
        "no-data",
        "data-object",
        "row-no-id",
        "pagination",
        "past-the-limit",
    ],
)
async def test_a_list_answer_of_the_wrong_shape_is_a_typed_error(
    server: FaultServer, make_client: Factory, body: bytes, problem: str
) -> None:
    server.plan = lambda seen, n: Canned(200, body)
    with pytest.raises(Unavailable) as caught:
        await make_client().list_items()
    assert problem in caught.value.message
    assert "check that the API URL" in caught.value.message
    assert server.count("GET", "/v1/items") == 1  # a wrong answer is not fixed by asking again


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (envelope([{"id": BOLT, "name": "x"}]), "data is a list, not an object"),
        (envelope(None), "data is missing"),
        (envelope({"id": BOLT}), "name is missing"),
        (envelope({"id": BOLT, "name": "x", "levels": "many"}), "levels is invalid"),
    ],
    ids=["data-list", "data-null", "no-name", "bad-levels"],
)
async def test_an_object_answer_of_the_wrong_shape_is_a_typed_error(
    server: FaultServer, make_client: Factory, body: bytes, problem: str
) -> None:
    server.plan = lambda seen, n: Canned(200, body)
    with pytest.raises(Unavailable) as caught:
        await make_client().get_item(BOLT)
    assert problem in caught.value.message


async def test_a_missing_pagination_is_tolerated(server: FaultServer, make_client: Factory) -> None:
    server.plan = lambda seen, n: Canned(200, envelope([{"id": BOLT, "name": "Bolt"}]))
    page = await make_client().list_items(ItemQuery(limit=1))
    assert [i.id for i in page.data] == [BOLT]
    assert page.pagination.has_more  # a full page may have more behind it: offer to load it


async def test_a_body_cut_off_mid_answer_is_retried_for_reads(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: CutOff() if n == 1 else Forward()
    item = await make_client().get_item(BOLT)
    assert item.id == BOLT
    assert server.count("GET", f"/v1/items/{BOLT}") == 2


async def test_a_body_cut_off_every_time_ends_in_unavailable(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: CutOff()
    with pytest.raises(Unavailable) as caught:
        await make_client(retry=RetryPolicy(attempts=2)).get_item(BOLT)
    assert "dropped in the middle of the answer" in caught.value.message
    assert server.count("GET", f"/v1/items/{BOLT}") == 2


async def test_a_change_whose_answer_is_cut_off_says_it_was_accepted(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: CutOff()
    with pytest.raises(OutcomeUnknown) as caught:
        await make_client().update_item(BOLT, PLUS_ONE)
    assert "accepted the change" in caught.value.message
    assert f"re-read item {BOLT}" in caught.value.message
    assert bolt_a1(server.warehouse) == 11


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n",  # closed in the middle of the headers
        b"this is not http at all\r\n\r\n",
        b"",  # closed without a byte
    ],
    ids=["cut-headers", "not-http", "silent-close"],
)
async def test_a_connection_closed_or_garbled_before_the_answer(
    server: FaultServer, make_client: Factory, raw: bytes
) -> None:
    server.plan = lambda seen, n: Raw(raw)
    client = make_client(retry=RetryPolicy(attempts=2))
    with pytest.raises(Unavailable) as read_error:
        await client.get_item(BOLT)
    assert not isinstance(read_error.value, OutcomeUnknown)
    assert server.count("GET", f"/v1/items/{BOLT}") == 2
    with pytest.raises(OutcomeUnknown) as change_error:
        await client.update_item(BOLT, PLUS_ONE)
    assert server.count("POST", f"/v1/items/{BOLT}") == 1
    assert_clean(read_error.value, SERVER_KEY)
    assert_clean(change_error.value, SERVER_KEY)


async def test_a_redirect_is_reported_not_followed(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: Canned(301, b"", {"Location": "http://elsewhere.example/v1"})
    with pytest.raises(Unavailable, match="redirect"):
        await make_client().list_items()
    assert len(server.seen) == 1  # nothing went to the other host


async def test_a_404_on_a_list_path_means_a_wrong_url(
    server: FaultServer, make_client: Factory
) -> None:
    server.plan = lambda seen, n: Canned(404, b"Not Found", {"content-type": "text/plain"})
    with pytest.raises(Unavailable, match="PackageX-style /v1"):
        await make_client().list_lots()


# -- connections that never happen ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_refused_connection_is_unavailable_and_nothing_was_sent(
    make_client: Factory, sleeps: Sleeps
) -> None:
    client = make_client(url=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(Unavailable) as read_error:
        await client.list_locations()
    assert "connection refused" in read_error.value.message
    assert len(sleeps.waits) == 3  # the first try and three retries
    with pytest.raises(Unavailable) as change_error:
        await client.update_item(BOLT, PLUS_ONE)
    assert not isinstance(change_error.value, OutcomeUnknown)
    assert "Nothing was sent" in change_error.value.message
    assert len(sleeps.waits) == 3  # a change is never retried
    assert_clean(read_error.value, SERVER_KEY)
    assert_clean(change_error.value, SERVER_KEY)


# -- the key -------------------------------------------------------------------------------------


async def test_a_refused_key_says_what_to_do_and_never_shows_the_key(
    server: FaultServer, make_client: Factory
) -> None:
    client = make_client(key=CLIENT_KEY)
    with pytest.raises(Unauthorized) as caught:
        await client.list_items()
    assert "ask an admin for a valid api key" in caught.value.message.lower()
    assert server.count("GET", "/v1/items") == 1  # a 401 is not retried
    assert server.seen[0].headers["px-api-key"] == CLIENT_KEY  # sent, but only in the header
    assert_clean(caught.value, CLIENT_KEY)
    assert CLIENT_KEY not in repr(client)
    assert "key=set" in repr(client)


async def test_a_server_that_echoes_the_key_gets_it_redacted(
    server: FaultServer, make_client: Factory
) -> None:
    echo = envelope(None, 401, message=f"key {CLIENT_KEY} is revoked")
    server.plan = lambda seen, n: Canned(401, echo)
    with pytest.raises(Unauthorized) as caught:
        await make_client(key=CLIENT_KEY).get_item(BOLT)
    assert "[redacted] is revoked" in caught.value.message
    assert_clean(caught.value, CLIENT_KEY)


# -- refusals keep the server's words ------------------------------------------------------------


async def test_refusals_keep_the_servers_message_and_field_errors(
    server: FaultServer, make_client: Factory
) -> None:
    client = make_client()
    with pytest.raises(InvalidInput) as bad:
        await client.update_item(BOLT, {"levels": [{"location_id": "loc_x", "verified_qty": 1}]})
    assert "levels.0.location_id" in {e.field for e in bad.value.errors}
    assert "loc_x" in bad.value.message
    with pytest.raises(Conflict, match="below zero") as conflict:
        await client.update_item(
            BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": -99}]}
        )
    assert conflict.value.message
    with pytest.raises(NotFound, match="item_nope"):
        await client.get_item("item_nope")


async def test_bad_input_never_leaves_the_machine(
    server: FaultServer, make_client: Factory
) -> None:
    client = make_client()
    with pytest.raises(InvalidInput) as caught:
        await client.update_item(BOLT, {"levels": [{"location_id": RENO, "verified_qty": "5"}]})
    assert caught.value.errors[0].field == "levels.0.verified_qty"
    with pytest.raises(InvalidInput):
        await client.create_item({"name": ""})
    assert server.seen == []


# -- servers that do not know our `gtin` filter ----------------------------------------------------


async def test_find_by_gtin_falls_back_to_search_when_the_filter_is_refused(
    server: FaultServer, make_client: Factory
) -> None:
    refused = Canned(400, envelope(None, 400, errors=[{"field": "gtin", "message": "unknown"}]))
    server.plan = lambda seen, n: refused if "gtin=" in seen.path else Forward()
    found = await make_client().find_item("0" + BOLT_GTIN13)
    assert found is not None
    assert found.id == BOLT
    assert "search=0" + BOLT_GTIN13 in server.seen[-1].path


async def test_find_by_gtin_never_takes_an_unrelated_item(
    server: FaultServer, make_client: Factory
) -> None:
    gloves = await server.warehouse.get_item(GLOVES)
    ignored = Canned(200, envelope([gloves.model_dump(mode="json")]))
    server.plan = lambda seen, n: ignored if "gtin=" in seen.path else Forward()
    assert await make_client().find_item(BOLT_GTIN13) is None


# -- the lost answer -----------------------------------------------------------------------------


async def test_a_lost_answer_is_outcome_unknown_and_applied_exactly_once(
    server: FaultServer, make_client: Factory
) -> None:
    path = f"/v1/items/{BOLT}"
    first_post = True

    def plan(seen: Seen, n: int) -> Fault:
        nonlocal first_post
        if seen.method == "POST" and first_post:
            first_post = False
            return DropAfterApply()
        return Forward()

    server.plan = plan
    client = make_client()
    with pytest.raises(OutcomeUnknown) as caught:
        await client.update_item(BOLT, PLUS_ONE, idempotency_key="scan-42")
    message = caught.value.message
    assert "may or may not have been applied" in message
    assert f"Re-read item {BOLT}" in message
    assert_clean(caught.value, SERVER_KEY)
    assert server.count("POST", path) == 1  # the client did not retry on its own

    # The server applied it once; a re-read shows it.
    assert bolt_a1(server.warehouse) == 11
    reread = await client.get_item(BOLT)
    assert next(lv.verified_qty for lv in reread.levels if lv.layout_id == A1) == 11

    # Re-sending with the same key returns the first result and applies nothing more.
    again = await client.update_item(BOLT, PLUS_ONE, idempotency_key="scan-42")
    assert next(lv.verified_qty for lv in again.levels if lv.layout_id == A1) == 11
    assert bolt_a1(server.warehouse) == 11
    posts = [s for s in server.seen if s.method == "POST"]
    assert [s.headers["idempotency-key"] for s in posts] == ["scan-42", "scan-42"]


async def test_every_change_carries_a_fresh_idempotency_key(
    server: FaultServer, make_client: Factory
) -> None:
    client = make_client()
    await client.update_item(BOLT, PLUS_ONE)
    await client.update_item(BOLT, PLUS_ONE)
    await client.delete_item("item_tape")
    keys = [s.headers.get("idempotency-key") for s in server.seen]
    assert all(keys)
    assert len(set(keys)) == 3
    assert bolt_a1(server.warehouse) == 12


async def test_layout_omitted_and_layout_null_stay_different_on_the_wire(
    server: FaultServer, make_client: Factory
) -> None:
    client = make_client()
    await client.update_item(
        "item_gloves", {"levels": [{"location_id": "loc_col", "verified_qty": 1}]}
    )
    await client.update_item(
        "item_gloves",
        {"levels": [{"location_id": "loc_col", "layout_id": None, "verified_qty": 1}]},
    )
    sent = [json.loads(s.body)["levels"][0] for s in server.seen]
    assert "layout_id" not in sent[0]
    assert sent[1]["layout_id"] is None
