"""What a client sends: checked strictly, so bad input is refused with a message naming the field.

These are the bodies of the API's create and update calls. They refuse unknown fields, strings
where numbers belong, booleans posing as integers and empty reset arrays, before anything is
applied anywhere.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from console.domain.errors import FieldError, InvalidInput
from console.domain.models import (
    LEVEL_QUANTITIES,
    Dimensions,
    FulfillmentStatus,
    LotStatus,
    ManifestStatus,
)

# Quantities are whole units; anything beyond this is a typo (a scanned barcode in a qty field).
MAX_QUANTITY = 10**9

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY)]
EpochSeconds = Annotated[StrictInt, Field(ge=0, le=10**11)]


# Metadata and attributes are the client's own JSON: kept as given, but no deeper than this and
# with finite numbers only, so every answer that carries them can be written as JSON again.
MAX_JSON_DEPTH = 32


def json_depth_problem(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """What makes `value` unfit to store and send back as JSON: too deep, or a number that is
    not finite. Walked without recursion, so no depth can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return f"nested more than {limit} levels deep"
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(node, float) and not math.isfinite(node):
            return f"{node} is not a finite number"
    return None


def _plain_json(value: dict[str, Any]) -> dict[str, Any]:
    if problem := json_depth_problem(value, MAX_JSON_DEPTH - 1):
        raise ValueError(problem)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_plain_json)]


# The error of a field given as null where null clears nothing; parse_request names the field.
_NULL_REFUSED = "null_refused"
_NULL_MESSAGE = "must not be null (leave it out to keep it as it is)"


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    # Fields a null clears (an expiry taken off, a manufacturer's number removed). A null
    # anywhere else is refused, naming the field: leaving a field out leaves it as it is.
    CLEARABLE: ClassVar[frozenset[str]] = frozenset()
    # Clearable lists and objects: a null clears them to empty, never to null, which the
    # objects they belong to cannot hold.
    EMPTIED: ClassVar[dict[str, type[list[Any]] | type[dict[str, Any]]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _nulls_only_where_they_clear(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                if value is None and name in cls.model_fields and name not in cls.CLEARABLE:
                    raise PydanticCustomError(_NULL_REFUSED, _NULL_MESSAGE, {"name": name})
            emptied = {
                n: make() for n, make in cls.EMPTIED.items() if n in data and data[n] is None
            }
            if emptied:
                data = {**data, **emptied}
        return data


R = TypeVar("R", bound=RequestModel)


def _field_path(loc: tuple[int | str, ...]) -> str:
    # pydantic puts union-member names ("int", "list[int]") into loc; the operator needs the field.
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in {"int", "str"}))]
    return ".".join(parts)


def parse_request(model: type[R], data: Any) -> R:
    """Validate a request body, turning pydantic's error into an `InvalidInput` that names fields."""
    if isinstance(data, model):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    if not isinstance(data, dict):
        raise InvalidInput(
            "The request body must be a JSON object.", [FieldError("", "not an object")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: list[FieldError] = []
        for err in exc.errors(include_url=False):
            field = _field_path(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == _NULL_REFUSED:  # raised by the model: its loc stops above the field
                name = err["ctx"]["name"]
                field = f"{field}.{name}" if field else name
            if all((e.field, e.message) != (field, message) for e in errors):
                errors.append(FieldError(field, message))
        first = errors[0] if errors else FieldError("", "invalid")
        summary = f"Invalid {first.field}: {first.message}" if first.field else first.message
        raise InvalidInput(summary, errors) from None


# ---------------------------------------------------------------------------------------------
# Levels

_CHANGE_HINT = "an integer delta like 5 or -3, or a reset like [100]"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def quantity_change(value: Any) -> int | list[int] | None:
    """Check one level quantity of an update: an int is a delta, `[n]` resets to n >= 0."""
    if value is None:
        return None
    if _is_int(value):
        if abs(value) > MAX_QUANTITY:
            raise ValueError(f"{value} is too large for a quantity")
        return value
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError("a reset is an array of exactly one non-negative integer, like [100]")
        (target,) = value
        if not _is_int(target):
            raise ValueError(f"a reset must hold a whole number, not {target!r}")
        if target < 0:
            raise ValueError(f"cannot reset to {target}: a level is never below zero")
        if target > MAX_QUANTITY:
            raise ValueError(f"{target} is too large for a quantity")
        return [target]
    raise ValueError(f"must be {_CHANGE_HINT}, not {value!r}")


class LevelChange(RequestModel):
    """One entry of an item update's `levels`: an integer is a delta, `[n]` is a reset to n.

    Whether `layout_id` was given at all matters (the layout rule), so it is read from
    `model_fields_set`, not from its value: null there is the location's own level. A null
    quantity changes nothing.
    """

    CLEARABLE = frozenset({"layout_id", *LEVEL_QUANTITIES})

    location_id: NonEmptyStr
    layout_id: NonEmptyStr | None = None
    verified_qty: int | list[int] | None = None
    damaged_qty: int | list[int] | None = None
    manifested_qty: int | list[int] | None = None
    reserved_qty: int | list[int] | None = None

    @field_validator(*LEVEL_QUANTITIES, mode="plain")
    @classmethod
    def _delta_or_reset(cls, value: Any) -> int | list[int] | None:
        return quantity_change(value)

    @model_validator(mode="after")
    def _changes_something(self) -> LevelChange:
        if all(getattr(self, q) is None for q in LEVEL_QUANTITIES):
            raise ValueError(
                "name at least one of verified_qty, damaged_qty, manifested_qty, reserved_qty"
            )
        return self

    @property
    def names_layout(self) -> bool:
        """True when the request said which layout, even if it said null (the no-bin level)."""
        return "layout_id" in self.model_fields_set

    def wire(self) -> dict[str, Any]:
        """The entry as it goes on the wire, keeping 'layout_id omitted' distinct from null."""
        return self.model_dump(exclude_none=True) | (
            {"layout_id": self.layout_id} if self.names_layout else {}
        )


# ---------------------------------------------------------------------------------------------
# Items


# A measure in inches or pounds: a finite number ("5" and true are not), at most a container's.
Measure = Annotated[float, Field(ge=0, le=100_000, strict=True, allow_inf_nan=False)]


class DimensionsInput(RequestModel):
    length: Measure | None = None
    width: Measure | None = None
    height: Measure | None = None
    weight: Measure | None = None

    CLEARABLE = frozenset({"length", "width", "height", "weight"})

    def to_model(self) -> Dimensions:
        return Dimensions(**self.model_dump())


class ItemFields(RequestModel):
    CLEARABLE = frozenset(
        {"description", "sku", "gtin", "images", "attributes", "categories", "hs_code"}
        | {"country_of_origin", "metadata", "value", "currency", "dimensions"}
        | {"packaged_dimensions"}
    )
    EMPTIED = {"images": list, "categories": list, "attributes": dict, "metadata": dict}

    description: str | None = None
    sku: NonEmptyStr | None = None
    gtin: Annotated[str, StringConstraints(pattern=r"^\d{8}$|^\d{12,14}$")] | None = None
    images: list[str] | None = None
    value: Count | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    dimensions: DimensionsInput | None = None
    packaged_dimensions: DimensionsInput | None = None
    attributes: JsonObject | None = None
    categories: list[str] | None = None
    hs_code: str | None = None
    country_of_origin: str | None = None
    metadata: JsonObject | None = None


class ItemCreate(ItemFields):
    name: NonEmptyStr
    levels: list[LevelChange] = Field(default_factory=list)


class ItemUpdate(ItemFields):
    name: NonEmptyStr | None = None
    levels: list[LevelChange] | None = None


# ---------------------------------------------------------------------------------------------
# Status changes

S = TypeVar("S", ManifestStatus, FulfillmentStatus, LotStatus)


def _status(kind: type[S], value: Any) -> S | None:
    if value is None or isinstance(value, kind):
        return value
    if isinstance(value, str) and value in kind.__members__.values():
        return kind(value)
    raise ValueError(f"must be one of {', '.join(kind)}")


# ---------------------------------------------------------------------------------------------
# Lots


class LotFields(RequestModel):
    CLEARABLE = frozenset(
        {"manufacturer_number", "layout_id", "address_id", "digital_link", "metadata"}
        | {"expires_at", "production_date", "best_before_date", "sell_by_date"}
    )
    EMPTIED = {"metadata": dict}

    number: NonEmptyStr | None = None
    manufacturer_number: str | None = None
    layout_id: NonEmptyStr | None = None
    address_id: str | None = None
    status: str | None = None
    expires_at: EpochSeconds | None = None
    total_qty: Count | None = None
    available_qty: Count | None = None
    defective_qty: Count | None = None
    manifested_qty: Count | None = None
    reserved_qty: Count | None = None
    production_date: EpochSeconds | None = None
    best_before_date: EpochSeconds | None = None
    sell_by_date: EpochSeconds | None = None
    digital_link: str | None = None
    metadata: JsonObject | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> Any:
        return None if value is None else _status(LotStatus, value).value


class LotCreate(LotFields):
    item_id: NonEmptyStr
    location_id: NonEmptyStr


class LotUpdate(LotFields):
    location_id: NonEmptyStr | None = None


# ---------------------------------------------------------------------------------------------
# Manifests (inbound)


class ManifestLineInput(RequestModel):
    CLEARABLE = frozenset({"layout_id"})

    item_id: NonEmptyStr
    qty: Count
    layout_id: NonEmptyStr | None = None


class ManifestCreate(RequestModel):
    CLEARABLE = frozenset({"order_number", "estimated_delivery_at", "metadata"})
    EMPTIED = {"metadata": dict}

    location_id: NonEmptyStr
    order_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    estimated_delivery_at: EpochSeconds | None = None
    inventory: list[ManifestLineInput] = Field(min_length=1)
    metadata: JsonObject | None = None


class ReceiptPartInput(RequestModel):
    """What has been received of one line into one bin and one lot (absolute counts)."""

    CLEARABLE = frozenset({"layout_id", "lot_id"})

    layout_id: NonEmptyStr | None = None
    lot_id: NonEmptyStr | None = None
    received_qty: Count = 0
    damaged_qty: Count = 0


class ManifestReceipt(RequestModel):
    """What has been received of one line so far (absolute counts, so a re-send is harmless):
    for the line as a whole (one bin, one lot), or per part (`parts`, this project's extension:
    a part named gets these counts, a part not named keeps its own)."""

    CLEARABLE = frozenset({"layout_id", "lot_id"})

    item_id: NonEmptyStr
    received_qty: Count | None = None
    damaged_qty: Count | None = None
    layout_id: NonEmptyStr | None = None
    lot_id: NonEmptyStr | None = None
    parts: Annotated[list[ReceiptPartInput], Field(max_length=100)] | None = None

    @model_validator(mode="after")
    def _parts_or_the_line(self) -> ManifestReceipt:
        if self.parts is None:
            return self
        line_fields = ("received_qty", "damaged_qty", "layout_id", "lot_id")
        if any(name in self.model_fields_set for name in line_fields):
            raise ValueError("give the parts or the line's counts, not both")
        keys = [(part.layout_id, part.lot_id) for part in self.parts]
        if len(set(keys)) != len(keys):
            raise ValueError("a bin and lot is named more than once")
        return self


class ManifestUpdate(RequestModel):
    status: ManifestStatus | None = None
    inventory: list[ManifestReceipt] | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status_from_text(cls, value: Any) -> Any:
        return _status(ManifestStatus, value)


# ---------------------------------------------------------------------------------------------
# Fulfillments (outbound)


class FulfillmentLineInput(RequestModel):
    item_id: NonEmptyStr
    qty: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class FulfillmentCreate(RequestModel):
    CLEARABLE = frozenset({"order_number", "complete_at", "metadata"})
    EMPTIED = {"metadata": dict}

    location_id: NonEmptyStr
    order_number: str | None = None
    complete_at: EpochSeconds | None = None
    inventory: list[FulfillmentLineInput] = Field(min_length=1)
    metadata: JsonObject | None = None


class LotPickInput(RequestModel):
    lot_id: NonEmptyStr
    qty: Count


class PickRecord(RequestModel):
    """Picked and packed counts of one line (absolute, so a re-send cannot double-count), and
    per lot the units picked of it (absolute too; a lot not named keeps its count)."""

    CLEARABLE = frozenset({"short_reason"})

    item_id: NonEmptyStr
    picked_qty: Count | None = None
    packed_qty: Count | None = None
    short_reason: str | None = None
    lots: Annotated[list[LotPickInput], Field(max_length=100)] | None = None

    @field_validator("lots")
    @classmethod
    def _each_lot_once(cls, lots: list[LotPickInput] | None) -> list[LotPickInput] | None:
        if lots is not None and len({lot.lot_id for lot in lots}) != len(lots):
            raise ValueError("a lot is named more than once")
        return lots


class ParcelLineInput(RequestModel):
    item_id: NonEmptyStr
    qty: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]


class ParcelInput(RequestModel):
    CLEARABLE = frozenset({"id"})

    id: NonEmptyStr | None = None
    length: Annotated[float, Field(gt=0, le=10_000)]
    width: Annotated[float, Field(gt=0, le=10_000)]
    height: Annotated[float, Field(gt=0, le=10_000)]
    weight: Annotated[float, Field(gt=0, le=100_000)]
    inventory: list[ParcelLineInput] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", strict=False, defer_build=True)

    @field_validator("length", "width", "height", "weight", mode="before")
    @classmethod
    def _number_not_text(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        return value


class FulfillmentUpdate(RequestModel):
    status: FulfillmentStatus | None = None
    inventory: list[PickRecord] | None = None
    parcels: list[ParcelInput] | None = None
    cancel_reason: NonEmptyStr | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status_from_text(cls, value: Any) -> Any:
        return _status(FulfillmentStatus, value)
