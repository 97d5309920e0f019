"""Building a warehouse's objects in bulk: the demo's, or a data file's read back.

Such a build makes millions of small objects and frees almost none, and none of them refer to
each other in a cycle. The cyclic collector, left on, walks every live object again each time
allocations pass its thresholds, and the more the build has made the longer each walk: paused,
the demo built in 14.4 s instead of 16.2 s at 100,000 items and 185 s instead of 248 s at
1,000,000 (`python -m tests.benchmarks.bench_warehouse --items 100000 --build-also 1000000`).
It is paused for the build and resumed as it was; cycles made meanwhile (none are known) are
collected on the next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
