"""The item form: what an operator typed for a new item or an edit, checked before anything
is sent. Values are read as an operator writes them: a price as 12.50, sizes in inches and
pounds as 7.9, a GTIN in any of its lengths with its check digit."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from console.domain.errors import InvalidInput
from console.domain.gtin import check_digit, shortest_gtin
from console.domain.models import Dimensions, Item
from console.domain.scan import interpret

ITEM_TEXT_FIELDS = ("name", "sku")
# The packaged size and weight, as the form names them, and the field of `Dimensions` each is.
PACKED_FIELDS = {
    "packed_length": "length",
    "packed_width": "width",
    "packed_height": "height",
    "packed_weight": "weight",
}
_MAX_MEASURE = 100_000  # inches or pounds: more than a container is a typo
_MAX_CENTS = 10**11  # a billion in any currency for one unit is a typo


def gtin_problem(text: str) -> str | None:
    """Why `text` is not a GTIN, in words an operator can act on, or None when it is one."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        return f"“{digits}” is not a GTIN: only digits"
    if len(digits) not in (8, 12, 13, 14):
        return f"{digits} has {len(digits)} digits: a GTIN has 8, 12, 13 or 14"
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        return f"{digits}: the check digit should be {expected}, not {digits[-1]} (a typo?)"
    return None


def _measure(text: str, field: str, unit: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput.on(field, f"“{text}” is not a number of {unit}") from None
    if not math.isfinite(value) or value <= 0 or value > _MAX_MEASURE:
        raise InvalidInput.on(field, f"{text} {unit} is not a size a package can have")
    return round(value, 2)


def _cents(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput.on("value", f"“{text}” is not an amount: write it as 12.50") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput.on("value", f"“{text}” is not an amount in cents: write it as 12.50")
    cents = int(amount * 100)
    if cents > _MAX_CENTS:
        raise InvalidInput.on("value", f"{text} is more than one unit is worth")
    return cents


def show_cents(cents: int | None) -> str:
    return "" if cents is None else f"{Decimal(cents) / 100:.2f}"


def show_measure(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def item_form_values(form: dict[str, str], original: Item | None = None) -> dict[str, Any]:
    """The fields to send for an item form: every filled one for a new item, the changed ones
    for an edit (an emptied field is cleared). Refuses (InvalidInput naming the field) what no
    backend should take."""
    values: dict[str, Any] = {}
    for field in ITEM_TEXT_FIELDS:
        if field in form:
            values[field] = " ".join(form[field].split()) or None
    if not values.get("name") and (original is None or "name" in form):
        raise InvalidInput.on("name", "an item needs a name")
    if "gtin" in form:
        typed = "".join(form["gtin"].split())
        if typed and not typed.isdigit():  # a label scanned into the field: its GTIN
            found = interpret(form["gtin"]).gtin
            typed = shortest_gtin(found) if found else typed
        if typed and (problem := gtin_problem(typed)):
            raise InvalidInput.on("gtin", problem)
        values["gtin"] = typed or None
    if "value" in form:
        values["value"] = _cents(form["value"])
    packed: dict[str, float | None] = {}
    for field, dimension in PACKED_FIELDS.items():
        if field in form:
            unit = "pounds" if dimension == "weight" else "inches"
            packed[dimension] = _measure(form[field], field, unit)
    if original is None:
        body = {k: v for k, v in values.items() if v is not None}
        if any(v is not None for v in packed.values()):
            body["packaged_dimensions"] = {k: v for k, v in packed.items() if v is not None}
        return body
    body = {k: v for k, v in values.items() if getattr(original, k) != v}
    if packed:
        before = original.packaged_dimensions or Dimensions()
        after = before.model_copy(update=packed)
        if after != before:
            sizes = after.model_dump()
            body["packaged_dimensions"] = None if all(v is None for v in sizes.values()) else sizes
    return body
