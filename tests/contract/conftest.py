"""The contract suite runs against every backend through the protocol alone.

`backend` is parametrised: each implementation gets the same small world (tests/contract/world.py)
fresh for every test. "memory" is the warehouse itself; "http" is the HTTP client talking to the
real API server (uvicorn, in a background thread, on a free loopback port) serving that world, so
every rule is checked end to end over the wire. A test may also take `unchanged` to prove a
refused request changed nothing, read through the same protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from console.backends.protocol import Backend
from console.domain.queries import FulfillmentQuery, ItemQuery, LotQuery, ManifestQuery
from tests.contract.world import build_world

BACKENDS = ["memory", "http"]
# The contract server requires a key, so authentication is exercised on every call.
CONTRACT_KEY = "contract-suite-key"


@pytest.fixture(scope="session")
def api_server() -> Iterator[object]:
    """One real API server for the whole session; each test swaps in a fresh world."""
    from console.server import ServerThread, create_app

    server = ServerThread(create_app(build_world(), api_key=CONTRACT_KEY)).start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    warehouse = build_world()
    if request.param == "memory":
        yield warehouse
        return
    if request.param == "http":
        from console.backends.http import HttpBackend

        server = request.getfixturevalue("api_server")
        server.app.state.warehouse = warehouse
        client = HttpBackend(server.url, CONTRACT_KEY)
        try:
            yield client
        finally:
            await client.aclose()
        return
    raise AssertionError(f"unknown backend {request.param}")


State = dict[str, object]


async def read_state(backend: Backend) -> State:
    """Everything the world holds, as plain data, read through the protocol."""
    items = (await backend.list_items(ItemQuery(limit=250))).data
    lots = (await backend.list_lots(LotQuery(limit=250))).data
    manifests = (await backend.list_manifests(ManifestQuery(limit=250))).data
    fulfillments = (await backend.list_fulfillments(FulfillmentQuery(limit=250))).data
    return {
        "items": [i.model_dump(exclude={"updated_at"}) for i in items],
        "lots": [lot.model_dump(exclude={"updated_at"}) for lot in lots],
        "manifests": [m.model_dump(exclude={"updated_at"}) for m in manifests],
        "fulfillments": [f.model_dump(exclude={"updated_at"}) for f in fulfillments],
    }


@pytest.fixture
def unchanged(backend: Backend) -> Callable[[], Awaitable[Callable[[], Awaitable[None]]]]:
    """`check = await unchanged()` before a refused request; `await check()` after it."""

    async def take() -> Callable[[], Awaitable[None]]:
        before = await read_state(backend)

        async def check() -> None:
            after = await read_state(backend)
            assert after == before, "a refused request changed the warehouse"

        return check

    return take
