"""The item form's rules: what an operator types is checked before anything is sent."""

from __future__ import annotations

import pytest

from console.domain.errors import InvalidInput
from console.domain.items import gtin_problem, item_form_values
from console.domain.models import Dimensions, Item

GS = "\x1d"


def test_a_new_item_sends_what_was_filled_in_as_the_wire_wants_it() -> None:
    body = item_form_values(
        {
            "name": "  Hex Bolt   M8 ",
            "sku": "HB-8",
            "gtin": "4006381333931",
            "value": "12.5",
            "packed_length": "4",
            "packed_width": "",
            "packed_height": "1.25",
            "packed_weight": "0.5",
        }
    )
    assert body == {
        "name": "Hex Bolt M8",
        "sku": "HB-8",
        "gtin": "4006381333931",
        "value": 1250,
        "packaged_dimensions": {"length": 4.0, "height": 1.25, "weight": 0.5},
    }


@pytest.mark.parametrize(
    ("typed", "gtin"),
    [
        ("4006381333931", "4006381333931"),
        ("4006 3813 3393 1", "4006381333931"),  # as printed under the bars
        (f"]C10104006381333931{GS}10L-1", "4006381333931"),  # a case label scanned into it
        ("https://id.gs1.org/01/04006381333931", "4006381333931"),
    ],
)
def test_a_gtin_is_read_as_printed_or_scanned(typed: str, gtin: str) -> None:
    assert item_form_values({"name": "Bolt", "gtin": typed})["gtin"] == gtin


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"name": " "}, "name", "needs a name"),
        ({"name": "x", "gtin": "4006381333932"}, "gtin", "check digit should be 1"),
        ({"name": "x", "gtin": "40063813339"}, "gtin", "11 digits"),
        ({"name": "x", "gtin": "4OO6381333931"}, "gtin", "only digits"),
        ({"name": "x", "value": "12.505"}, "value", "in cents"),
        ({"name": "x", "value": "-1"}, "value", "in cents"),
        ({"name": "x", "value": "twelve"}, "value", "not an amount"),
        ({"name": "x", "packed_weight": "0"}, "packed_weight", "not a size"),
        ({"name": "x", "packed_length": "inf"}, "packed_length", "not a size"),
        ({"name": "x", "packed_length": "4in"}, "packed_length", "not a number of inches"),
    ],
)
def test_what_no_backend_should_take_is_refused_naming_the_field(
    form: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        item_form_values(form)
    assert refused.value.errors[0].field == field
    assert words in refused.value.message


def test_an_edit_sends_only_what_changed_and_an_emptied_field_clears_it() -> None:
    item = Item(
        id="i",
        name="Bolt",
        sku="B-1",
        gtin="4006381333931",
        value=1250,
        packaged_dimensions=Dimensions(length=4, width=2, height=1, weight=0.5),
    )
    same = {
        "name": "Bolt",
        "sku": "B-1",
        "gtin": "4006381333931",
        "value": "12.50",
        "packed_length": "4",
        "packed_width": "2",
        "packed_height": "1",
        "packed_weight": "0.5",
    }
    assert item_form_values(same, item) == {}
    changed = item_form_values(same | {"sku": "", "packed_weight": "0.75"}, item)
    assert changed == {
        "sku": None,
        "packaged_dimensions": {"length": 4.0, "width": 2.0, "height": 1.0, "weight": 0.75},
    }


def test_gtin_problem_says_nothing_of_a_good_gtin() -> None:
    assert gtin_problem("036000291452") is None
    assert gtin_problem("96385074") is None


def test_a_gtin_is_shown_as_printed_under_the_bars() -> None:
    from console.domain.gtin import shortest_gtin

    assert shortest_gtin("05012345678900") == "5012345678900"  # EAN-13
    assert shortest_gtin("00036000291452") == "036000291452"  # UPC-A
    assert shortest_gtin("00000096385074") == "96385074"  # GTIN-8
    assert shortest_gtin("14006381333938") == "14006381333938"  # a case's GTIN-14
