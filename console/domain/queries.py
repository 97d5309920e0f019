"""List queries: the filters, sorting and paging of each list endpoint, in one place.

The server reads them from query strings (so numbers arrive as text), the HTTP client turns them
back into query parameters, and the in-memory warehouse applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema

from console.domain.errors import FieldError, InvalidInput
from console.domain.models import FulfillmentStatus, LotStatus, ManifestStatus

MAX_PAGE_SIZE = 250

Direction = Literal["asc", "desc"]


def _comma_list(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str] | None, BeforeValidator(_comma_list)]
# Statuses to filter by: a status no record can have is refused, never an empty list.
# A lot's status is a word of its backend's (byrd: active, inactive; Directus: draft,
# published), so a lot query carries words; each backend refuses those its lots cannot have.
# The API documents its own.
LotStatusWord = Annotated[str, WithJsonSchema({"type": "string", "enum": list(LotStatus)})]
LotStatuses = Annotated[list[LotStatusWord] | None, BeforeValidator(_comma_list)]
ManifestStatuses = Annotated[list[ManifestStatus] | None, BeforeValidator(_comma_list)]
FulfillmentStatuses = Annotated[list[FulfillmentStatus] | None, BeforeValidator(_comma_list)]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class ListQuery(BaseModel):
    # built on first use: a start uses two of the five
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    page: Annotated[int, Field(ge=1, le=10**6)] = 1
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 25

    @classmethod
    def parse(cls, params: dict[str, Any]) -> Any:
        """Read query parameters (as strings or values); bad ones raise `InvalidInput`."""
        try:
            return cls.model_validate({k: _blank_is_none(v) for k, v in params.items()})
        except ValidationError as exc:
            errors = [
                FieldError(".".join(str(p) for p in e["loc"]), e["msg"])
                for e in exc.errors(include_url=False)
            ]
            raise InvalidInput(f"Invalid query: {errors[0]}", errors) from None

    def params(self) -> dict[str, str | int]:
        """As query parameters: comma-joined lists, nothing that is unset."""
        out: dict[str, str | int] = {}
        for key, value in self.model_dump(exclude_none=True).items():
            out[key] = ",".join(str(v) for v in value) if isinstance(value, list) else value
        return out

    def next_page(self) -> Any:
        return self.model_copy(update={"page": self.page + 1})


# The longest search text the API takes; a longer entry is no name, SKU or number anyway.
SEARCH_TEXT_MAX = 200


class ItemQuery(ListQuery):
    location_id: str | None = None
    layout_id: str | None = None
    sku: str | None = None
    # Not in the PackageX documentation: exact look-up by GTIN in any of its forms.
    gtin: str | None = None
    search: Annotated[str, Field(max_length=SEARCH_TEXT_MAX)] | None = None
    order_by: Literal["created_at", "name"] | None = None
    direction: Direction | None = None


class LotQuery(ListQuery):
    item_id: str | None = None
    location_id: str | None = None
    layout_id: str | None = None
    statuses: LotStatuses = None
    expires_before: int | None = None
    expires_after: int | None = None
    search: Annotated[str, Field(max_length=SEARCH_TEXT_MAX)] | None = None
    order_by: Literal["expires_at", "number", "created_at"] | None = None
    direction: Direction | None = None


# Not in the PackageX documentation: the one record known by this number (order number, id,
# tracking number, pallet or case SSCC), exactly, letters in any case.
RecordNumber = Annotated[str, Field(min_length=1, max_length=SEARCH_TEXT_MAX)]


class ManifestQuery(ListQuery):
    status: ManifestStatuses = None
    location_id: str | None = None
    number: RecordNumber | None = None


class FulfillmentQuery(ListQuery):
    status: FulfillmentStatuses = None
    location_id: str | None = None
    number: RecordNumber | None = None


class LocationQuery(ListQuery):
    pass


@dataclass(frozen=True, slots=True)
class ListOrder:
    """A way to sort a list, as the operator picks it: its words, the field and the direction
    the query carries ("newest" is the latest created first)."""

    words: str
    order_by: str | None
    direction: Direction | None = None


# Item search: by relevance while there are words to rank by (by name when there are none).
ITEM_ORDERS = (
    ListOrder("relevance", None),
    ListOrder("name", "name"),
    ListOrder("newest", "created_at", "desc"),
)
LOT_ORDERS = (
    ListOrder("expiry", "expires_at"),
    ListOrder("lot number", "number"),
    ListOrder("newest", "created_at", "desc"),
)
