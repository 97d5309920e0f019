"""Requests as an attacker or a careless client sends them: each answers 400 in the envelope,
naming what is wrong, stores nothing, and the server goes on serving every console."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from console.server import create_app
from tests.contract.world import BOLT, build_world

KEY = "hostile-test-key"
LOT = "lot_expired"


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(build_world(), api_key=KEY)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver/v1/",
        headers={"PX-API-KEY": KEY, "Content-Type": "application/json"},
    ) as client:
        yield client


async def state(api: httpx.AsyncClient) -> tuple[int, str, str]:
    """What a console would see: the item list, the item and the lot as they are."""
    items = await api.get("items", params={"limit": 250})
    assert items.status_code == 200, items.text  # every console's first screen
    bolt = await api.get(f"items/{BOLT}")
    lot = await api.get(f"lots/{LOT}")
    assert bolt.status_code == lot.status_code == 200
    return items.json()["pagination"]["total_count"], bolt.text, lot.text


DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_METADATA = '{"a":' * 3000 + "1" + "}" * 3000


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("items", '{"name":"x","dimensions":{"length":1e999}}', "1e999"),
        (f"items/{BOLT}", '{"dimensions":{"length":1e999}}', "1e999"),
        ("items", '{"name":"x","metadata":{"weight":1e999}}', "1e999"),
        ("items", '{"name":"x","metadata":{"weight":-1e999}}', "1e999"),
        ("items", '{"name":"x","metadata":{"weight":NaN}}', "NaN"),
        (f"lots/{LOT}", '{"total_qty": null}', "total_qty"),
        (f"lots/{LOT}", '{"status": null}', "status"),
        ("items", '{"name": null}', "name"),
        ("items", f'{{"name":"x","metadata":{{"a":{DEEP_ARRAY}}}}}', "deep"),
        ("items", f'{{"name":"x","metadata":{DEEP_METADATA}}}', "deep"),
        ("items", '{"name":"x","metadata":' + '{"a":' * 40 + "1" + "}" * 40 + "}", "deep"),
        ("items", '{"name":"x","dimensions":{"length":"5"}}', "dimensions.length"),
        ("items", '{"name":"x","dimensions":{"length":true}}', "dimensions.length"),
        (f"items/{BOLT}", '{"packaged_dimensions":{"weight":"heavy"}}', "packaged_dimensions"),
        (f"lots/{LOT}", '{"status":"nope"}', "status"),
        (f"lots/{LOT}", '{"total_qty":"5"}', "total_qty"),
    ],
)
async def test_a_hostile_body_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, path: str, body: str, named: str
) -> None:
    before = await state(api)
    answer = await api.post(path, content=body)
    assert answer.status_code == 400, answer.text
    envelope = answer.json()
    assert named in envelope["message"] + str(envelope["errors"])
    assert await state(api) == before


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("fulfillments", {"status": "nope"}, "status"),
        ("manifests", {"status": "received,nope"}, "status"),
        ("lots", {"statuses": "gone"}, "statuses"),
        ("items", {"limit": "100000"}, "limit"),
    ],
)
async def test_a_query_naming_what_cannot_be_is_refused(
    api: httpx.AsyncClient, path: str, params: dict[str, str], named: str
) -> None:
    answer = await api.get(path, params=params)
    assert answer.status_code == 400, answer.text
    assert named in answer.json()["message"]


async def test_a_known_status_still_filters(api: httpx.AsyncClient) -> None:
    answer = await api.get("lots", params={"statuses": "available"})
    assert answer.status_code == 200
    assert {lot["status"] for lot in answer.json()["data"]} == {"available"}


async def test_nulls_that_clear_a_field_still_clear_it(api: httpx.AsyncClient) -> None:
    answer = await api.post(f"lots/{LOT}", content='{"manufacturer_number": null}')
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["manufacturer_number"] is None
