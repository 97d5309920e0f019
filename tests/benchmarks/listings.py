"""Sorted and filtered item listings, as a served warehouse answers them, beside SQLite.

Called by bench_warehouse's child on the warehouse it built (so a million items are built once).
Each listing is what a console or a client asks for: the first page by name (the search screen
with an empty field), a deep page, newest first, one location's items, a word typed with the
list in name order, and the first page again right after an item was renamed. The words are
drawn from random item names (seeded), not chosen by the index.

The yardstick is SQLite (the standard library's, in memory) holding the same ids, names and
dates with an index per order, answering the same pages with ORDER BY ... LIMIT ... OFFSET and
COUNT(*): what a server keeping its catalogue in a database would run. It lists no search: its
FTS5 alternative is measured in bench_search.
"""

from __future__ import annotations

import asyncio
import gc
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from typing import Any

from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.models import Item
from console.domain.queries import ItemQuery
from console.domain.requests import ItemUpdate

ROUNDS = 15
LIMIT = 50


def _ms(run: Callable[[], Any], rounds: int = ROUNDS) -> tuple[float, float]:
    """Median and worst milliseconds of `rounds` runs."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def every_item(warehouse: MemoryWarehouse, loop: asyncio.AbstractEventLoop) -> list[Item]:
    """The whole catalogue, page by page, as a client would read it."""
    items: list[Item] = []
    page = 1
    while True:
        found = loop.run_until_complete(warehouse.list_items(ItemQuery(limit=250, page=page)))
        items += found.data
        if not found.pagination.has_more:
            return items
        page += 1


def measure(warehouse: MemoryWarehouse, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    warehouse.share_reads()  # as served: the stored items themselves, no copies
    started = time.perf_counter()
    warehouse.prepare_listings()
    sort_s = time.perf_counter() - started
    # As `serve` does before it answers (console/server/runner.py): left in the collections, a
    # million items made one listing of a word wait 16 s for a full collection.
    gc.freeze()
    loop = asyncio.new_event_loop()

    def listed(query: ItemQuery) -> Callable[[], Any]:
        return lambda: loop.run_until_complete(warehouse.list_items(query))

    first = loop.run_until_complete(warehouse.list_items(ItemQuery(limit=LIMIT)))
    total = first.pagination.total_count or 0
    deep = max(1, total // LIMIT // 2)  # the middle of the catalogue
    location = rng.choice(first.data[0].levels).location_id if first.data[0].levels else None
    catalogue = every_item(warehouse, loop)
    everything = [item.id for item in catalogue]
    words: list[str] = []
    while len(words) < ROUNDS:
        word = rng.choice(rng.choice(catalogue).name.split())
        if len(word) >= 3 and word.isalpha():
            words.append(word)
    del catalogue

    ours: dict[str, tuple[float, float]] = {
        "first page by name": _ms(listed(ItemQuery(limit=LIMIT))),
        f"page {deep:,} by name": _ms(listed(ItemQuery(limit=LIMIT, page=deep))),
        "newest first": _ms(
            listed(ItemQuery(limit=LIMIT, order_by="created_at", direction="desc"))
        ),
    }
    if location:
        ours["one location, by name"] = _ms(listed(ItemQuery(limit=LIMIT, location_id=location)))
    typed = iter(words)
    ours["a word, in name order"] = _ms(
        lambda: listed(ItemQuery(limit=LIMIT, search=next(typed), order_by="name"))()
    )
    renames = iter(rng.sample(everything, ROUNDS))

    def rename_then_list() -> Any:
        item_id = next(renames)
        name = f"{rng.choice(words)} renamed {rng.randrange(10**6)}"
        loop.run_until_complete(warehouse.update_item(item_id, ItemUpdate(name=name)))
        return loop.run_until_complete(warehouse.list_items(ItemQuery(limit=LIMIT)))

    ours["rename one, then first page"] = _ms(rename_then_list)

    # The same catalogue in SQLite, read back from the warehouse as it is now.
    rows = [
        (item.id, item.name.casefold(), item.created_at or 0)
        for item in every_item(warehouse, loop)
    ]
    loop.close()
    started = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE items (id TEXT PRIMARY KEY, name_key TEXT, created_at INTEGER)")
    db.executemany("INSERT INTO items VALUES (?, ?, ?)", rows)
    db.execute("CREATE INDEX by_name ON items (name_key, id)")
    db.execute("CREATE INDEX by_created ON items (created_at, id)")
    db.commit()
    sqlite_build_s = time.perf_counter() - started
    del rows

    def page(sql: str, offset: int = 0) -> Callable[[], Any]:
        def run() -> Any:
            ids = db.execute(sql + " LIMIT ? OFFSET ?", (LIMIT, offset)).fetchall()
            count = db.execute("SELECT COUNT(*) FROM items").fetchone()
            return ids, count

        return run

    renamed = iter(rng.sample(everything, ROUNDS))

    def sqlite_rename_then_list() -> Any:
        db.execute(
            "UPDATE items SET name_key = ? WHERE id = ?", (f"renamed {rng.random()}", next(renamed))
        )
        db.commit()
        return page("SELECT id FROM items ORDER BY name_key, id")()

    sqlite = {
        "first page by name": _ms(page("SELECT id FROM items ORDER BY name_key, id")),
        f"page {deep:,} by name": _ms(
            page("SELECT id FROM items ORDER BY name_key, id", (deep - 1) * LIMIT)
        ),
        "newest first": _ms(page("SELECT id FROM items ORDER BY created_at DESC, id DESC")),
        "rename one, then first page": _ms(sqlite_rename_then_list),
    }
    db.close()
    return {
        "sort_s": sort_s,
        "sqlite_build_s": sqlite_build_s,
        "ours": ours,
        "sqlite": sqlite,
    }


def report(items: int, figures: dict[str, Any]) -> None:
    print(
        f"  listings at {items:,} items (median / worst of {ROUNDS}, ms; {LIMIT} a page; sorted "
        f"by name in {figures['sort_s']:.2f} s before serving; SQLite table with its indexes "
        f"built in {figures['sqlite_build_s']:.2f} s):"
    )
    for name, (median, worst) in figures["ours"].items():
        beside = figures["sqlite"].get(name)
        sqlite = f"   SQLite {beside[0]:7.2f} / {beside[1]:7.2f}" if beside else ""
        print(f"    {name:<30} ours {median:7.2f} / {worst:7.2f}{sqlite}")
