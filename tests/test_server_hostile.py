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
        (f"items/{BOLT}", '{"name":"x"}'.encode("utf-16"), "utf-8"),
        (f"items/{BOLT}", b'{"name":"\xff"}', "utf-8"),
        (f"items/{BOLT}", '{"metadata":{"a":"\\ud800"}}', "half a character"),
        ("items", '{"name":"x","metadata":{"\\udc00":1}}', "half a character"),
        ("items", '{"name":"\\ud83d x"}', "half a character"),
    ],
)
async def test_a_hostile_body_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, path: str, body: str | bytes, named: str
) -> None:
    before = await state(api)
    answer = await api.post(path, content=body)
    assert answer.status_code == 400, answer.text
    envelope = answer.json()
    assert named in envelope["message"] + str(envelope["errors"])
    assert await state(api) == before


async def test_a_body_led_by_a_byte_order_mark_is_read(api: httpx.AsyncClient) -> None:
    """RFC 8259 lets a reader ignore one; some Windows tools write it."""
    answer = await api.post(f"items/{BOLT}", content='\ufeff{"name":"Hex bolt M8"}'.encode())
    assert answer.status_code == 200, answer.text
    assert (await api.get(f"items/{BOLT}")).json()["data"]["name"] == "Hex bolt M8"


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


# -- what only a web page sends ------------------------------------------------------------------


@pytest.fixture
async def guarded() -> AsyncIterator[httpx.AsyncClient]:
    """The app as `serve` builds it: its names and no page allowed."""
    from console.server.runner import served_names

    app = create_app(build_world(), host_names=served_names("127.0.0.1"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765/v1/") as c:
        yield c


PLUS_ONE = {"levels": [{"location_id": "loc_reno", "layout_id": None, "verified_qty": 1}]}


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        (
            {"Content-Type": "application/json", "Origin": "http://evil.example"},
            403,
            "origin_refused",
        ),
        ({"Content-Type": "application/json", "Host": "evil.example"}, 400, "host_not_served"),
        ({"Content-Type": "application/json", "Host": "evil.example:8765"}, 400, "host_not_served"),
    ],
)
async def test_a_web_pages_write_is_refused(guarded, headers, status, code) -> None:
    import json

    before = (await guarded.get(f"items/{BOLT}")).json()["data"]
    answer = await guarded.post(f"items/{BOLT}", content=json.dumps(PLUS_ONE), headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and answer.json()["status"] == status
    assert (await guarded.get(f"items/{BOLT}")).json()["data"] == before


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "10.0.0.7"])
async def test_addresses_and_the_machines_names_are_served(guarded, host) -> None:
    answer = await guarded.get("locations", headers={"Host": host})
    assert answer.status_code == 200, answer.text


async def test_a_rebinding_name_cannot_even_read(guarded) -> None:
    answer = await guarded.get("items", headers={"Host": "attacker.example"})
    assert answer.status_code == 400 and answer.json()["data"] is None


async def test_an_allowed_page_and_name_are_served() -> None:
    from console.server.runner import served_names

    app = create_app(
        build_world(),
        host_names=served_names("0.0.0.0", ["wms.depot.example"]),
        origins=["https://tools.depot.example"],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wms.depot.example/v1/") as c:
        answer = await c.post(
            f"items/{BOLT}", json=PLUS_ONE, headers={"Origin": "https://tools.depot.example"}
        )
    assert answer.status_code == 200, answer.text


# -- the server's key -------------------------------------------------------------------------------


def test_the_key_file_is_read_without_its_line_end(tmp_path) -> None:
    from console.cli import server_key

    path = tmp_path / "key"
    path.write_text("s3cret-key\n")
    assert server_key(str(path), "from-env", "from-flag") == "s3cret-key"
    assert server_key(None, "from-env", "from-flag") == "from-env"
    assert server_key(None, None, "from-flag") == "from-flag"
    assert server_key(None, None, None) is None


@pytest.mark.parametrize("text", [" s3cret", "s3cret ", "s3cret\n\n", "s3 cret", "\n", ""])
def test_a_key_with_whitespace_or_none_is_refused(tmp_path, text) -> None:
    from console.cli import server_key

    path = tmp_path / "key"
    path.write_text(text)
    with pytest.raises(ValueError, match="key"):
        server_key(str(path), None, None)


def test_a_key_from_the_environment_with_spaces_is_refused() -> None:
    from console.cli import server_key

    with pytest.raises(ValueError, match="WAREHOUSE_SERVER_API_KEY"):
        server_key(None, "s3cret ", None)


async def test_a_client_that_goes_away_mid_body_is_no_server_error(caplog) -> None:
    """Its change is not applied and nothing is logged as an error."""
    world = build_world()
    app = create_app(world)
    before = await world.get_item(BOLT)
    messages = [
        {"type": "http.request", "body": b'{"levels": [', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/v1/items/{BOLT}",
        "raw_path": f"/v1/items/{BOLT}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8765),
    }
    with caplog.at_level("INFO", logger="console.server"):
        await app(scope, receive, send)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "went away" in caplog.text
    assert await world.get_item(BOLT) == before


async def test_a_trickled_body_is_cut_off_and_applies_nothing(monkeypatch) -> None:
    import asyncio

    from console.server import app as server_app

    monkeypatch.setattr(server_app, "BODY_SECONDS", 0.2)
    world = build_world()
    app = create_app(world)
    before = await world.get_item(BOLT)
    sent: list[dict] = []
    first = True

    async def receive() -> dict:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.Event().wait()  # the rest never comes
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"/v1/items/{BOLT}", "raw_path": b"", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8765),
    }  # fmt: skip
    await asyncio.wait_for(app(scope, receive, send), 5)
    assert sent[0]["status"] == 408
    assert await world.get_item(BOLT) == before


@pytest.mark.parametrize(
    ("field", "empty"), [("categories", []), ("images", []), ("attributes", {}), ("metadata", {})]
)
async def test_a_null_list_or_object_clears_it_to_empty(api, field, empty) -> None:
    """Found by Schemathesis: a null categories was stored as null, and the item's every answer
    then broke the contract."""
    answer = await api.post(f"items/{BOLT}", content=f'{{"{field}": null}}')
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"][field] == empty
    assert (await api.get(f"items/{BOLT}")).json()["data"][field] == empty
