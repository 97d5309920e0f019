"""A warehouse kept in a SQLite file (`serve --data PATH`): what a client was told is on disk.

The in-memory warehouse stays the one set of rules and indexes; this file is its durable copy.
Every change is written, with the idempotency key's answer, in one transaction committed before
the answer leaves (`MemoryWarehouse` calls `write` inside its lock). The file is in WAL mode with
`synchronous=NORMAL`: a commit is in the operating system's hands when it returns, so a killed
server (kill -9, a crash) loses nothing it answered; a power cut may lose the last moments.

On a start the objects are read back whole, with the warehouse's instance id, so consoles see
the same warehouse (no "started afresh") and their versions (ETags, digests of the content)
still hold.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from console.domain.models import Fulfillment, Item, Location, Lot, Manifest
from console.locks import FileLock

if TYPE_CHECKING:
    from console.backends.memory.warehouse import Answer

SCHEMA_VERSION = 1
# The kinds of object kept, by the name each row carries.
KINDS: dict[str, type[BaseModel]] = {
    "location": Location,
    "item": Item,
    "lot": Lot,
    "manifest": Manifest,
    "fulfillment": Fulfillment,
}
MODELS: dict[type[BaseModel], str] = {model: kind for kind, model in KINDS.items()}

_SCHEMA = """
create table if not exists facts (name text primary key, value text not null);
create table if not exists objects (
    kind text not null, id text not null, body text not null, primary key (kind, id)
) without rowid;
create table if not exists answers (
    key text primary key, request blob not null, kind text, body blob not null,
    etag text, at real not null
);
create index if not exists answers_by_age on answers (at);
"""


class DataFileError(Exception):
    """The data file cannot be used; the message is one line for the operator."""


@dataclass
class Contents:
    instance: str
    objects: dict[str, list[Any]]  # kind -> models
    answers: list[tuple[str, Answer]]  # idempotency keys and their answers, oldest first


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
        try:
            # one connection, used under the warehouse's lock from whichever thread serves
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("pragma journal_mode=wal")
            self._db.execute("pragma synchronous=normal")
            self._db.executescript(_SCHEMA)
            version = self._fact("schema")
        except sqlite3.DatabaseError as exc:
            self._owner.release()
            raise DataFileError(f"{path} is not a warehouse data file: {exc}.") from None
        if version is not None and version != str(SCHEMA_VERSION):
            self.close()
            raise DataFileError(
                f"{path} was written by another version of warehouse-console (schema {version})."
            )

    def _fact(self, name: str) -> str | None:
        row = self._db.execute("select value from facts where name = ?", (name,)).fetchone()
        return row[0] if row else None

    @property
    def is_empty(self) -> bool:
        return self._fact("instance") is None

    def close(self) -> None:
        with self._lock:
            self._db.close()
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
                ],
            )
            self._db.executemany(
                "insert or replace into objects values (?, ?, ?)",
                ((MODELS[type(o)], _id(o), o.model_dump_json()) for o in objects),
            )

    @property
    def last_id(self) -> int:
        """The number in the last id the warehouse made (levels and parcels included)."""
        return int(self._fact("last_id") or 0)

    def write(
        self,
        changed: Iterable[tuple[str, str, BaseModel | None]],
        answer: tuple[str, Answer] | None,
        forgotten: Iterable[str] = (),
        *,
        last_id: int,
    ) -> None:
        """One change: the objects it changed (None: deleted), its key's answer, the keys
        forgotten to make room and the last id made, committed together."""
        with self._lock, self._transaction():
            self._db.execute("insert or replace into facts values ('last_id', ?)", (str(last_id),))
            for kind, object_id, model in changed:
                if model is None:
                    self._db.execute(
                        "delete from objects where kind = ? and id = ?", (kind, object_id)
                    )
                else:
                    self._db.execute(
                        "insert or replace into objects values (?, ?, ?)",
                        (kind, object_id, model.model_dump_json()),
                    )
            if answer is not None:
                key, kept = answer
                self._db.execute(
                    "insert or replace into answers values (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        kept.request,
                        MODELS.get(kept.model) if kept.model else None,
                        kept.body,
                        kept.etag,
                        kept.at,
                    ),
                )
            self._db.executemany("delete from answers where key = ?", ((k,) for k in forgotten))

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
            objects: dict[str, list[Any]] = {kind: [] for kind in KINDS}
            for kind, body in self._rows("select kind, body from objects order by kind, id"):
                model = KINDS.get(kind)
                if model is None:
                    raise DataFileError(f"{self.path} holds objects of an unknown kind ({kind}).")
                objects[kind].append(model.model_validate_json(body))
            from console.backends.memory.warehouse import Answer

            answers = [
                (key, Answer(bytes(request), KINDS.get(kind) if kind else None, bytes(body),
                             etag, at))
                for key, request, kind, body, etag, at in self._rows(
                    "select key, request, kind, body, etag, at from answers order by at"
                )
            ]  # fmt: skip
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
