"""Run every benchmark, each in its own process so its memory figures are its own.

    python -m tests.benchmarks            # all of them, at their default sizes
    python -m tests.benchmarks search     # only those whose name contains "search"

Each prints its figures and the target it is measured against; nothing here asserts.
"""

from __future__ import annotations

import subprocess
import sys
import time

# a module, or a module and its arguments
BENCHMARKS: tuple[str | tuple[str, ...], ...] = (
    ("bench_search", "--items", "100000"),
    ("bench_search", "--items", "1000000", "--synthetic"),
    ("bench_warehouse", "--items", "100000", "--build-also", "1000000"),
    "bench_http",
    "bench_serve",
    "bench_console",
    "bench_lots",
    "bench_pickpack",
    "bench_lot_systems",
)


def main(argv: list[str]) -> int:
    runs = [(b,) if isinstance(b, str) else b for b in BENCHMARKS]
    chosen = [run for run in runs if not argv or any(word in run[0] for word in argv)]
    if not chosen:
        known = ", ".join(dict.fromkeys(run[0] for run in runs))
        print(f"no benchmark matches {' '.join(argv)!r}; there are: {known}")
        return 2
    failed: list[str] = []
    for module, *arguments in chosen:
        name = " ".join((module, *arguments))
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", f"tests.benchmarks.{module}", *arguments], check=False
        )
        print(f"--- {name}: {time.perf_counter() - started:.0f} s", flush=True)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
