"""What the backends of other lot systems (Directus, byrd) share.

Such a system keeps lots and the products they are of, and none of the warehouse's own work:
no levels per bin, no manifests, no fulfillments. The console sees it as one location without
bins, named after the system; every call for what it does not keep raises `NotOffered` with
the line the screens show ("byrd offers no level adjustment"), and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn, TypeVar

from console.backends.protocol import Capabilities, Offer
from console.domain.errors import InvalidInput, NotFound
from console.domain.lots import parse_day
from console.domain.models import Fulfillment, Location, Manifest, Page, Pagination
from console.domain.queries import FulfillmentQuery, ListQuery, LocationQuery, ManifestQuery

T = TypeVar("T")

LOCATION_ID = "lots"  # the one location such a backend shows


def empty_page(query: ListQuery) -> Page[Any]:
    return Page.of([], Pagination(page=query.page, limit=query.limit, total_count=0))


class LotSystem:
    """The calls a lot system answers the same way; subclasses give the lots and products."""

    def __init__(self, capabilities: Capabilities, location_name: str) -> None:
        self._capabilities = capabilities
        self.location = Location(id=LOCATION_ID, name=location_name)

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def instance(self) -> str | None:
        return None

    def refuse(self, offer: Offer) -> NoReturn:
        raise self._capabilities.refuse(offer)

    def elsewhere(self, location_id: str | None, layout_id: str | None) -> bool:
        """A query for another location or a bin: such a system keeps neither, so no lot is
        there."""
        return (location_id not in (None, LOCATION_ID)) or layout_id is not None

    # -- the one location ------------------------------------------------------------------

    async def list_locations(self, query: LocationQuery | None = None) -> Page[Location]:
        query = query or LocationQuery()
        rows = [self.location] if query.page == 1 else []
        return Page.of(rows, Pagination(page=query.page, limit=query.limit, total_count=1))

    async def get_location(self, location_id: str) -> Location:
        if location_id != LOCATION_ID:
            raise NotFound(f"Location {location_id} does not exist.")
        return self.location

    # -- what it does not keep -------------------------------------------------------------

    async def create_item(self, body: Any, *, idempotency_key: str | None = None) -> NoReturn:
        self.refuse(Offer.ITEM_WRITES)

    async def update_item(
        self,
        item_id: str,
        body: Any,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> NoReturn:
        levels = isinstance(body, dict) and "levels" in body
        self.refuse(Offer.LEVELS if levels else Offer.ITEM_WRITES)

    async def delete_item(self, item_id: str, *, idempotency_key: str | None = None) -> NoReturn:
        self.refuse(Offer.ITEM_WRITES)

    async def list_manifests(self, query: ManifestQuery | None = None) -> Page[Manifest]:
        return empty_page(query or ManifestQuery())

    async def get_manifest(self, manifest_id: str) -> NoReturn:
        self.refuse(Offer.MANIFESTS)

    async def create_manifest(self, body: Any, *, idempotency_key: str | None = None) -> NoReturn:
        self.refuse(Offer.MANIFESTS)

    async def update_manifest(
        self,
        manifest_id: str,
        body: Any,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> NoReturn:
        self.refuse(Offer.MANIFESTS)

    async def list_fulfillments(self, query: FulfillmentQuery | None = None) -> Page[Fulfillment]:
        return empty_page(query or FulfillmentQuery())

    async def get_fulfillment(self, fulfillment_id: str) -> NoReturn:
        self.refuse(Offer.FULFILLMENTS)

    async def create_fulfillment(
        self, body: Any, *, idempotency_key: str | None = None
    ) -> NoReturn:
        self.refuse(Offer.FULFILLMENTS)

    async def update_fulfillment(
        self,
        fulfillment_id: str,
        body: Any,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> NoReturn:
        self.refuse(Offer.FULFILLMENTS)


def answer_moment(value: Any) -> int | None:
    """An ISO timestamp of a lot system's answer (`2026-12-02T10:05:30.392Z`) as epoch
    seconds; one that is none raises ValueError (the record is unreadable)."""
    if not value:
        return None
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())


def answer_day(value: Any) -> int | None:
    """A date of a lot system's answer; one that is no date makes the record unreadable
    (ValueError), not the operator's input invalid."""
    if not value:
        return None
    try:
        return parse_day(str(value)[:10], "date")
    except InvalidInput:
        raise ValueError(f"{value!r} is not a date") from None
