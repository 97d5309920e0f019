"""Lot ordering: first expired, first out."""

from __future__ import annotations

from collections.abc import Iterable

from console.domain.models import Lot

_NEVER = float("inf")


def fefo_key(lot: Lot) -> tuple[float, str, str]:
    """Earliest expiry first; lots without an expiry last; then lot number, then id for ties."""
    expires = lot.expires_at if lot.expires_at is not None else _NEVER
    return (expires, lot.number or "", lot.id)


def fefo(lots: Iterable[Lot]) -> list[Lot]:
    return sorted(lots, key=fefo_key)


def pick_first(lots: Iterable[Lot], *, now: int) -> Lot | None:
    """The lot to take first: the earliest-expiring one that is available, unexpired and has
    stock. Expired or blocked lots never ship."""
    usable = (
        lot
        for lot in lots
        if lot.status == "available"
        and lot.available_qty > 0
        and (lot.expires_at is None or lot.expires_at > now)
    )
    return min(usable, key=fefo_key, default=None)
