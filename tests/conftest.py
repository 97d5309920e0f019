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


# Components some tests need that a plain machine may lack (Node.js and Directus). Their tests
# skip there, saying what is missing; CI sets this to the components it installs ("directus"),
# and a missing one then fails the run instead of passing it with the tests left out.
REQUIRED_ENV = "WAREHOUSE_CONSOLE_REQUIRE"


def component_missing(component: str, reason: str) -> None:
    """Skip the test for want of `component`, or fail it where the run requires it."""
    required = {c.strip() for c in os.environ.get(REQUIRED_ENV, "").split(",") if c.strip()}
    if component in required or "all" in required:
        pytest.fail(f"{component} is required here ({REQUIRED_ENV}) but missing: {reason}")
    pytest.skip(f"needs {component}: {reason}")
