"""`serve --data PATH --workers N`: several processes serve one warehouse through its file, with
the guarantees of one: every change applied once, in turn, and seen by the next request
whichever worker answers it.

The worker processes here are forked from one warehouse exactly as `serve` forks them
(`disconnect` before, `reconnect` in each), and told what to do through queues, so which
worker does what, and in which order, is the test's choice rather than the kernel's.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.backends.memory.disk import SCHEMA_VERSION
from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.errors import NotFound, PreconditionFailed

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")

ROOT = Path(__file__).resolve().parents[1]
Job = Callable[[MemoryWarehouse], Coroutine[Any, Any, Any]]


def open_file(path: Path) -> MemoryWarehouse:
    return MemoryWarehouse.on_disk(path, items=40, seed=7)


def _worker(warehouse: MemoryWarehouse, jobs: Any, results: Any) -> None:
    # A job the test gave up on (`Worker.run` waits 60 s) says where each thread of the worker
    # stood, in the test's captured output: a forked process can hang on a lock another
    # thread of its parent held at the fork, and only its stacks tell which.
    faulthandler.dump_traceback_later(50)
    warehouse.reconnect()
    faulthandler.cancel_dump_traceback_later()
    while (job := jobs.get()) is not None:
        faulthandler.dump_traceback_later(50)
        try:
            results.put(("ok", asyncio.run(job(warehouse))))
        except Exception as exc:  # the test reads what went wrong
            results.put(("error", f"{type(exc).__name__}: {exc}"))
        faulthandler.cancel_dump_traceback_later()


class Worker:
    """A forked worker process of `warehouse`, running the jobs it is given, one at a time."""

    def __init__(self, warehouse: MemoryWarehouse) -> None:
        context = multiprocessing.get_context("fork")
        self.jobs, self.results = context.Queue(), context.Queue()
        self.process = context.Process(
            target=_worker, args=(warehouse, self.jobs, self.results), daemon=True
        )
        self.process.start()

    def run(self, job: Job) -> Any:
        self.jobs.put(job)
        outcome, value = self.results.get(timeout=60)
        if outcome == "error":
            raise AssertionError(f"in the worker: {value}")
        return value

    def start(self, job: Job) -> None:
        self.jobs.put(job)

    def result(self) -> Any:
        outcome, value = self.results.get(timeout=60)
        assert outcome == "ok", value
        return value

    def stop(self) -> None:
        self.jobs.put(None)
        self.process.join(timeout=30)


def workers(warehouse: MemoryWarehouse, count: int = 2) -> list[Worker]:
    warehouse.index_for_search()  # as `serve` does before it forks them
    warehouse.disconnect()
    # As `serve` does, what this process holds is frozen first, so a worker never collects it.
    # Here that includes what earlier tests left and nothing has collected yet. Once in CI a
    # worker stood still in its first job for 50 s, inside a deep copy's allocation. The likely
    # cause is a collection running a finalizer of the parent's garbage in a child that lacks
    # the threads, or holds the locks, that finalizer expects. So that garbage is collected
    # here first, where its threads are.
    gc.collect()
    gc.freeze()
    try:
        started = [Worker(warehouse) for _ in range(count)]
    finally:
        gc.unfreeze()  # here, in the test's process: collected as before
    warehouse.reconnect()
    return started


async def a_stocked_level(warehouse: MemoryWarehouse) -> tuple[str, dict[str, Any]]:
    for item in (await warehouse.list_items(None)).data:
        for level in item.levels:
            if level.verified_qty >= 3:
                return item.id, {"location_id": level.location_id, "layout_id": level.layout_id}
    raise AssertionError("no stocked level in the demo")


def qty(item: Any, where: dict[str, Any]) -> int:
    return next(
        lv.verified_qty
        for lv in item.levels
        if lv.location_id == where["location_id"] and lv.layout_id == where["layout_id"]
    )


# Jobs are module-level functions (and partials of them), as a queue carries them by name.


async def plus_ones(warehouse: MemoryWarehouse, item_id: str, where: Any, keys: list[str]) -> int:
    for key in keys:
        await warehouse.update_item(
            item_id, {"levels": [where | {"verified_qty": 1}]}, idempotency_key=key
        )
    return len(keys)


async def level_of(warehouse: MemoryWarehouse, item_id: str, where: Any) -> int:
    return qty(await warehouse.get_item(item_id), where)


class Job_:
    """A job with its arguments, picklable."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function, self.args = function, args

    def __call__(self, warehouse: MemoryWarehouse) -> Coroutine[Any, Any, Any]:
        return self.function(warehouse, *self.args)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted from /proc")
def test_workers_are_forked_only_once_the_search_index_s_threads_have_ended(
    tmp_path: Path,
) -> None:
    """Once, on a loaded CI machine, a forked worker never answered its first change.
    tantivy's threads live on for a moment after the index settles, and a process forked
    meanwhile can hold a lock one of them held, for ever."""

    def threads() -> set[int]:  # this process's, as the system lists them
        return {int(task.name) for task in Path("/proc/self/task").iterdir()}

    started_with = threads()
    warehouse = open_file(tmp_path / "warehouse.db")
    item_id, _ = asyncio.run(a_stocked_level(warehouse))
    asyncio.run(warehouse.update_item(item_id, {"name": "Zyxwv gasket"}))
    warehouse.index_for_search()  # settled: its writer done, its threads ending
    warehouse.disconnect()  # what serve does right before it forks the workers
    running = threads()
    warehouse.reconnect()
    warehouse.close()
    python_s = {thread.native_id for thread in threading.enumerate()}
    assert not running - python_s - started_with  # none left but those there before


def test_two_workers_apply_every_plus_one_once_even_when_a_retry_lands_on_the_other(
    tmp_path: Path,
) -> None:
    warehouse = open_file(tmp_path / "warehouse.db")
    item_id, where = asyncio.run(a_stocked_level(warehouse))
    before = asyncio.run(level_of(warehouse, item_id, where))
    first, second = workers(warehouse)
    try:
        # at the same time: each its own 250, and the same 100 retried on both
        shared = [f"retry-{n}" for n in range(100)]
        first.start(Job_(plus_ones, item_id, where, [f"a-{n}" for n in range(250)] + shared))
        second.start(Job_(plus_ones, item_id, where, shared + [f"b-{n}" for n in range(250)]))
        first.result(), second.result()
        seen_by_first = first.run(Job_(level_of, item_id, where))
        seen_by_second = second.run(Job_(level_of, item_id, where))
    finally:
        first.stop(), second.stop()
    assert seen_by_first == seen_by_second == before + 600
    # the process they were forked from catches up too, and so does a restart
    assert asyncio.run(level_of(warehouse, item_id, where)) == before + 600
    warehouse.close()
    again = open_file(tmp_path / "warehouse.db")
    assert asyncio.run(level_of(again, item_id, where)) == before + 600
    again.close()


async def rename_and_make(warehouse: MemoryWarehouse, item_id: str) -> dict[str, Any]:
    renamed = await warehouse.update_item(item_id, {"name": "Zyxwv gasket", "sku": "ZYX-1"})
    location = (await warehouse.list_locations(None)).data[0]
    made = await warehouse.create_item(
        {"name": "Qwerty flange", "levels": [{"location_id": location.id, "verified_qty": 4}]}
    )
    lot = await warehouse.create_lot(
        {"item_id": made.id, "location_id": location.id, "number": "L-77", "total_qty": 4}
    )
    return {"etag": renamed.etag, "made": made.id, "lot": lot.id, "level": made.levels[0].id}


async def what_is_seen(warehouse: MemoryWarehouse, item_id: str, made: str) -> dict[str, Any]:
    from console.domain.queries import ItemQuery, LotQuery

    found = await warehouse.list_items(ItemQuery(search="zyxwv"))
    lots = await warehouse.list_lots(LotQuery(item_id=made))
    item = await warehouse.get_item(item_id)
    by_sku = await warehouse.find_item("ZYX-1")
    location = (await warehouse.list_locations(None)).data[1]
    more = await warehouse.update_item(
        made, {"levels": [{"location_id": location.id, "verified_qty": 1}]}
    )
    return {
        "search": [i.id for i in found.data],
        "lots": [lot.number for lot in lots.data],
        "etag": item.etag,
        "by_sku": by_sku.id if by_sku else None,
        "levels": [lv.id for lv in more.levels],
    }


async def delete(warehouse: MemoryWarehouse, item_id: str) -> None:
    await warehouse.delete_item(item_id)


async def get_name(warehouse: MemoryWarehouse, item_id: str) -> str:
    try:
        return (await warehouse.get_item(item_id)).name
    except NotFound:
        return "not found"


async def stale_update(warehouse: MemoryWarehouse, item_id: str, etag: str) -> str:
    try:
        await warehouse.update_item(item_id, {"name": "Late"}, if_match=etag)
    except PreconditionFailed:
        return "refused"
    return "applied"


def test_what_one_worker_changes_the_other_reads_next(tmp_path: Path) -> None:
    warehouse = open_file(tmp_path / "warehouse.db")
    item_id, _ = asyncio.run(a_stocked_level(warehouse))
    old_etag = asyncio.run(warehouse.get_item(item_id)).etag
    first, second = workers(warehouse)
    try:
        told = first.run(Job_(rename_and_make, item_id))
        seen = second.run(Job_(what_is_seen, item_id, told["made"]))
        # an update based on the version read before the first worker's change is refused
        # by the second, as one process would refuse it
        stale = second.run(Job_(stale_update, item_id, old_etag))
        first.run(Job_(delete, told["made"]))
        after_delete = second.run(Job_(get_name, told["made"]))
    finally:
        first.stop(), second.stop()
    assert seen["search"] == [item_id]  # the search index of the other worker knows the name
    assert seen["by_sku"] == item_id
    assert seen["lots"] == ["L-77"]
    assert seen["etag"] == told["etag"]  # the same version, whoever answers
    # ids made by the two workers never collide
    assert told["level"] in seen["levels"] and len(set(seen["levels"])) == 2
    assert stale == "refused"
    assert after_delete == "not found"
    warehouse.close()


# What versions 1 to 3 wrote, made from a file of this version: version 3 kept objects in a
# table without row numbers; version 2 kept answers by their key, with their age and change
# number indexed; version 1 had no change numbers at all.
_BACK_TO = {
    3: """
        create table keyed_objects (
            kind text not null, id text not null, body text not null,
            seq integer not null default 0, primary key (kind, id)
        ) without rowid;
        insert into keyed_objects select kind, id, body, seq from objects;
        drop table objects; alter table keyed_objects rename to objects;
        create index objects_by_seq on objects (seq);
        update facts set value = '3' where name = 'schema';
    """,
    2: """
        create table keyed_answers (
            key text primary key, request blob not null, kind text, body blob not null,
            etag text, at real not null, seq integer not null default 0
        );
        insert into keyed_answers select key, request, kind, body, etag, at, 0 from answers;
        drop table answers; alter table keyed_answers rename to answers;
        create index answers_by_age on answers (at);
        create index answers_by_seq on answers (seq);
        delete from facts where name = 'answers';
        update facts set value = '2' where name = 'schema';
    """,
    1: """
        drop index objects_by_seq; drop index answers_by_seq; drop table removed;
        alter table objects drop column seq; alter table answers drop column seq;
        update facts set value = '1' where name = 'schema'; delete from facts where name = 'seq';
    """,
}


@pytest.mark.parametrize("version", [3, 2, 1])
def test_a_data_file_of_an_earlier_version_is_read_and_carried_on(
    tmp_path: Path, version: int
) -> None:
    """Files of earlier versions get what this one keeps (change numbers, numbered answers,
    objects changed in place) and lose nothing: not a level, not an idempotency key's
    answer."""
    import sqlite3

    path = tmp_path / "warehouse.db"
    warehouse = open_file(path)
    item_id, where = asyncio.run(a_stocked_level(warehouse))
    asyncio.run(plus_ones(warehouse, item_id, where, ["before-1", "before-2"]))
    before = asyncio.run(level_of(warehouse, item_id, where))
    warehouse.close()
    db = sqlite3.connect(path)
    for back_to in range(SCHEMA_VERSION - 1, version - 1, -1):
        db.executescript(_BACK_TO[back_to])
    db.close()
    again = open_file(path)
    assert asyncio.run(level_of(again, item_id, where)) == before
    # a console re-sending a count made before the upgrade is answered as before: not counted
    asyncio.run(plus_ones(again, item_id, where, ["before-2", "after-upgrade"]))
    assert asyncio.run(level_of(again, item_id, where)) == before + 1
    again.close()
    db = sqlite3.connect(path)
    assert db.execute("select value from facts where name = 'schema'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    db.execute("select rowid from objects limit 1")  # the objects are changed in place now
    db.close()
    third = open_file(path)
    assert asyncio.run(level_of(third, item_id, where)) == before + 1
    asyncio.run(plus_ones(third, item_id, where, ["before-1", "after-upgrade", "third"]))
    assert asyncio.run(level_of(third, item_id, where)) == before + 2
    third.close()


# -- the real server -------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def serve(*arguments: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_SERVER_API_KEY"}
    return subprocess.Popen(
        [sys.executable, "-m", "console.cli", "serve", "--port", "0", "--demo-items", "40",
         *arguments],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def served(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The URL the server gives, and the rest of what it says on starting."""
    assert process.stdout is not None
    url, said = None, []
    for line in process.stdout:
        if line.startswith("Serving the warehouse at "):
            url = line.removeprefix("Serving the warehouse at ").strip()
        said.append(line)
        if "stop with Ctrl+C" in line and url:
            return url, "".join(said)
    raise AssertionError(f"the server did not start: {process.communicate()[1]}")


def workers_up(pid: int, count: int) -> list[int]:
    """The worker processes of `pid`, once there are `count` of them."""
    deadline = time.monotonic() + 30
    while len(children := children_of(pid)) < count:
        assert time.monotonic() < deadline, f"{count} workers did not start"
        time.sleep(0.05)  # polling the process table: there is no event to wait on
    return children


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process table")
def test_serve_with_two_workers_answers_replaces_a_dead_worker_and_stops_whole(
    tmp_path: Path,
) -> None:
    process = serve("--data", str(tmp_path / "warehouse.db"), "--workers", "2")
    try:
        url, said = served(process)
        assert "2 worker processes share the warehouse's file" in said
        pids = workers_up(process.pid, 2)
        assert len(pids) == 2
        with httpx.Client(base_url=url + "/", timeout=10) as api:
            assert api.get("items?limit=1").status_code == 200
        os.kill(pids[0], signal.SIGKILL)  # a worker dies: another takes its place
        deadline = time.monotonic() + 30
        while pids[0] in children_of(process.pid) or len(children_of(process.pid)) < 2:
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.05)
        with httpx.Client(base_url=url + "/", timeout=10) as api:
            for _ in range(10):  # new connections, whichever worker takes them
                answer = api.get("items?limit=1", headers={"Connection": "close"})
                assert answer.status_code == 200
        workers = children_of(process.pid)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        for pid in workers:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_workers_without_a_data_file_are_refused_in_words() -> None:
    process = serve("--workers", "2")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--workers 2 needs --data PATH" in err


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process table")
def test_workers_stop_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """Found by hand: after a kill -9 of the main process its workers served on alone, holding
    the file, so a new server could not start on it."""
    path = tmp_path / "warehouse.db"
    process = serve("--data", str(path), "--workers", "2")
    try:
        served(process)
        pids = workers_up(process.pid, 2)
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(running(pid) for pid in pids):
            assert time.monotonic() < deadline, "the workers served on without their server"
            time.sleep(0.05)  # polling the process table: there is no event to wait on
        again = serve("--data", str(path))
        try:
            served(again)  # the file is free for the next server
        finally:
            again.send_signal(signal.SIGINT)
            again.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "zombie" not in status


async def test_a_worker_waiting_for_its_turn_to_write_still_answers_reads(tmp_path) -> None:
    """Found measuring: a worker waited for the other's change with its whole event loop
    stopped, so its reads (and its share of the updates) stalled behind the other's writes."""
    from console.locks import TurnLock

    path = tmp_path / "warehouse.db"
    warehouse = open_file(path)
    item_id, where = await a_stocked_level(warehouse)
    before = await level_of(warehouse, item_id, where)
    warehouse.disconnect()
    warehouse.reconnect()  # as a worker does: a turn of its own to take
    other_worker = TurnLock(path.with_name(path.name + ".writers"))
    other_worker.take()  # another worker is writing
    writers = warehouse._file.writers
    waiting_for_the_turn = threading.Event()
    take = writers.take

    def noted_take() -> None:
        waiting_for_the_turn.set()
        take()

    writers.take = noted_take  # type: ignore[method-assign]
    try:
        updates = [
            asyncio.create_task(
                warehouse.update_item(item_id, {"levels": [where | {"verified_qty": n}]})
            )
            for n in (1, 2)
        ]
        assert await asyncio.to_thread(waiting_for_the_turn.wait, 10)  # both sent, they wait
        assert await level_of(warehouse, item_id, where) == before  # a read is answered
        assert not any(update.done() for update in updates)
    finally:
        other_worker.release()
    # both applied once, one after the other, in the turn they waited for together
    told = sorted([qty(await update, where) for update in updates])
    assert told[1] == before + 3 and told[0] in (before + 1, before + 2)
    assert await level_of(warehouse, item_id, where) == before + 3
    other_worker.close()
    warehouse.close()


@pytest.mark.parametrize("failing", ["take", "try_take"])
async def test_a_worker_that_cannot_take_its_turn_refuses_the_change_in_words(
    tmp_path, failing: str
) -> None:
    """Found in review: the turn was taken in a thread whose failure no one read, and the
    change waited for ever (and, where trying for it failed, every later change too)."""
    from console.domain.errors import Unavailable

    path = tmp_path / "warehouse.db"
    warehouse = open_file(path)
    item_id, where = await a_stocked_level(warehouse)
    before = await level_of(warehouse, item_id, where)
    warehouse.disconnect()
    warehouse.reconnect()
    writers = warehouse._file.writers

    def lock_file_gone() -> None:
        raise OSError(5, "Input/output error")

    if failing == "take":
        writers.try_take = lambda: False  # type: ignore[method-assign]  another one writes
    setattr(writers, failing, lock_file_gone)
    for _ in range(2):  # the second is refused too, rather than left waiting
        with pytest.raises(Unavailable, match="could not take its turn to write"):
            await asyncio.wait_for(
                warehouse.update_item(item_id, {"levels": [where | {"verified_qty": 1}]}), 10
            )
    assert await level_of(warehouse, item_id, where) == before
    warehouse.close()


def test_workers_that_keep_failing_as_they_start_stop_the_server_in_words() -> None:
    from console.server.runner import ServeError, bind, serve_app

    def broken_app() -> Any:
        raise OSError("the data file's folder is gone")

    sock = bind("127.0.0.1", 0)
    try:
        with pytest.raises(ServeError, match="3 workers in a row ended as they started"):
            serve_app(broken_app, sock, workers=2)
    finally:
        sock.close()


def test_a_warehouse_whose_search_index_is_not_settled_is_not_forked(tmp_path: Path) -> None:
    """Found merging the tantivy index: its writer runs threads that a forked worker would not
    have, so the worker's first change to an item waited on them for ever. `serve` forks a
    settled index (its writer let go); one with changes since is refused."""
    warehouse = open_file(tmp_path / "warehouse.db")
    warehouse.index_for_search()
    asyncio.run(warehouse.create_item({"name": "Fresh gasket"}))
    with pytest.raises(RuntimeError, match="settle it before forking"):
        warehouse.disconnect()
    warehouse.close()


def test_what_a_server_holds_for_life_is_kept_out_of_collections(monkeypatch) -> None:
    """A full collection walked the whole warehouse (1.6 s at 100,000 items, every request held
    meanwhile), and in a forked worker it would have copied every page it shares: the served
    warehouse is frozen before any worker starts."""
    import io

    from console.backends.memory.warehouse import MemoryWarehouse
    from console.server import runner

    warehouse = MemoryWarehouse.demo(items=300, seed=7)
    frozen_when_served: list[int] = []
    monkeypatch.setattr(
        runner, "serve_app", lambda *a, **k: frozen_when_served.append(gc.get_freeze_count())
    )
    before = gc.get_freeze_count()
    try:
        runner.serve(warehouse=warehouse, sock=runner.bind("127.0.0.1", 0), out=io.StringIO())
    finally:
        gc.unfreeze()
    # every item and level of the warehouse at least, beyond what was frozen before
    assert frozen_when_served and frozen_when_served[0] - before > 300 * 3


PID_SERVER = """
import os, sys
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from console.server.runner import bind, serve_app

async def pid(request):
    return PlainTextResponse(str(os.getpid()))

sock = bind("127.0.0.1", 0, workers=2)
print(sock.getsockname()[1], flush=True)
serve_app(lambda: Starlette(routes=[Route("/pid", pid)]), sock, workers=2)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux balances SO_REUSEPORT")
def test_connections_opened_together_are_spread_over_the_workers() -> None:
    """Found measuring: workers shared one socket, and the one woken first accepted all eight
    of the benchmark's connections, so a second worker served nothing."""
    import socket

    server = subprocess.Popen(
        [sys.executable, "-c", PID_SERVER], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        # up once one request is answered: the workers' listeners are all made before they fork
        httpx.get(f"http://127.0.0.1:{port}/pid", timeout=20).raise_for_status()
        # sixteen consoles connecting at once (chance alone puts all on one worker 1 in 30,000)
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        for connection in connections:
            connection.sendall(b"GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answered: set[str] = set()
        for connection in connections:
            with connection, connection.makefile("rb") as answer:
                head, _, pid = answer.read().decode().partition("\r\n\r\n")
            assert head.startswith("HTTP/1.1 200") and pid.isdigit()
            answered.add(pid)
        assert len(answered) == 2, f"all answered by {answered}"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its workers too
            server.communicate()
