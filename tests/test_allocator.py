"""Freed memory given back to the system: what keeps a server that built a big warehouse from
staying as large as its build was (console/allocator.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

_CHILD = """
import sys
from console.allocator import give_back_freed_memory

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

blocks = [bytes(2048 + n % 7) for n in range(100_000)]  # some 200 MB, from malloc
kept = blocks[::64]  # what a build keeps, spread through what it freed
del blocks
before = resident_mb()
give_back_freed_memory()
print(before, resident_mb())
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's: elsewhere freed memory is given back by the allocator or not at all",
)
def test_memory_freed_after_a_build_is_given_back() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True
    ).stdout
    before, after = (float(x) for x in out.split())
    assert before - after > 100, f"resident {before:.0f} MB before, {after:.0f} MB after"


def test_giving_back_never_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another system, or a C library without malloc_trim: nothing happens."""
    from console import allocator

    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    allocator.give_back_freed_memory()
