"""The cyclic collector paused for start-up: back on once the console is up, cycles collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from console import collector


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    collector.end_start_up_pause()
    (gc.enable if enabled else gc.disable)()


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_start_up_pause_ends_with_the_collector_on_and_start_up_cycles_freed() -> None:
    gc.enable()
    collector.pause_for_start_up()
    assert not gc.isenabled()
    dropped = Node()
    del dropped  # garbage only the collector can free
    assert any(isinstance(obj, Node) for obj in gc.get_objects())
    kept = Node()
    frozen = gc.get_freeze_count()
    collector.resume_after_start_up(freeze=True)
    assert gc.isenabled()
    assert not any(isinstance(obj, Node) for obj in gc.get_objects())  # nor the frozen `kept`
    assert gc.get_freeze_count() > frozen  # what lives on is out of the later passes
    gc.unfreeze()
    assert any(obj is kept for obj in gc.get_objects())


def test_nothing_is_frozen_when_start_up_ends_with_short_lived_objects_open() -> None:
    gc.enable()
    collector.pause_for_start_up()
    frozen = gc.get_freeze_count()
    collector.resume_after_start_up(freeze=False)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_ending_the_pause_early_turns_the_collector_back_on_once() -> None:
    gc.enable()
    collector.pause_for_start_up()
    collector.end_start_up_pause()
    assert gc.isenabled()
    gc.disable()  # someone else's choice afterwards is not undone
    collector.end_start_up_pause()
    collector.resume_after_start_up(freeze=True)
    assert not gc.isenabled()


def test_resuming_without_a_start_up_pause_leaves_the_collector_alone() -> None:
    gc.disable()  # as a test harness or another program embedding the console may
    frozen = gc.get_freeze_count()
    collector.resume_after_start_up(freeze=True)
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_a_collector_already_off_is_not_turned_on_by_start_up() -> None:
    gc.disable()
    collector.pause_for_start_up()
    collector.resume_after_start_up(freeze=True)
    assert not gc.isenabled()


def test_collector_paused_restores_what_was_there() -> None:
    gc.enable()
    with collector.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collector.collector_paused():
        pass
    assert not gc.isenabled()
