"""Lots: first expired, first out; expiry as an operator reads it; the lot browser's filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from console.domain.errors import InvalidInput
from console.domain.models import Lot, LotStatus
from console.domain.queries import LOT_ORDERS, ListOrder, LotQuery

_NEVER = float("inf")


def fefo_key(lot: Lot) -> tuple[float, str, str]:
    """Earliest expiry first; lots without an expiry last; then lot number, then id for ties."""
    expires = lot.expires_at if lot.expires_at is not None else _NEVER
    return (expires, lot.number or "", lot.id)


def fefo(lots: Iterable[Lot]) -> list[Lot]:
    return sorted(lots, key=fefo_key)


def ends_at(expires_at: int) -> int:
    """When a lot stops being usable. An expiry written as a day (00:00 UTC, as labels and
    forms give it) is the last day it may be used: it ends at the end of that day. One with a
    time of day ends then."""
    return expires_at + DAY if expires_at % DAY == 0 else expires_at


def expired(expires_at: int | None, *, now: int) -> bool:
    return expires_at is not None and ends_at(expires_at) <= now


def not_expired_after(now: int) -> int:
    """An `expires_after` bound that keeps every lot not expired yet (those dated today too)."""
    return now - now % DAY - 1


def usable(lot: Lot, *, now: int) -> bool:
    """Whether units may be taken from the lot: available and unexpired. Expired or blocked
    lots never ship."""
    return lot.status == "available" and not expired(lot.expires_at, now=now)


def lots_to_take(
    lots: Iterable[Lot],
    bins: Collection[str],
    count: int,
    available: Callable[[Lot], int],
    *,
    now: int,
) -> list[tuple[Lot, int]]:
    """Which lots `count` units of a pick come from: the usable lots stored in the bins the
    pick is taken from (any bin when none is named), first to expire first, each as far as
    what is `available` of it goes. Units beyond them come from no lot known."""
    taking: list[tuple[Lot, int]] = []
    for lot in fefo(lot for lot in lots if usable(lot, now=now)):
        if count <= 0:
            break
        if bins and lot.layout_id not in bins:
            continue
        qty = min(count, available(lot))
        if qty > 0:
            taking.append((lot, qty))
            count -= qty
    return taking


# ---------------------------------------------------------------------------------------------
# Expiry as an operator reads it

DAY = 86_400
SOON_WINDOWS = (7, 14, 30, 60, 90)  # days; the operator cycles through these
DEFAULT_SOON_DAYS = 30


class Urgency(StrEnum):
    """How soon a lot needs attention. Each has a marker, so it reads without colour."""

    EXPIRED = "expired"
    SOON = "soon"
    LATER = "later"
    NO_EXPIRY = "no expiry"

    @property
    def marker(self) -> str:
        return {"expired": "✖", "soon": "!"}.get(self.value, "")


def urgency(expires_at: int | None, *, now: int, soon_days: int) -> Urgency:
    if expires_at is None:
        return Urgency.NO_EXPIRY
    if expired(expires_at, now=now):
        return Urgency.EXPIRED
    if expires_at <= now + soon_days * DAY:
        return Urgency.SOON
    return Urgency.LATER


def time_left(expires_at: int | None, *, now: int, short: bool = False) -> str:
    """In calendar days: 'in 12 d', 'expires today', 'expired today', 'expired 3 d ago', or ''
    without an expiry. Short (for a table column beside the marker): 'in 12 d', 'today',
    '3 d ago'."""
    if expires_at is None:
        return ""
    days = expires_at // DAY - now // DAY
    if not expired(expires_at, now=now):
        if days > 0:
            return f"in {days} d"
        return "today" if short else "expires today"
    if short:
        return f"{-days} d ago" if days else "today"
    return f"expired {-days} d ago" if days else "expired today"


def parse_day(text: str, field: str) -> int | None:
    """'2027-03-31' as epoch seconds at 00:00 UTC; empty is None; anything else is refused."""
    text = text.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.on(field, f"“{text}” is not a date: write it as YYYY-MM-DD") from None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def show_day(epoch: int | None) -> str:
    return "" if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# The lot browser's filters, as a query any backend answers


class ExpiryFilter(StrEnum):
    ANY = "any expiry"
    EXPIRED = "expired"
    SOON = "expiring soon"


@dataclass(frozen=True, slots=True)
class LotFilter:
    """What the operator narrowed the lots to. The location is always the operator's own."""

    item_id: str | None = None
    item_label: str = ""
    layout_id: str | None = None
    layout_label: str = ""
    status: str | None = None
    expiry: ExpiryFilter = ExpiryFilter.ANY
    search: str = ""
    order: ListOrder = LOT_ORDERS[0]

    def query(self, location_id: str, *, now: int, soon_days: int, limit: int) -> LotQuery:
        before = after = None
        # A query filters on expires_at itself: the lots dated before today are expired (a
        # time of day earlier today, rare on labels, shows among the soon ones, marked ✖).
        if self.expiry is ExpiryFilter.EXPIRED:
            before = now - now % DAY
        elif self.expiry is ExpiryFilter.SOON:
            after, before = not_expired_after(now), now + soon_days * DAY + 1
        return LotQuery(
            location_id=location_id,
            item_id=self.item_id,
            layout_id=self.layout_id,
            statuses=[self.status] if self.status else None,
            expires_before=before,
            expires_after=after,
            search=self.search or None,
            order_by=self.order.order_by,  # type: ignore[arg-type]
            direction=self.order.direction,
            limit=limit,
        )

    def describe(self, soon_days: int) -> str:
        """The active filters in words, for the line above the table."""
        parts = []
        if self.item_id:
            parts.append(f"item {self.item_label or self.item_id}")
        if self.layout_id:
            parts.append(f"bin {self.layout_label or self.layout_id}")
        if self.status:
            parts.append(self.status)
        if self.expiry is ExpiryFilter.EXPIRED:
            parts.append("expired")
        elif self.expiry is ExpiryFilter.SOON:
            parts.append(f"expiring within {soon_days} d")
        if self.search:
            parts.append(f"number has “{self.search}”")
        return ", ".join(parts) or "all lots here"


# ---------------------------------------------------------------------------------------------
# The lot form: what an operator typed, checked before anything is sent

LOT_TEXT_FIELDS = ("number", "manufacturer_number", "digital_link")
LOT_COUNT_FIELDS = ("total_qty", "available_qty", "reserved_qty", "defective_qty")
LOT_DAY_FIELDS = ("expires_at", "production_date", "best_before_date", "sell_by_date")
# Every count a lot may have, as the lot's screen lists them; a backend keeps these or fewer.
LOT_COUNTS = (*LOT_COUNT_FIELDS, "manifested_qty")
# Every field of the lot form, in its order; a backend keeps these or fewer (Capabilities).
LOT_FORM_FIELDS = (
    "item",
    "bin",
    "number",
    "manufacturer_number",
    *LOT_DAY_FIELDS,
    *LOT_COUNT_FIELDS,
    "status",
    "digital_link",
)
_MAX_DIGITS = 9  # a billion units in one lot is a typo, not a count


def _count(text: str, field: str) -> int:
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        raise InvalidInput.on(field, f"“{text}” is not a whole number of units (0 or more)")
    if len(text.lstrip("0")) > _MAX_DIGITS:
        raise InvalidInput.on(field, f"{text} units is more than a lot can hold")
    return int(text)


def lot_form_values(
    form: dict[str, str],
    original: Lot | None = None,
    *,
    statuses: tuple[str, ...] = tuple(LotStatus),
) -> dict[str, object]:
    """The fields to send for a lot form: all filled ones for a new lot, only the changed ones
    for an existing lot. Refuses (InvalidInput naming the field) what no backend would take;
    `statuses` are the ones the backend's lots take (the first is a new lot's)."""
    values: dict[str, object] = {}
    for field in LOT_TEXT_FIELDS:
        if field in form:
            values[field] = form[field].strip() or None
    for field in LOT_COUNT_FIELDS:
        if field in form:
            values[field] = _count(form[field] or "0", field)
    for field in LOT_DAY_FIELDS:
        unchanged = original is not None and form.get(field) == show_day(getattr(original, field))
        if field in form and not unchanged:  # a day shown as typed keeps its time of day
            values[field] = parse_day(form[field], field)
    if "status" in form:
        status = form["status"].strip().casefold() or statuses[0]
        if status not in statuses:
            known = ", ".join(statuses)
            raise InvalidInput.on("status", f"“{form['status']}” is not a lot status ({known})")
        values["status"] = status
    link = values.get("digital_link")
    if isinstance(link, str) and not link.casefold().startswith(("https://", "http://")):
        raise InvalidInput.on("digital_link", f"“{link}” is not a web address (https://…)")
    if not values.get("number") and (original is None or "number" in form):
        raise InvalidInput.on("number", "a lot needs a number")
    counts = {f: values.get(f, getattr(original, f) if original else 0) for f in LOT_COUNT_FIELDS}
    check_lot_quantities(**counts)  # type: ignore[arg-type]
    days = {f: values.get(f, getattr(original, f) if original else None) for f in LOT_DAY_FIELDS}
    check_lot_dates(**days)  # type: ignore[arg-type]
    if original is None:
        return {k: v for k, v in values.items() if v is not None}
    return {k: v for k, v in values.items() if getattr(original, k) != v}


def check_lot_quantities(
    *, total_qty: int, available_qty: int, reserved_qty: int, defective_qty: int
) -> None:
    """What is available, reserved and defective in a lot cannot add up to more than it holds."""
    if available_qty + defective_qty + reserved_qty > total_qty:
        raise InvalidInput.on(
            "total_qty",
            f"available {available_qty} + defective {defective_qty} + reserved "
            f"{reserved_qty} is more than the total {total_qty}",
        )


# (earlier, later) pairs of a lot's dates: made before it is best, sold or expires; sold before
# it expires. Best-before and expiry are not ordered: a product usually carries one of them.
_DATE_ORDER = (
    ("production_date", "best_before_date"),
    ("production_date", "sell_by_date"),
    ("production_date", "expires_at"),
    ("sell_by_date", "expires_at"),
)
DATE_WORDS = {
    "production_date": "production date",
    "best_before_date": "best-before date",
    "sell_by_date": "sell-by date",
    "expires_at": "expiry date",
}


def check_lot_dates(
    *,
    production_date: int | None,
    best_before_date: int | None,
    sell_by_date: int | None,
    expires_at: int | None,
) -> None:
    """A lot is made before it is best, sold or expires, and sold before it expires; dates not
    given are not compared. Compared by day, as labels print them."""
    days = {
        "production_date": production_date,
        "best_before_date": best_before_date,
        "sell_by_date": sell_by_date,
        "expires_at": expires_at,
    }
    for earlier, later in _DATE_ORDER:
        first, then = days[earlier], days[later]
        if first is not None and then is not None and first // DAY > then // DAY:
            raise InvalidInput.on(
                earlier,
                f"the {DATE_WORDS[earlier]} {show_day(first)} is after the "
                f"{DATE_WORDS[later]} {show_day(then)}",
            )
