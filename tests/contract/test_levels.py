"""Levels: deltas, resets, the layout rule, atomic updates, nothing below zero, no lost update."""

from __future__ import annotations

import asyncio

import pytest

from console.backends.protocol import Backend, adjust_levels
from console.domain.errors import Conflict, InvalidInput
from console.domain.models import Item
from console.domain.requests import LevelChange
from tests.contract.world import A1, A2, BOLT, BRACKET, C1, COLUMBUS, GLOVES, MILK, RENO, TAPE


def qty(item: Item, location_id: str, layout_id: str | None, field: str = "verified_qty") -> int:
    level = next(
        (lv for lv in item.levels if lv.location_id == location_id and lv.layout_id == layout_id),
        None,
    )
    assert level is not None, f"no level at {location_id}/{layout_id}"
    return getattr(level, field)


async def levels(backend: Backend, item_id: str, *entries: dict, key: str | None = None) -> Item:
    return await backend.update_item(item_id, {"levels": list(entries)}, idempotency_key=key)


async def test_integer_is_a_delta(backend: Backend) -> None:
    item = await levels(backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": 5})
    assert qty(item, RENO, A1) == 15
    item = await levels(backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": -15})
    assert qty(item, RENO, A1) == 0
    assert item.total_verified == 5


async def test_one_element_array_is_a_reset(backend: Backend) -> None:
    item = await levels(
        backend, BOLT, {"location_id": RENO, "layout_id": A2, "verified_qty": [100]}
    )
    assert qty(item, RENO, A2) == 100
    assert item.total_verified == 110
    item = await levels(backend, BOLT, {"location_id": RENO, "layout_id": A2, "damaged_qty": [0]})
    assert qty(item, RENO, A2, "damaged_qty") == 0


async def test_every_quantity_and_the_totals(backend: Backend) -> None:
    item = await levels(
        backend,
        MILK,
        {
            "location_id": RENO,
            "layout_id": None,
            "verified_qty": -2,
            "damaged_qty": 2,
            "manifested_qty": 7,
            "reserved_qty": 1,
        },
    )
    assert (
        item.total_verified,
        item.total_damaged,
        item.total_manifested,
        item.total_reserved,
    ) == (
        18,
        2,
        7,
        1,
    )


async def test_omitted_layout_goes_to_the_items_bin_at_that_location(backend: Backend) -> None:
    item = await levels(backend, GLOVES, {"location_id": COLUMBUS, "verified_qty": 3})
    assert qty(item, COLUMBUS, C1) == 103
    assert len(item.levels) == 1


async def test_null_layout_means_the_level_without_a_bin(backend: Backend) -> None:
    item = await levels(
        backend, GLOVES, {"location_id": COLUMBUS, "layout_id": None, "verified_qty": 4}
    )
    assert qty(item, COLUMBUS, C1) == 100
    assert qty(item, COLUMBUS, None) == 4
    assert item.total_verified == 104


async def test_omitted_layout_without_bins_uses_the_no_bin_level(backend: Backend) -> None:
    item = await levels(backend, MILK, {"location_id": RENO, "verified_qty": 1})
    assert qty(item, RENO, None) == 21


async def test_omitted_layout_with_several_bins_is_refused(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput, match="several bins") as refused:
        await levels(backend, BOLT, {"location_id": RENO, "verified_qty": 1})
    assert refused.value.errors[0].field == "levels.0.layout_id"
    await check()


async def test_a_new_bin_gets_a_new_level(backend: Backend) -> None:
    item = await levels(
        backend, TAPE, {"location_id": RENO, "layout_id": BRACKET, "verified_qty": 9}
    )
    (level,) = item.levels
    assert level.id.startswith("lvl_")
    assert (level.layout_id, level.layout_name, level.verified_qty) == (BRACKET, "Shelf [A1]", 9)
    found = await backend.get_item(TAPE)
    assert found.total_verified == 9


async def test_transfer_between_bins_is_one_atomic_update(backend: Backend) -> None:
    item = await adjust_levels(
        backend,
        BOLT,
        [
            LevelChange(location_id=RENO, layout_id=A1, verified_qty=-4),
            LevelChange(location_id=RENO, layout_id=A2, verified_qty=4),
        ],
    )
    assert (qty(item, RENO, A1), qty(item, RENO, A2), item.total_verified) == (6, 9, 15)


async def test_mark_damaged_is_one_update(backend: Backend) -> None:
    item = await levels(
        backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": -2, "damaged_qty": 2}
    )
    assert (qty(item, RENO, A1), qty(item, RENO, A1, "damaged_qty")) == (8, 2)


async def test_below_zero_is_refused_and_nothing_changes(backend: Backend, unchanged) -> None:
    check = await unchanged()
    with pytest.raises(Conflict, match="below zero") as refused:
        await levels(backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": -11})
    assert "A-01-01" in refused.value.message
    # a transfer whose second half fails leaves the first half unapplied too
    with pytest.raises(Conflict):
        await levels(
            backend,
            BOLT,
            {"location_id": RENO, "layout_id": A2, "verified_qty": 3},
            {"location_id": RENO, "layout_id": A1, "verified_qty": -13},
        )
    await check()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"location_id": RENO, "layout_id": A1, "verified_qty": "5"}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": 2.5}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": True}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": []}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": [5, 6]}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": [-1]}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": 10**30}, "levels.0.verified_qty"),
        ({"location_id": RENO, "layout_id": A1}, "levels.0"),
        ({"location_id": "loc_nowhere", "verified_qty": 1}, "levels.0.location_id"),
        ({"location_id": RENO, "layout_id": C1, "verified_qty": 1}, "levels.0.layout_id"),
        ({"layout_id": A1, "verified_qty": 1}, "levels.0.location_id"),
        ({"location_id": RENO, "layout_id": A1, "verified_qty": 1, "bin": "x"}, "levels.0.bin"),
    ],
)
async def test_bad_level_input_is_refused_and_nothing_changes(
    backend: Backend, unchanged, entry: dict, field: str
) -> None:
    check = await unchanged()
    with pytest.raises(InvalidInput) as refused:
        await levels(
            backend, BOLT, {"location_id": RENO, "layout_id": A2, "verified_qty": 1}, entry
        )
    assert field.replace("levels.0", "levels.1") in {e.field for e in refused.value.errors}
    await check()


async def test_concurrent_adjustments_lose_nothing(backend: Backend) -> None:
    async def plus_one() -> None:
        await levels(backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": 1})

    await asyncio.gather(*(plus_one() for _ in range(40)))
    item = await backend.get_item(BOLT)
    assert qty(item, RENO, A1) == 50


async def test_same_idempotency_key_applies_once(backend: Backend) -> None:
    entry = {"location_id": RENO, "layout_id": A1, "verified_qty": 3}
    first = await levels(backend, BOLT, entry, key="adj-1")
    second = await levels(backend, BOLT, entry, key="adj-1")
    assert qty(first, RENO, A1) == qty(second, RENO, A1) == 13
    assert qty(await backend.get_item(BOLT), RENO, A1) == 13
    third = await levels(backend, BOLT, entry, key="adj-2")
    assert qty(third, RENO, A1) == 16


async def test_idempotency_key_reused_for_another_change_is_refused(
    backend: Backend, unchanged
) -> None:
    await levels(backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": 3}, key="k")
    check = await unchanged()
    with pytest.raises(Conflict, match="Idempotency-Key"):
        await levels(
            backend, BOLT, {"location_id": RENO, "layout_id": A1, "verified_qty": 4}, key="k"
        )
    await check()
