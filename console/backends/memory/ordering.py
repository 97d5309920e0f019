"""Item ids in a listing order, kept sorted as items come, change and go, and cut into pages.

A million items sort in seconds, so an order is sorted once and then changed one item at a time
(a binary search and one move of the list, about a millisecond at a million). A page of the
whole catalogue is a slice of it; a page of a few matches (a search, a location) sorts just
those; only a broad filter walks the order, up to the page when the filter's size is its count.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

from console.backends.memory.building import collector_paused

# Below this share of the catalogue, the matches are sorted by themselves rather than picked
# out of the whole order: sorting k of n costs about k log k key look-ups against n membership
# tests, and a key look-up costs several membership tests.
_FEW = 1 / 16


class SortedIds:
    """The ids of a catalogue in the order of `key` (unique per id: ties broken by id)."""

    def __init__(self, key: Callable[[str], Any], ids: Iterable[str]) -> None:
        self.key = key
        with collector_paused():  # the keys of a whole catalogue: a bulk build (see there)
            self.ids = sorted(ids, key=key)

    def add(self, item_id: str) -> None:
        insort(self.ids, item_id, key=self.key)

    def remove(self, item_id: str) -> None:
        """Take out an id, before what its key is made of changes (its key finds it)."""
        at = bisect_left(self.ids, self.key(item_id), key=self.key)
        if at < len(self.ids) and self.ids[at] == item_id:
            del self.ids[at]

    def page(
        self,
        start: int,
        size: int,
        *,
        descending: bool = False,
        among: Collection[str] | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> tuple[list[str], int]:
        """The ids from `start` to `start + size` in this order (reversed when `descending`)
        of those in `among` (all when None; every one of them in this order) that `keep` keeps,
        and how many there are in all."""
        ids = self.ids
        if among is None and keep is None:
            total = len(ids)
            if descending:
                stop, first = max(0, total - start - size), max(0, total - start)
                return ids[stop:first][::-1], total
            return ids[start : start + size], total
        if among is not None and len(among) <= len(ids) * _FEW:
            chosen: Iterable[str] = sorted(among, key=self.key, reverse=descending)
            if keep is not None:
                chosen = filter(keep, chosen)
            rows = list(chosen)
            return rows[start : start + size], len(rows)
        walk: Iterator[str] = reversed(ids) if descending else iter(ids)
        if among is not None:
            walk = filter(among.__contains__, walk)
        if keep is not None:
            walk = filter(keep, walk)
        data: list[str] = []
        seen = 0
        for seen, item_id in enumerate(walk, 1):
            if seen > start:
                data.append(item_id)
                if len(data) == size:
                    break
        if keep is None and among is not None:
            return data, len(among)  # counted without walking the rest
        return data, seen + sum(1 for _ in walk)
