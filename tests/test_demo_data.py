"""The demo warehouse generator: deterministic, believable, and consistent with the inventory rules."""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from console.backends.memory.catalogue import catalogue
from console.backends.memory.demo import LINES_FROM, DemoData, generate_demo, today_midnight_utc
from console.domain.gtin import gtin14, with_check_digit
from console.domain.models import (
    LEVEL_QUANTITIES,
    OPEN_FULFILLMENT_STATUSES,
    Fulfillment,
    FulfillmentStatus,
    Item,
    Location,
    Lot,
    Manifest,
    ManifestStatus,
)

NOW = 1_790_000_000  # a fixed "now", so nothing depends on the day the tests run
DAY = 86_400
SIZE = 300


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(items=SIZE, seed=7, now=NOW)


def dump(data: DemoData) -> dict[str, list[dict]]:
    return {
        name: [obj.model_dump(by_alias=True) for obj in getattr(data, name)]
        for name in ("locations", "items", "lots", "manifests", "fulfillments")
    }


def all_models(data: DemoData) -> Iterator[BaseModel]:
    """Every model object in the data, nested ones included."""

    def walk(obj: object) -> Iterator[BaseModel]:
        if isinstance(obj, BaseModel):
            yield obj
            for name in type(obj).model_fields:
                yield from walk(getattr(obj, name))
        elif isinstance(obj, list):
            for element in obj:
                yield from walk(element)

    for name in ("locations", "items", "lots", "manifests", "fulfillments"):
        yield from walk(getattr(data, name))


def layouts_by_location(data: DemoData) -> dict[str, dict[str, str]]:
    return {loc.id: {lay.id: lay.name for lay in loc.layouts} for loc in data.locations}


# -- determinism and size ------------------------------------------------------------------------


def test_same_arguments_give_identical_data(demo: DemoData) -> None:
    again = generate_demo(items=SIZE, seed=7, now=NOW)
    assert dump(again) == dump(demo)


def test_a_different_seed_gives_different_data(demo: DemoData) -> None:
    other = generate_demo(items=SIZE, seed=8, now=NOW)
    assert [i.name for i in other.items] != [i.name for i in demo.items]
    assert dump(other) != dump(demo)


def test_timestamps_follow_now(demo: DemoData) -> None:
    later = generate_demo(items=SIZE, seed=7, now=NOW + 10 * DAY)
    assert later.items[0].created_at == demo.items[0].created_at + 10 * DAY
    for before, after in zip(demo.lots, later.lots, strict=True):
        if before.expires_at is not None:
            assert after.expires_at == before.expires_at + 10 * DAY


def test_now_defaults_to_todays_midnight_utc() -> None:
    before = today_midnight_utc()
    data = generate_demo(items=40)
    if today_midnight_utc() != before:  # the day turned while we ran
        pytest.skip("midnight passed during the test")
    assert before % DAY == 0
    assert dump(data) == dump(generate_demo(items=40, now=before))


@pytest.mark.parametrize("size", [0, 1, 37, SIZE])
def test_size_is_honoured(size: int) -> None:
    data = generate_demo(items=size, now=NOW)
    assert len(data.items) == size
    assert 3 <= len(data.locations) <= 4


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="items"):
        generate_demo(items=-1)


# -- identity ------------------------------------------------------------------------------------


def test_ids_are_unique_and_prefixed(demo: DemoData) -> None:
    ids = Counter[str]()
    prefixes = {
        "loc_": [loc.id for loc in demo.locations],
        "lay_": [lay.id for loc in demo.locations for lay in loc.layouts],
        "item_": [item.id for item in demo.items],
        "lvl_": [lvl.id for item in demo.items for lvl in item.levels],
        "lot_": [lot.id for lot in demo.lots],
        "mfst_": [m.id for m in demo.manifests],
        "ful_": [f.id for f in demo.fulfillments],
        "prcl_": [p.id for f in demo.fulfillments for p in f.parcels],
    }
    for prefix, values in prefixes.items():
        assert values, f"no {prefix} ids at all"
        for value in values:
            assert re.fullmatch(rf"{prefix}[0-9a-z]+", value), value
        ids.update(values)
    assert [i for i, n in ids.items() if n > 1] == []


def test_names_skus_and_gtins_are_unique(demo: DemoData) -> None:
    names = [item.name for item in demo.items]
    skus = [item.sku for item in demo.items]
    gtins = [item.gtin for item in demo.items if item.gtin]
    assert len(set(names)) == len(names)
    assert len(set(skus)) == len(skus) and all(skus)
    assert len(set(gtins)) == len(gtins)
    assert len(gtins) >= 0.9 * len(demo.items)  # a small share has no GTIN


def test_uniqueness_holds_for_a_large_catalogue() -> None:
    items = generate_demo(items=6000, seed=3, now=NOW).items
    for field in ("name", "sku", "gtin"):
        values = [getattr(item, field) for item in items if getattr(item, field)]
        assert len(set(values)) == len(values), field


def name_words(items: list[Item]) -> set[str]:
    return {w for item in items for w in re.findall(r"[^\W\d_]+", item.name.casefold())}


def test_a_distributors_catalogue_speaks_as_many_words_as_real_ones() -> None:
    """Past a shop's size, brands' product lines join the names, their number growing with the
    root of the catalogue: 40,000 items speak thousands of distinct words, the same ones
    for the same seed, and every name, SKU and GTIN is still one item's."""
    shop = generate_demo(items=LINES_FROM - 1, seed=3, now=NOW).items
    distributor = generate_demo(items=4 * LINES_FROM, seed=3, now=NOW).items
    assert len(name_words(shop)) < 1500
    assert len(name_words(distributor)) > 3000
    for field in ("name", "sku", "gtin"):
        values = [getattr(item, field) for item in distributor if getattr(item, field)]
        assert len(set(values)) == len(values), field
    again = generate_demo(items=4 * LINES_FROM, seed=3, now=NOW).items
    assert [item.name for item in again] == [item.name for item in distributor]


def test_every_gtin_is_a_valid_gtin13(demo: DemoData) -> None:
    for item in demo.items:
        if item.gtin is not None:
            assert len(item.gtin) == 13 and item.gtin.isdigit(), item.gtin
            assert gtin14(item.gtin) is not None, item.gtin
            assert with_check_digit(item.gtin[:12]) == item.gtin


def test_names_are_clean(demo: DemoData) -> None:
    labels = [item.name for item in demo.items] + [
        lay.name for loc in demo.locations for lay in loc.layouts
    ]
    for label in labels:
        assert label == label.strip() and "  " not in label, repr(label)
        assert "[" not in label and "]" not in label, label  # no markup-looking names here


def test_items_look_like_a_catalogue(demo: DemoData) -> None:
    categories = {item.categories[0] for item in demo.items}
    assert categories == {c.name for c in catalogue()}
    for item in demo.items:
        assert item.description and item.currency == "USD"
        assert item.value is not None and item.value > 0
        assert item.dimensions is not None and item.packaged_dimensions is not None
        assert item.packaged_dimensions.weight > item.dimensions.weight
        assert item.attributes and item.country_of_origin
        assert item.created_at <= item.updated_at <= NOW
    searchable = [item for item in demo.items if item.metadata.get("_search")]
    assert 0.1 * len(demo.items) < len(searchable) < 0.7 * len(demo.items)
    assert all(isinstance(item.metadata["_search"], str) for item in searchable)


# -- locations -----------------------------------------------------------------------------------


def test_locations_have_named_bins_in_walking_order(demo: DemoData) -> None:
    for loc in demo.locations:
        assert loc.name and loc.address is not None and loc.address.city
        assert 40 <= len(loc.layouts) <= 200
        paths = [lay.path for lay in loc.layouts]
        assert paths == sorted(paths)  # listed in walking order
        for lay in loc.layouts:
            assert re.fullmatch(r"[A-Z]-\d\d-\d\d|CAGE-\d\d", lay.name), lay.name
            if lay.name.startswith("CAGE"):
                assert lay.path == "Z/CAGE/" + lay.name[-2:]
            else:
                assert lay.path == lay.name.replace("-", "/")


def test_bins_scale_with_the_catalogue_but_stay_bounded() -> None:
    small = generate_demo(items=50, now=NOW)
    large = generate_demo(items=5000, now=NOW)
    small_bins = sum(len(loc.layouts) for loc in small.locations)
    large_bins = sum(len(loc.layouts) for loc in large.locations)
    assert small_bins < large_bins <= 200 * len(large.locations)


# -- levels --------------------------------------------------------------------------------------


def test_levels_reference_real_locations_and_bins(demo: DemoData) -> None:
    layouts = layouts_by_location(demo)
    no_bin = 0
    for item in demo.items:
        assert item.levels
        keys = [(lvl.location_id, lvl.layout_id) for lvl in item.levels]
        assert len(set(keys)) == len(keys), item.id  # one level per (location, bin)
        for lvl in item.levels:
            assert lvl.location_id in layouts
            if lvl.layout_id is None:
                assert lvl.layout_name is None
                no_bin += 1
            else:
                assert layouts[lvl.location_id].get(lvl.layout_id) == lvl.layout_name
    assert no_bin > 0


def test_item_totals_equal_level_sums(demo: DemoData) -> None:
    for item in demo.items:
        for field in LEVEL_QUANTITIES:
            total = getattr(item, "total_" + field.removesuffix("_qty"))
            assert total == sum(getattr(lvl, field) for lvl in item.levels), (item.id, field)


def test_quantities_are_realistic(demo: DemoData) -> None:
    levels = [lvl for item in demo.items for lvl in item.levels]
    assert all(lvl.verified_qty <= 500 for lvl in levels)
    assert any(lvl.verified_qty == 0 for lvl in levels)
    assert any(lvl.damaged_qty > 0 for lvl in levels)
    assert any(len({lvl.location_id for lvl in item.levels}) > 1 for item in demo.items)


def test_no_quantity_is_negative(demo: DemoData) -> None:
    for model in all_models(demo):
        for name, value in model:
            if name.endswith("_qty") or name == "qty" or name.startswith("total_"):
                assert value >= 0, (type(model).__name__, name, value)


# -- lots ----------------------------------------------------------------------------------------


def test_lots_belong_to_lot_tracked_items_where_they_have_stock(demo: DemoData) -> None:
    items = {item.id: item for item in demo.items}
    layouts = layouts_by_location(demo)
    lot_categories = {"Food & Beverage", "Health & Pharmacy", "Cleaning & Janitorial"}
    per_item = Counter(lot.item_id for lot in demo.lots)
    for lot in demo.lots:
        item = items[lot.item_id]
        assert item.categories[0] in lot_categories
        assert lot.location_id in layouts
        assert lot.layout_id is None or lot.layout_id in layouts[lot.location_id]
        levels = {(lvl.location_id, lvl.layout_id) for lvl in item.levels}
        assert (lot.location_id, lot.layout_id) in levels
        assert lot.status in {"available", "quarantined", "expired", "recalled", "consumed"}
    assert all(1 <= n <= 3 for n in per_item.values())
    tracked_food = [i for i in demo.items if i.categories[0] == "Food & Beverage"]
    assert all(i.id in per_item for i in tracked_food)


def test_lot_quantities_are_consistent(demo: DemoData) -> None:
    for lot in demo.lots:
        assert lot.available_qty + lot.defective_qty + lot.reserved_qty <= lot.total_qty, lot.id
        if lot.status != "available":
            assert lot.available_qty == 0 and lot.reserved_qty == 0


def test_lots_do_not_hold_more_than_their_level(demo: DemoData) -> None:
    stock = {
        (item.id, lvl.location_id, lvl.layout_id): lvl.verified_qty
        + lvl.damaged_qty
        + lvl.reserved_qty
        for item in demo.items
        for lvl in item.levels
    }
    held: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for lot in demo.lots:
        held[(lot.item_id, lot.location_id, lot.layout_id)] += lot.total_qty
    for key, total in held.items():
        assert total <= stock[key], key


def test_expiry_is_spread_from_expired_to_years_out(demo: DemoData) -> None:
    expiries = [lot.expires_at for lot in demo.lots if lot.expires_at is not None]
    assert any(e < NOW for e in expiries)
    assert any(e > NOW + 365 * DAY for e in expiries)
    assert all(NOW - 61 * DAY <= e <= NOW + 731 * DAY for e in expiries)
    assert any(lot.expires_at is None for lot in demo.lots)
    statuses = Counter(lot.status for lot in demo.lots)
    assert statuses["available"] > len(demo.lots) / 2
    assert statuses["expired"] and statuses["quarantined"]


def test_traceability_fields_and_digital_links(demo: DemoData) -> None:
    items = {item.id: item for item in demo.items}
    linked = [lot for lot in demo.lots if lot.digital_link]
    assert linked and any(lot.production_date for lot in demo.lots)
    assert any(lot.manufacturer_number for lot in demo.lots)
    for lot in linked:
        item = items[lot.item_id]
        expected = f"https://id.example.com/01/{gtin14(item.gtin)}/10/{lot.number}"
        assert lot.digital_link.split("?")[0] == expected
        if lot.expires_at is not None:
            assert re.search(r"\?17=\d{6}$", lot.digital_link)
    numbers = [lot.number for lot in demo.lots]
    assert all(numbers) and len(set(numbers)) == len(numbers)


# -- fulfillments --------------------------------------------------------------------------------


def test_fulfillments_cover_every_status_and_location(demo: DemoData) -> None:
    assert len(demo.fulfillments) >= 8
    assert {f.status for f in demo.fulfillments} == set(FulfillmentStatus)
    per_location = Counter(f.location_id for f in demo.fulfillments)
    assert all(per_location[loc.id] >= 2 for loc in demo.locations)
    numbers = [f.order_number for f in demo.fulfillments]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"SO-\d{6}", n) for n in numbers)


def test_fulfillment_lines(demo: DemoData) -> None:
    items = {item.id for item in demo.items}
    for ful in demo.fulfillments:
        assert 1 <= len(ful.inventory) <= 6
        ids = [line.item_id for line in ful.inventory]
        assert len(set(ids)) == len(ids) and set(ids) <= items
        assert ful.recipient is not None and ful.recipient.address is not None
        assert ful.complete_at is not None
        for line in ful.inventory:
            assert line.qty >= 1
            assert line.packed_qty <= line.picked_qty <= line.qty
        if ful.status in OPEN_FULFILLMENT_STATUSES:
            assert ful.complete_at > NOW - DAY  # overdue by hours at most
            for line in ful.inventory:
                assert sum(a.qty for a in line.allocations) == line.qty
        else:
            assert ful.complete_at < NOW
            assert all(not line.allocations for line in ful.inventory)
        if ful.status == FulfillmentStatus.CANCELED:
            assert ful.cancel_reason


def test_open_fulfillments_reserved_exactly_their_allocations(demo: DemoData) -> None:
    allocated: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for ful in demo.fulfillments:
        if ful.status in OPEN_FULFILLMENT_STATUSES:
            for line in ful.inventory:
                for alloc in line.allocations:
                    allocated[(line.item_id, ful.location_id, alloc.layout_id)] += alloc.qty
    reserved = {
        (item.id, lvl.location_id, lvl.layout_id): lvl.reserved_qty
        for item in demo.items
        for lvl in item.levels
        if lvl.reserved_qty
    }
    assert allocated == reserved
    assert reserved  # the demo does have open orders


def test_allocations_follow_the_bin_walk(demo: DemoData) -> None:
    paths = {lay.id: lay.path for loc in demo.locations for lay in loc.layouts}
    for ful in demo.fulfillments:
        for line in ful.inventory:
            keys = [(a.layout_id is None, paths.get(a.layout_id, "")) for a in line.allocations]
            assert keys == sorted(keys)


def test_picking_and_packing_progress_is_consistent(demo: DemoData) -> None:
    for ful in demo.fulfillments:
        if ful.status == FulfillmentStatus.CREATED:
            assert all(line.picked_qty == 0 for line in ful.inventory)
        if ful.status == FulfillmentStatus.PROCESSING:
            assert any(line.picked_qty for line in ful.inventory)
        if ful.status in (
            FulfillmentStatus.PICKED,
            FulfillmentStatus.PACKED,
            FulfillmentStatus.COMPLETED,
        ):
            assert all(line.is_settled for line in ful.inventory)
        if ful.status in (FulfillmentStatus.PACKED, FulfillmentStatus.COMPLETED):
            assert ful.parcels
            in_parcels: Counter[str] = Counter()
            for parcel in ful.parcels:
                assert parcel.weight and parcel.length
                for content in parcel.inventory:
                    in_parcels[content.item_id] += content.qty
            assert in_parcels == Counter(
                {line.item_id: line.packed_qty for line in ful.inventory if line.packed_qty}
            )
            assert all(line.packed_qty == line.picked_qty for line in ful.inventory)
        else:
            assert not ful.parcels


# -- manifests -----------------------------------------------------------------------------------


def test_manifests_cover_every_status(demo: DemoData) -> None:
    assert len(demo.manifests) >= 6
    assert {m.status for m in demo.manifests} == set(ManifestStatus)
    numbers = [m.order_number for m in demo.manifests]
    assert len(set(numbers)) == len(numbers)
    for manifest in demo.manifests:
        assert re.fullmatch(r"PO-\d{5}", manifest.order_number)
        assert 1 <= len(manifest.inventory) <= 8
        assert manifest.sender is not None and manifest.sender.company
        assert manifest.estimated_delivery_at is not None
        ids = [line.item_id for line in manifest.inventory]
        assert len(set(ids)) == len(ids)
        for line in manifest.inventory:
            assert line.qty > 0 and line.received_qty + line.damaged_qty <= line.qty
            if manifest.status in (ManifestStatus.REQUESTED, ManifestStatus.ACCEPTED):
                assert line.received_qty == line.damaged_qty == 0
        if manifest.status != ManifestStatus.REQUESTED:
            assert manifest.tracking_numbers


def test_announced_manifests_are_manifested_on_the_no_bin_level(demo: DemoData) -> None:
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for manifest in demo.manifests:
        if manifest.status in (ManifestStatus.ACCEPTED, ManifestStatus.PROCESSING):
            for line in manifest.inventory:
                expected[(line.item_id, manifest.location_id)] += line.qty
    manifested: dict[tuple[str, str], int] = defaultdict(int)
    for item in demo.items:
        for lvl in item.levels:
            if lvl.manifested_qty:
                assert lvl.layout_id is None
                manifested[(item.id, lvl.location_id)] += lvl.manifested_qty
    assert manifested == expected
    assert expected


def test_received_lines_name_a_bin_of_their_location(demo: DemoData) -> None:
    layouts = layouts_by_location(demo)
    for manifest in demo.manifests:
        for line in manifest.inventory:
            if line.layout_id is not None:
                assert line.layout_id in layouts[manifest.location_id]


# -- the models themselves -----------------------------------------------------------------------


def test_objects_are_complete_valid_models(demo: DemoData) -> None:
    """The generator builds models without validation: they must be what validation makes."""
    for model in all_models(demo):
        assert set(model.__dict__) == set(type(model).model_fields), type(model).__name__
    for kind, objects in (
        (Location, demo.locations),
        (Item, demo.items),
        (Lot, demo.lots),
        (Manifest, demo.manifests),
        (Fulfillment, demo.fulfillments),
    ):
        for obj in objects:
            again = kind.model_validate(obj.model_dump(by_alias=True))
            assert again == obj
            assert again.model_dump() == obj.model_dump()


def test_objects_can_be_changed_and_copied_safely(demo: DemoData) -> None:
    item = generate_demo(items=5, now=NOW).items[0]
    other = generate_demo(items=5, now=NOW).items[0]
    changed = item.model_copy(update={"name": "Renamed"}, deep=True)
    assert changed.name == "Renamed" and item.name != "Renamed"
    item.levels[0].verified_qty += 1
    assert item.levels[0].verified_qty == other.levels[0].verified_qty + 1
    dumped = item.model_dump(exclude_unset=True, by_alias=True)
    assert "_search" not in dumped and dumped["name"] == item.name


def test_demo_objects_keep_no_room_they_do_not_use() -> None:
    """A set of twenty field names is 1.2 KiB: one for each object was a third of a demo's
    memory, and the emptied dict of its values a fifth more. Objects given the same fields
    share one set; a copy gets a set of its own, so what is set on it is set on it alone."""
    items = [i for i in generate_demo(items=20, now=NOW).items if i.levels]
    first, second = items[0], items[1]
    assert first.model_fields_set is second.model_fields_set
    assert first.levels[0].model_fields_set is second.levels[0].model_fields_set
    assert "search_score" not in first.model_fields_set

    # and none keeps the room its values took as its (empty) extra fields
    assert first.model_extra == {} and sys.getsizeof(first.model_extra) == sys.getsizeof({})

    found = first.model_copy(update={"search_score": 0.5})
    assert found.model_dump(exclude_unset=True, by_alias=True)["_score"] == 0.5
    for untouched in (first, second):
        assert "_score" not in untouched.model_dump(exclude_unset=True, by_alias=True)


def test_lot_numbers_never_run_out_in_a_big_demo() -> None:
    """`--demo-items 150000` never finished: a style's numbers (999 a day) were drawn until a
    free one came. Now a full style splits a lot instead, and every number stays unique."""
    from console.backends.memory.demo import _Generator

    generator = _Generator(10, 7, 1_790_000_000)
    taken: set[str] = set()
    numbers = [generator.lot_number(2, 1_790_000_000, taken) for _ in range(3000)]
    assert len(set(numbers)) == 3000
    assert any("." in n for n in numbers)  # 999 a day: the rest are sub-lots


@pytest.mark.parametrize("collector_on", [True, False])
def test_a_build_runs_no_collections_and_leaves_the_collector_as_it_was(
    collector_on: bool, tmp_path, monkeypatch
) -> None:
    """A collection during the build walks every object made so far, a quarter of a
    1,000,000-item build's time (this small build ran 269 of them with the collector left on, 2
    of them full). The caller's choice stands. Collections are counted while a build runs
    only: what runs around it (opening the file) may collect, and whether that collection is
    a full one depends on what earlier tests left on the heap. With the collector paused
    only an explicit collection could run there: the test fails when a build is not paused
    (with the collector on) or is not one of those paused."""
    import contextlib
    import gc

    from console.backends.memory import warehouse as module
    from console.backends.memory.warehouse import MemoryWarehouse

    building = 0
    builds = 0  # outermost only: the file's demo is built inside its own build
    during: list[int] = []
    paused = module.collector_paused

    @contextlib.contextmanager
    def counted() -> Iterator[None]:
        nonlocal building, builds
        with paused():
            builds += not building
            building += 1
            try:
                yield
            finally:
                building -= 1

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and building:
            during.append(info["generation"])

    monkeypatch.setattr(module, "collector_paused", counted)
    was_on = gc.isenabled()
    (gc.enable if collector_on else gc.disable)()
    gc.callbacks.append(count)
    try:
        MemoryWarehouse.demo(items=5000, seed=3, now=NOW)
        MemoryWarehouse.on_disk(tmp_path / "w.db", items=3000, seed=3).close()
        MemoryWarehouse.on_disk(tmp_path / "w.db").close()  # read back
        assert builds == 3  # the demo, the file's demo written, the file read back
        assert during == []
        assert gc.isenabled() is collector_on
    finally:
        gc.callbacks.remove(count)
        (gc.enable if was_on else gc.disable)()
