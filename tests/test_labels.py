"""Labels from public sources, read as a warehouse's scanners send them.

Every row is one string a scanner types (AIM identifier, GS or its substitute, framing and all)
and what the console must read from it, field by field: a field left out must be empty, so a
plain Code 128 that grows a "lot" fails here. The source of each string is on its row.

Sources:
* BIIP: the test data of biip (https://github.com/jodal/biip, tests/), the GS1 library the
  console reads labels with; the file is named on each row.
* GS1-GS: GS1 General Specifications, the Application Identifier definitions (§3.2-3.9) with
  the GS1 prefix 952 that GS1 reserves for examples; GS1-DL: GS1 Digital Link URI Syntax 1.2.
* AIM: ISO/IEC 15424 symbology identifiers (`]C1` GS1-128, `]C0` Code 128, `]A0` Code 39,
  `]E0` EAN/UPC, `]E3` EAN/UPC with add-on, `]E4` EAN-8, `]I0` ITF, `]I1` ITF-14, `]d1`/`]d2`
  Data Matrix, `]Q1`/`]Q3` QR, `]e0` GS1 DataBar, `]J1` GS1 DotCode), with biip's codes.
* WIKI: the example codes of Wikipedia's articles on EAN-13 (4006381333931), UPC (036000291452),
  EAN-8 (96385074) and ISBN (978-0-306-40615-7).
* WEDGE: how keyboard-wedge scanners send what a keyboard cannot: GS as a visible substitute
  (`<GS>`, `{GS}`, caret notation `^]`), STX/ETX framing, a trailing CR, a stray NUL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from console.domain.scan import Scan, interpret

GS = "\x1d"
B_PARSE = "BIIP tests/test_parse.py"
B_MSG = "BIIP tests/test_gs1_messages.py"
B_DL = "BIIP tests/test_gs1_digital_link_uris.py"
B_UPC = "BIIP tests/upc/test_parse.py"
B_GTIN = "BIIP tests/gtin/test_parse.py"
B_SSCC = "BIIP tests/test_sscc.py"
B_SYM = "BIIP tests/test_symbology.py"
GS1 = "GS1-GS (AI 01, 10, 11, 17, 21, 30, 310n, 320n) + AIM"
DL = "GS1-DL + AIM"
WIKI = "WIKI"
WEDGE = "WEDGE"
# biip's GS1 message example: GTIN 07032069804988, lot 0329, best before 2021-05-26
MSG_GTIN = "07032069804988"
EXAMPLE = "09521234543213"  # a GTIN-14 with GS1's example prefix 952


def gtin(code: str, **more: Any) -> dict[str, Any]:
    return {"kind": "gtin", "gtin": code, **more}


def gs1(**fields: Any) -> dict[str, Any]:
    return {"kind": "gs1", **fields}


def text(value: str) -> dict[str, Any]:
    return {"kind": "text", "text": value}


MSG = gs1(gtin=MSG_GTIN, lot="0329", best_before="2021-05-26")
MSG_DL = {**MSG, "digital_link": True}

LABELS: list[tuple[str, dict[str, Any], str]] = [
    # -- GTINs, bare and with their identifiers
    ("5901234123457", gtin("05901234123457"), B_PARSE),
    ("  \t 5901234123457 \n  ", gtin("05901234123457"), B_PARSE),
    ("05901234123457", gtin("05901234123457"), B_GTIN),
    ("590123412345", text("590123412345"), B_GTIN),  # 12 digits, wrong check: not a UPC-A
    ("5901234123458", text("5901234123458"), B_GTIN),  # wrong check digit
    ("96385074", gtin("00000096385074"), B_GTIN),
    ("00000096385074", gtin("00000096385074"), B_GTIN),
    ("0000096385074", gtin("00000096385074"), B_GTIN),
    ("000096385074", gtin("00000096385074"), B_GTIN),
    ("036000291452", gtin("00036000291452"), B_GTIN),
    ("0036000291452", gtin("00036000291452"), B_GTIN),
    ("00036000291452", gtin("00036000291452"), B_GTIN),
    ("614141000036", gtin("00614141000036"), B_GTIN),
    ("0614141000036", gtin("00614141000036"), B_GTIN),
    ("00614141000036", gtin("00614141000036"), B_GTIN),
    ("671267000027", text("671267000027"), B_GTIN),  # wrong check digit
    ("98765432109213", gtin("98765432109213"), B_GTIN),
    ("00012348", gtin("00000000012348"), B_GTIN),  # a GTIN-8, no UPC-E
    ("4006381333931", gtin("04006381333931"), WIKI),
    ("9780306406157", gtin("09780306406157"), WIKI),
    ("]E05901234123457", gtin("05901234123457"), f"{B_PARSE} + AIM"),
    ("]E04006381333931", gtin("04006381333931"), f"{WIKI} + AIM"),
    ("]E00036000291452", gtin("00036000291452"), f"{WIKI} + AIM"),
    ("]E496385074", gtin("00000096385074"), f"{WIKI} + AIM"),
    ("]I110614141000033", gtin("10614141000033"), f"{B_GTIN} + AIM"),
    ("]I012345670", gtin("00000012345670"), f"{B_GTIN} + AIM"),
    # -- UPC-E: 6, 7 and 8 digits; an 8-digit one that is also a GTIN-8 is tried as both
    ("425261", gtin("00042100005264"), B_UPC),
    ("0425261", gtin("00042100005264"), B_UPC),
    ("04252614", gtin("00042100005264"), B_UPC),
    ("]E004252614", gtin("00042100005264"), f"{B_UPC} + AIM"),
    ("04252613", text("04252613"), B_UPC),  # wrong check digit either way
    ("14252611", gtin("00142100005261"), B_UPC),  # a UPC-E of number system 1, no GTIN-8
    ("12345670", gtin("00000012345670", alternatives=("00123456000070",)), B_PARSE),
    ("0042100", gtin("00004000002101"), B_PARSE),
    # -- add-ons: books and magazines
    ("978030640615712", gtin("09780306406157", add_on="12"), f"{WIKI} + AIM"),
    ("978030640615751995", gtin("09780306406157", add_on="51995"), f"{WIKI} + AIM"),
    ("]E3978030640615712", gtin("09780306406157", add_on="12"), f"{WIKI} + AIM"),
    ("]E3978030640615751995", gtin("09780306406157", add_on="51995"), f"{WIKI} + AIM"),
    ("]E09780306406157]E112", gtin("09780306406157", add_on="12"), f"{WIKI} + AIM"),
    ("]E09780306406157]E251995", gtin("09780306406157", add_on="51995"), f"{WIKI} + AIM"),
    ("03600029145212", gtin("00036000291452", add_on="12"), f"{WIKI} + AIM"),
    ("03600029145290000", gtin("00036000291452", add_on="90000"), f"{WIKI} + AIM"),
    ("]E0036000291452]E190000", gtin("00036000291452", add_on="90000"), f"{WIKI} + AIM"),
    ("]E3036000291452", gtin("00036000291452"), f"{WIKI} + AIM"),  # add-on absent
    # -- GS1 element strings
    ("]C1010590123412345715210526", gs1(gtin="05901234123457", best_before="2021-05-26"), B_PARSE),
    ("]C1" + "0107032069804988100329" + GS + "15210526", MSG, f"{B_MSG} + AIM"),
    ("0107032069804988100329" + GS + "15210526", MSG, B_MSG),
    ("010703206980498815210526100329", MSG, B_MSG),
    ("0107032069804988100329" + GS + GS + "15210526", MSG, B_MSG),
    # no identifier, no GTIN and no GS inside: digits that may be a SKU stay text
    ("15210526100329" + GS, text("15210526100329"), B_MSG),
    ("15210526" + GS + "100329", gs1(lot="0329", best_before="2021-05-26"), B_MSG),
    ("10123" + GS + "17221231", gs1(lot="123", expires="2022-12-31"), B_MSG),
    (
        "0107032069804988100329" + GS + "2112345" + GS + "15210526",
        {**MSG, "serial": "12345"},
        B_MSG,
    ),
    ("]d2010703206980498815210526100329", MSG, f"{B_MSG} + AIM"),
    ("]Q3010703206980498815210526100329", MSG, f"{B_MSG} + AIM"),
    ("]e0010703206980498815210526100329", MSG, f"{B_MSG} + AIM"),
    ("]J1010703206980498815210526100329", MSG, f"{B_MSG} + AIM"),
    ("]C10102302148210869", gs1(gtin="02302148210869"), f"{B_MSG} + AIM"),
    (
        "]C1" + "01" + EXAMPLE + "17270101" + GS + "10A1" + GS + "21S1",
        gs1(gtin=EXAMPLE, expires="2027-01-01", lot="A1", serial="S1"),
        GS1,
    ),
    (
        "]C101" + EXAMPLE + "17271231" + "1012345678",
        gs1(gtin=EXAMPLE, expires="2027-12-31", lot="12345678"),
        GS1,
    ),
    ("]C101" + EXAMPLE + "10LOTA" + GS + "3005", gs1(gtin=EXAMPLE, lot="LOTA", count=5), GS1),
    ("]C101" + EXAMPLE + "3005" + GS + "10LOTA", gs1(gtin=EXAMPLE, lot="LOTA", count=5), GS1),
    ("]C10110614141000033300144", gs1(gtin="10614141000033", count=144), GS1),
    (
        "]C101" + EXAMPLE + "11250101" + "17270101" + "10A1",
        gs1(gtin=EXAMPLE, produced="2025-01-01", expires="2027-01-01", lot="A1"),
        GS1,
    ),
    (
        "]C101" + EXAMPLE + "3103000189",
        gs1(gtin=EXAMPLE, net=(Decimal("0.189"), "kg")),
        GS1,
    ),
    (
        "]C101" + EXAMPLE + "3202001234",
        gs1(gtin=EXAMPLE, net=(Decimal("12.34"), "lb")),
        GS1,
    ),
    (
        "]C101" + EXAMPLE + "3101001850" + "21ABC",
        gs1(gtin=EXAMPLE, net=(Decimal("185.0"), "kg"), serial="ABC"),
        GS1,
    ),
    ("]e001" + EXAMPLE + "17270101", gs1(gtin=EXAMPLE, expires="2027-01-01"), GS1),
    # -- the human-readable (AI) form, as typed or sent by some imagers
    ("(01)07032069804988(10)0329(15)210526", MSG, B_MSG),
    ("(01)07032069804988(15)210526(10)0329", MSG, B_MSG),
    ("(01)07032069804988(10)0329(21)12345(15)210526", {**MSG, "serial": "12345"}, B_MSG),
    ("(17)221231(10)123", gs1(lot="123", expires="2022-12-31"), B_MSG),
    ("(10)1313(15)210526", gs1(lot="1313", best_before="2021-05-26"), B_PARSE),
    ("(01)02302148210869", gs1(gtin="02302148210869"), B_MSG),
    (
        "(01) " + EXAMPLE + " (17) 270101 (10) AB-123",
        gs1(gtin=EXAMPLE, expires="2027-01-01", lot="AB-123"),
        GS1,
    ),
    ("]Q3(01)" + EXAMPLE + "(17)270101", gs1(gtin=EXAMPLE, expires="2027-01-01"), GS1),
    ("]C1(01)" + EXAMPLE, gs1(gtin=EXAMPLE), GS1),
    # -- SSCC: pallet and case labels, with what is on them
    ("00376130321109103420", gs1(sscc="376130321109103420"), B_SSCC),
    ("]C100376130321109103420", gs1(sscc="376130321109103420"), f"{B_SSCC} + AIM"),
    ("]C1(00)376130321109103420", gs1(sscc="376130321109103420"), f"{B_SSCC} + AIM"),
    ("]C100357081300469846950", gs1(sscc="357081300469846950"), f"{B_SSCC} + AIM"),
    ("]C100370595680445154697", gs1(sscc="370595680445154697"), f"{B_SSCC} + AIM"),
    ("]C100157035381410375177", gs1(sscc="157035381410375177"), f"{B_SSCC} + AIM"),
    ("]C100376130321109103421", gs1(suspect=True), f"{B_SSCC} + AIM"),  # wrong check digit
    ("376130321109103420", text("376130321109103420"), B_SSCC),  # no (00): not a label
    (
        "]C100106141412345678908" + GS + "0200614141123452" + GS + "3725",
        gs1(sscc="106141412345678908", gtin="00614141123452", count=25),
        f"{B_DL} + AIM",
    ),
    (
        "(00)106141412345678908(02)00614141123452(37)25(10)ABC123",
        gs1(sscc="106141412345678908", gtin="00614141123452", count=25, lot="ABC123"),
        B_DL,
    ),
    # -- GS1 Digital Links: any host, stem and case; behind any identifier
    ("https://id.gs1.org/01/07032069804988/10/0329?15=210526", MSG_DL, B_MSG),
    ("https://id.gs1.org/01/00614141123452", gs1(gtin="00614141123452", digital_link=True), B_DL),
    (
        "https://id.gs1.org/01/00614141123452/10/ABC123",
        gs1(gtin="00614141123452", lot="ABC123", digital_link=True),
        B_DL,
    ),
    (
        "https://id.gs1.org/01/00614141123452/22/2A/10/ABC123",
        gs1(gtin="00614141123452", lot="ABC123", digital_link=True),
        B_DL,
    ),
    (
        "https://id.gs1.org/01/614141123452/10/ABC123",
        gs1(gtin="00614141123452", lot="ABC123", digital_link=True),
        B_DL,
    ),
    (
        "https://id.gs1.org/01/00614141123452?foo=bar",
        gs1(gtin="00614141123452", digital_link=True),
        B_DL,
    ),
    (
        "https://brand.example.net/01/00614141123452",
        gs1(gtin="00614141123452", digital_link=True),
        B_DL,
    ),
    (
        "https://brand.example.net/prefix/01/00614141123452",
        gs1(gtin="00614141123452", digital_link=True),
        B_DL,
    ),
    (
        "https://example.com/foo/01/614141123452",
        gs1(gtin="00614141123452", digital_link=True),
        B_DL,
    ),
    (
        "https://example.com/01/614141123452/10/ABC123?15=250330",
        gs1(gtin="00614141123452", lot="ABC123", best_before="2025-03-30", digital_link=True),
        B_PARSE,
    ),
    (
        "https://id.gs1.org/00/106141412345678908?02=00614141123452&37=25&10=ABC123",
        gs1(
            sscc="106141412345678908",
            gtin="00614141123452",
            count=25,
            lot="ABC123",
            digital_link=True,
        ),
        B_DL,
    ),
    (
        "]Q1https://id.gs1.org/01/00614141123452",
        gs1(gtin="00614141123452", digital_link=True),
        f"{B_DL} + AIM",
    ),
    (
        "]Q3https://id.gs1.org/01/00614141123452",
        gs1(gtin="00614141123452", digital_link=True),
        f"{B_DL} + AIM",
    ),
    (
        "HTTPS://ID.GS1.ORG/01/00614141123452/10/ABC123",
        gs1(gtin="00614141123452", lot="ABC123", digital_link=True),
        f"{B_DL}, QR alphanumeric mode",
    ),
    (
        "]Q1HTTPS://ID.GS1.ORG/01/07032069804988/10/0329",
        gs1(gtin=MSG_GTIN, lot="0329", digital_link=True),
        f"{B_MSG} + AIM, QR alphanumeric mode",
    ),
    (
        "]d1https://id.gs1.org/01/07032069804988/10/0329?15=210526",
        MSG_DL,
        f"{B_MSG} + AIM",
    ),
    (
        f"https://id.gs1.org/01/{EXAMPLE}/10/ABC/21/123?17=270101",
        gs1(gtin=EXAMPLE, lot="ABC", serial="123", expires="2027-01-01", digital_link=True),
        DL,
    ),
    # a link whose path breaks the standard (qualifiers out of order) is only text
    (
        "https://id.gs1.org/01/01234567890128/21/12345XYZ/10/ABC123",
        text("https://id.gs1.org/01/01234567890128/21/12345XYZ/10/ABC123"),
        B_DL,
    ),
    ("http://example.com/foo/123", text("http://example.com/foo/123"), B_DL),
    ("mailto:alice@example.com", text("mailto:alice@example.com"), B_DL),
    # -- identifiers that are not GS1: what follows is what it is, never a lot
    ("]C0ABC-123", text("ABC-123"), f"{B_SYM} + AIM"),
    ("]C0abc", text("abc"), B_SYM),
    ("]C010-4455", text("10-4455"), "AIM"),
    ("]A010-4455", text("10-4455"), "AIM"),
    ("]C00107032069804988100329", text("0107032069804988100329"), f"{B_MSG} + AIM"),
    ("]A0CODE39", text("CODE39"), "AIM"),
    ("]Q1HELLO", text("HELLO"), "AIM"),
    ("]Y9abcdefghi", text("abcdefghi"), B_SYM),
    ("]C1abc", text("abc"), B_SYM),  # GS1-128 that is not GS1 data: read as text
    ("]C04006381333931", gtin("04006381333931"), f"{WIKI} + AIM"),
    ("]C0(01)" + EXAMPLE, gs1(gtin=EXAMPLE), GS1),
    ("10-4455", text("10-4455"), "AIM (no identifier at all)"),
    ("A-01-02", text("A-01-02"), "a bin label"),
    ("PO-1001", text("PO-1001"), "a purchase order label"),
    ("800307071324001022085952", text("800307071324001022085952"), B_MSG),  # a GRAI: no item
    # -- FNC1 substitutes, framing and stray characters
    ("0107032069804988100329<GS>15210526", MSG, f"{B_MSG} + {WEDGE}"),
    ("0107032069804988100329<gs>15210526", MSG, f"{B_MSG} + {WEDGE}"),
    ("0107032069804988100329{GS}15210526", MSG, f"{B_MSG} + {WEDGE}"),
    ("0107032069804988100329^]15210526", MSG, f"{B_MSG} + {WEDGE}"),
    ("]C10107032069804988100329<GS>15210526", MSG, f"{B_MSG} + AIM + {WEDGE}"),
    ("\x02]C10107032069804988100329" + GS + "15210526\x03", MSG, f"{B_MSG} + {WEDGE}"),
    ("\x02]E04006381333931\x03", gtin("04006381333931"), f"{WIKI} + {WEDGE}"),
    ("]E04006381333931\r", gtin("04006381333931"), f"{WIKI} + {WEDGE}"),
    ("5901234123457\x00", gtin("05901234123457"), f"{B_PARSE} + {WEDGE}"),
    # -- a lost separator: flagged, the lot kept only to be looked up
    (
        "]d2010703206980498810032915210526",
        gs1(gtin=MSG_GTIN, lot="032915210526", suspect=True),
        f"{B_MSG} + AIM",
    ),
    (
        "010703206980498810032915210526",
        gs1(gtin=MSG_GTIN, lot="032915210526", suspect=True),
        B_MSG,
    ),
    (
        "]C101" + EXAMPLE + "10A1" + "17270101",
        gs1(gtin=EXAMPLE, lot="A117270101", suspect=True),
        GS1,
    ),
    (
        "]C101" + EXAMPLE + "10LOT1" + "01" + EXAMPLE,
        gs1(gtin=EXAMPLE, lot="LOT101" + EXAMPLE, suspect=True),
        GS1,
    ),
    ("]C10109521234543214", gs1(suspect=True), GS1),  # (01) with a wrong check digit
]


def _day(epoch: int | None) -> str | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()


def read(scan: Scan) -> dict[str, Any]:
    """The fields an operator's screens use, empty ones left out."""
    fields: dict[str, Any] = {
        "kind": scan.kind.value,
        "text": scan.text if scan.kind.value == "text" else None,
        "gtin": scan.gtin,
        "lot": scan.lot,
        "expires": _day(scan.expires_at),
        "best_before": _day(scan.best_before),
        "produced": _day(scan.production_date),
        "sscc": scan.sscc,
        "count": scan.count,
        "serial": scan.serial,
        "add_on": scan.add_on,
        "alternatives": scan.alternatives or None,
        "net": scan.net_weight,
        "digital_link": bool(scan.digital_link) or None,
        "suspect": bool(scan.suspect) or None,
    }
    return {key: value for key, value in fields.items() if value is not None}


def test_the_table_holds_at_least_a_hundred_labels_each_with_a_source() -> None:
    assert len(LABELS) >= 100
    assert len({label for label, _, _ in LABELS}) == len(LABELS)
    assert all(source.strip() for _, _, source in LABELS)


@pytest.mark.parametrize(("label", "expected", "source"), LABELS, ids=[r[0] for r in LABELS])
def test_a_label_reads_as_expected(label: str, expected: dict[str, Any], source: str) -> None:
    assert read(interpret(label)) == expected, f"from {source}"
