"""Keeping the console's resident memory small: an SSH host serves many operators.

Two leaks of Textual 8 are worked around here until Textual mends them (issues 6665 and 6666):
both keep every widget a screen ever removed, so a console used all shift grew by about a
megabyte per dozen item look-ups. Measured by `remote_memory` in tests/benchmarks/bench_console.py.
"""

from __future__ import annotations

import contextlib
import sys

from textual.widgets import Footer


class KeysFooter(Footer):
    """The footer of bindings, without the leak of Textual issue 6666.

    Every redraw of the keys (each focus change, each screen shown) binds new key widgets to the
    footer's `compact` setting, and the footer keeps the old ones in its list of watchers until
    that setting changes, which it never does. After each redraw the removed keys are dropped
    from that list. (Re-announcing the setting would drop them too, but restyles every key.)
    """

    async def recompose(self) -> None:
        await super().recompose()
        # Textual keeps an object's watchers in its "__watchers" attribute, per reactive name
        watchers = getattr(self, "__watchers", {}).get("compact")
        if isinstance(watchers, list):
            watchers[:] = [entry for entry in watchers if getattr(entry[0], "is_attached", True)]


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
