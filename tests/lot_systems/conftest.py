"""The lot systems under one contract: the in-memory warehouse, the HTTP client over the real
server, a real Directus (started once per test process, its collections emptied and filled
with the same lots for every test), and the byrd-shaped server over real HTTP.

Directus needs Node.js and Directus itself (`python -m scripts.directus install`); without them
its tests skip, saying so, and fail where the run requires Directus (.ci/run does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from console.backends.protocol import Backend
from scripts import directus as directus_script
from tests.byrd_server import API_KEY, API_SECRET, ByrdWorld, build_app
from tests.conftest import component_missing
from tests.lot_systems import spec

SYSTEMS = ["memory", "http", "directus", "byrd"]


@dataclass
class Seeded:
    """A backend holding the spec's lots, and what the tests need to know of it."""

    name: str
    backend: Backend
    item_ids: dict[str, str]  # spec item key → the backend's id
    world: Any = None  # the byrd-shaped server's world, for the byrd tests


@pytest.fixture(scope="session")
def directus_instance() -> Iterator[directus_script.Running]:
    problem = directus_script.node_problem()
    if problem is None and not directus_script.installed():
        problem = (
            f"Directus {directus_script.VERSION} is not installed: run "
            "`python -m scripts.directus install`"
        )
    if problem is not None:
        component_missing("directus", problem)
    try:
        with directus_script.running() as instance:
            yield instance
    except directus_script.DirectusMissing as missing:
        component_missing("directus", str(missing))


def empty_and_fill(instance: directus_script.Running) -> None:
    """Every lot, product and production location removed, then the spec's written."""
    products, lots = spec.directus_records()
    with instance.client() as client:
        for collection in ("lot", "product", "location"):
            found = client.get(f"/items/{collection}", params={"fields": "id", "limit": -1})
            found.raise_for_status()
            keys = [row["id"] for row in found.json()["data"]]
            if keys:
                client.request("DELETE", f"/items/{collection}", json=keys).raise_for_status()
        client.post("/items/product", json=products).raise_for_status()
        client.post("/items/lot", json=lots).raise_for_status()


@pytest.fixture(scope="session")
def byrd_server() -> Iterator[Any]:
    from console.server import ServerThread

    server = ServerThread(build_app(ByrdWorld())).start()  # type: ignore[arg-type]
    yield server
    server.stop()


@pytest.fixture(scope="session")
def contract_server() -> Iterator[Any]:
    from console.server import ServerThread, create_app

    server = ServerThread(create_app(spec.memory_world())).start()
    yield server
    server.stop()


def byrd_backend(server: Any, world: ByrdWorld, token_dir: Any = None, **options: Any) -> Any:
    """A byrd client of a fresh world on the byrd-shaped server."""
    from console.backends.byrd import ByrdBackend

    server.app.state.world = world
    return ByrdBackend(
        f"http://127.0.0.1:{server.port}/v2", API_KEY, API_SECRET, token_dir=token_dir, **options
    )


@pytest.fixture(params=SYSTEMS)
async def lot_system(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Seeded]:
    name = request.param
    keys = {item.key: item for item in spec.ITEMS}
    if name == "memory":
        warehouse = spec.memory_world()
        yield Seeded(name, warehouse, {k: f"item_{k}" for k in keys})
        return
    if name == "http":
        from console.backends.http import HttpBackend

        server = request.getfixturevalue("contract_server")
        server.app.state.warehouse = spec.memory_world()
        client: Any = HttpBackend(server.url)
        ids = {k: f"item_{k}" for k in keys}
    elif name == "directus":
        from console.backends.directus import DirectusBackend

        instance = request.getfixturevalue("directus_instance")
        empty_and_fill(instance)
        client = DirectusBackend(instance.url, instance.token)
        ids = {k: f"/01/{item.gtin14}" for k, item in keys.items()}
    else:
        world = spec.byrd_world()
        client = byrd_backend(request.getfixturevalue("byrd_server"), world, tmp_path)
        ids = {k: f"prod-{k}" for k in keys}
        try:
            yield Seeded(name, client, ids, world)
        finally:
            await client.aclose()
        return
    try:
        yield Seeded(name, client, ids)
    finally:
        await client.aclose()
