"""Demo snapshots: a later start reads what an earlier one generated, and never a wrong one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.backends.memory import demo as demo_module
from console.backends.memory import demo_store
from console.backends.memory.demo_store import demo_data
from console.backends.memory.warehouse import MemoryWarehouse
from console.backends.protocol import adjust_levels
from console.domain.models import Item
from console.domain.queries import ItemQuery
from console.domain.requests import LevelChange
from tests.test_demo_data import NOW, dump

SIZE = 120


def snapshots_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("demo-*"))


def generation_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    runs: list[int] = []
    real = demo_module.generate_demo

    def counted(**kwargs: int) -> demo_module.DemoData:
        runs.append(1)
        return real(**kwargs)

    monkeypatch.setattr(demo_store, "generate_demo", counted)
    return runs


def test_a_second_start_reads_the_snapshot_of_the_first(tmp_path, monkeypatch) -> None:
    runs = generation_counted(monkeypatch)
    first = demo_data(SIZE, 7, NOW, tmp_path)
    second = demo_data(SIZE, 7, NOW, tmp_path)
    assert len(runs) == 1
    assert (
        dump(second) == dump(first) == dump(demo_module.generate_demo(items=SIZE, seed=7, now=NOW))
    )
    assert len(snapshots_in(tmp_path)) == 1


def test_size_seed_and_day_each_have_their_own_snapshot(tmp_path, monkeypatch) -> None:
    runs = generation_counted(monkeypatch)
    for items, seed, now in (
        (SIZE, 7, NOW),
        (SIZE + 1, 7, NOW),
        (SIZE, 8, NOW),
        (SIZE, 7, NOW + 86_400),
    ):
        data = demo_data(items, seed, now, tmp_path)
        assert len(data.items) == items
    assert len(runs) == 4 and len(snapshots_in(tmp_path)) == 4


def test_changed_code_never_reads_an_old_snapshot(tmp_path, monkeypatch) -> None:
    runs = generation_counted(monkeypatch)
    demo_data(SIZE, 7, NOW, tmp_path)
    monkeypatch.setattr(demo_store, "_code_digest", lambda: "0123456789abcdef")
    demo_data(SIZE, 7, NOW, tmp_path)
    assert len(runs) == 2 and len(snapshots_in(tmp_path)) == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])  # empty, junk, an int
def test_a_damaged_snapshot_means_generating_afresh(tmp_path, monkeypatch, damage) -> None:
    demo_data(SIZE, 7, NOW, tmp_path)
    (snapshot,) = tmp_path.glob("demo-*.pickle")
    snapshot.write_bytes(damage)
    runs = generation_counted(monkeypatch)
    data = demo_data(SIZE, 7, NOW, tmp_path)
    assert len(runs) == 1 and len(data.items) == SIZE
    assert demo_data(SIZE, 7, NOW, tmp_path).items[0].id == data.items[0].id
    assert len(runs) == 1  # the damaged snapshot was replaced


def test_an_unwritable_cache_still_gives_the_demo(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory should be")
    data = demo_data(SIZE, 7, NOW, blocked / "cache")
    assert len(data.items) == SIZE


def test_large_demos_are_not_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(demo_store, "SNAPSHOT_MAX_ITEMS", SIZE - 1)
    demo_data(SIZE, 7, NOW, tmp_path)
    assert snapshots_in(tmp_path) == []


def test_changes_made_in_one_console_never_reach_the_snapshot(tmp_path) -> None:
    first = MemoryWarehouse.demo(SIZE, 7, NOW, snapshots=tmp_path)
    item = asyncio.run(first.list_items(ItemQuery(limit=1))).data[0]
    level = item.levels[0]
    before = level.verified_qty
    change = LevelChange(location_id=level.location_id, layout_id=level.layout_id, verified_qty=5)
    changed = asyncio.run(adjust_levels(first, item.id, [change]))
    second = MemoryWarehouse.demo(SIZE, 7, NOW, snapshots=tmp_path)
    again = asyncio.run(second.get_item(item.id))

    def verified(found: Item) -> int:
        return next(
            lv.verified_qty
            for lv in found.levels
            if (lv.location_id, lv.layout_id) == (level.location_id, level.layout_id)
        )

    assert (verified(changed), verified(again)) == (before + 5, before)
