"""Run every benchmark, each in its own process so its memory figures are its own.

    python -m tests.benchmarks            # all of them, at their default sizes
    python -m tests.benchmarks search     # only those whose name contains "search"

Each prints its figures and the target it is measured against; nothing here asserts.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    "bench_search",
    "bench_warehouse",
    "bench_http",
    "bench_console",
    "bench_lots",
    "bench_pickpack",
    "bench_lot_systems",
)


def main(argv: list[str]) -> int:
    chosen = [b for b in BENCHMARKS if not argv or any(word in b for word in argv)]
    if not chosen:
        print(f"no benchmark matches {' '.join(argv)!r}; there are: {', '.join(BENCHMARKS)}")
        return 2
    failed: list[str] = []
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", f"tests.benchmarks.{name}"], check=False)
        print(f"--- {name}: {time.perf_counter() - started:.0f} s", flush=True)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
