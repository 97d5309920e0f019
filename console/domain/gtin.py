"""GTIN arithmetic: every GTIN form compares as its 14-digit form.

The GS1 check digit is computed here rather than through biip: biip loads its GS1 company
prefix tables (about 20 MB) on import, and looking up or indexing an item by GTIN must not pay
that. Everything that interprets GS1 data (element strings, Digital Links, the `(01)` form)
still goes through biip, in console.domain.scan; tests compare the two on many GTINs.
"""

from __future__ import annotations

_GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def check_digit(payload: str) -> int:
    """The GS1 mod-10 check digit of the digits before it: weights 3, 1, 3… from the right."""
    total = 3 * sum(map(int, payload[-1::-2])) + sum(map(int, payload[-2::-2]))
    return -total % 10


def gtin14(code: str | None) -> str | None:
    """The 14-digit form of a GTIN-8/12/13/14 with a valid check digit, else None.

    Leading zeros are padding, so `4006381333931`, `04006381333931` and the GTIN-12 of a
    UPC all reach the same key.
    """
    if not code:
        return None
    digits = code.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) not in _GTIN_LENGTHS:
        return None
    padded = digits.zfill(14)
    return padded if check_digit(padded[:-1]) == int(padded[-1]) else None


def with_check_digit(payload: str) -> str:
    """Append the GS1 check digit to a GTIN payload (7, 11, 12 or 13 digits)."""
    return payload + str(check_digit(payload))


def shortest_gtin(code: str) -> str:
    """A GTIN as it is printed under the bars: its padding zeros dropped down to the shortest
    of GTIN-8, UPC-A (12), EAN-13 and GTIN-14 that holds it."""
    digits = code.strip()
    significant = len(digits.lstrip("0"))
    length = next(n for n in (8, 12, 13, 14) if n >= significant or n == 14)
    return digits[-length:] if len(digits) >= length else digits.zfill(length)


def gtin_spellings(code: str | None) -> list[str]:
    """Every way a system may have stored this GTIN (as GTIN-14, EAN-13, UPC-A or GTIN-8, with
    its padding zeros or without), longest first: for an exact look-up in a system that keeps
    GTINs as typed. Empty when `code` is no GTIN."""
    full = gtin14(code)
    if full is None:
        return []
    significant = len(full.lstrip("0"))
    return [full[-n:] for n in (14, 13, 12, 8) if n >= significant]
