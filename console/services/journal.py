"""The journal on disk: every change an operator makes, written before it is sent, marked when
the backend has answered it.

One console, one journal: a SQLite file (standard library, WAL) in the user's state directory,
under a folder per backend and location, held with a lock while the console runs. A console
that dies (a dropped SSH session, kill -9) leaves its journal unlocked; the next console started
for that backend and location finds it (`Journal.left_behind`) and offers its unconfirmed work
to be sent again, each change with its original idempotency key.

It holds, per console:

* **changes**: each request the outbox sent or will send (console/services/outbox.py), with its
  key, the version it was based on and the warehouse it was made for, until it is answered;
* **work**: per record being counted (an order being picked, a manifest being received), what
  the operator has counted and the backend has not confirmed yet, rewritten at every scan;
* **place**: the screen and record the operator is on, to reopen after a recovery;
* **log**: what was discarded, and why.

A journal that cannot be read (damaged on disk, or written by another version of the console)
is never silently dropped: it is renamed aside and reported.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.locks import FileLock
from console.services.clock import Clock
from console.services.requests import Request

FORMAT = 1  # PRAGMA user_version of a journal this console writes and reads
SUFFIX = ".journal"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    key TEXT PRIMARY KEY,
    what TEXT NOT NULL,
    method TEXT NOT NULL,
    record_id TEXT,
    body TEXT NOT NULL,
    if_match TEXT,
    replayable INTEGER NOT NULL,
    instance TEXT,
    context TEXT NOT NULL,
    made_at REAL NOT NULL,
    state TEXT NOT NULL,
    settled_at REAL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS work (
    record TEXT PRIMARY KEY,
    what TEXT NOT NULL,
    state TEXT NOT NULL,
    instance TEXT,
    made_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS place (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    screen TEXT NOT NULL,
    record TEXT
);
CREATE TABLE IF NOT EXISTS log (
    at REAL NOT NULL,
    event TEXT NOT NULL,
    ref TEXT NOT NULL,
    note TEXT NOT NULL
);
"""

PENDING = "pending"
# Answered changes are kept this long (for someone looking into what happened), then pruned.
KEEP_SETTLED_SECONDS = 3600.0
PRUNE_EVERY = 200


class JournalError(Exception):
    """The journal cannot be written: the console says so, and keeps working without one."""


@dataclass(frozen=True)
class PendingChange:
    """A change sent (or about to be) that the backend has not answered."""

    key: str
    what: str
    request: Request
    replayable: bool
    instance: str | None
    context: dict[str, Any]
    made_at: float


@dataclass(frozen=True)
class KeptWork:
    """What the operator counted on one record and the backend has not confirmed."""

    record: str  # "fulfillment:ful_1", "manifest:mfst_1"
    what: str
    state: dict[str, Any]
    instance: str | None
    made_at: float


def _folder_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "_"


def journal_folder(state_dir: Path, backend_label: str, location_id: str) -> Path:
    """Where the journals of consoles on this backend and location are kept."""
    return state_dir / "journal" / f"{_folder_name(backend_label)}@{_folder_name(location_id)}"


def _is_free(lock_path: Path) -> bool:
    """Whether the console that held this lock is gone."""
    try:
        import fcntl
    except ImportError:
        try:
            pid = int(lock_path.read_text().strip() or "0")
        except (OSError, ValueError):
            return True
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        return False
    try:
        with lock_path.open("a+") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    except OSError:
        return False
    return True


class Journal:
    """One console's journal (see the module docstring)."""

    def __init__(self, path: Path, clock: Clock, *, lock: FileLock | None = None) -> None:
        self.path = path
        self.clock = clock
        self._lock = lock
        self._settled = 0
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # every write is committed before the change is sent: it survives the process, whatever
        # ends it (a machine that loses power could lose the last writes)
        self._db.execute("PRAGMA synchronous=NORMAL")
        # a console writes at every scan: the log is folded in often and kept small on disk
        self._db.execute("PRAGMA wal_autocheckpoint=200")
        self._db.execute("PRAGMA journal_size_limit=1048576")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, FORMAT):
            self._db.close()
            raise sqlite3.DatabaseError(f"journal format {version}, this console reads {FORMAT}")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version = {FORMAT}")

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def start(cls, folder: Path, clock: Clock) -> Journal:
        """A new journal for this console, locked while it runs."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{uuid.uuid4().hex}{SUFFIX}"
            lock = FileLock(path.with_suffix(".lock"))
            if not lock.take():
                raise JournalError(f"{path} is locked by another console")
            return cls(path, clock, lock=lock)
        except (OSError, sqlite3.Error) as error:
            raise JournalError(f"The journal cannot be kept in {folder}: {error}") from None

    @classmethod
    def left_behind(cls, folder: Path, clock: Clock) -> tuple[list[Journal], list[str]]:
        """The journals of consoles on this backend and location that ended without confirming
        everything (their lock is free), and a line for each that could not be read (it is put
        aside, under its name with `.damaged` or `.old` added)."""
        journals: list[Journal] = []
        problems: list[str] = []
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            lock_path = path.with_suffix(".lock")
            if lock_path.exists() and not _is_free(lock_path):
                continue  # another console is running with it
            try:
                journal = cls(path, clock)
                journal.check()
            except sqlite3.DatabaseError as error:
                aside = _put_aside(path, "old" if "format" in str(error) else "damaged")
                problems.append(
                    f"A journal of an earlier console could not be read ({error}): it is kept as "
                    f"{aside}, and its changes were not sent."
                )
                continue
            if journal.empty:
                journal.remove()
            else:
                journals.append(journal)
        return journals, problems

    def check(self) -> None:
        """Read every table once: a damaged file fails here, not half-way through a recovery."""
        (verdict,) = self._db.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the file is damaged ({verdict})")
        self.pending()
        self.kept_work()

    @property
    def empty(self) -> bool:
        return not self.pending() and not self.kept_work()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._lock is not None:
            self._lock.release()

    def remove(self) -> None:
        """Closed and deleted: nothing in it is left to send."""
        self.close()
        for path in (
            self.path,
            *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm")),
        ):
            with contextlib.suppress(OSError):
                path.unlink()
        with contextlib.suppress(OSError):
            self.path.with_suffix(".lock").unlink()

    # -- changes ------------------------------------------------------------------------------

    def _write(self, sql: str, values: tuple[Any, ...]) -> None:
        try:
            self._db.execute(sql, values)
        except sqlite3.Error as error:
            raise JournalError(f"The journal {self.path} cannot be written: {error}") from None

    def write(
        self,
        key: str,
        what: str,
        request: Request,
        replayable: bool,
        instance: str | None,
        context: Mapping[str, Any],
    ) -> None:
        """A change about to be sent for the first time."""
        self._write(
            "INSERT OR REPLACE INTO changes (key, what, method, record_id, body, if_match, "
            "replayable, instance, context, made_at, state) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                key,
                what,
                request.method,
                request.record_id,
                json.dumps(request.body, sort_keys=True),
                request.if_match,
                int(replayable),
                instance,
                json.dumps(context, sort_keys=True),
                self.clock.now(),
                PENDING,
            ),
        )

    def settle(self, key: str, state: str, note: str = "") -> None:
        """The change has its outcome (applied, refused, unknown, orphaned)."""
        now = self.clock.now()
        self._write(
            "UPDATE changes SET state = ?, settled_at = ?, note = ? WHERE key = ?",
            (state, now, note[:500], key),
        )
        self._settled += 1
        if self._settled % PRUNE_EVERY == 0:  # a console used all shift stays small
            self._write(
                "DELETE FROM changes WHERE state != ? AND settled_at < ?",
                (PENDING, now - KEEP_SETTLED_SECONDS),
            )

    def pending(self) -> list[PendingChange]:
        rows = self._db.execute(
            "SELECT key, what, method, record_id, body, if_match, replayable, instance, context, "
            "made_at FROM changes WHERE state = ? ORDER BY made_at, rowid",
            (PENDING,),
        ).fetchall()
        return [
            PendingChange(
                key=key,
                what=what,
                request=Request(method, record_id, json.loads(body), if_match),
                replayable=bool(replayable),
                instance=instance,
                context=json.loads(context),
                made_at=made_at,
            )
            for key, what, method, record_id, body, if_match, replayable, instance, context, made_at
            in rows
        ]  # fmt: skip

    def change_state(self, key: str) -> str | None:
        row = self._db.execute("SELECT state FROM changes WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- work ---------------------------------------------------------------------------------

    def keep_work(
        self, record: str, what: str, state: Mapping[str, Any], instance: str | None
    ) -> None:
        """What the operator counted on a record and the backend has not confirmed, now."""
        now = self.clock.now()
        self._write(
            "INSERT INTO work (record, what, state, instance, made_at, updated_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT(record) DO UPDATE SET what = excluded.what, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (record, what, json.dumps(state, sort_keys=True), instance, now, now),
        )

    def drop_work(self, record: str) -> None:
        """Everything counted on the record is confirmed."""
        self._write("DELETE FROM work WHERE record = ?", (record,))

    def kept_work(self) -> list[KeptWork]:
        rows = self._db.execute(
            "SELECT record, what, state, instance, made_at FROM work ORDER BY made_at"
        ).fetchall()
        return [
            KeptWork(record, what, json.loads(state), instance, made_at)
            for record, what, state, instance, made_at in rows
        ]

    # -- where the operator is ------------------------------------------------------------------

    def remember_place(self, screen: str, record: str | None) -> None:
        self._write(
            "INSERT INTO place (one, screen, record) VALUES (1, ?, ?) ON CONFLICT(one) DO "
            "UPDATE SET screen = excluded.screen, record = excluded.record",
            (screen, record),
        )

    def forget_place(self) -> None:
        self._write("DELETE FROM place", ())

    def place(self) -> tuple[str, str | None] | None:
        row = self._db.execute("SELECT screen, record FROM place").fetchone()
        return (row[0], row[1]) if row else None

    # -- what was decided -----------------------------------------------------------------------

    def note(self, event: str, ref: str, note: str) -> None:
        self._write(
            "INSERT INTO log (at, event, ref, note) VALUES (?,?,?,?)",
            (self.clock.now(), event, ref, note[:1000]),
        )

    def discard_change(self, key: str, why: str) -> None:
        self.settle(key, "discarded", why)
        self.note("discarded", key, why)

    def discard_work(self, record: str, why: str) -> None:
        self.drop_work(record)
        self.note("discarded", record, why)

    def log(self) -> Iterator[tuple[float, str, str, str]]:
        yield from self._db.execute("SELECT at, event, ref, note FROM log ORDER BY at, rowid")


def _put_aside(path: Path, why: str) -> Path:
    """Renamed, never deleted: someone may want to look at what it held."""
    aside = path.with_name(f"{path.name}.{why}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.{why}{number}")
    with contextlib.suppress(OSError):
        path.rename(aside)
        for extra in ("-wal", "-shm"):
            wal = path.with_name(path.name + extra)
            if wal.exists():
                wal.rename(aside.with_name(aside.name + extra))
    with contextlib.suppress(OSError):
        path.with_suffix(".lock").unlink()
    return aside
