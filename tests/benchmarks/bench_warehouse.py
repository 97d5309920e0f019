"""Building the demo warehouse, its listings (tests/benchmarks/listings.py, beside SQLite), and
look-up by GTIN or SKU at growing catalogue sizes.

Run: `python -m tests.benchmarks.bench_warehouse [--items 100000]`. Each build runs in a fresh
process so its time and peak resident memory are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.benchmarks import listings

_CHILD = """
import json, sys, time
start = time.perf_counter()
from console.backends.memory.warehouse import MemoryWarehouse
imported = time.perf_counter()
warehouse = MemoryWarehouse.demo(items=int(sys.argv[1]), seed=7)
built = time.perf_counter()
warehouse.index_for_search()  # what the background fill does after the first screen
indexed = time.perf_counter()
from tests.benchmarks.peak import peak_mb
peak = peak_mb()  # the build's, before the listings below sort and read
from tests.benchmarks import listings
print(json.dumps({
    "import_s": imported - start,
    "build_s": built - imported,
    "index_s": indexed - built,
    "max_rss_mb": peak,
    "listings": listings.measure(warehouse),
}))
"""


def build_in_child(items: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(items)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def lookup_ns(items: int, rounds: int = 20_000) -> tuple[float, float]:
    """Median ns per find_item by GTIN and by SKU, over codes drawn from the catalogue."""
    from console.backends.memory.warehouse import MemoryWarehouse

    warehouse = MemoryWarehouse.demo(items=items, seed=7)
    page = asyncio.run(warehouse.list_items())  # warm
    del page
    everything = list(warehouse._items.values())
    rng = random.Random(1)
    sample = [rng.choice(everything) for _ in range(rounds)]
    gtins = [item.gtin for item in sample if item.gtin]
    skus = [item.sku for item in sample if item.sku]

    async def run(codes: list[str]) -> float:
        timings = []
        for code in codes:
            start = time.perf_counter_ns()
            found = await warehouse.find_item(code)
            timings.append(time.perf_counter_ns() - start)
            assert found is not None
        return statistics.median(timings)

    return asyncio.run(run(gtins)), asyncio.run(run(skus))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--build-also", type=int, nargs="*", default=[], help="more sizes, built only"
    )
    args = parser.parse_args(argv)

    for items in (args.items, *args.build_also):
        figures = build_in_child(items)
        total = figures["build_s"] + figures["index_s"]
        print(
            f"demo warehouse of {items:,} items: {total:.2f} s to build with its search index "
            f"full (items and look-ups ready after {figures['build_s']:.2f} s, search index "
            f"{figures['index_s']:.2f} s; imports {figures['import_s']:.2f} s), "
            f"peak resident {figures['max_rss_mb']:.0f} MB (targets at 100,000: under 10 s, "
            "under 500 MB)",
            flush=True,
        )
        listings.report(items, figures["listings"])
    for size in (1_000, 10_000, args.items):
        by_gtin, by_sku = lookup_ns(size)
        print(
            f"find_item at {size:>7,} items: by GTIN {by_gtin / 1000:.1f} us, "
            f"by SKU {by_sku / 1000:.1f} us (median; constant time means these stay flat)"
        )


if __name__ == "__main__":
    main()
