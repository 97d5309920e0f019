"""Memory a process has freed, given back to the system.

glibc keeps the blocks a program frees for its own reuse, so a process that builds a lot and
then frees much of it (a server building a warehouse and its search index before it answers;
the console dropping a table it will not read) stays as large as it was at its peak. On Linux
with glibc, `malloc_trim` hands the free pages back; elsewhere (another system, or a C library
without it, such as musl) nothing happens and nothing fails.
"""

from __future__ import annotations

import contextlib
import sys


def give_back_freed_memory() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # only here: not worth its import at start-up

    with contextlib.suppress(OSError, AttributeError):  # musl and others have no malloc_trim
        ctypes.CDLL(None).malloc_trim(0)
