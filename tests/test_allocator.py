"""Freed memory given back to the system: what keeps a server that built a big warehouse from
staying as large as its build was (console/allocator.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.glibc import needs_malloc_trim

_CHILD = """
import sys
from console.allocator import give_back_freed_memory

def resident_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024

blocks = [bytes(2048 + n % 7) for n in range(100_000)]  # some 200 MB, from malloc
kept = blocks[::64]  # what a build keeps, spread through what it freed
del blocks
before = resident_mb()
give_back_freed_memory()
print(before, resident_mb())
"""


@needs_malloc_trim
def test_memory_freed_after_a_build_is_given_back() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True
    ).stdout
    before, after = (float(x) for x in out.split())
    assert before - after > 100, f"resident {before:.0f} MB before, {after:.0f} MB after"


@pytest.mark.parametrize("library", ["missing", "without malloc_trim"])
def test_giving_back_never_fails(monkeypatch: pytest.MonkeyPatch, library: str) -> None:
    """A C library that cannot be opened, or one without malloc_trim (musl): nothing happens."""
    import ctypes

    from console.allocator import give_back_freed_memory

    def opened(name: object) -> object:
        if library == "missing":
            raise OSError("no such library")
        return object()  # no malloc_trim on it: AttributeError

    monkeypatch.setattr(ctypes, "CDLL", opened)
    give_back_freed_memory()
