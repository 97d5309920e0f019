"""Workarounds for open bugs of the installed Textual, in one place, each gated on the version.

An SSH host serves many operators, and a console runs all shift: two Textual 8 leaks would keep
every widget a screen ever removed (about a megabyte per dozen item look-ups).

* textualize/textual#6665: `StylesCache.get_inner_outer` is an `lru_cache` on an instance
  method, so up to 1,024 removed widgets' render caches (their drawn lines) stay alive. Worked
  around by emptying that memo whenever a screen comes back into view: refilling it costs a few
  colour pairs per widget on screen.
* textualize/textual#6666: a watcher set with `watch(other, …)`/`data_bind` stays on the
  watched object after the watching widget is removed; Textual's Footer leaks every key widget
  it drew that way. Avoided, not patched: the console draws its keys line itself (KeysLine in
  widgets.py) and never watches a longer-lived object.

`tests/ui/test_upstream.py` reproduces each bug on the installed Textual: when one of those
tests fails, Textual no longer has the bug and its workaround here can go. The version gate
keeps a workaround away from a Textual nobody has checked it against.
"""

from __future__ import annotations

import contextlib
from importlib.metadata import version

TEXTUAL_VERSION = tuple(int(part) for part in version("textual").split(".")[:2])
# The Textual releases the bugs were seen in, and the workaround checked against.
STYLES_CACHE_LEAK = (8, 0) <= TEXTUAL_VERSION < (9, 0)  # issue 6665


def forget_removed_widgets() -> None:
    """Issue 6665: let the render caches of removed widgets go (see the module docstring)."""
    if not STYLES_CACHE_LEAK:
        return
    with contextlib.suppress(ImportError, AttributeError):  # moved or gone: nothing to clear
        from textual._styles_cache import StylesCache

        StylesCache.get_inner_outer.cache_clear()
