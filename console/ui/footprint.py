"""Keeping the console's resident memory small: an SSH host serves many operators.

Two leaks of Textual 8 kept every widget a screen ever removed, so a console used all shift grew
by about a megabyte per dozen item look-ups. Textual issue 6665 is worked around here until
Textual mends it; issue 6666 (the Footer) is avoided by drawing the keys ourselves (KeysLine in
widgets.py). Measured by `remote_memory` in tests/benchmarks/bench_console.py.
"""

from __future__ import annotations

import contextlib
import sys


def forget_removed_widgets() -> None:
    """Textual issue 6665: a memo of colour pairs keyed by each widget's render cache keeps up to
    1,024 removed widgets' rendered lines. Emptying the memo (cheap to refill: a few colour
    pairs per widget on screen) lets them go; called whenever a screen comes back into view."""
    try:
        from textual._styles_cache import StylesCache

        StylesCache.get_inner_outer.cache_clear()
    except (ImportError, AttributeError):  # a Textual without the memo: nothing to release
        pass


def return_freed_memory() -> None:
    """Hand memory the console has freed back to the system, after a large one-off load.

    glibc keeps freed blocks for reuse, so the ~10 MB biip's tables leave behind once the part
    we never read is released would stay resident for the life of the console. Elsewhere (not
    Linux, or another C library) this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # only here: not worth its import at start-up

    # the C library the interpreter runs on; musl and others have no malloc_trim
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
