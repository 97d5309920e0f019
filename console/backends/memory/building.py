"""Building a warehouse's objects in bulk: the demo's, or a data file's read back.

Such a build makes millions of small objects and frees almost none, and none of them refer to
each other in a cycle. The cyclic collector, left on, walks every live object again each time
allocations pass its thresholds, and the more the build has made the longer each walk: paused,
the demo built in 14.4 s instead of 16.2 s at 100,000 items and 185 s instead of 248 s at
1,000,000 (`python -m tests.benchmarks.bench_warehouse --items 100000 --build-also 1000000`).
It is paused for the build and resumed as it was; cycles made meanwhile (none are known) are
collected on the next pass.

Each object also keeps no room it does not use (`FieldSets`, `construct`, `compacted`): at
100,000 items the demo took 503 MB after its build instead of 1,076 MB, and a data file read
back 637 MB instead of 1,206 MB (in 15.9 s instead of 7.4 s).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel


@contextmanager
def collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


# -- objects that keep no room they do not use -----------------------------------------------

M = TypeVar("M", bound=BaseModel)


class FieldSets:
    """The sets of field names objects were given (`model_fields_set`), one per combination,
    shared by every object given it. pydantic keeps a set of its own in each object: for an
    item, 1.2 KiB made by `model_construct`, 2.2 KiB by validation (every field was given), a
    third of what a warehouse of items and levels held. An object shared this way must not
    have an attribute set in place (that adds to the set): the warehouse copies before it
    changes one, and a copy gets a set of its own."""

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], set[str]] = {}

    def shared(self, names: frozenset[str]) -> set[str]:
        found = self._sets.get(names)
        if found is None:
            found = self._sets[names] = set(names)
        return found


def construct(cls: type[M], fields_set: set[str], values: dict[str, Any]) -> M:
    """`cls.model_construct` of values known to be of the right type. What is left of the
    values given becomes the object's extra fields (none, here), a dict emptied but keeping
    the room all of them took (832 bytes for an item): cleared, it keeps none."""
    made = cls.model_construct(_fields_set=fields_set, **values)
    extra = made.model_extra
    if extra is not None and not extra:
        extra.clear()
    return made


def compacted(model: M, sets: FieldSets) -> M:
    """`model` (validated) made again around shared sets of field names, its nested models
    too: the same object in about half the memory, for about as long again as validating it
    took."""
    values = dict(vars(model))  # its fields' values (its extra fields are in model_extra)
    for name, value in values.items():
        if isinstance(value, BaseModel):
            values[name] = compacted(value, sets)
        elif type(value) is list and value and isinstance(value[0], BaseModel):
            values[name] = [compacted(each, sets) for each in value]
    if model.model_extra:
        values.update(model.model_extra)
    return construct(type(model), sets.shared(frozenset(model.model_fields_set)), values)
