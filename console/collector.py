"""Python's cyclic garbage collector, kept out of the way while long-lived objects are built.

Almost everything built at start-up (modules, the demo warehouse, its search index, the first
screen) lives as long as the process. The collector cannot know that: it walks those objects
again and again as they are made, which cost a start of the console about 30 ms, and the demo
built at 100,000 items three times as long. Reference counting still frees what is dropped
meanwhile; only cycles wait for the collector.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_paused_for_start_up = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """For building many long-lived objects at once (the demo, its snapshot, the search index)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def pause_for_start_up() -> None:
    """Called first thing by the console command: the collector stays off until
    `resume_after_start_up`, once the first screen is up (or `end_start_up_pause`)."""
    global _paused_for_start_up
    if gc.isenabled():
        gc.disable()
        _paused_for_start_up = True


def resume_after_start_up(*, freeze: bool) -> None:
    """One full collection of what start-up left behind; with `freeze`, what is still alive is
    then set aside for good (`gc.freeze`), so the passes while the operator works walk only what
    came after. Freeze only when nothing short-lived is open (a dialog, a second screen): a
    frozen object that later becomes garbage in a cycle is never freed.
    Does nothing unless `pause_for_start_up` paused the collector (tests and other embedders
    keep theirs as it was)."""
    global _paused_for_start_up
    if not _paused_for_start_up:
        return
    _paused_for_start_up = False
    gc.collect()
    if freeze:
        gc.freeze()
    gc.enable()


def end_start_up_pause() -> None:
    """The collector back on as it was, if start-up never got as far as resuming it (the console
    quit or failed first)."""
    global _paused_for_start_up
    if _paused_for_start_up:
        _paused_for_start_up = False
        gc.enable()
