"""The in-memory warehouse: the demo and training backend, and the reference for the API's rules.

Every mutation checks everything first and then commits, under one lock, so an update applies
whole or not at all and two adjustments of one level never lose each other.

A stored object is never changed once stored: every change stores new objects (sharing what did
not change). So a server, which only encodes what it reads, is handed the stored objects as they
are (`share_reads`), with no copy per read; every other caller gets copies, so nothing it does
to a returned object changes the warehouse.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel

from console.backends.memory.building import collector_paused
from console.backends.memory.ordering import SortedIds
from console.backends.memory.search import SearchIndex
from console.backends.protocol import Capabilities
from console.domain import fulfillments as fulfillment_rules
from console.domain import manifests as manifest_rules
from console.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unavailable,
)
from console.domain.gtin import gtin14
from console.domain.levels import LevelPlan, apply_level_changes, totals
from console.domain.lots import check_lot_dates, check_lot_quantities, fefo_key
from console.domain.models import (
    OPEN_FULFILLMENT_STATUSES,
    Dimensions,
    Fulfillment,
    Item,
    Level,
    Location,
    Lot,
    LotStatus,
    Manifest,
    ManifestLine,
    ManifestStatus,
    Page,
    Pagination,
    Versioned,
    wire_json,
)
from console.domain.numbers import fulfillment_numbers, known_by, manifest_numbers
from console.domain.queries import (
    FulfillmentQuery,
    ItemQuery,
    ListQuery,
    LocationQuery,
    LotQuery,
    ManifestQuery,
)
from console.domain.requests import (
    FulfillmentCreate,
    FulfillmentUpdate,
    ItemCreate,
    ItemUpdate,
    LevelChange,
    LotCreate,
    LotUpdate,
    ManifestCreate,
    ManifestUpdate,
    RequestModel,
    parse_request,
)

if TYPE_CHECKING:
    from console.backends.memory.disk import Changes, WarehouseFile

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
Body = RequestModel | Mapping[str, Any]

MEMORY_CAPABILITIES = Capabilities(
    idempotency_keys=True, etags=True, lot_picks=True, receipt_parts=True
)
# Idempotency keys are remembered with their answers up to this many bytes in all and for this
# long, the oldest forgotten first: a client re-sends within seconds or minutes, and answers
# kept as live objects grew a server by hundreds of megabytes and made every collection slow.
IDEMPOTENCY_BYTES = 64 * 1024 * 1024
IDEMPOTENCY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Answer:
    """The first answer to an idempotency key, as JSON: bytes the collector never walks."""

    request: bytes  # a digest of the request, to refuse the key reused for another one
    model: type[BaseModel] | None  # None: the change answered nothing (a delete)
    body: bytes
    etag: str | None
    at: float
    number: int = 0  # its number in the data file; 0: not written there (yet)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.request) + 200  # the entry's own overhead, roughly

    def replay(self) -> Any:
        if self.model is None:
            return None
        out = self.model.model_validate_json(self.body)
        if isinstance(out, Versioned):
            out.etag = self.etag
        return out


class _Read:
    """The context of a read (`MemoryWarehouse._reading`): one per warehouse, made once, as a
    read is the commonest thing a server does."""

    __slots__ = ("_warehouse",)

    def __init__(self, warehouse: MemoryWarehouse) -> None:
        self._warehouse = warehouse

    def __enter__(self) -> None:
        warehouse = self._warehouse
        warehouse._lock.acquire()
        try:
            warehouse._catch_up()
        except BaseException:
            warehouse._lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        self._warehouse._lock.release()


@dataclass(eq=False)
class _Change:
    """A change waiting for the next batch (`_once`)."""

    key: str | None
    request: bytes
    apply: Callable[[], Any]
    answered: asyncio.Future[Any]


def _paged(data: list[T], start: int, total: int, query: ListQuery) -> Page[T]:
    """One page already cut, from `start` of `total` rows."""
    return Page.of(
        data,
        Pagination(
            page=query.page,
            limit=query.limit,
            has_more=start + len(data) < total,
            total_count=total,
        ),
    )


def _page(
    rows: list[T], query: ListQuery, total: int | None = None, *, counted: bool = True
) -> Page[T]:
    """Slice one page out of an ordered list of rows. Rows not `counted` are the first of
    more, not all counted (a word typed over a huge catalogue): no count is given, and a full
    set of pages up to this one means there are more."""
    total = len(rows) if total is None else total
    start = (query.page - 1) * query.limit
    data = rows[start : start + query.limit]
    full = len(rows) >= query.page * query.limit
    return Page.of(
        data,
        Pagination(
            page=query.page,
            limit=query.limit,
            has_more=start + len(data) < total or (not counted and full),
            total_count=total if counted else None,
        ),
    )


def _settle(change: _Change, result: Any = None, error: Exception | None = None) -> None:
    """Answer a change, on its event loop's thread, unless it no longer waits."""
    answered = change.answered

    def answer() -> None:
        if answered.done():
            return
        if error is not None:
            answered.set_exception(error)
        else:
            answered.set_result(result)

    loop = answered.get_loop()
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if here is loop:
        answer()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(answer)


def _no_turn(exc: OSError) -> str:
    return f"This worker could not take its turn to write ({exc}): nothing was applied. Try again."


def _copy(model: T) -> T:
    return model.model_copy(deep=True)


def etag_of(model: BaseModel, encoded: bytes | None = None) -> str:
    """A strong ETag of what an object holds: it changes whenever anything in it changes (its
    `updated_at` included), and is the same for the same content. `encoded`: its `wire_json`,
    when already made."""
    if encoded is None:
        encoded = wire_json(model)
    digest = hashlib.blake2b(encoded, digest_size=12).hexdigest()
    return f'"{digest}"'


# Changes that arrive while others are still arriving share one commit (`_gather`): the batch
# is applied once a look finds no change came since the last, a look being so many turns of
# the event loop after the one before (a request read in one turn reaches the warehouse in the
# next); after so many looks however many still come; and at once when so many are waiting.
# With 8 consoles counting on one process, batches grew from 2.8 changes to 7.9 and an update
# cost the server 8-16% less CPU; a console alone waits one turn more, some 2 microseconds.
_GATHER_TURNS = 2
_GATHER_LOOKS = 3
_BATCH_FULL = 64


# Stored objects kept encoded (their JSON and ETag, see `_encoding`): a read of one of them
# encodes nothing anew. Some 64 MB of JSON at the demo's sizes.
_ENCODINGS_KEPT = 65_536
# where the stored objects of each kind are, for `_is_stored`
_STORES: dict[type, str] = {
    Item: "_items", Location: "_locations", Lot: "_lots", Manifest: "_manifests",
    Fulfillment: "_fulfillments",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Encoding:
    model: BaseModel  # held, so that its id() is not another object's while this is kept
    body: bytes
    etag: str


# The orders an item listing offers besides relevance: each item's key in it, unique to the
# item, and a string, so the listings and the search index (which lists matches by them) sort
# alike. The id breaks ties after a NUL, which sorts before any character a name has; a
# timestamp is written in a fixed width, made non-negative.
_ITEM_ORDERS: dict[str, Callable[[Item], str]] = {
    "name": lambda item: f"{item.name.casefold()}\x00{item.id}",
    "created_at": lambda item: f"{(item.created_at or 0) + 2**63:020d}\x00{item.id}",
}


def _sort_keys(item: Item) -> dict[str, str]:
    return {order: key(item) for order, key in _ITEM_ORDERS.items()}


def _search_fields(item: Item) -> dict[str, str | None]:
    # The index compares GTINs as 14 digits itself; it gets the GTIN as stored.
    extra = item.metadata.get("_search") if item.metadata else None
    if isinstance(extra, list):
        extra = " ".join(str(x) for x in extra)
    return {
        "name": item.name,
        "sku": item.sku,
        "gtin": item.gtin,
        "search": extra if isinstance(extra, str) else None,
    }


class _Tracked(dict[str, Any]):
    """A dict of one kind of object that notes which ids were set or removed: the changes a
    data file must write (see console/backends/memory/disk.py)."""

    def __init__(self, kind: str, contents: dict[str, Any], changed: set[tuple[str, str]]) -> None:
        super().__init__(contents)
        self.kind = kind
        self.changed = changed

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed.add((self.kind, key))

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed.add((self.kind, key))


class MemoryWarehouse:
    """The Backend protocol over plain dictionaries, with indexes for the hot look-ups."""

    def __init__(
        self,
        *,
        locations: Iterable[Location] = (),
        items: Iterable[Item] = (),
        lots: Iterable[Lot] = (),
        manifests: Iterable[Manifest] = (),
        fulfillments: Iterable[Fulfillment] = (),
        clock: Callable[[], float] = time.time,
        label: str = "demo",
    ) -> None:
        self._label = label
        self._clock = clock
        # Which warehouse this is: a new one (the demo generated again, a server restarted) has
        # another, so a client can tell its changes were made to one that no longer exists.
        self._instance = uuid.uuid4().hex
        self._lock = threading.RLock()
        self._read = _Read(self)
        self._shared = False  # stored objects handed out as they are (`share_reads`)
        # with a data file: the changes waiting for the next batch, and whether it is due
        self._waiting: list[_Change] = []
        self._batch_due = False
        # the stored objects' JSON and ETags, as last encoded (`_encoding`)
        self._kept: dict[tuple[type, str], _Encoding] = {}
        # during a change or a batch: the JSON of the objects it made, by identity, so each is
        # encoded once for its ETag, the data file, the idempotent answer and the answer sent;
        # the last batch's stays for its answers, which are sent after it
        self._encoded: dict[int, _Encoding] | None = None
        self._last_batch: dict[int, _Encoding] = {}
        self._last_id = 0  # the number in the last id made here (`_new_id`)
        # why the data file could not be written, if it could not: nothing is served after
        self.failure: str | None = None
        self._locations: dict[str, Location] = {loc.id: loc for loc in locations}
        self._items: dict[str, Item] = {}
        self._by_gtin: dict[str, str] = {}
        self._by_sku: dict[str, str] = {}
        self._by_location: dict[str, set[str]] = defaultdict(set)
        self._search = SearchIndex(orders=_ITEM_ORDERS)
        # Items not yet in the search index, in arrival order. The index is filled in the
        # background after the first request, so the warehouse (and the console on it) is usable
        # at once; a search catches up with whatever is still waiting before it runs.
        self._unindexed: OrderedDict[str, None] = OrderedDict()  # O(1) pop from the front
        self._indexing: asyncio.Task[None] | None = None
        self._orders: dict[str, SortedIds] = {}  # made by the first listing in each order
        for item in items:
            self._unindexed[item.id] = None
            self._reindex(item, None)
            self._items[item.id] = item
        self._lots: dict[str, Lot] = {lot.id: lot for lot in lots}
        # lot ids first-to-expire first, per location (None: all): rebuilt after a lot changes
        # lot ids in FEFO order: everywhere (None), per location id, per ("item", item id)
        self._lot_order: dict[str | tuple[str, str] | None, list[str]] | None = None
        self._manifests: dict[str, Manifest] = {m.id: m for m in manifests}
        self._fulfillments: dict[str, Fulfillment] = {f.id: f for f in fulfillments}
        self._idempotent: OrderedDict[str, Answer] = OrderedDict()
        self._idempotent_bytes = 0
        self._file: WarehouseFile | None = None  # the data file, when kept on disk
        self._tracked: dict[str, _Tracked] = {}  # its dicts of objects by kind, when kept
        # what the changes since the last write changed, (kind, id), the answers to write and
        # the numbers of those written that were forgotten (`_write_batch`): an answer
        # forgotten before it was written is not written
        self._changed: set[tuple[str, str]] = set()
        self._answers_to_write: dict[str, Answer] = {}
        self._forgotten: set[int] = set()

    @classmethod
    def demo(
        cls,
        items: int = 2000,
        seed: int = 7,
        now: int | None = None,
        *,
        snapshots: Path | None = None,
    ) -> MemoryWarehouse:
        """The demo warehouse: deterministic for a given size, seed and day. With `snapshots`
        (a directory), read from the snapshot an earlier start left there when one matches."""
        from console.backends.memory.demo_store import demo_data

        with collector_paused():
            data = demo_data(items, seed, now, snapshots)
            return cls(
                locations=data.locations,
                items=data.items,
                lots=data.lots,
                manifests=data.manifests,
                fulfillments=data.fulfillments,
            )

    @classmethod
    def on_disk(
        cls,
        path: Path,
        *,
        items: int = 2000,
        seed: int = 7,
        snapshots: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> MemoryWarehouse:
        """The warehouse kept in the SQLite file at `path`: read back when it holds one, else
        the demo warehouse (`items`, `seed`) written into it first. Raises DataFileError."""
        from console.backends.memory.disk import WarehouseFile, check_data_path

        check_data_path(path)
        file = WarehouseFile(path)
        try:
            with collector_paused():
                if file.is_empty:
                    warehouse = cls.demo(items, seed, snapshots=snapshots)
                    warehouse._clock = clock
                    file.create(
                        warehouse._instance, warehouse._all_objects(), last_id=warehouse._last_id
                    )
                else:
                    contents = file.read()
                    objects = contents.objects
                    warehouse = cls(
                        locations=objects["location"],
                        items=objects["item"],
                        lots=objects["lot"],
                        manifests=objects["manifest"],
                        fulfillments=objects["fulfillment"],
                        clock=clock,
                    )
                    warehouse._instance = contents.instance
                    for key, answer in contents.answers:
                        warehouse._idempotent[key] = answer
                        warehouse._idempotent_bytes += answer.size
        except BaseException:
            file.close()
            raise
        warehouse._keep_in(file)
        return warehouse

    def _all_objects(self) -> Iterator[BaseModel]:
        for kind in (self._locations, self._items, self._lots, self._manifests, self._fulfillments):
            yield from kind.values()

    def _keep_in(self, file: WarehouseFile) -> None:
        """From now on, every change is written to `file` before its answer."""
        changed = self._changed
        self._items = _Tracked("item", self._items, changed)
        self._lots = _Tracked("lot", self._lots, changed)
        self._manifests = _Tracked("manifest", self._manifests, changed)
        self._fulfillments = _Tracked("fulfillment", self._fulfillments, changed)
        self._tracked = {
            tracked.kind: tracked
            for tracked in (self._items, self._lots, self._manifests, self._fulfillments)
        }
        # ids made here go on from the last one made (levels and parcels inside objects have
        # them too), kept in the file with every change: never one repeated
        self._last_id = file.last_id
        self._file = file

    def close(self) -> None:
        if self._file is not None:
            self._refuse_waiting("The server stopped: nothing was applied.")
            self._file.close()

    def share_reads(self) -> None:
        """From now on, reads and changes answer the stored objects themselves, not copies:
        for the server, which encodes them and changes none (a stored object never changes,
        see above). Their versions are `version(obj)`, not their `etag` field."""
        self._shared = True

    def version(self, model: BaseModel) -> str | None:
        """The ETag of an object this warehouse handed out."""
        if not isinstance(model, Versioned):
            return None
        if model.etag is not None:
            return model.etag
        return self._encoding(model).etag

    def encoded(self, model: BaseModel) -> bytes:
        """`wire_json` of an object this warehouse handed out: made once per version of a
        stored object, however often it is read."""
        return self._encoding(model).body

    def _encoding(self, model: BaseModel) -> _Encoding:
        """The JSON and ETag of an object: from the change or batch that made it, or as kept
        for the stored object it is, or made now (and kept, when it is the stored one)."""
        for made in (self._encoded, self._last_batch):
            if made:
                found = made.get(id(model))
                if found is not None and found.model is model:
                    return found
        key = (type(model), str(getattr(model, "id", "")))
        kept = self._kept.get(key)
        if kept is not None and kept.model is model:
            return kept
        body = wire_json(model)
        encoding = _Encoding(model, body, etag_of(model, body))
        if self._encoded is not None:
            self._encoded[id(model)] = encoding
        elif self._is_stored(key[0], key[1], model):
            if len(self._kept) >= _ENCODINGS_KEPT:
                self._kept.clear()
            self._kept[key] = encoding
        return encoding

    def _is_stored(self, kind: type, object_id: str, model: BaseModel) -> bool:
        """Whether `model` is the stored object itself (not a copy, a search result or a
        replayed answer, which are not kept encoded)."""
        objects = getattr(self, _STORES.get(kind, ""), None)
        return objects is not None and objects.get(object_id) is model

    def _out(self, model: T) -> T:
        """A stored object as handed to the caller: itself when reads are shared, else a copy."""
        return model if self._shared else _copy(model)

    def _tagged(self, model: T) -> T:
        """A stored object as handed to the caller, with its version when it is a copy."""
        return model if self._shared else self._versioned_copy(model)

    def _versioned_copy(self, model: T) -> T:
        out = _copy(model)
        if isinstance(out, Versioned):
            out.etag = self.version(model)
        return out

    def disconnect(self) -> None:
        """Before worker processes are forked from this one (each then calls `reconnect`).
        The search index must be settled (`index_for_search`): while it has changes to save it
        runs threads, which a forked worker would not have, and its next change would wait on
        them for ever; and the threads it ran must have ended (`SearchIndex.threads_ended`)."""
        if self._search.started:
            raise RuntimeError("the search index has unsaved changes: settle it before forking")
        if not self._search.threads_ended():
            log.warning("the search index's threads are still running: forking all the same")
        if self._file is not None:
            self._file.disconnect()

    def reconnect(self) -> None:
        if self._file is not None:
            self._file.reconnect()

    def _fell_behind(self, why: str) -> str:
        """The warehouse in memory is ahead of its file (`why`): it serves nothing more, as a
        restart reads the file, which is whole. What the unsaved changes are told."""
        self.failure = why
        return (
            f"The change could not be saved: {why}. Nothing more is served until the server "
            "is restarted."
        )

    def _not_written(self, exc: Exception) -> str:
        assert self._file is not None
        return self._fell_behind(f"the data file {self._file.path} could not be written ({exc})")

    def _not_served(self) -> str:
        return f"Nothing is served: {self.failure}. Restart the server."

    def _gather(self, turns: int, gathered: int, looks: int) -> None:
        """The batch waits for the changes still arriving (see `_GATHER_TURNS`): a commit is
        the dearest part of a change, and each change that joins a batch shares one. Looked
        again in `turns` turns, with `gathered` waiting at the last of its `looks`."""
        loop = asyncio.get_running_loop()
        if turns > 1:
            loop.call_soon(self._gather, turns - 1, gathered, looks)
            return
        waiting = len(self._waiting)
        if gathered < waiting < _BATCH_FULL and looks < _GATHER_LOOKS:
            loop.call_soon(self._gather, _GATHER_TURNS, waiting, looks + 1)
            return
        self._next_batch()

    def _next_batch(self) -> None:
        """Apply the waiting changes, now if this process may write, else once it may: its
        turn is waited for in a thread, so this worker serves its reads meanwhile."""
        assert self._file is not None
        writers = self._file.writers
        try:
            free = writers is None or writers.try_take()
        except OSError as exc:
            self._refuse_waiting(_no_turn(exc))
            return
        if free:
            self._apply_batch()
            return
        assert writers is not None
        loop = asyncio.get_running_loop()

        def take_turn() -> None:
            try:
                writers.take()
            except OSError as exc:
                loop.call_soon_threadsafe(self._refuse_waiting, _no_turn(exc))
                return
            try:
                loop.call_soon_threadsafe(self._apply_batch)
            except RuntimeError:  # the loop is closed: the server stopped meanwhile
                writers.release()

        loop.run_in_executor(None, take_turn)

    def _refuse_waiting(self, why: str) -> None:
        batch, self._waiting, self._batch_due = self._waiting, [], False
        for change in batch:
            _settle(change, error=Unavailable(why))

    def _apply_batch(self) -> None:
        """The waiting changes, applied one after the other and written in one transaction
        (this process holding the turn, with workers), then answered: group commit.

        A commit is the dearest part of a change, so the changes that arrive together (those
        still arriving are waited for, `_gather`) share one, and each object they changed is
        written once, as the last left it. All of it is one step of the loop, in the
        warehouse's lock: a read sees the batch's changes only once they are on disk. A
        refused change refuses only itself;
        when the batch cannot be written, it is rolled back and none of it is answered (the
        warehouse then serves nothing more, see `_fell_behind`)."""
        assert self._file is not None
        batch, self._waiting, self._batch_due = self._waiting, [], False
        done: list[tuple[_Change, Any, Exception | None]] = []
        with self._lock:
            self._encoded = {}  # each object encoded once for the whole batch (`_json`)
            try:
                failure = self._begin()
                if failure is None:
                    for change in batch:
                        if change.answered.cancelled():
                            continue  # its request is gone: not applied, and no one to tell
                        try:
                            result = self._once_now(change.key, change.request, change.apply)
                        except Exception as exc:
                            done.append((change, None, exc))
                        else:
                            done.append((change, result, None))
                    failure = self._commit()
            except Exception as exc:  # a defect: none of the batch may stand, or be answered
                log.exception("a batch of changes failed")
                with contextlib.suppress(Exception):
                    self._file.rollback()
                failure = self._fell_behind(
                    f"a batch of changes failed ({type(exc).__name__}: {exc})"
                )
            finally:
                self._last_batch, self._encoded = self._encoded or {}, None
                if self._file.writers is not None:
                    self._file.writers.release()
        if failure is not None:
            for change in batch:
                _settle(change, error=Unavailable(failure))
            return
        for change, result, error in done:
            _settle(change, result, error)

    def _begin(self) -> str | None:
        """Open the data file's transaction, applying what other workers wrote; or why not."""
        import sqlite3

        assert self._file is not None
        if self.failure is not None:
            return self._not_served()
        try:
            self._apply_news(self._file.begin())
        except (sqlite3.Error, OSError) as exc:
            self._file.rollback()
            if isinstance(exc, sqlite3.OperationalError) and (
                "locked" in str(exc) or "busy" in str(exc)
            ):
                return (
                    f"The data file {self._file.path} stayed busy: nothing was applied. Try again."
                )
            return self._not_written(exc)
        return None

    def _commit(self) -> str | None:
        """Write what the batch changed and commit it; or roll it back, and say why, when it
        cannot be written."""
        import sqlite3

        assert self._file is not None
        try:
            if self.failure is None:
                self._write_batch()
                self._file.commit()
                return None
            self._file.rollback()
            return self._fell_behind(self.failure)
        except (sqlite3.Error, OSError) as exc:
            self._file.rollback()
            return self._not_written(exc)
        finally:
            self._changed.clear()
            self._answers_to_write = {}
            self._forgotten = set()

    def _reading(self) -> _Read:
        """A read (`with self._reading():`), in the warehouse's lock, of the warehouse with
        whatever other worker processes changed in its file."""
        return self._read

    def _catch_up(self) -> None:
        """In the lock, before a read: what other workers wrote, applied."""
        if self._file is not None:
            if self.failure is not None:
                raise Unavailable(self._not_served())
            try:
                self._apply_news(self._file.news())
            except Exception as exc:
                self.failure = f"the data file {self._file.path} could not be read ({exc})"
                raise Unavailable(self._not_served()) from None

    def _apply_news(self, news: Changes | None) -> None:
        """What another worker process changed, applied to this one's memory and indexes."""
        if news is None:
            return
        self._last_id = max(self._last_id, news.last_id)
        for kind, object_id, model in news.objects:
            if kind == "item":
                previous = self._items.get(object_id)
                if model is not None:
                    self._commit_item(model, previous)
                elif previous is not None:
                    self._reindex(None, previous)
                    self._unlist(object_id)
                    del self._items[object_id]
                continue
            objects: dict[str, Any] = self._locations if kind == "location" else self._tracked[kind]
            if model is None:
                objects.pop(object_id, None)
            else:
                objects[object_id] = model
            if kind == "lot":
                self._lot_order = None
        for key, answer in news.answers:
            if key not in self._idempotent:
                self._idempotent[key] = answer
                self._idempotent_bytes += answer.size
        self._changed.clear()  # applied from the file: nothing of this process's to write

    def _write_batch(self) -> None:
        """Into the batch's transaction: the objects its changes touched, as they are now,
        their keys' answers and the keys forgotten."""
        assert self._file is not None
        if not (self._changed or self._answers_to_write or self._forgotten):
            return  # only replays and refusals: nothing new for the file or other workers
        tracked = self._tracked
        changed = [
            (kind, oid, None if model is None else self.encoded(model))
            for kind, oid in sorted(self._changed)
            for model in (tracked[kind].get(oid),)
        ]
        self._file.write(
            changed, self._answers_to_write.items(), self._forgotten, last_id=self._last_id
        )

    @property
    def label(self) -> str:
        return self._label

    @property
    def capabilities(self) -> Capabilities:
        return MEMORY_CAPABILITIES

    @property
    def instance(self) -> str:
        return self._instance

    async def aclose(self) -> None:
        return None

    # -- plumbing ------------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _new_id(self, prefix: str) -> str:
        self._last_id += 1
        return f"{prefix}_m{self._last_id:07d}"

    def _remembered(self, key: str | None, request: bytes) -> Answer | None:
        """The answer to an earlier request with this key, if there was one."""
        if key is None:
            return None
        self._forget(self._clock() - IDEMPOTENCY_SECONDS)
        earlier = self._idempotent.get(key)
        if earlier is None:
            return None
        if earlier.request != request:
            raise Conflict(
                "This Idempotency-Key was already used for a different request.",
                [FieldError("Idempotency-Key", "reused for a different request")],
            )
        return earlier

    def _answer_of(self, request: bytes, result: Any) -> Answer:
        return Answer(
            request=request,
            model=type(result) if isinstance(result, BaseModel) else None,
            body=self.encoded(result) if isinstance(result, BaseModel) else b"",
            etag=self.version(result),
            at=self._clock(),
            number=0 if self._file is None else self._file.answer_number(),
        )

    def _remember(self, key: str | None, answer: Answer) -> None:
        if key is None:
            return
        self._idempotent[key] = answer
        self._idempotent_bytes += answer.size
        self._forget(self._clock() - IDEMPOTENCY_SECONDS)

    def _forget(self, before: float) -> None:
        """Forget the oldest answers: those from before `before`, and any over the bytes kept."""
        kept = self._idempotent
        while kept:
            oldest = next(iter(kept.values()))
            if oldest.at >= before and self._idempotent_bytes <= IDEMPOTENCY_BYTES:
                return
            key, _ = kept.popitem(last=False)
            self._idempotent_bytes -= oldest.size
            if self._file is not None and self._answers_to_write.pop(key, None) is None:
                self._forgotten.add(oldest.number)

    async def _once(self, key: str | None, fingerprint: str, apply: Callable[[], T]) -> T:
        """Apply a change once per idempotency key; a repeat gets the first answer again (with
        the version it had then). With a data file, it waits for the next batch and is
        answered once that is on disk (`_apply_batch`)."""
        request = hashlib.blake2b(fingerprint.encode(), digest_size=16).digest()
        if self._file is None:
            return self._once_now(key, request, apply)
        loop = asyncio.get_running_loop()
        change = _Change(key, request, apply, loop.create_future())
        self._waiting.append(change)
        if not self._batch_due:
            self._batch_due = True
            loop.call_soon(self._gather, _GATHER_TURNS, len(self._waiting), 0)
        return cast(T, await change.answered)

    def _once_now(self, key: str | None, request: bytes, apply: Callable[[], T]) -> T:
        """The change itself, in memory and (inside the batch's transaction) in the file."""
        with self._lock:
            if self.failure is not None:
                raise Unavailable(self._not_served())
            earlier = self._remembered(key, request)
            if earlier is not None:
                return cast(T, earlier.replay())
            alone = self._encoded is None  # not in a batch: its objects encoded once for it
            if alone:
                self._encoded = {}
            earlier_changes = set(self._changed)
            try:
                try:
                    result = self._tagged(apply())
                except BaseException:
                    self._changed &= earlier_changes  # a refused change changed nothing
                    raise
                answer = self._answer_of(request, result) if key is not None else None
            finally:
                if alone:
                    self._last_batch, self._encoded = self._encoded, None
            if key is not None and answer is not None:
                if self._file is not None:
                    self._answers_to_write[key] = answer
                self._remember(key, answer)
            return result

    def _check_version(self, current: Versioned, if_match: str | None, noun: str) -> None:
        """An update based on an older version of the object changes nothing (412)."""
        if if_match is None or if_match.strip() == "*":
            return
        if self.version(current) not in {tag.strip() for tag in if_match.split(",")}:
            raise PreconditionFailed(
                f"The {noun} has changed since it was read: nothing was applied.",
                [FieldError("If-Match", "not the current version")],
                current=self._versioned_copy(current),
            )

    # An id in the path that does not exist is 404; one named inside a body is bad input (400).

    def _location(self, location_id: str, field: str = "location_id") -> Location:
        location = self._locations.get(location_id)
        if location is None:
            error = NotFound if field == "id" else InvalidInput
            raise error(
                f"Location {location_id} does not exist.", [FieldError(field, "unknown location")]
            )
        return location

    def _item(self, item_id: str, field: str = "item_id") -> Item:
        item = self._items.get(item_id)
        if item is None:
            error = NotFound if field == "id" else InvalidInput
            raise error(f"Item {item_id} does not exist.", [FieldError(field, "unknown item")])
        return item

    # -- item indexes --------------------------------------------------------------------------

    def _reindex(self, item: Item | None, previous: Item | None, *, moved: bool = True) -> None:
        """Bring the look-up indexes from `previous` (None: new) to `item` (None: deleted).
        A level change touches only the location index: the search text did not change, and
        `moved` (the item's sort keys changed, see `_commit_item`) is False."""
        if (
            item is None
            or previous is None
            or (item.gtin, item.sku) != (previous.gtin, previous.sku)
        ):  # a count keeps them: their indexes stay as they are
            self._recode(item, previous)
        if item is None:
            assert previous is not None
            for level in previous.levels:
                self._by_location[level.location_id].discard(previous.id)
            if previous.id in self._unindexed:
                del self._unindexed[previous.id]
            else:
                self._search.remove(previous.id)
            return
        old_sites = {lv.location_id for lv in previous.levels} if previous else set()
        new_sites = {lv.location_id for lv in item.levels}
        for site in old_sites - new_sites:
            self._by_location[site].discard(item.id)
        for site in new_sites - old_sites:
            self._by_location[site].add(item.id)
        if item.id in self._unindexed:
            return  # indexed later, from whatever the item is then
        fields = _search_fields(item)
        if previous is None or moved or _search_fields(previous) != fields:
            self._search.add(item.id, fields, _sort_keys(item))

    def _recode(self, item: Item | None, previous: Item | None) -> None:
        """Bring the GTIN and SKU indexes from `previous` (None: new) to `item` (None: deleted)."""
        old_gtin = gtin14(previous.gtin) if previous else None
        new_gtin = gtin14(item.gtin) if item else None
        old_sku = previous.sku.casefold() if previous and previous.sku else None
        new_sku = item.sku.casefold() if item and item.sku else None
        if old_gtin and old_gtin != new_gtin:
            self._by_gtin.pop(old_gtin, None)
        if old_sku and old_sku != new_sku:
            self._by_sku.pop(old_sku, None)
        if item is not None and new_gtin:
            self._by_gtin[new_gtin] = item.id
        if item is not None and new_sku:
            self._by_sku[new_sku] = item.id

    def index_for_search(self) -> None:
        """Index every item for search now. A console's own warehouse fills its index in the
        background after the first screen; a server does this before it answers, so its first
        search does not wait for a million items to be indexed."""
        self._catch_up_search()
        with self._lock:
            self._search.settle()

    def _catch_up_search(self, budget: int | None = None) -> bool:
        """Index up to `budget` waiting items (all when None); True when none are left."""
        with self._lock:
            while self._unindexed and budget != 0:
                item_id, _ = self._unindexed.popitem(last=False)
                item = self._items[item_id]
                self._search.add(item_id, _search_fields(item), _sort_keys(item))
                budget = None if budget is None else budget - 1
            return not self._unindexed

    def _index_in_background(self) -> None:
        if self._indexing is not None or not self._unindexed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._indexing = loop.create_task(self._fill_search_index())

    async def _fill_search_index(self) -> None:
        # Let the first screen draw before starting; then small slices keep a console on this
        # warehouse responsive while the index fills.
        await asyncio.sleep(0.5)
        while True:
            if self._catch_up_search(budget=150):
                return
            await asyncio.sleep(0)

    def _check_unique_codes(self, sku: str | None, gtin: str | None, item_id: str | None) -> None:
        if sku and self._by_sku.get(sku.casefold(), item_id) != item_id:
            raise Conflict(
                f"SKU {sku} already belongs to another item.", [FieldError("sku", "already used")]
            )
        if gtin:
            key = gtin14(gtin)
            if key is None:
                raise InvalidInput.on("gtin", f"{gtin} is not a valid GTIN (check digit)")
            if self._by_gtin.get(key, item_id) != item_id:
                raise Conflict(
                    f"GTIN {gtin} already belongs to another item.",
                    [FieldError("gtin", "already used")],
                )

    def _item_order(self, order_by: str) -> SortedIds:
        order = self._orders.get(order_by)
        if order is None:
            items = self._items
            of_item = _ITEM_ORDERS[order_by]
            order = self._orders[order_by] = SortedIds(lambda i: of_item(items[i]), items)
        return order

    def prepare_listings(self) -> None:
        """Sort the items in each order a listing offers (by name, newest): seconds at a
        million items, which a server spends before it answers rather than on a first
        listing (and before its workers fork, which then share them)."""
        with self._lock:
            for order_by in _ITEM_ORDERS:
                self._item_order(order_by)

    def _unlist(self, item_id: str) -> None:
        """Out of every listing order, while the stored item is still the one they sorted."""
        for order in self._orders.values():
            order.remove(item_id)

    def _commit_item(self, item: Item, previous: Item | None) -> None:
        moved = previous is None or _sort_keys(previous) != _sort_keys(item)
        self._reindex(item, previous, moved=moved)
        if previous is not None and moved:
            self._unlist(item.id)
        self._items[item.id] = item
        if moved:
            for order in self._orders.values():
                order.add(item.id)

    def _leveled(
        self, item: Item, changes: list[LevelChange], now: int, fields: dict[str, Any] | None = None
    ) -> Item:
        """A copy of the item with `fields` set, the changes applied and totals recomputed (or
        an error)."""
        levels = apply_level_changes(
            item.levels, changes, self._locations, lambda: self._new_id("lvl"), now
        )
        changed = {**(fields or {}), "levels": levels, "updated_at": now, **totals(levels)}
        return item.model_copy(update=changed)

    def _apply_plan(self, plan: LevelPlan, now: int) -> None:
        """Apply level changes across several items atomically: all are checked, then committed."""
        updated = [
            self._leveled(self._item(item_id), changes, now) for item_id, changes in plan.items()
        ]
        for item in updated:
            self._commit_item(item, self._items[item.id])

    # -- items ---------------------------------------------------------------------------------

    async def list_items(self, query: ItemQuery | None = None) -> Page[Item]:
        query = query or ItemQuery()
        self._index_in_background()
        with self._reading():
            scores: dict[str, float] = {}
            searching = bool(query.search and query.search.strip())
            filtered = query.location_id or query.sku is not None or query.gtin is not None
            if searching and not query.order_by and not filtered and not query.layout_id:
                # in the index's order, nothing filtered away: only the pages up to this one
                # are ranked, not every match
                self._catch_up_search()
                best = self._search.top(query.search or "", query.page * query.limit)
                ranked = [hit.doc_id for hit in best.hits]
                page = _page(ranked, query, best.total, counted=best.total is not None)
                scores = {hit.doc_id: hit.score for hit in best.hits}
                return Page.of(
                    [self._found(item_id, scores, query) for item_id in page.data],
                    page.pagination,
                )
            if searching and query.order_by and not filtered and not query.layout_id:
                self._catch_up_search()
                found = self._first_in_order(query)
                if found is not None:
                    return found
            if searching:
                self._catch_up_search()
                hits = self._search.search(query.search or "")
                scores = {hit.doc_id: hit.score for hit in hits}
            if searching and not query.order_by:  # by relevance, filtered
                page = _page(self._filter_items([hit.doc_id for hit in hits], query), query)
            else:
                among: Collection[str] | None = self._allowed(query)
                if searching:
                    among = scores if among is None else among & scores.keys()
                start = (query.page - 1) * query.limit
                data, total = self._item_order(query.order_by or "name").page(
                    start,
                    query.limit,
                    descending=query.direction == "desc",
                    among=among,
                    keep=self._in_layout(query.layout_id) if query.layout_id else None,
                )
                page = _paged(data, start, total, query)
            return Page.of(
                [self._found(item_id, scores, query) for item_id in page.data], page.pagination
            )

    def _first_in_order(self, query: ItemQuery) -> Page[Item] | None:
        """A page of a search listed in name or date order, by the index's sort keys (None:
        no item matches every word)."""
        start = (query.page - 1) * query.limit
        found = self._search.in_order(
            query.search or "",
            query.order_by or "name",
            start,
            query.limit,
            descending=query.direction == "desc",
        )
        if found is None or found.total is None:
            return None
        scores = {hit.doc_id: hit.score for hit in found.hits}
        page = _paged(list(scores), start, found.total, query)
        return Page.of(
            [self._found(item_id, scores, query) for item_id in page.data], page.pagination
        )

    def _found(self, item_id: str, scores: dict[str, float], query: ItemQuery) -> Item:
        """A copy of one listed item, with its search score and highlights when searched."""
        stored = self._items[item_id]
        if not scores:
            return self._out(stored)
        score = round(scores[item_id], 4)
        highlights = self._search.highlight(item_id, query.search or "")
        if self._shared:  # a shallow copy: what it shares with the stored item never changes
            return stored.model_copy(
                update={"search_score": score, "search_highlights": highlights}
            )
        item = _copy(stored)
        item.search_score, item.search_highlights = score, highlights
        return item

    def _allowed(self, query: ItemQuery) -> set[str] | None:
        """The items the query's location, SKU and GTIN allow (None: no such filter)."""
        allowed: set[str] | None = None
        if query.location_id:
            allowed = self._by_location.get(query.location_id, set())
        codes: list[str | None] = []
        if query.sku is not None:
            codes.append(self._by_sku.get(query.sku.casefold()))
        if query.gtin is not None:
            codes.append(self._by_gtin.get(gtin14(query.gtin) or ""))
        for found in codes:
            one = {found} if found is not None else set()
            allowed = one if allowed is None else one & allowed
        return allowed

    def _in_layout(self, layout_id: str) -> Callable[[str], bool]:
        items = self._items
        return lambda i: any(lv.layout_id == layout_id for lv in items[i].levels)

    def _filter_items(self, ids: Iterable[str], query: ItemQuery) -> list[str]:
        allowed = self._allowed(query)
        rows = [i for i in ids if allowed is None or i in allowed]
        if query.layout_id:
            rows = list(filter(self._in_layout(query.layout_id), rows))
        return rows

    async def get_item(self, item_id: str) -> Item:
        with self._reading():
            return self._tagged(self._item(item_id, "id"))

    async def find_item(self, code: str) -> Item | None:
        code = code.strip()
        with self._reading():
            item_id = self._by_gtin.get(gtin14(code) or "") or self._by_sku.get(code.casefold())
            return self._out(self._items[item_id]) if item_id else None

    async def create_item(
        self, body: ItemCreate | Body, *, idempotency_key: str | None = None
    ) -> Item:
        request = parse_request(ItemCreate, body)

        def apply() -> Item:
            now = self._now()
            self._check_unique_codes(request.sku, request.gtin, None)
            fields = request.model_dump(exclude={"levels"}, exclude_none=True)
            for dims in ("dimensions", "packaged_dimensions"):
                if dims in fields:
                    fields[dims] = Dimensions(**fields[dims])
            item = Item(id=self._new_id("item"), created_at=now, updated_at=now, **fields)
            if request.levels:
                item = self._leveled(item, request.levels, now)
            self._commit_item(item, None)
            return item

        return await self._once(idempotency_key, f"create_item {request.model_dump_json()}", apply)

    async def update_item(
        self,
        item_id: str,
        body: ItemUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Item:
        request = parse_request(ItemUpdate, body)

        def apply() -> Item:
            now = self._now()
            current = self._item(item_id, "id")
            self._check_version(current, if_match, "item")
            # a count changes levels only: nothing else to read out of the request
            only_levels = request.model_fields_set <= {"levels"}
            fields = (
                {} if only_levels else request.model_dump(exclude={"levels"}, exclude_unset=True)
            )
            if "name" in fields and fields["name"] is None:
                raise InvalidInput.on("name", "an item must keep a name")
            self._check_unique_codes(request.sku, request.gtin, item_id)
            for dims in ("dimensions", "packaged_dimensions"):
                if fields.get(dims) is not None:
                    fields[dims] = Dimensions(**fields[dims])
            if request.levels:
                item = self._leveled(current, request.levels, now, fields)
            else:
                item = current.model_copy(update=fields | {"updated_at": now})
            self._commit_item(item, current)
            return item

        fingerprint = f"update_item {item_id} {request.model_dump_json(exclude_unset=True)}"
        return await self._once(idempotency_key, fingerprint, apply)

    async def delete_item(self, item_id: str, *, idempotency_key: str | None = None) -> None:
        def apply() -> Item:
            item = self._item(item_id, "id")
            busy = [
                f.order_number or f.id
                for f in self._fulfillments.values()
                if f.status in OPEN_FULFILLMENT_STATUSES
                and any(line.item_id == item_id for line in f.inventory)
            ]
            if busy:
                raise Conflict(
                    f"{item.name} is on {'an open fulfillment' if len(busy) == 1 else 'open fulfillments'} {', '.join(busy[:3])}; "
                    "it cannot be deleted.",
                    [FieldError("id", "on open fulfillments")],
                )
            self._reindex(None, item)
            self._unlist(item_id)
            del self._items[item_id]
            for lot_id in [lot.id for lot in self._lots.values() if lot.item_id == item_id]:
                del self._lots[lot_id]
            self._lot_order = None
            return item

        await self._once(idempotency_key, f"delete_item {item_id}", apply)

    # -- locations -----------------------------------------------------------------------------

    async def list_locations(self, query: LocationQuery | None = None) -> Page[Location]:
        query = query or LocationQuery()
        with self._reading():
            rows = sorted(self._locations.values(), key=lambda loc: (loc.name.casefold(), loc.id))
            page = _page(rows, query)
            return Page.of([self._out(loc) for loc in page.data], page.pagination)

    async def get_location(self, location_id: str) -> Location:
        with self._reading():
            return self._out(self._location(location_id, "id"))

    # -- lots ----------------------------------------------------------------------------------

    def _lots_by_expiry(
        self, location_id: str | None = None, item_id: str | None = None
    ) -> list[str]:
        """Lot ids in FEFO order, of one item when given (a scan's lot lookup), else of one
        location or all: the list to filter is the shortest that holds every answer."""
        if self._lot_order is None:
            everywhere = sorted(self._lots.values(), key=fefo_key)
            order: dict[str | tuple[str, str] | None, list[str]] = {
                None: [lot.id for lot in everywhere]
            }
            for lot in everywhere:
                order.setdefault(lot.location_id, []).append(lot.id)
                order.setdefault(("item", lot.item_id), []).append(lot.id)
            self._lot_order = order
        if item_id is not None:
            return self._lot_order.get(("item", item_id), [])
        return self._lot_order.get(location_id, [])

    async def list_lots(self, query: LotQuery | None = None) -> Page[Lot]:
        query = query or LotQuery()
        statuses = set(query.statuses or ())
        if unknown := statuses - set(LotStatus):
            known = ", ".join(LotStatus)
            raise InvalidInput.on(
                "statuses", f"{', '.join(sorted(unknown))} is not a lot status ({known})"
            )
        with self._reading():
            needle = (query.search or "").strip().casefold()

            def keep(lot: Lot) -> bool:
                return (
                    (query.item_id is None or lot.item_id == query.item_id)
                    and (query.location_id is None or lot.location_id == query.location_id)
                    and (query.layout_id is None or lot.layout_id == query.layout_id)
                    and (not statuses or lot.status in statuses)
                    and (
                        query.expires_before is None
                        or (lot.expires_at is not None and lot.expires_at < query.expires_before)
                    )
                    and (
                        query.expires_after is None
                        or (lot.expires_at is not None and lot.expires_at > query.expires_after)
                    )
                    and (
                        not needle
                        or needle in (lot.number or "").casefold()
                        or needle in (lot.manufacturer_number or "").casefold()
                    )
                )

            rows = [
                lot
                for lot_id in self._lots_by_expiry(query.location_id, query.item_id)
                if keep(lot := self._lots[lot_id])
            ]
            order_by = query.order_by or "expires_at"
            if order_by == "number":
                rows.sort(key=lambda lot: ((lot.number or "").casefold(), lot.id))
            elif order_by == "created_at":
                rows.sort(key=lambda lot: (lot.created_at or 0, lot.id))
            if query.direction == "desc":
                rows.reverse()
            page = _page(rows, query)
            return Page.of([self._out(lot) for lot in page.data], page.pagination)

    async def get_lot(self, lot_id: str) -> Lot:
        with self._reading():
            lot = self._lots.get(lot_id)
            if lot is None:
                raise NotFound(f"Lot {lot_id} does not exist.", [FieldError("id", "unknown lot")])
            return self._tagged(lot)

    def _checked_lot(self, lot: Lot, previous: Lot | None) -> Lot:
        item = self._item(lot.item_id)
        location = self._location(lot.location_id)
        if lot.layout_id is not None and location.layout(lot.layout_id) is None:
            raise InvalidInput.on("layout_id", f"not a layout of {location.name}")
        check_lot_quantities(
            total_qty=lot.total_qty,
            available_qty=lot.available_qty,
            reserved_qty=lot.reserved_qty,
            defective_qty=lot.defective_qty,
        )
        check_lot_dates(
            production_date=lot.production_date,
            best_before_date=lot.best_before_date,
            sell_by_date=lot.sell_by_date,
            expires_at=lot.expires_at,
        )
        if lot.number:
            for other in self._lots.values():
                if (
                    other.id != lot.id
                    and other.item_id == lot.item_id
                    and (other.number or "").casefold() == lot.number.casefold()
                ):
                    raise Conflict(
                        f"{item.name} already has a lot {other.number} ({other.id}).",
                        [FieldError("number", "already used for this item")],
                    )
        return lot

    async def create_lot(
        self, body: LotCreate | Body, *, idempotency_key: str | None = None
    ) -> Lot:
        request = parse_request(LotCreate, body)

        def apply() -> Lot:
            now = self._now()
            fields = request.model_dump(exclude_none=True)
            if "available_qty" not in fields and "total_qty" in fields:
                fields["available_qty"] = max(
                    0,
                    fields["total_qty"]
                    - fields.get("defective_qty", 0)
                    - fields.get("reserved_qty", 0),
                )
            if "total_qty" not in fields:
                fields["total_qty"] = sum(
                    fields.get(q, 0) for q in ("available_qty", "defective_qty", "reserved_qty")
                )
            lot = Lot(id=self._new_id("lot"), created_at=now, updated_at=now, **fields)
            self._lots[lot.id] = self._checked_lot(lot, None)
            self._lot_order = None
            return lot

        return await self._once(idempotency_key, f"create_lot {request.model_dump_json()}", apply)

    async def update_lot(
        self,
        lot_id: str,
        body: LotUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Lot:
        request = parse_request(LotUpdate, body)

        def apply() -> Lot:
            current = self._lots.get(lot_id)
            if current is None:
                raise NotFound(f"Lot {lot_id} does not exist.", [FieldError("id", "unknown lot")])
            self._check_version(current, if_match, "lot")
            fields = request.model_dump(exclude_unset=True)
            for required in ("location_id", "status"):
                if required in fields and fields[required] is None:
                    raise InvalidInput.on(required, "cannot be emptied")
            lot = current.model_copy(update=fields | {"updated_at": self._now()})
            self._lots[lot_id] = self._checked_lot(lot, current)
            self._lot_order = None
            return lot

        fingerprint = f"update_lot {lot_id} {request.model_dump_json(exclude_unset=True)}"
        return await self._once(idempotency_key, fingerprint, apply)

    # -- manifests -----------------------------------------------------------------------------

    async def list_manifests(self, query: ManifestQuery | None = None) -> Page[Manifest]:
        query = query or ManifestQuery()
        with self._reading():
            statuses = set(query.status or ())
            rows = [
                m
                for m in self._manifests.values()
                if (not statuses or m.status in statuses)
                and (query.location_id is None or m.location_id == query.location_id)
                and (query.number is None or known_by(manifest_numbers(m), query.number))
            ]
            rows.sort(key=lambda m: (m.estimated_delivery_at or 2**62, m.id))
            page = _page(rows, query)
            return Page.of([self._out(m) for m in page.data], page.pagination)

    async def get_manifest(self, manifest_id: str) -> Manifest:
        with self._reading():
            return self._tagged(self._manifest(manifest_id))

    def _manifest(self, manifest_id: str) -> Manifest:
        manifest = self._manifests.get(manifest_id)
        if manifest is None:
            raise NotFound(
                f"Manifest {manifest_id} does not exist.", [FieldError("id", "unknown manifest")]
            )
        return manifest

    async def create_manifest(
        self, body: ManifestCreate | Body, *, idempotency_key: str | None = None
    ) -> Manifest:
        request = parse_request(ManifestCreate, body)

        def apply() -> Manifest:
            now = self._now()
            location = self._location(request.location_id)
            lines = []
            for index, line in enumerate(request.inventory):
                self._item(line.item_id, f"inventory.{index}.item_id")
                if line.layout_id is not None and location.layout(line.layout_id) is None:
                    raise InvalidInput.on(
                        f"inventory.{index}.layout_id", f"not a layout of {location.name}"
                    )
                lines.append(ManifestLine(**line.model_dump()))
            manifest = Manifest(
                id=self._new_id("mfst"),
                created_at=now,
                updated_at=now,
                **request.model_dump(exclude={"inventory"}, exclude_none=True),
                inventory=lines,
            )
            self._manifests[manifest.id] = manifest
            return manifest

        return await self._once(
            idempotency_key, f"create_manifest {request.model_dump_json()}", apply
        )

    async def update_manifest(
        self,
        manifest_id: str,
        body: ManifestUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Manifest:
        request = parse_request(ManifestUpdate, body)

        def apply() -> Manifest:
            now = self._now()
            current = self._manifest(manifest_id)
            self._check_version(current, if_match, "manifest")
            for index, receipt in enumerate(request.inventory or []):
                item = self._item(receipt.item_id, f"inventory.{index}.item_id")
                named = [(f"inventory.{index}.lot_id", receipt.lot_id)] + [
                    (f"inventory.{index}.parts.{n}.lot_id", part.lot_id)
                    for n, part in enumerate(receipt.parts or [])
                ]
                for field, lot_id in named:
                    lot = self._lots.get(lot_id) if lot_id else None
                    if lot_id and (lot is None or lot.item_id != item.id):
                        raise InvalidInput.on(field, f"not a lot of {item.name}")
                    if lot is not None and lot.location_id != current.location_id:
                        raise InvalidInput.on(field, "a lot of another location")
            location = self._location(current.location_id)
            manifest, plan = manifest_rules.apply_update(current, request, location, now)
            lots = (
                manifest_rules.lot_receipts(manifest)
                if manifest.status == ManifestStatus.COMPLETED
                else {}
            )
            self._apply_plan(plan, now)
            for lot_id, (received, damaged) in lots.items():
                lot = self._lots[lot_id]
                self._lots[lot_id] = lot.model_copy(
                    update={
                        "total_qty": lot.total_qty + received + damaged,
                        "available_qty": lot.available_qty + received,
                        "defective_qty": lot.defective_qty + damaged,
                        "updated_at": now,
                    }
                )
            self._manifests[manifest_id] = manifest
            return manifest

        fingerprint = f"update_manifest {manifest_id} {request.model_dump_json(exclude_unset=True)}"
        return await self._once(idempotency_key, fingerprint, apply)

    # -- fulfillments --------------------------------------------------------------------------

    async def list_fulfillments(self, query: FulfillmentQuery | None = None) -> Page[Fulfillment]:
        query = query or FulfillmentQuery()
        with self._reading():
            statuses = set(query.status or ())
            rows = [
                f
                for f in self._fulfillments.values()
                if (not statuses or f.status in statuses)
                and (query.location_id is None or f.location_id == query.location_id)
                and (query.number is None or known_by(fulfillment_numbers(f), query.number))
            ]
            rows.sort(key=lambda f: (f.complete_at is None, f.complete_at or 0, f.id))
            page = _page(rows, query)
            return Page.of([self._out(f) for f in page.data], page.pagination)

    def _fulfillment(self, fulfillment_id: str) -> Fulfillment:
        ful = self._fulfillments.get(fulfillment_id)
        if ful is None:
            raise NotFound(
                f"Fulfillment {fulfillment_id} does not exist.",
                [FieldError("id", "unknown fulfillment")],
            )
        return ful

    def _picked_lot(self, lot_id: str) -> Lot:
        lot = self._lots.get(lot_id)
        if lot is None:
            raise InvalidInput(
                f"Lot {lot_id} does not exist.", [FieldError("inventory.lots", "unknown lot")]
            )
        return lot

    async def get_fulfillment(self, fulfillment_id: str) -> Fulfillment:
        with self._reading():
            return self._tagged(self._fulfillment(fulfillment_id))

    async def create_fulfillment(
        self, body: FulfillmentCreate | Body, *, idempotency_key: str | None = None
    ) -> Fulfillment:
        request = parse_request(FulfillmentCreate, body)

        def apply() -> Fulfillment:
            now = self._now()
            location = self._location(request.location_id)
            items = {
                line.item_id: self._item(line.item_id, f"inventory.{index}.item_id")
                for index, line in enumerate(request.inventory)
            }
            lines, plan = fulfillment_rules.reserve(request.inventory, items, location)
            self._apply_plan(plan, now)
            ful = Fulfillment(
                id=self._new_id("ful"),
                created_at=now,
                updated_at=now,
                **request.model_dump(exclude={"inventory"}, exclude_none=True),
                inventory=lines,
            )
            self._fulfillments[ful.id] = ful
            return ful

        fingerprint = f"create_fulfillment {request.model_dump_json()}"
        return await self._once(idempotency_key, fingerprint, apply)

    async def update_fulfillment(
        self,
        fulfillment_id: str,
        body: FulfillmentUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Fulfillment:
        request = parse_request(FulfillmentUpdate, body)

        def apply() -> Fulfillment:
            now = self._now()
            current = self._fulfillment(fulfillment_id)
            self._check_version(current, if_match, "fulfillment")
            ful, plan = fulfillment_rules.apply_update(
                current, request, lambda: self._new_id("prcl"), now
            )
            by_lot: dict[str, list[fulfillment_rules.LotHold]] = {}
            for (_, lot_id), hold in sorted(fulfillment_rules.lot_holds(current, ful).items()):
                by_lot.setdefault(lot_id, []).append(hold)
            lots = {
                lot_id: fulfillment_rules.held_lot(self._picked_lot(lot_id), holds, ful, now)
                for lot_id, holds in by_lot.items()
            }
            self._apply_plan(plan, now)  # checks every level before it changes one
            for lot_id, lot in lots.items():
                self._lots[lot_id] = lot
            self._fulfillments[fulfillment_id] = ful
            return ful

        fingerprint = (
            f"update_fulfillment {fulfillment_id} {request.model_dump_json(exclude_unset=True)}"
        )
        return await self._once(idempotency_key, fingerprint, apply)

    # -- for tests and the server: a consistent view of one item's levels ------------------------

    def level(self, item_id: str, location_id: str, layout_id: str | None) -> Level | None:
        with self._reading():
            found = self._item(item_id).level_at(location_id, layout_id)
            return _copy(found) if found is not None else None
