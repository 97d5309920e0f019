"""What a scanner typed, interpreted: a GTIN, a GS1 message (item, lot, expiry, count), or text.

biip does the GS1 work; this module only decides which of its readings counts and flattens the
result into the few facts a warehouse screen acts on. Text that is not a GTIN or GS1 data is kept
as typed: it may be a SKU, a lot number or a bin label, which only a backend can tell.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import sys
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from console.domain.gtin import gtin14

if TYPE_CHECKING:
    import biip

# biip is not imported at start: decoding its GS1 prefix tables takes ~0.1 s and ~15 MB at its
# peak. The console loads it once it is idle (`load_gs1_tables`), else the first GS1 scan does.

GS = "\x1d"

# Symbology identifiers a scanner may put in front: ]C1 (GS1-128), ]d2 (DataMatrix), ]Q3 (QR),
# ]E0 (EAN-13)... biip reads them itself; we strip one for the plain-text fallback.
_SYMBOLOGY_PREFIX_LENGTH = 3


class ScanKind(StrEnum):
    GTIN = "gtin"  # a bare GTIN-8/12/13/14 or UPC
    GS1 = "gs1"  # a GS1 element string, human-readable form or Digital Link
    TEXT = "text"  # anything else: SKU, lot number, bin label, or nothing we know


@dataclass(frozen=True, slots=True)
class Scan:
    raw: str
    kind: ScanKind
    text: str  # what was read, without symbology identifier or surrounding whitespace
    gtin: str | None = None  # 14 digits
    lot: str | None = None  # AI 10
    expires_at: int | None = None  # AI 17, epoch seconds at 00:00 UTC
    best_before: int | None = None  # AI 15
    production_date: int | None = None  # AI 11
    sell_by: int | None = None  # AI 16
    serial: str | None = None  # AI 21
    count: int | None = None  # AI 30 or 37: how many units this one label stands for
    digital_link: str | None = None

    @property
    def shown(self) -> str:
        """The scan as an operator should see it quoted back: GS made visible."""
        return self.text.replace(GS, "<GS>")


def load_gs1_tables() -> None:
    """Import biip and release the table of GS1 company prefixes, which the console never reads.

    biip decodes that table (which company owns a GTIN: ~5 MB of JSON, as nested dicts) whenever
    it is imported; a scan needs the GTIN, lot and dates, not the owner, and a console on a shared
    SSH host should not carry it. Safe to call from a thread and more than once; if a later biip
    keeps the table elsewhere, nothing is released and scans read as before.
    """
    import biip  # noqa: F401  (the import is the work)
    from biip import gs1_prefixes

    if getattr(gs1_prefixes, "_GS1_COMPANY_PREFIX_TRIE", None):
        # an empty table: biip then reports no company prefix, which no screen shows
        gs1_prefixes._GS1_COMPANY_PREFIX_TRIE = {}
        _return_freed_memory()


def _return_freed_memory() -> None:
    """glibc keeps freed blocks for reuse, so the ~10 MB the released table leaves behind would
    stay resident for the life of the console: handed back to the system. Elsewhere (not Linux,
    or another C library) nothing happens."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # only here: not worth its import at start-up

    with contextlib.suppress(OSError, AttributeError):  # musl and others have no malloc_trim
        ctypes.CDLL(None).malloc_trim(0)


def _epoch(day: dt.date | None) -> int | None:
    return calendar.timegm(day.timetuple()) if day else None


def _strip_symbology(raw: str) -> str:
    if raw.startswith("]") and len(raw) > _SYMBOLOGY_PREFIX_LENGTH:
        return raw[_SYMBOLOGY_PREFIX_LENGTH:]
    return raw


def _from_elements(raw: str, text: str, message: object, link: str | None) -> Scan | None:
    elements = {es.ai.ai: es for es in getattr(message, "element_strings", [])}
    if not elements:
        return None

    def value(ai: str) -> str | None:
        es = elements.get(ai)
        return es.value if es else None

    def day(ai: str) -> int | None:
        es = elements.get(ai)
        return _epoch(es.date) if es else None

    gtin_es = elements.get("01") or elements.get("02")
    count_text = value("30") or value("37")
    return Scan(
        raw=raw,
        kind=ScanKind.GS1,
        text=text,
        gtin=gtin14(gtin_es.value) if gtin_es else None,
        lot=value("10"),
        expires_at=day("17"),
        best_before=day("15"),
        production_date=day("11"),
        sell_by=day("16"),
        serial=value("21"),
        count=int(count_text) if count_text and count_text.isdigit() else None,
        digital_link=link,
    )


def interpret(raw: str) -> Scan:
    """Read one scan. Never raises: what cannot be read as GS1 data is returned as text."""
    cleaned = raw.strip("\r\n\t ")
    text = _strip_symbology(cleaned)
    if not text:
        return Scan(raw=raw, kind=ScanKind.TEXT, text="")
    if gtin := gtin14(text):
        return Scan(raw=raw, kind=ScanKind.GTIN, text=text, gtin=gtin)
    if text.startswith("("):
        load_gs1_tables()
        from biip.gs1_messages import GS1Message

        try:
            message = GS1Message.parse_hri(text)
        except Exception:  # biip raises ParseError; anything odd is simply not GS1
            message = None
        if message is not None and (scan := _from_elements(raw, text, message, None)):
            return scan
    maybe_gs1 = cleaned != text or GS in text or "://" in text or text[:2].isdigit()
    if maybe_gs1 and (scan := _parsed(raw, cleaned, text)):
        return scan
    return Scan(raw=raw, kind=ScanKind.TEXT, text=text)


def _parsed(raw: str, cleaned: str, text: str) -> Scan | None:
    """A Digital Link, or an element string biip can read and we can trust."""
    load_gs1_tables()
    import biip

    try:
        result = biip.parse(cleaned)
    except Exception:  # biip raises ParseError; anything odd is simply not GS1
        return None
    if result.gs1_digital_link_uri is not None:
        return _from_elements(raw, text, result.gs1_digital_link_uri, text)
    trusted = cleaned != text or GS in text or _has_gtin(result)
    if result.gs1_message is not None and trusted:
        return _from_elements(raw, text, result.gs1_message, None)
    return None


def _has_gtin(result: biip.ParseResult) -> bool:
    """A GS1 message without symbology identifier or GS is trusted only when it carries a GTIN:
    otherwise a SKU like '10-4455' would read as 'AI 10, lot 4455'."""
    message = result.gs1_message
    return message is not None and any(es.ai.ai in ("01", "02") for es in message.element_strings)
