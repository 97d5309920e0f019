"""GTIN arithmetic: every GTIN form compares as its 14-digit form."""

from __future__ import annotations

from biip.checksums import gs1_standard_check_digit
from biip.gtin import Gtin

_GTIN_LENGTHS = frozenset({8, 12, 13, 14})


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
    try:
        return Gtin.parse(digits).as_gtin_14()
    except Exception:  # biip raises ParseError and, for some odd inputs, ValueError
        return None


def with_check_digit(payload: str) -> str:
    """Append the GS1 check digit to a GTIN payload (7, 11, 12 or 13 digits)."""
    return payload + str(gs1_standard_check_digit(payload))
