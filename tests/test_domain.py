"""Domain rules on their own: tolerant reading, strict writing, level arithmetic, FEFO, GTINs."""

from __future__ import annotations

import pytest

from console.domain.errors import Conflict, InvalidInput
from console.domain.fulfillments import check_transition as fulfillment_transition
from console.domain.gtin import gtin14, with_check_digit
from console.domain.levels import apply_level_changes, inverse, level_label, totals
from console.domain.lots import fefo, lots_to_take
from console.domain.manifests import check_transition as manifest_transition
from console.domain.models import (
    Envelope,
    FulfillmentStatus,
    Item,
    Layout,
    Level,
    Location,
    Lot,
    ManifestStatus,
)
from console.domain.queries import ItemQuery, LotQuery
from console.domain.requests import LevelChange, parse_request

RENO = Location(
    id="loc_r",
    name="Reno DC",
    layouts=[Layout(id="lay_1", name="A-01"), Layout(id="lay_2", name="A-02")],
)
LOCATIONS = {RENO.id: RENO}


def change(**fields: object) -> LevelChange:
    return parse_request(LevelChange, {"location_id": "loc_r", **fields})


def ids() -> object:
    counter = iter(range(1, 100))
    return lambda: f"lvl_new{next(counter)}"


# -- reading is tolerant ---------------------------------------------------------------------


def test_timestamps_in_milliseconds_are_read_as_seconds() -> None:
    lot = Lot.model_validate(
        {"id": "lot_1", "item_id": "i", "location_id": "l", "expires_at": 1767225600000}
    )
    assert lot.expires_at == 1767225600


@pytest.mark.parametrize("raw", [1767225600, 1767225600.7, "1767225600", 1767225600000])
def test_timestamp_forms(raw: object) -> None:
    assert (
        Lot.model_validate(
            {"id": "l", "item_id": "i", "location_id": "x", "expires_at": raw}
        ).expires_at
        == 1767225600
    )


def test_unknown_fields_are_kept_and_null_quantities_read_as_zero() -> None:
    item = Item.model_validate(
        {
            "id": "item_1",
            "name": "X",
            "brand_new_field": {"a": 1},
            "total_verified": None,
            "levels": [
                {"id": "lvl_1", "location_id": "l", "verified_qty": None, "bin_color": "red"}
            ],
        }
    )
    assert item.model_dump()["brand_new_field"] == {"a": 1}
    assert item.levels[0].model_dump()["bin_color"] == "red"
    assert item.total_verified == 0 and item.levels[0].verified_qty == 0


def test_search_fields_use_the_wire_names() -> None:
    item = Item.model_validate(
        {"id": "i", "name": "Bolt", "_search": {"name": "<mark>Bolt</mark>"}, "_score": 0.9}
    )
    assert item.search_highlights == {"name": "<mark>Bolt</mark>"}
    assert item.model_dump(by_alias=True)["_score"] == 0.9


def test_envelope_with_a_list() -> None:
    env = Envelope.model_validate(
        {
            "message": "ok",
            "data": [],
            "status": 200,
            "errors": [],
            "code": "ok",
            "pagination": {"page": 1, "limit": 25, "has_more": False, "total_count": 0},
            "endpoint": "items",
        }
    )
    assert env.data == [] and env.pagination is not None and env.pagination.total_count == 0


# -- writing is strict -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("5", "integer delta"),
        (5.0, "integer delta"),
        (True, "integer delta"),
        ([], "exactly one"),
        ([1, 2], "exactly one"),
        ([-1], "below zero"),
        (["3"], "whole number"),
        (10**12, "too large"),
    ],
)
def test_bad_quantities_name_the_field_and_say_why(value: object, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        change(layout_id="lay_1", verified_qty=value)
    (error,) = refused.value.errors
    assert error.field == "verified_qty"
    assert words in error.message


def test_omitted_layout_differs_from_null_layout() -> None:
    assert not change(verified_qty=1).names_layout
    assert change(layout_id=None, verified_qty=1).names_layout
    assert change(layout_id=None, verified_qty=1).wire() == {
        "location_id": "loc_r",
        "layout_id": None,
        "verified_qty": 1,
    }
    assert change(verified_qty=[4]).wire() == {"location_id": "loc_r", "verified_qty": [4]}


def test_query_strings_are_parsed_and_checked() -> None:
    query = LotQuery.parse(
        {"statuses": "available,expired", "limit": "50", "expires_before": "1700000000"}
    )
    assert (query.statuses, query.limit, query.expires_before) == (
        ["available", "expired"],
        50,
        1700000000,
    )
    assert query.params()["statuses"] == "available,expired"
    with pytest.raises(InvalidInput, match="limit"):
        ItemQuery.parse({"limit": "1000"})
    with pytest.raises(InvalidInput, match="colour"):
        ItemQuery.parse({"colour": "red"})


# -- level arithmetic ------------------------------------------------------------------------


def levels() -> list[Level]:
    return [
        Level(
            id="lvl_a", location_id="loc_r", layout_id="lay_1", layout_name="A-01", verified_qty=10
        ),
        Level(
            id="lvl_b", location_id="loc_r", layout_id="lay_2", layout_name="A-02", verified_qty=5
        ),
    ]


def test_deltas_resets_and_originals_untouched() -> None:
    before = levels()
    after = apply_level_changes(
        before,
        [
            change(layout_id="lay_1", verified_qty=-4),
            change(layout_id="lay_2", verified_qty=[7], damaged_qty=1),
        ],
        LOCATIONS,
        ids(),
        now=100,
    )
    assert [(lv.verified_qty, lv.damaged_qty) for lv in after] == [(6, 0), (7, 1)]
    assert [lv.verified_qty for lv in before] == [10, 5]


def test_entries_on_one_level_add_up_before_the_zero_check() -> None:
    after = apply_level_changes(
        levels(),
        [change(layout_id="lay_1", verified_qty=-12), change(layout_id="lay_1", verified_qty=3)],
        LOCATIONS,
        ids(),
        now=1,
    )
    assert after[0].verified_qty == 1


def test_below_zero_names_the_level_and_the_numbers() -> None:
    with pytest.raises(Conflict) as refused:
        apply_level_changes(
            levels(), [change(layout_id="lay_2", verified_qty=-6)], LOCATIONS, ids(), now=1
        )
    assert "Reno DC / A-02" in refused.value.message
    assert "would be -1" in refused.value.message and "it is 5" in refused.value.message


def test_new_level_without_a_bin() -> None:
    after = apply_level_changes(
        levels(), [change(layout_id=None, verified_qty=2)], LOCATIONS, ids(), now=5
    )
    assert (after[-1].id, after[-1].layout_id, after[-1].verified_qty, after[-1].created_at) == (
        "lvl_new1",
        None,
        2,
        5,
    )
    assert level_label(after[-1], LOCATIONS) == "Reno DC / no bin"


def test_totals_and_inverse() -> None:
    assert totals(levels()) == {
        "total_verified": 15, "total_damaged": 0, "total_manifested": 0, "total_reserved": 0,
    }  # fmt: skip
    undo = inverse(change(layout_id="lay_1", verified_qty=-2, damaged_qty=2))
    assert (undo.verified_qty, undo.damaged_qty, undo.layout_id, undo.names_layout) == (
        2,
        -2,
        "lay_1",
        True,
    )
    with pytest.raises(InvalidInput):
        inverse(change(layout_id="lay_1", verified_qty=[3]))


# -- status machines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("created", "picked"),
        ("created", "completed"),
        ("picked", "completed"),
        ("completed", "canceled"),
        ("canceled", "created"),
    ],
)
def test_fulfillment_transitions_refused(current: str, target: str) -> None:
    with pytest.raises(Conflict, match="cannot become"):
        fulfillment_transition(FulfillmentStatus(current), FulfillmentStatus(target))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("requested", "processing"),
        ("requested", "completed"),
        ("completed", "void"),
        ("void", "accepted"),
    ],
)
def test_manifest_transitions_refused(current: str, target: str) -> None:
    with pytest.raises(Conflict, match="cannot become"):
        manifest_transition(ManifestStatus(current), ManifestStatus(target))


# -- FEFO and GTINs --------------------------------------------------------------------------


def lot(lot_id: str, expires: int | None, **fields: object) -> Lot:
    return Lot(
        id=lot_id,
        number=lot_id.upper(),
        item_id="i",
        location_id="l",
        expires_at=expires,
        **({"available_qty": 5, "total_qty": 5} | fields),
    )


def test_fefo_puts_earliest_expiry_first_and_undated_last() -> None:
    lots = [lot("c", None), lot("b", 300), lot("a", 200), lot("d", 100)]
    assert [x.id for x in fefo(lots)] == ["d", "a", "b", "c"]


def test_the_lot_to_take_first_skips_expired_empty_and_blocked_lots() -> None:
    lots = [
        lot("expired", 50),
        lot("blocked", 150, status="quarantined"),
        lot("empty", 160, available_qty=0),
        lot("good", 170),
        lot("later", 500),
    ]

    def first(lots: list[Lot]) -> Lot | None:
        taking = lots_to_take(lots, [], 1, lambda x: x.available_qty, now=100)
        return taking[0][0] if taking else None

    found = first(lots)
    assert found is not None and found.id == "good"
    assert first([lot("old", 10)]) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("4006381333931", "04006381333931"),
        ("04006381333931", "04006381333931"),
        ("036000291452", "00036000291452"),
        ("12345670", "00000012345670"),
        ("4006381333932", None),
        ("40063813339", None),
        ("ABC", None),
        ("", None),
    ],
)
def test_gtin14(code: str, expected: str | None) -> None:
    assert gtin14(code) == expected


def test_check_digit() -> None:
    assert with_check_digit("400638133393") == "4006381333931"


def test_check_digits_agree_with_biip() -> None:
    import random

    from biip.gtin import Gtin

    rng = random.Random(5)
    for length in (8, 12, 13, 14):
        for _ in range(300):
            payload = "".join(rng.choice("0123456789") for _ in range(length - 1))
            code = with_check_digit(payload)
            assert Gtin.parse(code).as_gtin_14() == gtin14(code)
            wrong = payload + str((int(code[-1]) + 1) % 10)
            assert gtin14(wrong) is None


# --------------------------------------------------------------------------- lots as read


def test_time_left_and_urgency_read_without_colour() -> None:
    from console.domain.lots import DAY, Urgency, time_left, urgency

    now = 1_790_000_000
    assert time_left(now + 12 * DAY + 5, now=now) == "in 12 d"
    assert time_left(now + 3600, now=now) == "expires today"
    assert time_left(now, now=now) == "expired today"  # a time of day: it ended just now
    today = now - now % DAY  # an expiry date, as labels give it: the last day to use it
    assert time_left(today, now=now) == "expires today"
    assert time_left(today, now=now, short=True) == "today"
    assert urgency(today, now=now, soon_days=30) is Urgency.SOON
    assert time_left(today - DAY, now=now) == "expired 1 d ago"
    assert urgency(today - DAY, now=now, soon_days=30) is Urgency.EXPIRED
    assert time_left(now - 3 * DAY - 1, now=now) == "expired 3 d ago"
    assert time_left(now - 3 * DAY - 1, now=now, short=True) == "3 d ago"
    assert time_left(None, now=now) == ""
    assert urgency(now - 1, now=now, soon_days=30) is Urgency.EXPIRED
    assert urgency(now + 30 * DAY, now=now, soon_days=30) is Urgency.SOON
    assert urgency(now + 31 * DAY, now=now, soon_days=30) is Urgency.LATER
    assert urgency(None, now=now, soon_days=30) is Urgency.NO_EXPIRY
    assert [u.marker for u in Urgency] == ["✖", "!", "", ""]


def test_lot_filter_becomes_a_query_any_backend_answers() -> None:
    from console.domain.lots import DAY, ExpiryFilter, LotFilter

    now = 1_790_000_000
    expired = LotFilter(expiry=ExpiryFilter.EXPIRED).query("loc", now=now, soon_days=7, limit=5)
    today = now - now % DAY
    # dated before today: expired; dated today or later (to the window's end): not yet
    assert (expired.expires_before, expired.expires_after) == (today, None)
    soon = LotFilter(expiry=ExpiryFilter.SOON, status="available", search="L-1")
    query = soon.query("loc", now=now, soon_days=7, limit=5)
    assert (query.expires_after, query.expires_before) == (today - 1, now + 7 * DAY + 1)
    assert (query.statuses, query.search, query.location_id) == (["available"], "L-1", "loc")
    assert soon.describe(7) == "available, expiring within 7 d, number has “L-1”"


def test_lot_form_is_checked_before_sending() -> None:
    from console.domain.lots import lot_form_values, parse_day
    from console.domain.models import Lot

    assert parse_day("2027-03-31", "expires_at") == 1_806_451_200
    new = lot_form_values({"number": " L-9 ", "total_qty": "12", "expires_at": "2027-03-31"})
    assert new == {"number": "L-9", "total_qty": 12, "expires_at": 1_806_451_200}
    for form, field in (
        ({"number": "L", "total_qty": "5x"}, "total_qty"),
        ({"number": "L", "total_qty": "-3"}, "total_qty"),
        ({"number": "L", "total_qty": "1" * 30}, "total_qty"),
        ({"number": "L", "expires_at": "31/12/2027"}, "expires_at"),
        ({"number": "L", "status": "lost"}, "status"),
        ({"number": ""}, "number"),
        ({"number": "L", "total_qty": "2", "available_qty": "3"}, "total_qty"),
    ):
        with pytest.raises(InvalidInput) as refused:
            lot_form_values(form)
        assert refused.value.errors[0].field == field, form
    lot = Lot(
        id="lot_1", number="L-1", item_id="i", location_id="l", expires_at=1_806_451_200 + 999
    )
    same = {"number": "L-1", "expires_at": "2027-03-31", "total_qty": "0"}
    assert lot_form_values(same, lot) == {}, "a day shown as it was keeps its time of day"
    assert lot_form_values(same | {"total_qty": "4"}, lot) == {"total_qty": 4}
