"""The API's objects as they are read: tolerant of what a server sends.

Unknown fields are kept (``extra="allow"``) so nothing a server adds is lost on a round trip;
timestamps are epoch seconds, and a value that is clearly milliseconds is converted. What a client
*sends* is checked strictly by the models in :mod:`console.domain.requests`.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# Above this an epoch value cannot be seconds (it would be the year 5138): it is milliseconds.
_MILLISECONDS_FROM = 10**11


def epoch_seconds(value: Any) -> Any:
    """Read a timestamp the way servers actually send them: int, float, numeric string, or ms."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value  # let pydantic refuse it
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)
    if isinstance(value, int) and abs(value) >= _MILLISECONDS_FROM:
        return value // 1000
    return value


Timestamp = Annotated[int, BeforeValidator(epoch_seconds)]


def _zero_if_none(value: Any) -> Any:
    return 0 if value is None else value


Quantity = Annotated[int, BeforeValidator(_zero_if_none)]


class WireModel(BaseModel):
    """Base for everything read from the API: unknown fields are kept, names or aliases accepted."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Versioned(WireModel):
    """An object a backend versions: `etag` is the version the backend gave with it (the HTTP
    ETag header, strong, changing with every change), or None when it gives none. It is not
    part of the object's fields on the wire: a client sends it back as If-Match."""

    etag: str | None = Field(default=None, exclude=True)


class Dimensions(WireModel):
    """Length, width, height in inches and weight in pounds."""

    length: float | None = None
    width: float | None = None
    height: float | None = None
    weight: float | None = None


class Address(WireModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    formatted_address: str | None = None


class Contact(WireModel):
    """A recipient or sender of a shipment."""

    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None


class Level(WireModel):
    """Stock of one item at one location, optionally in one bin (layout)."""

    id: str
    location_id: str
    layout_id: str | None = None
    layout_name: str | None = None
    verified_qty: Quantity = 0
    damaged_qty: Quantity = 0
    manifested_qty: Quantity = 0
    reserved_qty: Quantity = 0
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


LEVEL_QUANTITIES: tuple[str, ...] = (
    "verified_qty",
    "damaged_qty",
    "manifested_qty",
    "reserved_qty",
)


class Item(Versioned):
    id: str
    name: str
    description: str | None = None
    sku: str | None = None
    gtin: str | None = None
    images: list[str] = Field(default_factory=list)
    value: int | None = Field(default=None, description="Unit value in cents")
    currency: str | None = None
    dimensions: Dimensions | None = None
    packaged_dimensions: Dimensions | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    categories: list[str] = Field(default_factory=list)
    hs_code: str | None = None
    country_of_origin: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    levels: list[Level] = Field(default_factory=list)
    total_verified: Quantity = 0
    total_damaged: Quantity = 0
    total_manifested: Quantity = 0
    total_reserved: Quantity = 0
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    # Present only on search results: matched fields with <mark>…</mark>, and the relevance.
    search_highlights: dict[str, str] | None = Field(default=None, alias="_search")
    search_score: float | None = Field(default=None, alias="_score")

    def levels_at(self, location_id: str) -> list[Level]:
        return [level for level in self.levels if level.location_id == location_id]

    def level_at(self, location_id: str, layout_id: str | None) -> Level | None:
        """The level in one bin (None: the location's level without a bin), if the item has it."""
        return next((lv for lv in self.levels_at(location_id) if lv.layout_id == layout_id), None)

    def on_hand_at(self, location_id: str) -> int:
        return sum(level.verified_qty for level in self.levels_at(location_id))


class Layout(WireModel):
    """A bin, shelf or zone inside a location. ``path`` orders the walk through the building."""

    id: str
    name: str
    path: str | None = None


class Location(WireModel):
    id: str
    name: str
    address: Address | None = None
    layouts: list[Layout] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None

    def layout(self, layout_id: str | None) -> Layout | None:
        return next((lay for lay in self.layouts if lay.id == layout_id), None)


class LotStatus(StrEnum):
    AVAILABLE = "available"
    QUARANTINED = "quarantined"
    EXPIRED = "expired"
    RECALLED = "recalled"
    CONSUMED = "consumed"


class WarehouseStock(WireModel):
    """A lot's stock in one of several warehouses, from a system that keeps it so (byrd)."""

    id: str
    code: str | None = None
    name: str | None = None
    country_code: str | None = None
    physical_qty: Quantity = 0
    reserved_qty: Quantity = 0

    @property
    def available_qty(self) -> int:
        return max(0, self.physical_qty - self.reserved_qty)


class Lot(Versioned):
    id: str
    number: str | None = None
    manufacturer_number: str | None = None
    item_id: str
    location_id: str
    layout_id: str | None = None
    address_id: str | None = None
    status: str = LotStatus.AVAILABLE.value
    expires_at: Timestamp | None = None
    total_qty: Quantity = 0
    available_qty: Quantity = 0
    defective_qty: Quantity = 0
    manifested_qty: Quantity = 0
    reserved_qty: Quantity = 0
    production_date: Timestamp | None = None
    best_before_date: Timestamp | None = None
    sell_by_date: Timestamp | None = None
    digital_link: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Not in the PackageX documentation: where a system with several warehouses (byrd) keeps
    # the lot's units; empty where a lot lies at one location.
    warehouses: list[WarehouseStock] = Field(default_factory=list)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class ManifestStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    PROCESSING = "processing"
    COMPLETED = "completed"
    VOID = "void"


class ReceiptPart(WireModel):
    """Units of a manifest line received into one bin and one lot (this project's extension
    of the wire contract: a line's units may go to several bins and come in several lots)."""

    layout_id: str | None = None
    lot_id: str | None = None
    received_qty: Quantity = 0
    damaged_qty: Quantity = 0


class ManifestLine(WireModel):
    """One expected item on an inbound manifest, and what has been received of it so far.
    With `parts`, the received and damaged counts are their sums and `layout_id` / `lot_id`
    the first part's, so a reader that knows no parts still reads the totals right."""

    item_id: str
    qty: Quantity = 0
    received_qty: Quantity = 0
    damaged_qty: Quantity = 0
    layout_id: str | None = None
    lot_id: str | None = None
    parts: list[ReceiptPart] = Field(default_factory=list)

    def received_parts(self) -> list[ReceiptPart]:
        """Where the line's units went: its parts, or the line itself as one part."""
        if self.parts:
            return self.parts
        if not (self.received_qty or self.damaged_qty):
            return []
        return [
            ReceiptPart(
                layout_id=self.layout_id,
                lot_id=self.lot_id,
                received_qty=self.received_qty,
                damaged_qty=self.damaged_qty,
            )
        ]

    @property
    def missing_qty(self) -> int:
        return max(0, self.qty - self.received_qty - self.damaged_qty)


class Manifest(Versioned):
    id: str
    order_number: str | None = None
    status: ManifestStatus = ManifestStatus.REQUESTED
    location_id: str
    tracking_numbers: list[str] = Field(default_factory=list)
    estimated_delivery_at: Timestamp | None = None
    inventory: list[ManifestLine] = Field(default_factory=list)
    sender: Contact | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


class FulfillmentStatus(StrEnum):
    CREATED = "created"
    PROCESSING = "processing"
    PICKED = "picked"
    PACKED = "packed"
    COMPLETED = "completed"
    CANCELED = "canceled"


OPEN_FULFILLMENT_STATUSES: tuple[FulfillmentStatus, ...] = (
    FulfillmentStatus.CREATED,
    FulfillmentStatus.PROCESSING,
    FulfillmentStatus.PICKED,
    FulfillmentStatus.PACKED,
)


class Allocation(WireModel):
    """Where a fulfillment line's reservation was taken: so completing or canceling undoes
    exactly what creating did, bin by bin."""

    layout_id: str | None = None
    qty: Quantity = 0


class LotPick(WireModel):
    """Units of one lot picked on a fulfillment line (this project's extension of the wire
    contract: completing the order takes them out of that lot)."""

    lot_id: str
    qty: Quantity = 0


class FulfillmentLine(WireModel):
    item_id: str
    qty: Quantity = 0
    picked_qty: Quantity = 0
    packed_qty: Quantity = 0
    short_reason: str | None = None
    allocations: list[Allocation] = Field(default_factory=list)
    lots: list[LotPick] = Field(default_factory=list)

    def lot_picked(self, lot_id: str) -> int:
        return sum(pick.qty for pick in self.lots if pick.lot_id == lot_id)

    @property
    def is_settled(self) -> bool:
        """Fully picked, or short-picked with a reason recorded."""
        return self.picked_qty >= self.qty or bool(self.short_reason)


class ParcelLine(WireModel):
    item_id: str
    qty: Quantity = 0


class Parcel(WireModel):
    id: str
    length: float | None = None
    width: float | None = None
    height: float | None = None
    weight: float | None = None
    inventory: list[ParcelLine] = Field(default_factory=list)


class Fulfillment(Versioned):
    id: str
    order_number: str | None = None
    status: FulfillmentStatus = FulfillmentStatus.CREATED
    location_id: str
    complete_at: Timestamp | None = None
    inventory: list[FulfillmentLine] = Field(default_factory=list)
    parcels: list[Parcel] = Field(default_factory=list)
    recipient: Contact | None = None
    sender: Contact | None = None
    cancel_reason: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None


_SEARCH_ANNOTATIONS = ("search_highlights", "search_score")


def wire_json(model: BaseModel) -> bytes:
    """A read model as the API sends it, and as a warehouse stores and versions it: aliases on
    the wire (`_search`, `_score`), an item's search annotations only where there was a search
    (as on PackageX), nothing else left out."""
    if isinstance(model, Item):
        unset = {name for name in _SEARCH_ANNOTATIONS if getattr(model, name) is None}
        return model.model_dump_json(by_alias=True, exclude=unset or None).encode()
    return model.model_dump_json(by_alias=True).encode()


class Pagination(WireModel):
    page: int = 1
    limit: int = 25
    has_more: bool = False
    total_count: int | None = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: what a list endpoint's envelope carries in `data` and `pagination`."""

    model_config = ConfigDict(defer_build=True)

    data: list[T]
    pagination: Pagination

    @classmethod
    def of(cls, data: list[T], pagination: Pagination) -> Page[T]:
        """A page of rows that are models already, as a backend holds or has just read them:
        nothing to check again, and no class per row type to build (pydantic takes ~10 ms to
        make the first `Page[Item]`)."""
        return cls.model_construct(data=data, pagination=pagination)


class Envelope(WireModel):
    """Every API response: `data` is an object, a list, or null."""

    message: str | None = None
    data: Any = None
    status: int | None = None
    errors: list[Any] = Field(default_factory=list)
    code: str | None = None
    pagination: Pagination | None = None
    endpoint: str | None = None
