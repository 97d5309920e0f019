"""Tests of what glibc's `malloc_trim` does: elsewhere freed memory is given back by the
allocator itself or not at all (console/allocator.py)."""

from __future__ import annotations

import platform
import sys

import pytest

needs_malloc_trim = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's, and resident memory is read from Linux's /proc",
)
