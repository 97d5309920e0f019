"""The HTTP client as a Backend: the whole protocol, bodies as the contract wants them on the wire,
and a key that appears nowhere but in its header."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from console.backends.http import ClientConfigError, HttpBackend
from console.backends.protocol import Backend
from console.domain.errors import NotFound
from console.domain.requests import ItemUpdate, LevelChange
from console.server import create_app
from tests.contract.world import A1, BOLT, COLUMBUS, GLOVES, RENO, build_world

KEY = "px_test_key_c0ffee42"


def protocol_methods() -> list[str]:
    return [
        name
        for name, value in vars(Backend).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    ]


def test_it_implements_the_whole_protocol_with_the_same_signatures() -> None:
    backend = HttpBackend("https://api.packagex.io/v1", KEY)
    assert isinstance(backend, Backend)
    for name in protocol_methods():
        expected = getattr(Backend, name)
        actual = getattr(HttpBackend, name)
        if isinstance(expected, property):
            assert isinstance(actual, property), name
            continue
        assert inspect.iscoroutinefunction(actual), name
        assert list(inspect.signature(actual).parameters) == list(
            inspect.signature(expected).parameters
        ), name


@pytest.mark.parametrize("key", ["has space", "line\nbreak", "naïve", '"quoted" key'])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(key: str) -> None:
    with pytest.raises(ClientConfigError) as caught:
        HttpBackend("https://api.packagex.io/v1", key)
    assert key not in str(caught.value)


class Recorder:
    """The real app behind an in-process transport, keeping every request it was sent."""

    def __init__(self) -> None:
        self.world = build_world()
        self.requests: list[httpx.Request] = []
        self._app = httpx.ASGITransport(app=create_app(self.world, api_key=KEY))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await self._app.handle_async_request(request)


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[HttpBackend, Recorder]]:
    recorder = Recorder()
    transport = httpx.AsyncBaseTransport()
    transport.handle_async_request = recorder.handle_async_request  # type: ignore[method-assign]
    backend = HttpBackend("https://api.example.com/v1", KEY, transport=transport)
    yield backend, recorder
    await backend.aclose()


async def test_request_models_keep_omitted_and_null_layouts_apart(
    recorded: tuple[HttpBackend, Recorder],
) -> None:
    backend, recorder = recorded
    await backend.update_item(
        GLOVES, ItemUpdate(levels=[LevelChange(location_id=COLUMBUS, verified_qty=2)])
    )
    item = await backend.update_item(
        GLOVES,
        ItemUpdate(levels=[LevelChange(location_id=COLUMBUS, layout_id=None, verified_qty=[7])]),
    )
    sent = [json.loads(r.content) for r in recorder.requests]
    assert sent[0] == {"levels": [{"location_id": COLUMBUS, "verified_qty": 2}]}
    assert sent[1] == {
        "levels": [{"location_id": COLUMBUS, "layout_id": None, "verified_qty": [7]}]
    }
    assert sorted((lv.layout_id or "", lv.verified_qty) for lv in item.levels) == [
        ("", 7),
        ("lay_c1", 102),
    ]


async def test_requests_carry_the_key_header_and_paths_below_v1(
    recorded: tuple[HttpBackend, Recorder],
) -> None:
    backend, recorder = recorded
    await backend.get_item(BOLT)
    await backend.find_item("4006381333931")
    await backend.find_item("HW-BOLT-M8-40")
    urls = [str(r.url) for r in recorder.requests]
    assert urls[0] == f"https://api.example.com/v1/items/{BOLT}"
    assert "gtin=4006381333931" in urls[1]
    assert "sku=HW-BOLT-M8-40" in urls[2]
    assert all(r.headers["PX-API-KEY"] == KEY for r in recorder.requests)
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)  # reads


async def test_ids_cannot_change_the_path(recorded: tuple[HttpBackend, Recorder]) -> None:
    backend, recorder = recorded
    with pytest.raises(NotFound):
        await backend.get_item("../locations?x=1")
    assert recorder.requests[0].url.raw_path == b"/v1/items/..%2Flocations%3Fx%3D1"


async def test_the_key_is_in_no_log_line(
    recorded: tuple[HttpBackend, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    backend, _ = recorded
    caplog.set_level(logging.DEBUG)
    await backend.list_items()
    await backend.update_item(
        BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}
    )
    with pytest.raises(NotFound):
        await backend.get_item("item_nope")
    assert caplog.records  # something was logged, by us or by httpx
    assert KEY not in caplog.text
