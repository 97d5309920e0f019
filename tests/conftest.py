"""Settings for the whole suite."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.backends.memory.demo_store import CACHE_DIR_ENV


@pytest.fixture(autouse=True, scope="session")
def _demo_snapshots_in_a_scratch_directory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """Demo consoles and servers started by the tests (in this process or as children) keep
    their demo snapshots here, never in the user's cache."""
    directory = tmp_path_factory.mktemp("cache")
    before = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(directory)
    yield directory
    if before is None:
        os.environ.pop(CACHE_DIR_ENV, None)
    else:
        os.environ[CACHE_DIR_ENV] = before


@pytest.fixture(autouse=True)
def _nothing_left_frozen() -> Iterator[None]:
    """A console freezes what it built at start (`keep_out_of_collections`): for one console in
    one process that is its whole life, but a test process starts hundreds of them, so each
    test hands its objects back to the collector."""
    yield
    gc.unfreeze()
