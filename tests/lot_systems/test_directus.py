"""Directus's ways, against a real Directus where it takes one: its error envelope mapped to the
typed errors with its words kept, a 403 for a lot that does not exist, the static token only
ever in the Authorization header; its lot records read field by field."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from console.backends.directus import DirectusBackend
from console.backends.directus.client import lot_from_directus
from console.domain.errors import InvalidInput, NotFound, OutcomeUnknown, Unauthorized
from console.domain.lots import show_day
from console.domain.queries import LotQuery
from tests.lot_systems.conftest import empty_and_fill


@pytest.fixture
async def directus(directus_instance: Any) -> Any:
    empty_and_fill(directus_instance)
    backend = DirectusBackend(directus_instance.url, directus_instance.token)
    yield backend
    await backend.aclose()


async def test_a_wrong_token_says_where_the_token_comes_from(directus_instance: Any) -> None:
    backend = DirectusBackend(directus_instance.url, "not-the-token")
    with pytest.raises(Unauthorized, match="DIRECTUS_TOKEN") as refused:
        await backend.list_lots()
    assert "Invalid user credentials" in str(refused.value), "Directus's own words kept"
    assert "not-the-token" not in str(refused.value)
    await backend.aclose()


async def test_a_lot_that_does_not_exist_is_not_found_with_directus_words(directus: Any) -> None:
    with pytest.raises(NotFound, match=r"was not found \(HTTP 403: You don.t have permission"):
        await directus.get_lot("6f1c6a52-0000-4000-8000-000000000000")


async def test_a_refused_write_keeps_directus_message(directus: Any) -> None:
    with pytest.raises(InvalidInput, match="Invalid foreign key"):
        await directus.create_lot({"number": "LX", "item_id": "/01/00000", "location_id": "lots"})


async def test_a_lot_record_read_whole(directus: Any, directus_instance: Any) -> None:
    with directus_instance.client() as client:
        client.post(
            "/items/location",
            json={"id": "/414/4444444100012", "location_name": "Nord", "gln": "4444444100012"},
        ).raise_for_status()
        made = client.post(
            "/items/lot",
            json={
                "lot_number": "LT-1",
                "product": "/01/09506000134352",
                "production_location": "/414/4444444100012",
                "production_date": "2029-11-02",
                "best_before_date": "2030-01-05",
                "sell_by_date": "2030-01-01",
                "expiry_date": "2030-01-08",
                "digital_link": "https://id.gs1.org/01/09506000134352/10/LT-1",
                "quantity": "12.5",
                "uom": "KGM",
                "status": "published",
            },
        )
        made.raise_for_status()
    lot = await directus.get_lot(made.json()["data"]["id"])
    days = [
        show_day(d)
        for d in (lot.production_date, lot.best_before_date, lot.sell_by_date, lot.expires_at)
    ]
    assert days == ["2029-11-02", "2030-01-05", "2030-01-01", "2030-01-08"]
    assert (lot.status, lot.total_qty, lot.available_qty) == ("published", 12, 12)
    assert lot.metadata["quantity"] == "12.5 KGM", "the exact quantity stays in view"
    assert lot.metadata["produced at"] == "Nord (GLN 4444444100012)"
    assert lot.digital_link == "https://id.gs1.org/01/09506000134352/10/LT-1"
    assert lot.created_at is not None and lot.etag


def test_a_record_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity is not a number"):
        lot_from_directus({"id": "x", "quantity": "a few"})


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"expiry_date": "2030-13-45"}, "'2030-13-45' is not a date"),
        ({"quantity": "Infinity"}, "a quantity of Infinity is not a count"),
    ],
)
def test_a_record_with_no_date_or_count_where_one_belongs_is_unreadable(
    record: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        lot_from_directus({"id": "x"} | record)


async def test_a_created_lot_whose_answer_cannot_be_read_may_have_been_made() -> None:
    """Not "refused": the lot may well be there, and sending it again would make two."""

    def answer(request: httpx.Request) -> httpx.Response:
        made = {"id": "lot-1", "lot_number": "L-1", "expiry_date": "soon", "quantity": 5}
        return httpx.Response(200, json={"data": made})

    backend = DirectusBackend(
        "https://traceability.example.com", "secret-token-1", transport=httpx.MockTransport(answer)
    )
    with pytest.raises(OutcomeUnknown, match="re-read lot L-1"):
        await backend.create_lot(
            {
                "item_id": "/01/09506000134352",
                "location_id": "lots",
                "number": "L-1",
                "total_qty": 5,
            }
        )
    await backend.aclose()


async def test_a_status_directus_does_not_have_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing is asked of Directus")

    backend = DirectusBackend(
        "https://traceability.example.com", "secret-token-1", transport=httpx.MockTransport(answer)
    )
    with pytest.raises(InvalidInput, match="Directus lots are draft or published, not archived"):
        await backend.list_lots(LotQuery(statuses=("archived",)))
    await backend.aclose()


async def test_the_token_goes_in_the_authorization_header_only() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [], "meta": {"filter_count": 0}})

    backend = DirectusBackend(
        "https://traceability.example.com", "secret-token-1", transport=httpx.MockTransport(answer)
    )
    await backend.list_lots(LotQuery(search="L-1", item_id="/01/09506000134352"))
    await backend.list_items()
    assert seen and all(r.headers["authorization"] == "Bearer secret-token-1" for r in seen)
    assert all("secret-token-1" not in str(r.url) for r in seen)
    filters = json.loads(seen[0].url.params["filter"])
    assert {"lot_number": {"_icontains": "L-1"}} in filters["_and"]
    assert {"product": {"_eq": "/01/09506000134352"}} in filters["_and"]
    assert seen[0].url.params["meta"] == "filter_count"
    await backend.aclose()
