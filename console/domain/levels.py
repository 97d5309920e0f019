"""Level arithmetic: deltas and resets, the layout rule, atomic updates, nothing below zero."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from console.domain.errors import Conflict, FieldError, InvalidInput
from console.domain.models import LEVEL_QUANTITIES, Level, Location
from console.domain.requests import MAX_QUANTITY, LevelChange

# What a status change does to levels: item id → the level changes of one atomic update.
LevelPlan = dict[str, list[LevelChange]]


def level_label(level: Level, locations: Mapping[str, Location] | None = None) -> str:
    """How an operator names a level: 'Reno DC / A-01-03' or 'Reno DC / no bin'."""
    location = locations.get(level.location_id) if locations else None
    site = location.name if location else level.location_id
    return f"{site} / {level.layout_name or level.layout_id or 'no bin'}"


def _target_layout(
    levels: list[Level], change: LevelChange, location: Location, index: int
) -> str | None:
    """Which layout an entry lands in. Named (even as null): that one. Omitted: the item's one
    layout at that location if it has one, else the level without a layout."""
    if change.names_layout:
        if change.layout_id is not None and location.layout(change.layout_id) is None:
            raise InvalidInput(
                f"Bin {change.layout_id} is not a layout of {location.name}.",
                [FieldError(f"levels.{index}.layout_id", f"not a layout of {location.id}")],
            )
        return change.layout_id
    in_bins = sorted(
        {lv.layout_id for lv in levels if lv.location_id == location.id and lv.layout_id}
    )
    if len(in_bins) > 1:
        raise InvalidInput(
            f"The item is in several bins at {location.name}: say which one (layout_id).",
            [FieldError(f"levels.{index}.layout_id", "required: the item has several bins here")],
        )
    return in_bins[0] if in_bins else None


def apply_level_changes(
    levels: Iterable[Level],
    changes: Iterable[LevelChange],
    locations: Mapping[str, Location],
    new_level_id: Callable[[], str],
    now: int,
) -> list[Level]:
    """Apply every entry of one update to copies of the levels it touches and return the new
    list (the levels it does not touch are in it as they are).

    All entries apply or none do: the originals are never touched, and any result below zero
    raises `Conflict` naming the level, so a bin transfer (one minus, one plus) is atomic.
    """
    levels = list(levels)
    working = list(levels)  # a level is copied when an entry first touches it
    touched: list[Level] = []
    for index, change in enumerate(changes):
        location = locations.get(change.location_id)
        if location is None:
            raise InvalidInput(
                f"Location {change.location_id} does not exist.",
                [FieldError(f"levels.{index}.location_id", "unknown location")],
            )
        layout_id = _target_layout(working, change, location, index)
        at = None
        for position, candidate in enumerate(working):
            if candidate.location_id == location.id and candidate.layout_id == layout_id:
                at = position
                break
        if at is None:
            layout = location.layout(layout_id)
            level = Level(
                id=new_level_id(),
                location_id=location.id,
                layout_id=layout_id,
                layout_name=layout.name if layout else None,
                created_at=now,
                updated_at=now,
            )
            working.append(level)
            touched.append(level)
        else:
            level = working[at]
            if not any(level is t for t in touched):
                level = working[at] = level.model_copy()
                touched.append(level)
        for field in LEVEL_QUANTITIES:
            value = getattr(change, field)
            if value is None:
                continue
            new = value[0] if isinstance(value, list) else getattr(level, field) + value
            setattr(level, field, new)
        level.updated_at = now
    originals = {lv.id: lv for lv in levels}
    for level in touched:
        for field in LEVEL_QUANTITIES:
            after = getattr(level, field)
            if after < 0:
                before = getattr(originals[level.id], field) if level.id in originals else 0
                label = level_label(level, locations)
                raise Conflict(
                    f"{label}: {field} would be {after} (it is {before}); "
                    "a level cannot go below zero. Nothing was changed.",
                    [FieldError(field, f"would be {after} at {label}")],
                )
    return working


def totals(levels: Iterable[Level]) -> dict[str, int]:
    """An item's totals: the sums over its levels (they are never stored apart)."""
    verified = damaged = manifested = reserved = 0
    for lv in levels:
        verified += lv.verified_qty
        damaged += lv.damaged_qty
        manifested += lv.manifested_qty
        reserved += lv.reserved_qty
    return {
        "total_verified": verified,
        "total_damaged": damaged,
        "total_manifested": manifested,
        "total_reserved": reserved,
    }


def inverse(change: LevelChange) -> LevelChange:
    """The delta that undoes a delta-only change (resets cannot be inverted without the old value)."""
    if any(isinstance(getattr(change, q), list) for q in LEVEL_QUANTITIES):
        raise InvalidInput("A reset cannot be undone by a delta; reset to the previous value.")
    data = {q: -v for q in LEVEL_QUANTITIES if (v := getattr(change, q)) is not None}
    if change.names_layout:
        data["layout_id"] = change.layout_id
    return LevelChange.model_validate({"location_id": change.location_id, **data})


@dataclass(frozen=True, slots=True)
class Entry:
    """What an operator typed in a quantity field: `+5` / `-3` (a delta) or `=100` (a reset)."""

    amount: int
    reset: bool

    def after(self, now: int) -> int:
        return self.amount if self.reset else now + self.amount

    def wire(self) -> int | list[int]:
        return [self.amount] if self.reset else self.amount

    def __str__(self) -> str:
        return f"={self.amount}" if self.reset else f"{self.amount:+d}"


_ENTRY = re.compile(r"([+\-=])\s*(\d+)")
ENTRY_HINT = "type +5 to add, -3 to remove or =100 to set the count"


def looks_like_entry(text: str) -> bool:
    """A quantity starts with +, - or =; anything else typed there is taken as a scan."""
    return text.strip()[:1] in ("+", "-", "=")


def parse_entry(text: str) -> Entry:
    """Read `+5`, `-3` or `=100`; anything else is refused with a message saying what to type."""
    cleaned = text.strip()
    found = _ENTRY.fullmatch(cleaned)
    if not found:
        raise InvalidInput(
            f"“{cleaned}” is not a quantity: {ENTRY_HINT}.", [FieldError("qty", ENTRY_HINT)]
        )
    sign, digits = found.groups()
    if len(digits) > len(str(MAX_QUANTITY)) or int(digits) > MAX_QUANTITY:
        raise InvalidInput(
            f"{digits[:12]}… is too large for a quantity (at most {MAX_QUANTITY:,}).",
            [FieldError("qty", "too large")],
        )
    amount = int(digits)
    if sign != "=" and amount == 0:
        raise InvalidInput(
            f"“{cleaned}” changes nothing: {ENTRY_HINT}.", [FieldError("qty", "zero")]
        )
    return Entry(-amount if sign == "-" else amount, reset=sign == "=")


UNITS_HINT = "type how many units, like 3"


def parse_units(text: str) -> int:
    """How many units a damage or a move takes: `3` (or `+3`, `-3`, the sign not mattering);
    zero, a reset (`=3`) or anything that is not a whole number is refused."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"No number typed: {UNITS_HINT}.", [FieldError("qty", UNITS_HINT)])
    if cleaned[:1] in ("+", "-"):
        cleaned = cleaned[1:].strip()
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise InvalidInput(
            f"“{text.strip()}” is not a number of units: {UNITS_HINT}.",
            [FieldError("qty", UNITS_HINT)],
        )
    if len(cleaned.lstrip("0")) > len(str(MAX_QUANTITY)) or int(cleaned) > MAX_QUANTITY:
        raise InvalidInput(
            f"{cleaned[:12]}… is too large for a quantity (at most {MAX_QUANTITY:,}).",
            [FieldError("qty", "too large")],
        )
    units = int(cleaned)
    if units == 0:
        raise InvalidInput(f"0 units changes nothing: {UNITS_HINT}.", [FieldError("qty", "zero")])
    return units


def describe_plan(plan: LevelPlan, names: Mapping[str, str], bins: Mapping[str, str]) -> list[str]:
    """A level plan in an operator's words: one line per item, each bin it touches in it."""
    out: list[str] = []
    for item_id, changes in plan.items():
        parts: list[str] = []
        for change in changes:
            where = bins.get(change.layout_id or "", change.layout_id or "no bin")
            reserved = change.reserved_qty or 0
            verified = change.verified_qty or 0
            damaged = change.damaged_qty or 0
            manifested = change.manifested_qty or 0
            if reserved < 0 and verified > 0:
                parts.append(f"{verified} back from reserved to verified at {where}")
            elif reserved < 0:
                parts.append(f"{-reserved} reserved shipped out of {where}")
            elif reserved > 0:
                parts.append(f"{reserved} verified reserved at {where}")
            if manifested > 0:
                parts.append(f"+{manifested} manifested (on the way) at {where}")
            elif manifested < 0:
                parts.append(f"{manifested} manifested at {where}")
            if verified > 0 and not reserved:
                parts.append(f"+{verified} verified into {where}")
            if damaged > 0:
                parts.append(f"+{damaged} damaged into {where}")
        if parts:
            out.append(f"{names.get(item_id, item_id)}: " + "; ".join(parts))
    return out
