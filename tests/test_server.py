"""The API server speaks the wire contract: envelopes everywhere, pagination, strict queries and
bodies, the key, idempotency, the lot path aliases. Requests go through httpx to the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from console.server import create_app
from tests.contract.world import A1, BOLT, MILK, RENO, build_world

KEY = "server-test-key"
ENVELOPE_KEYS = {"message", "data", "status", "errors", "code", "pagination", "endpoint"}


@pytest.fixture
def app() -> Starlette:
    return create_app(build_world(), api_key=KEY)


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver/v1/",
        headers={"PX-API-KEY": KEY},
    ) as client:
        yield client


def body(response: httpx.Response) -> dict:
    data = response.json()
    assert set(data) == ENVELOPE_KEYS
    assert data["status"] == response.status_code
    assert response.headers["content-type"].startswith("application/json")
    return data


async def test_a_list_is_an_array_with_pagination_defaults(api: httpx.AsyncClient) -> None:
    answer = body(await api.get("items"))
    assert isinstance(answer["data"], list)
    assert answer["pagination"] == {"page": 1, "limit": 25, "has_more": False, "total_count": 4}
    assert answer["endpoint"] == "/v1/items"
    empty = body(await api.get("items", params={"sku": "NOPE"}))
    assert empty["data"] == []
    assert empty["pagination"]["total_count"] == 0


async def test_one_object_has_no_pagination(api: httpx.AsyncClient) -> None:
    answer = body(await api.get(f"items/{BOLT}"))
    assert answer["data"]["id"] == BOLT
    assert answer["pagination"] is None
    assert answer["errors"] == []
    assert "_search" not in answer["data"]


async def test_search_results_carry_highlights_and_score(api: httpx.AsyncClient) -> None:
    answer = body(await api.get("items", params={"search": "stainles bolt"}))
    top = answer["data"][0]
    assert top["id"] == BOLT
    assert "<mark>" in top["_search"]["name"]
    assert isinstance(top["_score"], float)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("items", {"limit": "0"}, "limit"),
        ("items", {"limit": "ten"}, "limit"),
        ("items", {"order_by": "price"}, "order_by"),
        ("items", {"colour": "red"}, "colour"),
        ("lots", {"expires_before": "soon"}, "expires_before"),
        ("fulfillments", {"page": "-1"}, "page"),
    ],
)
async def test_a_bad_query_is_a_400_naming_the_parameter(
    api: httpx.AsyncClient, path: str, params: dict, field: str
) -> None:
    response = await api.get(path, params=params)
    assert response.status_code == 400
    answer = body(response)
    assert field in {e["field"] for e in answer["errors"]}
    assert answer["code"] == "invalid_input"


async def test_repeated_parameters_read_as_a_comma_list(api: httpx.AsyncClient) -> None:
    answer = body(
        await api.get("lots", params=[("statuses", "expired"), ("statuses", "available")])
    )
    assert len(answer["data"]) == 4


async def test_lots_answer_on_the_asset_paths_too(api: httpx.AsyncClient) -> None:
    listed = [body(await api.get(p))["data"] for p in ("lots", "lot", "assets", "asset")]
    assert all(rows == listed[0] for rows in listed)
    assert body(await api.get("assets/lot_soon"))["data"]["number"] == "L-200"
    created = await api.post("asset", json={"item_id": BOLT, "location_id": RENO, "number": "X"})
    assert created.status_code == 201
    lot_id = body(created)["data"]["id"]
    updated = await api.post(f"assets/{lot_id}", json={"status": "quarantined"})
    assert body(updated)["data"]["status"] == "quarantined"


async def test_errors_are_envelopes_with_the_typed_status(api: httpx.AsyncClient) -> None:
    missing = await api.get("items/item_nope")
    assert missing.status_code == 404
    assert "item_nope" in body(missing)["message"]
    below = await api.post(
        f"items/{BOLT}",
        json={"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": -99}]},
    )
    assert below.status_code == 409
    assert body(below)["code"] == "conflict"
    # An unknown id inside a body is bad input, not a missing resource.
    unknown = await api.post(
        "fulfillments", json={"location_id": RENO, "inventory": [{"item_id": "x", "qty": 1}]}
    )
    assert unknown.status_code == 400
    assert body(unknown)["errors"][0]["field"] == "inventory.0.item_id"


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b"{not json", "body"), (b'{"name": NaN}', "body"), (b"[1, 2]", "")],
)
async def test_a_malformed_body_is_a_400(api: httpx.AsyncClient, raw: bytes, field: str) -> None:
    response = await api.post("items", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert body(response)["errors"][0]["field"] == field


async def test_unknown_routes_and_methods_are_envelopes(api: httpx.AsyncClient) -> None:
    for path in ("nope", "items/", "../v2/items"):
        response = await api.get(path)
        assert response.status_code == 404, path
        assert body(response)["code"] == "not_found"
    wrong = await api.delete("locations/loc_reno")
    assert wrong.status_code == 405
    assert body(wrong)["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET"


@pytest.mark.parametrize("header", ["PX-API-KEY", "X-API-KEY", "px-api-key"])
async def test_either_key_header_is_accepted(app: Starlette, header: str) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/v1/") as client:
        response = await client.get("locations", headers={header: KEY})
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"PX-API-KEY": "wrong"}, {"X-API-KEY": ""}])
async def test_a_missing_or_wrong_key_is_a_401_envelope(app: Starlette, headers: dict) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/v1/") as client:
        for path in ("items", "nope"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 401
            answer = body(response)
            assert answer["code"] == "unauthorized"
            assert KEY not in response.text


async def test_without_a_key_configured_no_key_is_needed() -> None:
    transport = httpx.ASGITransport(app=create_app(build_world()))
    async with httpx.AsyncClient(transport=transport, base_url="http://t/v1/") as client:
        assert (await client.get("items")).status_code == 200


async def test_the_idempotency_key_applies_a_change_once(api: httpx.AsyncClient) -> None:
    change = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 2}]}
    headers = {"Idempotency-Key": "k-1"}
    first = body(await api.post(f"items/{BOLT}", json=change, headers=headers))
    second = body(await api.post(f"items/{BOLT}", json=change, headers=headers))
    assert first["data"] == second["data"]
    levels = body(await api.get(f"items/{BOLT}"))["data"]["levels"]
    assert next(lv["verified_qty"] for lv in levels if lv["layout_id"] == A1) == 12
    reused = await api.post(f"items/{MILK}", json={"name": "x"}, headers=headers)
    assert reused.status_code == 409
    bad = await api.post(f"items/{BOLT}", json=change, headers={"Idempotency-Key": "a b"})
    assert bad.status_code == 400


async def test_delete_answers_an_envelope(api: httpx.AsyncClient) -> None:
    deleted = body(await api.delete("items/item_tape"))
    assert deleted["data"] == {"id": "item_tape", "deleted": True}
    assert (await api.get("items/item_tape")).status_code == 404


async def test_the_served_warehouse_can_be_swapped(app: Starlette, api: httpx.AsyncClient) -> None:
    await api.delete("items/item_tape")
    app.state.warehouse = build_world()
    assert (await api.get("items/item_tape")).status_code == 200


async def test_timestamps_are_epoch_seconds(api: httpx.AsyncClient) -> None:
    item = body(await api.get(f"items/{BOLT}"))["data"]
    assert isinstance(item["created_at"], int)
    assert item["created_at"] < 10**11


async def test_every_answer_names_the_warehouse_and_a_change_for_another_is_refused(
    api: httpx.AsyncClient, app: Starlette
) -> None:
    served = app.state.warehouse.instance
    read = await api.get("items")
    assert read.headers["X-Warehouse-Instance"] == served
    assert read.headers["X-Idempotency-Keys"] == "honoured"
    change = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}
    elsewhere = await api.post(
        f"items/{BOLT}", json=change, headers={"X-Warehouse-Instance": "a-warehouse-gone"}
    )
    assert elsewhere.status_code == 409 and body(elsewhere)["code"] == "warehouse_changed"
    item = body(await api.get(f"items/{BOLT}"))["data"]
    assert next(lv for lv in item["levels"] if lv["layout_id"] == A1)["verified_qty"] == 10
    meant = await api.post(f"items/{BOLT}", json=change, headers={"X-Warehouse-Instance": served})
    assert meant.status_code == 200


async def test_versions_on_the_wire(api: httpx.AsyncClient) -> None:
    first = await api.get(f"items/{BOLT}")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and (await api.get(f"items/{BOLT}")).headers["ETag"] == etag
    change = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": [3]}]}
    done = await api.post(f"items/{BOLT}", json=change, headers={"If-Match": etag})
    assert done.status_code == 200 and done.headers["ETag"] != etag
    stale = await api.post(f"items/{BOLT}", json=change, headers={"If-Match": etag})
    answer = body(stale)
    assert stale.status_code == 412 and answer["code"] == "precondition_failed"
    assert answer["data"]["id"] == BOLT and stale.headers["ETag"] == done.headers["ETag"]
