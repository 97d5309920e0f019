"""The numbers a manifest or an order is known by, so a scan or a typed number finds it: its
order number, its id, its tracking numbers, the SSCCs of its pallets and cases."""

from __future__ import annotations

from collections.abc import Iterable

from console.domain.manifests import manifest_ssccs
from console.domain.models import Fulfillment, Manifest

# Where an order's metadata carries the numbers a shipper or carrier gave it.
_METADATA_NUMBERS = ("tracking_number", "tracking_numbers", "sscc")


def sscc_of(text: str) -> str | None:
    """The 18 digits of an SSCC written as 18, or as 20 with the `00` of its element string."""
    digits = text.strip().replace(" ", "")
    if len(digits) == 20 and digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) == 18 and digits.isascii() and digits.isdigit() else None


def manifest_numbers(manifest: Manifest) -> list[str]:
    return [
        n for n in (manifest.order_number, manifest.id, *manifest.tracking_numbers) if n
    ] + sorted(manifest_ssccs(manifest))


def fulfillment_numbers(fulfillment: Fulfillment) -> list[str]:
    numbers = [n for n in (fulfillment.order_number, fulfillment.id) if n]
    for key in _METADATA_NUMBERS:
        value = fulfillment.metadata.get(key)
        for number in value if isinstance(value, list) else [value]:
            if isinstance(number, str) and number.strip():
                numbers.append(sscc_of(number) or number.strip())
    return numbers


def known_by(numbers: Iterable[str], wanted: str) -> bool:
    """Whether `wanted` (as scanned or typed) is one of `numbers`: letters in any case, an
    SSCC with or without its `00`."""
    text = wanted.strip().casefold()
    sscc = sscc_of(wanted)
    return any(n.casefold() == text or (sscc is not None and n == sscc) for n in numbers)
