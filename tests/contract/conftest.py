"""The contract suite runs against every backend through the protocol alone.

`backend` is parametrised: each implementation gets the same small world (tests/contract/world.py)
fresh for every test. A test may also take `snapshot_state` to prove a refused request changed
nothing, read through the same protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from console.backends.protocol import Backend
from console.domain.queries import FulfillmentQuery, ItemQuery, LotQuery, ManifestQuery
from tests.contract.world import build_world

BACKENDS = ["memory"]


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    warehouse = build_world()
    if request.param == "memory":
        yield warehouse
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
