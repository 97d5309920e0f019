"""What a scanner typed, interpreted: a GTIN, a GS1 message (item, lot, expiry, count, pallet,
weight), a Digital Link, or text.

biip does the GS1 work (element strings, the `(01)` form, Digital Links, UPC-E); this module is
the one thin layer over it for what real scanners send and biip leaves to the caller:

* **Symbology identifiers** (AIM, ISO/IEC 15424): only the GS1 ones (`]C1`, `]e0`, `]d2`,
  `]Q3`, `]J1`, and `]E0`/`]E4`/`]I1` for GTINs) make what follows GS1 data. Any other one
  (`]C0` Code 128, `]A0` Code 39, `]Q1` QR, `]d1` Data Matrix…) is removed and the rest read as
  what it is: a GTIN, a Digital Link, or text (a SKU, a bin, a lot number); never as a GS1
  element string, so a plain Code 128 `10-4455` never becomes "lot 4455".
* **Digital Links** behind a non-GS1 identifier (`]Q1https://…`) or in upper case (QR
  alphanumeric mode sends `HTTPS://ID.GS1.ORG/01/…`), with any stem or path prefix.
* **UPC-E** (6, 7 or 8 digits), expanded to UPC-A; an 8-digit code that is both a valid GTIN-8
  and a valid UPC-E is tried as both (`alternatives`).
* **Add-ons** of EAN-13 and UPC-A (`]E3`, split `]E0…]E1…`, or 15 and 18 digits whose first
  13 or 12 are a valid code): the main code is looked up, the add-on kept to be shown.
* **FNC1 substitutes**: GS sent as `<GS>`, `^]`, `{GS}` or a character the site configured;
  STX/ETX framing and other control characters are removed.
* **A lost separator**: when the last field of a message is a variable-length one (a lot, a
  serial) whose tail is itself a complete GS1 element string, the GS between them was probably
  lost: the label is flagged (`suspect`). Its lot is kept for a lookup only: a lot of that
  number on record settles it; otherwise nothing is counted or created from the label
  (`console.services.scans`), so it never silently becomes a new lot number.

Text that is not a GTIN or GS1 data is kept as typed: it may be a SKU, a lot number or a bin
label, which only a backend can tell.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from console.allocator import give_back_freed_memory
from console.domain.gtin import check_digit, gtin14

# biip is not imported at start: decoding its GS1 prefix tables takes ~0.1 s and ~15 MB at its
# peak. The console loads it once it is idle (`load_gs1_tables`), else the first GS1 scan does.

GS = "\x1d"
# How a scanner may send GS when it cannot send the byte (or a keyboard wedge drops it).
FNC1_SUBSTITUTES = ("<GS>", "<gs>", "{GS}", "{gs}", "^]", "\\x1d", "\\u001d")
# Longer than any label: what is kept of a scan (the rest is junk, a stuck key, a paste).
LONGEST_SCAN = 2000
# AIM identifiers after which what follows is GS1 data (element string or Digital Link)
_GS1_DATA = frozenset({"C1", "e0", "e1", "e2", "d2", "Q3", "J1"})
_GTIN_SYMBOLS = frozenset({"E0", "E4", "I1"})  # EAN/UPC, EAN-8, ITF-14
_ADD_ON_SYMBOLS = frozenset({"E1", "E2", "E3"})
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1c\x1e\x1f\x7f]")  # not GS (\x1d), not Tab (\x09)
_URL = re.compile(r"^(https?)://([^/?#]+)(.*)$", re.IGNORECASE | re.DOTALL)


class ScanKind(StrEnum):
    GTIN = "gtin"  # a bare GTIN-8/12/13/14, UPC-A or UPC-E
    GS1 = "gs1"  # a GS1 element string, human-readable form or Digital Link
    TEXT = "text"  # anything else: SKU, lot number, bin label, or nothing we know


@dataclass(frozen=True, slots=True)
class Scan:
    raw: str
    kind: ScanKind
    text: str  # what was read: framing, identifier and surrounding whitespace removed
    gtin: str | None = None  # 14 digits
    lot: str | None = None  # AI 10
    expires_at: int | None = None  # AI 17, epoch seconds at 00:00 UTC
    best_before: int | None = None  # AI 15
    production_date: int | None = None  # AI 11
    sell_by: int | None = None  # AI 16
    serial: str | None = None  # AI 21
    count: int | None = None  # AI 30 or 37: how many units this one label stands for
    digital_link: str | None = None
    sscc: str | None = None  # AI 00: a pallet or case label (18 digits)
    net_weight: tuple[Decimal, str] | None = None  # AI 310n (kg) or 320n (lb)
    add_on: str | None = None  # the 2- or 5-digit add-on of an EAN-13 or UPC-A
    alternatives: tuple[str, ...] = field(default=())  # other GTINs the code may be (UPC-E)
    symbology: str | None = None  # the AIM identifier it came with: "]C1"
    suspect: str | None = None  # why the label may not be read whole (a lost separator)

    @property
    def shown(self) -> str:
        """The scan as an operator should see it quoted back: GS made visible, and cut short
        when it is long (a stuck key, a paste)."""
        return shown_scan(self.text)

    @property
    def gtins(self) -> tuple[str, ...]:
        """Every GTIN the scan may name, the likeliest first."""
        return ((self.gtin,) if self.gtin else ()) + self.alternatives

    def describe(self) -> str:
        """What besides the item the label says, for the message line."""
        parts = []
        if self.add_on:
            parts.append(f"add-on {self.add_on}")
        if self.serial:
            parts.append(f"serial {self.serial}")
        if self.net_weight:
            amount, unit = self.net_weight
            parts.append(f"net {amount.normalize():f} {unit}")
        if self.count:
            parts.append(f"{self.count} units")
        return ", ".join(parts)


def shown_scan(text: str, longest: int = 60) -> str:
    """Scanned text as an operator should see it quoted back: GS made visible, and cut short
    when it is long (a stuck key, a paste). Control characters are the UI's to remove."""
    text = text.replace(GS, "<GS>")
    return text if len(text) <= longest else f"{text[: longest - 3]}…"


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
        # the ~10 MB the released table leaves behind would stay resident for the console's life
        give_back_freed_memory()


def _epoch(day: dt.date | None) -> int | None:
    return calendar.timegm(day.timetuple()) if day else None


# -- reading ----------------------------------------------------------------------------------


def normalize(raw: str, separators: Iterable[str] = ()) -> str:
    """The scan as biip should see it: framing (STX/ETX), control characters and surrounding
    whitespace removed, every FNC1 substitute (and the site's own `separators`) made GS."""
    text = raw[:LONGEST_SCAN]
    for substitute in (*FNC1_SUBSTITUTES, *separators):
        if substitute:
            text = text.replace(substitute, GS)
    text = text.replace("\x02", "").replace("\x03", "")  # STX … ETX framing
    text = _CONTROLS.sub("", text).strip(" \t")
    return text.strip(GS)


def interpret(raw: str, *, separators: Iterable[str] = ()) -> Scan:
    """Read one scan. Never raises: what cannot be read as GS1 data is returned as text."""
    text = normalize(raw, separators)
    if not text:
        return Scan(raw=raw, kind=ScanKind.TEXT, text="")
    symbology = None
    if _SYMBOLOGY.match(text) and len(text) > 3:
        symbology, text = text[:3], text[3:]
    aim = symbology[1:] if symbology else None
    if aim in _GS1_DATA:
        return _gs1_data(raw, symbology, text)
    if aim in _ADD_ON_SYMBOLS or (aim == "E0" and "]E" in text):
        return _with_add_on(raw, symbology, text) or _plain(raw, symbology, text)
    return _plain(raw, symbology, text)


def _plain(raw: str, symbology: str | None, text: str) -> Scan:
    """What no GS1 identifier vouches for: a Digital Link, a GTIN (with its add-on, or as UPC-E
    too), the `(01)` form, an element string that carries a GTIN or pallet code and a GS, or
    text."""
    base = {"raw": raw, "symbology": symbology}
    if _URL.match(text):
        return _digital_link(raw, symbology, text) or Scan(**base, kind=ScanKind.TEXT, text=text)
    if text.isascii() and text.isdigit() and (found := _digits(raw, symbology, text)):
        return found
    if text.startswith("(") and (found := _human_readable(raw, symbology, text)):
        return found
    if symbology is None and (GS in text or text[:2] in ("00", "01", "02")):
        # no identifier at all: an element string is trusted only with a GS, or a GTIN or SSCC
        # in it (else a SKU like '10-4455' would read as 'AI 10, lot 4455')
        found = _element_string(raw, symbology, text, require_key=True)
        if found is not None:
            return found
    return Scan(**base, kind=ScanKind.TEXT, text=text)


def _digits(raw: str, symbology: str | None, text: str) -> Scan | None:
    """A code of digits alone: a GTIN, a UPC-E, or an EAN-13/UPC-A with an add-on."""
    size = len(text)
    if size in (6, 7) or (size == 8 and symbology in (None, "]E0")):
        upc_a = _upc_e_to_upc_a(text)
        gtin8 = gtin14(text) if size == 8 else None
        candidates = [c for c in (gtin8, gtin14(upc_a) if upc_a else None) if c]
        if candidates:
            return Scan(
                raw=raw, kind=ScanKind.GTIN, text=text, gtin=candidates[0],
                alternatives=tuple(candidates[1:]), symbology=symbology,
            )  # fmt: skip
    if size in (8, 12, 13, 14) and (code := gtin14(text)):
        return Scan(raw=raw, kind=ScanKind.GTIN, text=text, gtin=code, symbology=symbology)
    if size in (14, 15, 17, 18):  # a 14-digit one that is no GTIN-14 may be UPC-A + 2
        return _with_add_on(raw, symbology, text)
    return None


def _upc_e_to_upc_a(text: str) -> str | None:
    """UPC-E (6, 7 or 8 digits: [number system] six digits [check]) as UPC-A, through biip."""
    load_gs1_tables()
    from biip import ParseError
    from biip.upc import Upc, UpcFormat

    try:
        upc = Upc.parse(text)
    except ParseError:
        return None
    return upc.as_upc_a() if upc.format is UpcFormat.UPC_E else None


def _with_add_on(raw: str, symbology: str | None, text: str) -> Scan | None:
    """An EAN-13 or UPC-A with a 2- or 5-digit add-on (books, magazines): `]E3` and 15 or 18
    digits (14 or 17 for UPC-A), or the split form `<main>]E1<2>` / `]E2<5>` some scanners
    send."""
    main, _, add_on = text.partition("]E")
    if add_on:
        add_on = add_on[1:]  # after the modifier digit of ]E1 / ]E2
    elif len(text) in (14, 15, 17, 18):
        for size in (13, 12):
            if len(text) - size in (2, 5):
                main, add_on = text[:size], text[size:]
                if gtin14(main):
                    break
        else:
            return None
    if not (add_on.isascii() and add_on.isdigit() and len(add_on) in (2, 5)):
        return None
    code = gtin14(main)
    if code is None:
        return None
    return Scan(
        raw=raw, kind=ScanKind.GTIN, text=text, gtin=code, add_on=add_on, symbology=symbology
    )


def _gs1_data(raw: str, symbology: str | None, text: str) -> Scan:
    """After a GS1 identifier: a Digital Link, or an element string (in GS1-128, DataBar, GS1
    Data Matrix, GS1 QR, DotCode)."""
    if _URL.match(text):
        found = _digital_link(raw, symbology, text)
    elif text.startswith("("):
        found = _human_readable(raw, symbology, text)
    else:
        found = _element_string(raw, symbology, text, require_key=False)
    return found or Scan(raw=raw, kind=ScanKind.TEXT, text=text, symbology=symbology)


def _digital_link(raw: str, symbology: str | None, text: str) -> Scan | None:
    """A GS1 Digital Link URI, the scheme and host read in any case (a QR code in alphanumeric
    mode sends upper case), under any stem and path prefix."""
    matched = _URL.match(text)
    assert matched is not None
    scheme, host, rest = matched.groups()
    url = f"{scheme.lower()}://{host.lower()}{rest}"
    load_gs1_tables()
    from biip import ParseError
    from biip.gs1_digital_link_uris import GS1DigitalLinkURI

    try:
        link = GS1DigitalLinkURI.parse(url)
    except (ParseError, ValueError):
        if rest.upper() == rest and rest.lower() != rest:
            # all upper case: keys such as /01/ are digits, but a lowercase query key is not
            try:
                link = GS1DigitalLinkURI.parse(url.lower() if "?" in url else url)
            except (ParseError, ValueError):
                return None
        else:
            return None
    return _from_elements(raw, text, link.element_strings, symbology, digital_link=url)


def _human_readable(raw: str, symbology: str | None, text: str) -> Scan | None:
    load_gs1_tables()
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse_hri(text)
    except ParseError:
        return None
    return _from_elements(raw, text, message.element_strings, symbology)


def _element_string(
    raw: str, symbology: str | None, text: str, *, require_key: bool
) -> Scan | None:
    load_gs1_tables()
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse(text)
    except ParseError:
        return None
    elements = message.element_strings
    if require_key and not (GS in text or any(es.ai.ai in ("00", "01", "02") for es in elements)):
        return None
    return _from_elements(raw, text, elements, symbology)


def _from_elements(
    raw: str,
    text: str,
    element_strings: Iterable[Any],
    symbology: str | None,
    *,
    digital_link: str | None = None,
) -> Scan | None:
    ordered = list(element_strings)
    elements = {es.ai.ai: es for es in ordered}
    if not elements:
        return None

    def value(ai: str) -> str | None:
        es = elements.get(ai)
        return es.value if es else None

    def day(ai: str) -> int | None:
        es = elements.get(ai)
        return _epoch(es.date) if es else None

    suspect = None if digital_link else _lost_separator(ordered)
    gtin_es = elements.get("01") or elements.get("02")
    gtin = gtin14(gtin_es.value) if gtin_es else None
    sscc = value("00")
    if sscc and not _check_digit_holds(sscc):
        suspect, sscc = f"(00) {sscc}: its check digit is wrong, a misread", None
    if gtin_es and gtin is None:
        suspect = f"({gtin_es.ai.ai}) {gtin_es.value}: its check digit is wrong, a misread"
    count_text = value("30") or value("37")
    return Scan(
        raw=raw,
        kind=ScanKind.GS1,
        text=text,
        gtin=gtin,
        lot=value("10"),
        expires_at=day("17"),
        best_before=day("15"),
        production_date=day("11"),
        sell_by=day("16"),
        serial=value("21"),
        count=int(count_text) if count_text and count_text.isdigit() else None,
        digital_link=digital_link,
        sscc=sscc,
        net_weight=_net_weight(ordered),
        symbology=symbology,
        suspect=suspect,
    )


def _check_digit_holds(digits: str) -> bool:
    return digits.isascii() and digits.isdigit() and check_digit(digits[:-1]) == int(digits[-1])


def _net_weight(element_strings: list[Any]) -> tuple[Decimal, str] | None:
    for es in element_strings:
        ai = es.ai.ai
        if len(ai) == 4 and ai[:3] in ("310", "320") and es.decimal is not None:
            return Decimal(es.decimal), "kg" if ai.startswith("310") else "lb"
    return None


def _lost_separator(element_strings: list[Any]) -> str | None:
    """Why the last field looks like two glued together, or None. A variable-length field runs
    to the next GS or to the end: when the GS after it was lost, the fields that followed are
    read as part of it. Flagged when its tail, from some point, reads whole as fields that
    check out (a GTIN with its check digit, a real date). A lot number may end so: the lot is
    kept, and a lot of that number on record clears the doubt."""
    if not element_strings:
        return None
    last = element_strings[-1]
    if not last.ai.separator_required or len(last.value) < 9:
        return None
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    for start in range(1, len(last.value) - 7):
        tail = last.value[start:]
        if not _FIXED_FIELDS.match(tail):
            continue
        try:
            glued = GS1Message.parse(tail)
        except ParseError:
            continue
        if not all(_checks_out(es) for es in glued.element_strings):
            continue
        fields = ", ".join(f"({es.ai.ai}) {es.value}" for es in glued.element_strings)
        return (
            f"({last.ai.ai}) “{last.value}” may be “{last.value[:start]}” followed by {fields}: "
            "the label's separator was probably lost"
        )
    return None


# GTINs (01, 02) and dates (11, 13, 15, 16, 17), nothing else. Not a count (30, 37): one in
# ten numeric lot numbers ends in "30" and digits, and flagging those would stop real labels.
_FIXED_FIELDS = re.compile(r"^(?:0[12]\d{14}|1[13567]\d{6})+$")


def _checks_out(es: Any) -> bool:
    if es.ai.ai in ("01", "02"):
        return gtin14(es.value) is not None
    return es.date is not None


def gtin_from_upc_e(text: str) -> str | None:
    """The GTIN-14 of a UPC-E code (6, 7 or 8 digits), for callers outside this module."""
    upc_a = _upc_e_to_upc_a(text)
    return gtin14(upc_a) if upc_a else None


__all__ = [
    "GS",
    "Scan",
    "ScanKind",
    "check_digit",
    "gtin_from_upc_e",
    "interpret",
    "load_gs1_tables",
    "normalize",
    "shown_scan",
]
