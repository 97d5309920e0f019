"""The demo warehouse's data, kept on disk between starts.

Generating the default demo takes about as long as starting Textual itself; reading it back from
a snapshot written by an earlier start takes a third of that. A snapshot is keyed by what decides
its contents: size, seed, the day (timestamps are relative to it) and the source of the code that
generates and shapes the data, so a changed generator or model never reads an old snapshot.

Snapshots are pickles in the user's own cache directory (or `WAREHOUSE_CONSOLE_CACHE_DIR`), the
same trust as the Python code in their home directory. Anything wrong with one (unreadable,
truncated, of another shape) means generating afresh; failing to write one changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import time
from pathlib import Path

import pydantic

from console.backends.memory.demo import DAY, DemoData, generate_demo, today_midnight_utc

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "WAREHOUSE_CONSOLE_CACHE_DIR"
# Larger demos are for load tests and benchmarks, where a snapshot of hundreds of megabytes
# would cost more disk than the seconds it saves.
SNAPSHOT_MAX_ITEMS = 20_000
# Snapshots of other days and other code are removed when a new one is written, once this old.
_STALE_SECONDS = 2 * DAY

_PACKAGE = Path(__file__).resolve().parents[2]  # console/
# The code whose change changes the data or its classes.
_SOURCES = (
    "domain",
    "backends/memory/demo.py",
    "backends/memory/demo_store.py",
    "backends/memory/catalogue.py",
    "backends/memory/catalogue.txt",
)


def cache_dir() -> Path:
    import platformdirs

    return Path(os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("warehouse-console"))


def demo_data(
    items: int, seed: int, now: int | None = None, snapshots: Path | None = None
) -> DemoData:
    """The demo's data: read from a snapshot in `snapshots` if one matches, else generated (and
    stored there for the next start). Without `snapshots`, always generated."""
    anchor = today_midnight_utc() if now is None else int(now)
    path = _snapshot_path(snapshots, items, seed, anchor) if snapshots else None
    if path is not None and (data := _read(path)) is not None:
        return data
    data = generate_demo(items=items, seed=seed, now=anchor)
    if path is not None:
        _write(path, data)
    return data


def _snapshot_path(directory: Path, items: int, seed: int, anchor: int) -> Path | None:
    if items > SNAPSHOT_MAX_ITEMS:
        return None
    try:
        digest = _code_digest()
    except OSError:  # the source is not on disk (a frozen build): nothing to key by
        return None
    return directory / f"demo-{items}-{seed}-{anchor}-{digest}.pickle"


def _code_digest() -> str:
    hasher = hashlib.sha256(f"{sys.version_info[:2]} {pydantic.VERSION}".encode())
    for source in _SOURCES:
        path = _PACKAGE / source
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            hasher.update(file.name.encode())
            hasher.update(file.read_bytes())
    return hasher.hexdigest()[:16]


def _read(path: Path) -> DemoData | None:
    try:
        with path.open("rb") as file:
            data = pickle.load(file)  # our own file, in the user's cache (see above)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: generate instead
        log.warning("demo snapshot %s unreadable (%s); generating the demo", path, exc)
        return None
    return data if isinstance(data, DemoData) else None


def _write(path: Path, data: DemoData) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as file:
            pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # whole or not at all, even with two consoles starting at once
        _remove_stale(path)
    except OSError as exc:
        log.info("demo snapshot not written (%s); the next start generates the demo again", exc)


def _remove_stale(kept: Path) -> None:
    cutoff = time.time() - _STALE_SECONDS
    for old in kept.parent.glob("demo-*.pickle*"):
        try:
            if old != kept and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
