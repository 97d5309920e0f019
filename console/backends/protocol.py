"""The one interface every screen uses: the whole wire contract as async calls.

Two implementations: the in-memory warehouse (demo, training, and the reference for the rules)
and the HTTP client. Each raises only the typed errors of :mod:`console.domain.errors`.

Bodies may be given as the request models or as plain dicts (validated the same way). Every
change takes an optional ``idempotency_key``: the same key never applies a change twice, so a
caller that lost an answer may re-send with the same key, or re-read the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from console.domain.errors import NotOffered
from console.domain.lots import LOT_COUNTS, LOT_FORM_FIELDS
from console.domain.models import Fulfillment, Item, Location, Lot, LotStatus, Manifest, Page
from console.domain.queries import (
    FulfillmentQuery,
    ItemQuery,
    LocationQuery,
    LotQuery,
    ManifestQuery,
)
from console.domain.requests import (
    FulfillmentCreate,
    FulfillmentUpdate,
    ItemCreate,
    ItemUpdate,
    LevelChange,
    LotCreate,
    LotUpdate,
    ManifestCreate,
    ManifestUpdate,
)

Body = dict[str, Any]


class Offer(StrEnum):
    """What a backend may keep. Every backend finds items and lists lots; the rest it offers
    or not (byrd's API lists lots and products, and changes nothing)."""

    LEVELS = "level adjustment"
    ITEM_WRITES = "item changes"
    LOT_WRITES = "lot changes"
    LOT_BINS = "lots per bin"
    LOT_EXPIRY_FILTER = "filtering lots by expiry"
    MANIFESTS = "receiving (inbound manifests)"
    FULFILLMENTS = "pick-pack (outbound orders)"


EVERY_OFFER = frozenset(Offer)


@dataclass(frozen=True)
class Capabilities:
    """What a backend offers beyond the calls every backend answers."""

    # what it keeps, and the name it goes by in "byrd offers no level adjustment"
    offers: frozenset[Offer] = EVERY_OFFER
    system: str = "The warehouse"  # as it starts a sentence: "byrd", "Directus"
    # the statuses its lots take (the lot form and the status filter offer these), and the
    # lot fields its lot form fills in (console/domain/lots.py names them)
    lot_statuses: tuple[str, ...] = tuple(LotStatus)
    lot_fields: tuple[str, ...] = LOT_FORM_FIELDS
    # the counts a lot has there (Directus keeps one quantity, no reservations): a screen shows
    # these and no others
    lot_counts: tuple[str, ...] = LOT_COUNTS
    # the lot stock it keeps per warehouse (byrd): shown beside each lot
    stock_by_warehouse: bool = False

    # It applies a change once per Idempotency-Key and answers a repeat with the first answer,
    # so a change whose answer was lost can be sent again (console/services/outbox.py).
    idempotency_keys: bool = False
    # It gives each object a version (`etag`) and refuses an update based on an older one
    # (If-Match, 412), so two consoles counting one record never overwrite each other.
    etags: bool = False
    # It records the lot of each pick (`lots` on a fulfillment line) and takes picked units
    # out of that lot when the order completes: this project's extension (docs/api.md).
    lot_picks: bool = False
    # It keeps a manifest line's units per bin and lot (`parts`), so a line received into
    # several bins, in several lots, is put away where each part went (docs/api.md).
    receipt_parts: bool = False

    def offer(self, offer: Offer) -> bool:
        return offer in self.offers

    def lacking(self, offer: Offer) -> str:
        """The one line a screen shows for what is not offered."""
        return f"{self.system} offers no {offer.value}."

    def refuse(self, offer: Offer) -> NotOffered:
        return NotOffered(self.lacking(offer))


@runtime_checkable
class Backend(Protocol):
    @property
    def label(self) -> str:
        """What the header shows: 'demo' or the API host."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """Read when it matters: an HTTP backend learns some of them from the server's answers."""
        ...

    @property
    def instance(self) -> str | None:
        """Which warehouse this is, when the backend says: it changes when a training warehouse
        starts afresh (None: the backend does not say)."""
        ...

    # Items and their levels
    async def list_items(self, query: ItemQuery | None = None) -> Page[Item]: ...
    async def get_item(self, item_id: str) -> Item: ...
    async def find_item(self, code: str) -> Item | None:
        """The item whose GTIN (any length) or SKU is exactly `code`, or None."""
        ...

    async def create_item(
        self, body: ItemCreate | Body, *, idempotency_key: str | None = None
    ) -> Item: ...
    async def update_item(
        self,
        item_id: str,
        body: ItemUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Item: ...
    async def delete_item(self, item_id: str, *, idempotency_key: str | None = None) -> None: ...

    # Locations and their layouts (bins)
    async def list_locations(self, query: LocationQuery | None = None) -> Page[Location]: ...
    async def get_location(self, location_id: str) -> Location: ...

    # Lots
    async def list_lots(self, query: LotQuery | None = None) -> Page[Lot]: ...
    async def get_lot(self, lot_id: str) -> Lot: ...
    async def create_lot(
        self, body: LotCreate | Body, *, idempotency_key: str | None = None
    ) -> Lot: ...
    async def update_lot(
        self,
        lot_id: str,
        body: LotUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Lot: ...

    # Inbound manifests
    async def list_manifests(self, query: ManifestQuery | None = None) -> Page[Manifest]: ...
    async def get_manifest(self, manifest_id: str) -> Manifest: ...
    async def create_manifest(
        self, body: ManifestCreate | Body, *, idempotency_key: str | None = None
    ) -> Manifest: ...
    async def update_manifest(
        self,
        manifest_id: str,
        body: ManifestUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Manifest: ...

    # Outbound fulfillments
    async def list_fulfillments(
        self, query: FulfillmentQuery | None = None
    ) -> Page[Fulfillment]: ...
    async def get_fulfillment(self, fulfillment_id: str) -> Fulfillment: ...
    async def create_fulfillment(
        self, body: FulfillmentCreate | Body, *, idempotency_key: str | None = None
    ) -> Fulfillment: ...
    async def update_fulfillment(
        self,
        fulfillment_id: str,
        body: FulfillmentUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Fulfillment: ...

    async def aclose(self) -> None: ...


async def adjust_levels(
    backend: Backend,
    item_id: str,
    changes: list[LevelChange],
    *,
    idempotency_key: str | None = None,
    if_match: str | None = None,
) -> Item:
    """One atomic level update: every change applies, or none does."""
    body = {"levels": [change.wire() for change in changes]}
    return await backend.update_item(
        item_id, body, idempotency_key=idempotency_key, if_match=if_match
    )
