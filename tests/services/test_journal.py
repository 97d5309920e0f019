"""The journal on disk, and what a console that ended left unconfirmed, sent again once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from console.domain.errors import Unreachable
from console.domain.picking import PickPack
from console.domain.receiving import Receiving
from console.services import counting
from console.services.adjusting import AdjustmentSession
from console.services.clock import ManualClock
from console.services.journal import Journal, JournalError, journal_folder
from console.services.outbox import Outbox, Request
from console.services.recovery import Recovery
from tests.contract.world import A1, BOLT, MANIFEST, RENO
from tests.recording import Recording, answers_lost
from tests.services.conftest import let_time_pass, run_until_asleep, texts
from tests.services.test_counting import Views

CHANGE = Request(
    "update_item", BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return journal_folder(tmp_path, "api.example.com:8765", RENO)


@pytest.fixture
def current(folder: Path, clock: ManualClock) -> Any:
    """The journal of the console started after the one that ended."""
    journal = Journal.start(folder, clock)
    yield journal
    journal.close()


def test_a_journal_keeps_changes_work_and_place(folder: Path, clock: ManualClock) -> None:
    journal = Journal.start(folder, clock)
    journal.write("adj-1", "+1 bolt", CHANGE, False, "w1", {"screen": "adjust"})
    journal.keep_work("order:ful_1", "picks on SO-1", {"work": {"added": {BOLT: 2}}}, "w1")
    journal.remember_place("order", "ful_1")
    (pending,) = journal.pending()
    assert (pending.key, pending.request, pending.instance) == ("adj-1", CHANGE, "w1")
    (work,) = journal.kept_work()
    assert work.state["work"]["added"] == {BOLT: 2} and journal.place() == ("order", "ful_1")
    journal.settle("adj-1", "applied")
    journal.drop_work("order:ful_1")
    assert journal.empty and journal.change_state("adj-1") == "applied"
    journal.close()


def test_a_running_console_s_journal_is_not_taken(folder: Path, clock: ManualClock) -> None:
    running = Journal.start(folder, clock)
    running.write("adj-1", "+1 bolt", CHANGE, False, None, {})
    assert Journal.left_behind(folder, clock) == ([], [])  # locked: its console is alive
    running.close()  # the console ended (its process gone: the lock with it)
    (left,), problems = Journal.left_behind(folder, clock)
    assert problems == [] and [c.key for c in left.pending()] == ["adj-1"]
    left.close()


def test_an_empty_journal_left_behind_is_removed(folder: Path, clock: ManualClock) -> None:
    Journal.start(folder, clock).close()
    assert Journal.left_behind(folder, clock) == ([], [])
    assert not list(folder.glob("*.journal"))


@pytest.mark.parametrize(
    ("damage", "aside"), [(b"not a database at all" * 10, "damaged"), (None, "old")]
)
def test_a_damaged_or_old_journal_is_put_aside_and_said(
    folder: Path, clock: ManualClock, damage: bytes | None, aside: str
) -> None:
    journal = Journal.start(folder, clock)
    journal.write("adj-1", "+1 bolt", CHANGE, False, None, {})
    path = journal.path
    journal.close()
    if damage is None:
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")  # written by another version
    else:
        path.write_bytes(damage)
        for extra in ("-wal", "-shm"):
            path.with_name(path.name + extra).unlink(missing_ok=True)
    journals, problems = Journal.left_behind(folder, clock)
    assert journals == [] and len(problems) == 1
    assert "could not be read" in problems[0] and f".journal.{aside}" in problems[0]
    assert (folder / f"{path.name}.{aside}").exists()  # kept, never dropped


def test_a_journal_that_cannot_be_written_is_said_and_work_goes_on(
    tmp_path: Path, clock: ManualClock
) -> None:
    blocker = tmp_path / "journal"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(JournalError, match="cannot be kept"):
        Journal.start(blocker / "x@y", clock)


# -- a console that ends, and the next one ----------------------------------------------------


async def ended(journal: Journal, *tasks: asyncio.Task[Any]) -> None:
    """As a hang-up ends a console: its work is cancelled where it is (and may run its clean-up
    as it goes), then the process is gone; the journal stays."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    journal.close()


async def test_an_adjustment_left_in_flight_is_sent_again_with_its_key_once(
    backend: Recording, folder: Path, clock: ManualClock, current: Journal
) -> None:
    journal = Journal.start(folder, clock)
    outbox = Outbox(backend, clock, journal=journal)
    backend.hooks["update_item"] = answers_lost()  # applied, the answer never came
    reno = await backend.inner.get_location(RENO)
    session = AdjustmentSession(
        backend, outbox, clock, tell=lambda n: None, changed=lambda: None, location=reno
    )
    await session.load(BOLT)
    task = await run_until_asleep(clock, session.send(session.plan_entry("+3")))
    await ended(journal, task)
    del backend.hooks["update_item"]

    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(backend, Outbox(backend, clock, journal=current), journals)
    (line,) = recovery.unconfirmed()
    assert "verified +3" in line.what and not line.elsewhere
    told: list[Any] = []
    assert await recovery.send_all(told.append) == 0
    bolt = await backend.inner.get_item(BOLT)
    assert next(lv.verified_qty for lv in bolt.levels if lv.layout_id == A1) == 13  # once
    keys = {c[2]["idempotency_key"] for c in backend.calls if c[0] == "update_item"}
    assert len(keys) == 1 and "Sent" in texts(told)
    assert recovery.unconfirmed() == []


async def picking_console(backend: Recording, folder: Path, clock: ManualClock, order_id: str):
    journal = Journal.start(folder, clock)
    outbox = Outbox(backend, clock, journal=journal)
    views = Views()
    session = counting.picking(
        PickPack(await backend.inner.get_fulfillment(order_id)), backend, outbox, views
    )
    await session.open()
    return journal, session, views


async def an_order(backend: Recording, qty: int = 10) -> str:
    order = await backend.inner.create_fulfillment(
        {"location_id": RENO, "order_number": "SO-J", "inventory": [{"item_id": BOLT, "qty": qty}]}
    )
    return order.id


async def picked(backend: Recording, order_id: str) -> int:
    return (await backend.inner.get_fulfillment(order_id)).inventory[0].picked_qty


@pytest.mark.parametrize("first_update", ["lost after applying", "never reached"])
async def test_picks_of_a_console_that_ended_land_exactly_once(
    backend: Recording, folder: Path, clock: ManualClock, current: Journal, first_update: str
) -> None:
    order_id = await an_order(backend)
    journal, session, views = await picking_console(backend, folder, clock, order_id)
    if first_update == "lost after applying":
        backend.hooks["update_fulfillment"] = answers_lost()
    else:

        async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
            raise Unreachable("connection refused")

        backend.hooks["update_fulfillment"] = away
    session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    for _ in range(50):  # the first scan's update is on its way...
        await asyncio.sleep(0)
    for _ in range(3):  # ...and three more scans wait behind it
        session.record(lambda: session.work.pick(BOLT, 1, "bolt"))
    assert session.work.in_flight is not None and session.work.picked(BOLT) == 4
    await ended(journal, *views.jobs)
    del backend.hooks["update_fulfillment"]

    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(backend, Outbox(backend, clock, journal=current), journals)
    assert [line.what for line in recovery.unconfirmed()] == ["picks on SO-J"]
    assert await recovery.send_all(lambda n: None) == 0
    assert await picked(backend, order_id) == 4
    assert recovery.unconfirmed() == []


async def test_picks_left_behind_go_on_top_of_another_console_s(
    backend: Recording, folder: Path, clock: ManualClock, current: Journal
) -> None:
    order_id = await an_order(backend)
    journal, session, views = await picking_console(backend, folder, clock, order_id)

    async def away(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Unreachable("connection refused")

    backend.hooks["update_fulfillment"] = away
    session.record(lambda: session.work.pick(BOLT, 2, "bolt"))
    for _ in range(50):
        await asyncio.sleep(0)
    await ended(journal, *views.jobs)
    del backend.hooks["update_fulfillment"]
    # meanwhile another console picked one of the same line
    await backend.inner.update_fulfillment(
        order_id, {"inventory": [{"item_id": BOLT, "picked_qty": 1}]}
    )
    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(backend, Outbox(backend, clock, journal=current), journals)
    told: list[Any] = []
    assert await recovery.send_all(told.append) == 0
    assert await picked(backend, order_id) == 3


async def test_receipts_left_behind_land_once(
    backend: Recording, folder: Path, clock: ManualClock, current: Journal
) -> None:
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    journal = Journal.start(folder, clock)
    views = Views()
    session = counting.receiving(
        Receiving(await backend.inner.get_manifest(MANIFEST)),
        backend,
        Outbox(backend, clock, journal=journal),
        views,
    )
    backend.hooks["update_manifest"] = answers_lost()
    session.record(lambda: session.work.receive(BOLT, 3, layout_id=A1))
    for _ in range(50):
        await asyncio.sleep(0)
    await ended(journal, *views.jobs)
    del backend.hooks["update_manifest"]
    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(backend, Outbox(backend, clock, journal=current), journals)
    assert await recovery.send_all(lambda n: None) == 0
    line = next(
        ln for ln in (await backend.inner.get_manifest(MANIFEST)).inventory if ln.item_id == BOLT
    )
    assert (line.received_qty, line.layout_id) == (3, A1)


async def test_work_for_a_warehouse_started_afresh_is_not_sent_into_the_new_one(
    folder: Path, clock: ManualClock
) -> None:
    from tests.contract.world import build_world

    before = Recording(build_world())
    journal = Journal.start(folder, clock)
    Outbox(before, clock, journal=journal).keep_work(
        "order:ful_x", "picks on SO-X", {"kind": "order", "work": {}}
    )
    journal.close()
    now = Recording(build_world())  # another warehouse: another instance
    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(now, Outbox(now, clock), journals)
    (line,) = recovery.unconfirmed()
    assert line.elsewhere
    told: list[Any] = []
    assert await recovery.send_all(told.append) == 1
    assert "started afresh" in texts(told) and not now.calls
    recovery.discard(line, "the training warehouse was reset")  # the operator decides
    assert recovery.unconfirmed() == [] and recovery.journals == []


async def test_a_discard_is_logged(backend: Recording, folder: Path, clock: ManualClock) -> None:
    journal = Journal.start(folder, clock)
    journal.write("adj-1", "+1 bolt", CHANGE, False, None, {})
    journal.write("adj-2", "+2 bolt", CHANGE, False, None, {})
    journal.close()
    journals, _ = Journal.left_behind(folder, clock)
    recovery = Recovery(backend, Outbox(backend, clock), journals)
    first, _second = recovery.unconfirmed()
    recovery.discard(first, "counted again by hand")
    assert [line.change.key for line in recovery.unconfirmed()] == ["adj-2"]
    assert [(event, ref, note) for _, event, ref, note in journals[0].log()] == [
        ("discarded", "adj-1", "counted again by hand")
    ]


async def test_a_place_is_remembered_for_after_a_recovery(
    backend: Recording, folder: Path, clock: ManualClock
) -> None:
    journal = Journal.start(folder, clock)
    outbox = Outbox(backend, clock, journal=journal)
    outbox.remember_place("order", "ful_1")
    outbox.keep_work("order:ful_1", "picks", {"kind": "order", "work": {}})
    journal.close()
    journals, _ = Journal.left_behind(folder, clock)
    assert Recovery(backend, Outbox(backend, clock), journals).place() == ("order", "ful_1")


async def test_the_outbox_goes_on_without_a_journal_it_cannot_write(
    backend: Recording, folder: Path, clock: ManualClock
) -> None:
    journal = Journal.start(folder, clock)
    journal.close()  # its file handle gone: every write fails
    said: list[str] = []
    outbox = Outbox(backend, clock, journal=journal, journal_failed=said.append)
    delivery = await outbox.deliver("+1", CHANGE, key="adj-9")
    assert delivery.applied and outbox.journal is None and len(said) >= 1
    await let_time_pass(clock, 0)
