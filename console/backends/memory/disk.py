"""A warehouse kept in a SQLite file (`serve --data PATH`): what a client was told is on disk.

The in-memory warehouse stays the one set of rules and indexes; this file is its durable copy.
Every change is written, with the idempotency key's answer, in a transaction committed before
the answer leaves (`MemoryWarehouse` calls `write` inside its lock; the changes that arrive
together share one transaction, see `MemoryWarehouse._apply_batch`). The file is in WAL
mode with `synchronous=NORMAL`: a commit is in the operating system's hands when it returns, so
a killed server (kill -9, a crash) loses nothing it answered; a power cut may lose the last
moments.

On a start the objects are read back whole, with the warehouse's instance id, so consoles see
the same warehouse (no "started afresh") and their versions (ETags, digests of the content)
still hold.

Several worker processes (`serve --workers N`) can serve one file. Each holds the warehouse in
memory; the file is where they meet. Every change carries the next number of one sequence
(`seq`, on the objects, the deleted objects and the answers it wrote). A worker changes the
warehouse only in its turn (`writers`) and inside SQLite's write lock (`begin immediate`),
after reading what the others wrote since the number it last saw, so a rule is always checked
against the latest state and two workers' changes are applied one after the other, as in one
process. Before a read it asks SQLite whether another connection has committed since it last
asked (`pragma data_version`, no table read) and, if so, reads what is new, so a console whose
next request lands on another worker still sees its own change.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from console.backends.memory.building import FieldSets, compacted
from console.domain.models import Fulfillment, Item, Location, Lot, Manifest, wire_json
from console.locks import FileLock, TurnLock

if TYPE_CHECKING:
    from console.backends.memory.warehouse import Answer

SCHEMA_VERSION = 4
# A worker waits this long for another's change to finish before it calls the file busy.
BUSY_SECONDS = 10.0
# The kinds of object kept, by the name each row carries.
KINDS: dict[str, type[BaseModel]] = {
    "location": Location,
    "item": Item,
    "lot": Lot,
    "manifest": Manifest,
    "fulfillment": Fulfillment,
}
MODELS: dict[type[BaseModel], str] = {model: kind for kind, model in KINDS.items()}

# Answers are numbered in the order they were written, and found by their number alone: an
# index of their keys (random strings) had a batch of eight updates write some twenty pages,
# a third of what an update cost the server; their numbers only ever grow, so a batch adds to
# the end of one tree and forgets from its start.
# Objects are rows of a table with row numbers, changed where they are (`_CHANGE_OBJECT`): an
# object's JSON (1-2 kB) is too big for a table without them, whose rows live in its key's
# tree and spill into overflow pages, each change freeing and taking pages again.
_SCHEMA = """
create table if not exists facts (name text primary key, value text not null);
create table if not exists objects (
    kind text not null, id text not null, body text not null, seq integer not null default 0,
    primary key (kind, id)
);
create table if not exists answers (
    number integer primary key, key text not null, request blob not null, kind text,
    body blob not null, etag text, at real not null
);
"""
# Version 1 had one server per file: no sequence. Its rows count as number 0, before any change.
_SEQUENCE = (
    "alter table objects add column seq integer not null default 0",
    "alter table answers add column seq integer not null default 0",
)
_SEQUENCE_TABLES = """
create table if not exists removed (
    kind text not null, id text not null, seq integer not null, primary key (kind, id)
) without rowid;
create index if not exists objects_by_seq on objects (seq);
create index if not exists removed_by_seq on removed (seq);
"""
# Version 2 kept answers by their key, with indexes of their age and sequence: numbered here,
# in the order they were written.
_NUMBERED_ANSWERS = (
    """create table numbered_answers (
        number integer primary key, key text not null, request blob not null, kind text,
        body blob not null, etag text, at real not null
    )""",
    "insert into numbered_answers (key, request, kind, body, etag, at) "
    "select key, request, kind, body, etag, at from answers order by seq, at",
    "drop table answers",
    "alter table numbered_answers rename to answers",
    "insert or replace into facts values "
    "('answers', (select coalesce(max(number), 0) from answers))",
)

# Version 3 kept objects in a table without row numbers.
_OBJECTS_IN_PLACE = (
    """create table objects_in_place (
        kind text not null, id text not null, body text not null, seq integer not null default 0,
        primary key (kind, id)
    )""",
    "insert into objects_in_place select kind, id, body, seq from objects order by kind, id",
    "drop table objects",
    "alter table objects_in_place rename to objects",
    "create index objects_by_seq on objects (seq)",
)
_CHANGE_OBJECT = (
    "insert into objects values (?, ?, ?, ?) "
    "on conflict (kind, id) do update set body = excluded.body, seq = excluded.seq"
)


class DataFileError(Exception):
    """The data file cannot be used; the message is one line for the operator."""


@dataclass
class Contents:
    instance: str
    objects: dict[str, list[Any]]  # kind -> models
    answers: list[tuple[str, Answer]]  # idempotency keys and their answers, oldest first


@dataclass
class Changes:
    """What other workers wrote since this one last looked."""

    last_id: int
    objects: list[tuple[str, str, Any]] = field(default_factory=list)  # kind, id, model or None
    answers: list[tuple[str, Answer]] = field(default_factory=list)


class WarehouseFile:
    """One SQLite file holding one warehouse."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        # one server per file: a second would overwrite the first's changes with its own
        self._owner = FileLock(path.with_name(path.name + ".lock"))
        if not self._owner.take():
            self._owner.release()
            raise DataFileError(f"{path} is in use by another server: stop it first.")
        self._seen = 0  # the last change this process holds in memory
        self._answers_seen = 0  # the number of the last answer written that it holds
        self._next_answer = 1  # in a transaction of changes: the next answer's number
        self._data_version: int | None = None
        self._writers: TurnLock | None = None  # with worker processes: whose turn to write
        try:
            self._db = self._connect()
            self._db.execute("pragma journal_mode=wal")
            self._db.executescript(_SCHEMA)
            version = self._fact("schema")
            if version == "1":
                self._upgrade(_SEQUENCE, to="2")
                version = "2"
            self._db.executescript(_SEQUENCE_TABLES)
            if version == "2":
                self._upgrade(_NUMBERED_ANSWERS, to="3")
                version = "3"
            if version == "3":
                self._upgrade(_OBJECTS_IN_PLACE, to="4")
                version = "4"
                # the copied table left the old one's pages free: twice the file's size
                self._db.execute("vacuum")
        except sqlite3.DatabaseError as exc:
            self._owner.release()
            raise DataFileError(f"{path} is not a warehouse data file: {exc}.") from None
        if version is not None and version != str(SCHEMA_VERSION):
            self.close()
            raise DataFileError(
                f"{path} was written by another version of warehouse-console (schema {version})."
            )

    def _connect(self) -> sqlite3.Connection:
        # one connection per process, used under the warehouse's lock from whichever thread
        # serves; transactions are begun and ended here (isolation_level None)
        db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
        )
        db.execute("pragma synchronous=normal")
        return db

    def disconnect(self) -> None:
        """Before worker processes are forked: a SQLite connection must not cross a fork."""
        with self._lock:
            self._db.close()

    def reconnect(self) -> None:
        """In a worker process: its own connection to the file."""
        with self._lock:
            self._db = self._connect()
            self._data_version = None
            self._writers = TurnLock(self.path.with_name(self.path.name + ".writers"))

    def _upgrade(self, statements: Iterable[str], *, to: str) -> None:
        with self._transaction():  # statement by statement: a script would commit
            for statement in statements:
                self._db.execute(statement)
            self._db.execute("update facts set value = ? where name = 'schema'", (to,))

    def _fact(self, name: str) -> str | None:
        row = self._db.execute("select value from facts where name = ?", (name,)).fetchone()
        return row[0] if row else None

    @property
    def is_empty(self) -> bool:
        return self._fact("instance") is None

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._writers is not None:
                self._writers.close()
        self._owner.release()

    # -- writing ------------------------------------------------------------------------------

    def create(self, instance: str, objects: Iterable[BaseModel], *, last_id: int) -> None:
        """Fill an empty file with a whole warehouse, in one transaction."""
        with self._lock, self._transaction():
            self._db.executemany(
                "insert or replace into facts values (?, ?)",
                [
                    ("schema", str(SCHEMA_VERSION)),
                    ("instance", instance),
                    ("last_id", str(last_id)),
                    ("seq", "0"),
                    ("answers", "0"),
                ],
            )
            self._db.executemany(
                "insert or replace into objects values (?, ?, ?, 0)",
                ((MODELS[type(o)], _id(o), wire_json(o).decode()) for o in objects),
            )

    @property
    def last_id(self) -> int:
        """The number in the last id the warehouse made (levels and parcels included)."""
        return int(self._fact("last_id") or 0)

    def begin(self) -> Changes | None:
        """Open a transaction for changes, in the file's write lock: what other workers wrote
        since this one last looked (None: nothing), to apply before the changes are checked.
        Then `write` each change, and `commit` (or `rollback`) them together."""
        with self._lock:
            self._db.execute("begin immediate")
            try:
                # without workers this process is the file's only writer: nothing to read
                changes = self._changes() if self._writers is not None else None
            except BaseException:
                self._db.execute("rollback")
                raise
            self._next_answer = self._answers_seen + 1
            return changes

    def answer_number(self) -> int:
        """Between `begin` and `commit`: the number of an answer to write. Numbers only grow,
        whichever worker writes, so one looking for what is new asks for numbers above the
        last it saw; one given to an answer forgotten before it was written is not used."""
        number = self._next_answer
        self._next_answer += 1
        return number

    def commit(self) -> None:
        with self._lock:
            self._db.execute("commit")

    def rollback(self) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("rollback")

    @property
    def writers(self) -> TurnLock | None:
        """With worker processes, the lock they take turns on before a transaction of changes
        (see `MemoryWarehouse._next_batch`): one waiting for SQLite's own lock sleeps and polls,
        milliseconds each time, where one waiting for this is woken when it is free."""
        return self._writers

    def news(self) -> Changes | None:
        """Before a read: what other workers wrote since this one last looked, if anything."""
        if self._writers is None:
            return None  # no workers: this process is the file's only writer (`_owner`)
        with self._lock:
            # SQLite counts the commits of other connections: unchanged, nothing is new
            version = self._db.execute("pragma data_version").fetchone()[0]
            if version == self._data_version:
                return None
            self._data_version = version
            if self._sequence() == self._seen:
                return None
            self._db.execute("begin")
            try:
                return self._changes()
            finally:
                self._db.execute("commit")

    def _sequence(self) -> int:
        return int(self._fact("seq") or 0)

    def _changes(self) -> Changes | None:
        seen, now = self._seen, self._sequence()
        if now == seen:
            return None
        changes = Changes(last_id=self.last_id)
        for kind, object_id, body in self._db.execute(
            "select kind, id, body from objects where seq > ?", (seen,)
        ):
            changes.objects.append((kind, object_id, KINDS[kind].model_validate_json(body)))
        for kind, object_id in self._db.execute(
            "select kind, id from removed where seq > ?", (seen,)
        ):
            changes.objects.append((kind, object_id, None))
        changes.answers = self._answers("where number > ?", (self._answers_seen,))
        self._seen, self._answers_seen = now, int(self._fact("answers") or 0)
        return changes

    def _answers(
        self, where: str = "", parameters: tuple[Any, ...] = ()
    ) -> list[tuple[str, Answer]]:
        """Answers kept, with their keys, in the order they were written."""
        from console.backends.memory.warehouse import Answer

        return [
            (key, Answer(bytes(request), KINDS.get(kind) if kind else None, bytes(body),
                         etag, at, number))
            for number, key, request, kind, body, etag, at in self._db.execute(
                "select number, key, request, kind, body, etag, at from answers "
                f"{where} order by number", parameters
            )
        ]  # fmt: skip

    def write(
        self,
        changed: Iterable[tuple[str, str, bytes | None]],
        answers: Iterable[tuple[str, Answer]] = (),
        forgotten: Iterable[int] = (),
        *,
        last_id: int,
    ) -> None:
        """Between `begin` and `commit`: the objects changes changed (their JSON; None:
        deleted), their keys' answers (numbered by `answer_number`), the numbers of answers
        forgotten to make room and the last id made, under the next number."""
        seq = self._seen + 1
        db = self._db
        for kind, object_id, body in changed:
            if body is None:
                db.execute("delete from objects where kind = ? and id = ?", (kind, object_id))
                db.execute(
                    "insert or replace into removed values (?, ?, ?)", (kind, object_id, seq)
                )
            else:
                db.execute(_CHANGE_OBJECT, (kind, object_id, body.decode(), seq))
        db.executemany("delete from answers where number = ?", ((n,) for n in forgotten))
        db.executemany(
            "insert into answers values (?, ?, ?, ?, ?, ?, ?)",
            (
                (kept.number, key, kept.request, MODELS.get(kept.model) if kept.model else None,
                 kept.body, kept.etag, kept.at)
                for key, kept in answers
            ),
        )  # fmt: skip
        self._answers_seen = self._next_answer - 1
        db.executemany(
            "insert or replace into facts values (?, ?)",
            [("last_id", str(last_id)), ("seq", str(seq)), ("answers", str(self._answers_seen))],
        )
        self._seen = seq

    def _transaction(self) -> Any:
        db = self._db

        class _Transaction:
            def __enter__(self) -> None:
                db.execute("begin immediate")

            def __exit__(self, kind: object, *rest: object) -> None:
                db.execute("rollback" if kind else "commit")

        return _Transaction()

    # -- reading ------------------------------------------------------------------------------

    def read(self) -> Contents:
        with self._lock:
            instance = self._fact("instance")
            if instance is None:
                raise DataFileError(f"{self.path} holds no warehouse yet.")
            self._seen = self._sequence()
            objects: dict[str, list[Any]] = {kind: [] for kind in KINDS}
            sets = FieldSets()  # each object checked, then kept in half the memory
            for kind, body in self._rows("select kind, body from objects order by kind, id"):
                model = KINDS.get(kind)
                if model is None:
                    raise DataFileError(f"{self.path} holds objects of an unknown kind ({kind}).")
                objects[kind].append(compacted(model.model_validate_json(body), sets))
            self._answers_seen = int(self._fact("answers") or 0)
            answers = self._answers()
        return Contents(instance, objects, answers)

    def _rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        yield from self._db.execute(sql)


def _id(model: BaseModel) -> str:
    return str(getattr(model, "id"))  # noqa: B009  every stored model has an id


def check_data_path(path: Path) -> None:
    """A path `--data` can use: a file, in a folder that exists."""
    if path.exists() and not path.is_file():
        raise DataFileError(f"{path} is not a file.")
    if not path.parent.is_dir():
        raise DataFileError(f"{path.parent} does not exist: create it first.")
