"""`serve --data`: a warehouse kept in a SQLite file holds everything a client was told, across
a restart and a kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.backends.memory.building import FieldSets, compacted
from console.backends.memory.disk import DataFileError
from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.errors import WarehouseError
from console.domain.models import Item, wire_json

ROOT = Path(__file__).resolve().parents[1]


def reopen(path: Path) -> MemoryWarehouse:
    return MemoryWarehouse.on_disk(path, items=40, seed=7)


async def a_stocked_level(warehouse: MemoryWarehouse) -> tuple[str, Any]:
    for item in (await warehouse.list_items(None)).data:
        for level in item.levels:
            if level.verified_qty >= 3:
                return item.id, level
    raise AssertionError("no stocked level in the demo")


async def work_a_shift(warehouse: MemoryWarehouse) -> dict[str, Any]:
    """A level +1, a pick, a receipt: what consoles were told, by record."""
    item_id, level = await a_stocked_level(warehouse)
    plus_one = {"location_id": level.location_id, "layout_id": level.layout_id, "verified_qty": 1}
    item = await warehouse.update_item(item_id, {"levels": [plus_one]}, idempotency_key="adj-1")
    order = await warehouse.create_fulfillment(
        {"location_id": level.location_id, "inventory": [{"item_id": item_id, "qty": 2}]}
    )
    order = await warehouse.update_fulfillment(
        order.id,
        {"inventory": [{"item_id": item_id, "picked_qty": 1}]},
        idempotency_key="pick-1",
        if_match=order.etag,
    )
    manifests = (await warehouse.list_manifests(None)).data
    inbound = next(m for m in manifests if m.status == "requested")
    inbound = await warehouse.update_manifest(inbound.id, {"status": "accepted"})
    line = inbound.inventory[0]
    inbound = await warehouse.update_manifest(
        inbound.id,
        {"inventory": [{"item_id": line.item_id, "received_qty": 1}]},
        idempotency_key="receipt-1",
    )
    return {
        "item": await warehouse.get_item(item_id),
        "order": await warehouse.get_fulfillment(order.id),
        "manifest": await warehouse.get_manifest(inbound.id),
        "after_plus_one": item,
    }


async def shift_then_restart(tmp_path: Path) -> tuple[MemoryWarehouse, dict[str, Any], str]:
    """A shift worked on a warehouse kept in a file, the server stopped and started again: the
    warehouse as read back, what consoles were told, and the first start's instance id."""
    path = tmp_path / "warehouse.db"
    first = reopen(path)
    told = await work_a_shift(first)
    instance = first.instance
    first.close()
    return reopen(path), told, instance


async def test_everything_answered_is_there_after_a_restart(tmp_path: Path) -> None:
    again, told, instance = await shift_then_restart(tmp_path)
    assert again.instance == instance  # the same warehouse: consoles carry on
    assert await again.get_item(told["item"].id) == told["item"]
    assert (await again.get_item(told["item"].id)).etag == told["item"].etag  # versions hold
    assert await again.get_fulfillment(told["order"].id) == told["order"]
    assert (await again.get_fulfillment(told["order"].id)).inventory[0].picked_qty == 1
    manifest = await again.get_manifest(told["manifest"].id)
    assert manifest == told["manifest"]
    assert manifest.inventory[0].received_qty == 1
    again.close()


async def test_what_is_read_back_is_what_was_written_in_half_the_memory(tmp_path: Path) -> None:
    """A file's objects are checked as they are read, then kept around shared sets of field
    names (console/backends/memory/building.py): every object encodes as it was written, and
    a change to one read back changes no other."""
    path = tmp_path / "warehouse.db"
    first = reopen(path)
    written = {(type(o), o_id(o)): wire_json(o) for o in first._all_objects()}
    first.close()
    again = reopen(path)
    read = {(type(o), o_id(o)): wire_json(o) for o in again._all_objects()}
    assert read == written
    items = [i for i in (await again.list_items(None)).data if i.levels]
    stored = [again._items[i.id] for i in items[:2]]
    assert stored[0].model_fields_set is stored[1].model_fields_set
    level = items[0].levels[0]
    plus_one = {"location_id": level.location_id, "layout_id": level.layout_id, "verified_qty": 1}
    await again.update_item(items[0].id, {"levels": [plus_one], "hs_code": "0401.10"})
    assert again._items[items[1].id] is stored[1]
    assert wire_json(stored[1]) == written[type(stored[1]), stored[1].id]
    again.close()


def test_an_object_read_back_keeps_its_extra_fields() -> None:
    """Fields this version does not know (a newer server's) stay as they were read."""
    item = Item.model_validate({"id": "item_1", "name": "Oat milk", "shelf_life_days": 90})
    kept = compacted(item, FieldSets())
    assert kept.model_extra == {"shelf_life_days": 90}
    assert wire_json(kept) == wire_json(item) and kept.model_fields_set == item.model_fields_set


def o_id(model: Any) -> str:
    return str(model.id)


async def test_a_re_sent_change_after_a_restart_applies_once(tmp_path: Path) -> None:
    again, told, _ = await shift_then_restart(tmp_path)
    item = told["after_plus_one"]
    level = next(lv for lv in item.levels if lv.verified_qty >= 3)
    plus_one = {"location_id": level.location_id, "layout_id": level.layout_id, "verified_qty": 1}
    replay = await again.update_item(item.id, {"levels": [plus_one]}, idempotency_key="adj-1")
    assert replay == item and replay.etag == item.etag
    assert await again.get_item(item.id) == told["item"]  # not applied a second time
    again.close()


async def test_records_made_after_a_restart_get_new_ids(tmp_path: Path) -> None:
    again, told, _ = await shift_then_restart(tmp_path)
    location = told["order"].location_id
    item_id = told["item"].id
    order = await again.create_fulfillment(
        {"location_id": location, "inventory": [{"item_id": item_id, "qty": 1}]}
    )
    assert order.id != told["order"].id
    assert await again.get_fulfillment(told["order"].id) == told["order"]
    again.close()


async def test_a_refused_change_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.db"
    first = reopen(path)
    item_id, level = await a_stocked_level(first)
    before = await first.get_item(item_id)
    too_many = {"location_id": level.location_id, "layout_id": level.layout_id,
                "verified_qty": -10**6}  # fmt: skip
    with pytest.raises(WarehouseError):
        await first.update_item(item_id, {"levels": [too_many]})
    first.close()
    again = reopen(path)
    assert await again.get_item(item_id) == before
    again.close()


def test_a_file_that_is_no_warehouse_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: bolts, tape\n" * 100)
    with pytest.raises(DataFileError, match="not a warehouse data file"):
        reopen(path)
    with pytest.raises(DataFileError, match="does not exist"):
        reopen(tmp_path / "no" / "such" / "folder.db")


# -- the real server, killed ------------------------------------------------------------------


def start_server(path: Path) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_SERVER_API_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "serve", "--port", "0", "--data", str(path),
         "--demo-items", "40"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for _ in range(5):
        line = process.stdout.readline()
        if line.startswith("Serving the warehouse at "):
            return process, line.removeprefix("Serving the warehouse at ").strip()
    process.kill()
    raise AssertionError(
        f"the server did not start: {process.stderr.read() if process.stderr else ''}"
    )


@pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")
def test_a_server_killed_after_a_pick_and_a_receipt_has_both_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.db"
    process, url = start_server(path)
    try:
        with httpx.Client(base_url=f"{url}/", timeout=10) as api:
            orders = api.get("fulfillments", params={"status": "created"}).json()["data"]
            order = orders[0]
            line = order["inventory"][0]
            etag = api.get(f"fulfillments/{order['id']}").headers["ETag"]
            picked = api.post(
                f"fulfillments/{order['id']}",
                json={"inventory": [{"item_id": line["item_id"], "picked_qty": 1}]},
                headers={"If-Match": etag, "Idempotency-Key": "pick-killed"},
            )
            assert picked.status_code == 200, picked.text
            inbound = api.get("manifests", params={"status": "accepted"}).json()["data"][0]
            first = inbound["inventory"][0]
            counted = first["received_qty"] + 1
            received = api.post(
                f"manifests/{inbound['id']}",
                json={"inventory": [{"item_id": first["item_id"], "received_qty": counted}]},
                headers={"Idempotency-Key": "receipt-killed"},
            )
            assert received.status_code == 200, received.text
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    process, url = start_server(path)
    try:
        with httpx.Client(base_url=f"{url}/", timeout=10) as api:
            order_now = api.get(f"fulfillments/{order['id']}").json()["data"]
            assert order_now["inventory"][0]["picked_qty"] == 1
            manifest_now = api.get(f"manifests/{inbound['id']}").json()["data"]
            assert manifest_now["inventory"][0]["received_qty"] == counted
            assert api.get(f"fulfillments/{order['id']}").headers["ETag"] == picked.headers["ETag"]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


async def test_a_change_the_file_could_not_take_is_never_answered_or_served(tmp_path) -> None:
    """Found in review: a failed write was remembered, answered on the re-send, and lost on a
    restart. Now the warehouse serves nothing more until restarted from its whole file."""
    from console.domain.errors import Unavailable
    from console.server import create_app

    path = tmp_path / "warehouse.db"
    first = reopen(path)
    item_id, level = await a_stocked_level(first)
    before = await first.get_item(item_id)
    plus_one = {"location_id": level.location_id, "layout_id": level.layout_id, "verified_qty": 1}
    real_write = first._file.write  # the file as a full disk would leave it

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    first._file.write = disk_full  # type: ignore[method-assign]
    with pytest.raises(Unavailable, match="could not be saved"):
        await first.update_item(item_id, {"levels": [plus_one]}, idempotency_key="k")
    first._file.write = real_write  # type: ignore[method-assign]
    with pytest.raises(Unavailable, match="Restart"):
        await first.update_item(item_id, {"levels": [plus_one]}, idempotency_key="k")
    transport = httpx.ASGITransport(app=create_app(first))
    async with httpx.AsyncClient(transport=transport, base_url="http://t/v1/") as api:
        answer = await api.get(f"items/{item_id}")
    assert answer.status_code == 503 and "Restart" in answer.json()["message"]
    first.close()
    again = reopen(path)
    assert await again.get_item(item_id) == before  # the file is whole: the change never was
    again.close()


async def test_ids_inside_records_never_repeat_after_a_restart(tmp_path) -> None:
    """Found in review: a level made after a restart took the id of one made before."""
    path = tmp_path / "warehouse.db"
    first = reopen(path)
    locations = (await first.list_locations(None)).data
    made = await first.create_item(
        {"name": "Fresh", "levels": [{"location_id": locations[0].id, "verified_qty": 3}]}
    )
    first.close()
    again = reopen(path)
    more = await again.update_item(
        made.id, {"levels": [{"location_id": locations[1].id, "verified_qty": 2}]}
    )
    ids = [level.id for level in more.levels]
    assert len(ids) == len(set(ids)) == 2
    again.close()


def test_a_second_server_on_the_same_file_is_refused(tmp_path) -> None:
    path = tmp_path / "warehouse.db"
    first = reopen(path)
    with pytest.raises(DataFileError, match="in use by another server"):
        reopen(path)
    first.close()
    reopen(path).close()  # let go: the next server may take it


# -- changes arriving together share one transaction (group commit) -------------------------


def on_disk_qty(path: Path, item_id: str, level: Any) -> int:
    """The level as another process reading the file finds it: what a restart would serve."""
    import sqlite3

    from console.domain.models import Item

    with sqlite3.connect(path) as db:
        (body,) = db.execute(
            "select body from objects where kind = 'item' and id = ?", (item_id,)
        ).fetchone()
    item = Item.model_validate_json(body)
    return next(
        lv.verified_qty
        for lv in item.levels
        if lv.location_id == level.location_id and lv.layout_id == level.layout_id
    )


def plus(level: Any, n: int) -> dict[str, Any]:
    return {"levels": [{"location_id": level.location_id, "layout_id": level.layout_id,
                        "verified_qty": n}]}  # fmt: skip


def qty_in(item: Any, level: Any) -> int:
    return next(lv.verified_qty for lv in item.levels if lv.id == level.id)


async def a_file_with_a_stocked_level(
    tmp_path: Path,
) -> tuple[Path, MemoryWarehouse, str, Any, int]:
    """A warehouse kept in a file, a stocked level of it, and that level's quantity on disk."""
    path = tmp_path / "warehouse.db"
    warehouse = reopen(path)
    item_id, level = await a_stocked_level(warehouse)
    return path, warehouse, item_id, level, on_disk_qty(path, item_id, level)


async def test_each_of_many_changes_at_once_is_on_disk_when_it_is_answered(tmp_path) -> None:
    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)

    async def a_console_plus_one(n: int) -> int:
        item = await warehouse.update_item(item_id, plus(level, 1), idempotency_key=f"k{n}")
        told = qty_in(item, level)
        # the moment the server would send the answer: the change is already in the file
        assert on_disk_qty(path, item_id, level) >= told
        return told

    answered = await asyncio.gather(*(a_console_plus_one(n) for n in range(40)))
    assert sorted(answered) == list(range(before + 1, before + 41))  # each once, none lost
    warehouse.close()
    again = reopen(path)
    assert on_disk_qty(path, item_id, level) == before + 40
    again.close()


def commits_in(path: Path) -> int:
    """How many transactions of changes the file has had (each takes the next number)."""
    import sqlite3

    with sqlite3.connect(path) as db:
        (seq,) = db.execute("select value from facts where name = 'seq'").fetchone()
    return int(seq)


async def test_changes_arriving_over_consecutive_turns_share_one_commit(tmp_path) -> None:
    """Requests read from their sockets in consecutive turns of the event loop, as eight
    consoles' counts come in: one commit for all of them, each answered once it is on disk."""
    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)
    commits = commits_in(path)
    changes = []
    for n in range(8):
        changes.append(
            asyncio.create_task(
                warehouse.update_item(item_id, plus(level, 1), idempotency_key=f"c{n}")
            )
        )
        await asyncio.sleep(0)  # the next console's request comes in the next turn
    answered = sorted(qty_in(item, level) for item in await asyncio.gather(*changes))
    assert answered == list(range(before + 1, before + 9))
    assert on_disk_qty(path, item_id, level) == before + 8
    assert commits_in(path) == commits + 1
    warehouse.close()


async def test_a_change_alone_is_answered_within_a_few_turns_without_waiting_on_a_clock(
    tmp_path,
) -> None:
    """A console counting alone waits for no other: no timer holds its change back."""
    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)
    loop = asyncio.get_running_loop()
    change = asyncio.create_task(warehouse.update_item(item_id, plus(level, 1)))
    turns = 0

    def count_a_turn() -> None:  # once a turn of the loop, until the change is answered
        nonlocal turns
        turns += 1
        if not change.done():
            loop.call_soon(count_a_turn)

    loop.call_soon(count_a_turn)
    answered = await change
    assert turns < 12, f"the change was held back for {turns} turns"
    assert qty_in(answered, level) == before + 1 == on_disk_qty(path, item_id, level)
    warehouse.close()


async def test_a_read_never_shows_a_change_that_is_not_yet_on_disk(tmp_path) -> None:
    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)
    change = asyncio.create_task(warehouse.update_item(item_id, plus(level, 1)))
    shown = []
    while not change.done():  # every turn of the loop, from the change sent to it answered
        read = await warehouse.get_item(item_id)
        shown.append(qty_in(read, level))
        assert shown[-1] == on_disk_qty(path, item_id, level)
        await asyncio.sleep(0)
    assert shown[0] == before
    answered = qty_in(await change, level)
    assert answered == before + 1 == on_disk_qty(path, item_id, level)
    warehouse.close()


async def test_a_refused_change_beside_others_at_once_changes_nothing_of_theirs(tmp_path) -> None:
    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)
    outcomes = await asyncio.gather(
        warehouse.update_item(item_id, plus(level, 2)),
        warehouse.update_item(item_id, plus(level, -(10**6))),
        warehouse.update_item(item_id, plus(level, 3)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], WarehouseError) and "not" in str(outcomes[1])
    assert not isinstance(outcomes[0], Exception) and not isinstance(outcomes[2], Exception)
    warehouse.close()
    again = reopen(path)
    assert on_disk_qty(path, item_id, level) == before + 5
    again.close()


async def test_when_changes_sent_together_cannot_be_committed_none_is_answered_or_kept(
    tmp_path,
) -> None:
    from console.domain.errors import Unavailable

    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    warehouse._file.commit = disk_full  # type: ignore[method-assign]  the rows written, then
    outcomes = await asyncio.gather(
        *(
            warehouse.update_item(item_id, plus(level, 1), idempotency_key=f"k{n}")
            for n in range(3)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(o, Unavailable) for o in outcomes), outcomes
    warehouse.close()
    again = reopen(path)
    assert on_disk_qty(path, item_id, level) == before  # written, and rolled back
    replay = await again.update_item(item_id, plus(level, 1), idempotency_key="k0")
    assert qty_in(replay, level) == before + 1
    again.close()


@pytest.mark.parametrize("beside_another", [False, True])
async def test_a_key_used_again_after_its_answer_expired_is_kept_with_its_new_answer(
    tmp_path, beside_another: bool
) -> None:
    """Found in review: the key's old answer was forgotten and its new one written in the
    same transaction, and the forgetting ran last: the file lost the new answer, and a
    re-send after a restart was applied a second time."""
    from console.backends.memory.warehouse import IDEMPOTENCY_SECONDS

    moment = [1_000_000.0]
    path = tmp_path / "warehouse.db"
    warehouse = MemoryWarehouse.on_disk(path, items=40, seed=7, clock=lambda: moment[0])
    item_id, level = await a_stocked_level(warehouse)
    await warehouse.update_item(item_id, plus(level, 1), idempotency_key="scan-1")
    moment[0] += IDEMPOTENCY_SECONDS + 1  # a day later the same key comes again: a new change
    again = [warehouse.update_item(item_id, plus(level, 1), idempotency_key="scan-1")]
    if beside_another:  # another change in the same turn is the one that forgets the old answer
        again.insert(0, warehouse.update_item(item_id, plus(level, 1), idempotency_key="o-1"))
    await asyncio.gather(*again)
    told = on_disk_qty(path, item_id, level)
    warehouse.close()
    moment[0] += 5
    restarted = MemoryWarehouse.on_disk(path, items=40, seed=7, clock=lambda: moment[0])
    replay = await restarted.update_item(item_id, plus(level, 1), idempotency_key="scan-1")
    assert qty_in(replay, level) == told == on_disk_qty(path, item_id, level)  # not again
    restarted.close()


async def test_the_file_keeps_the_answers_the_server_remembers_and_no_others(
    tmp_path, monkeypatch
) -> None:
    """Answers forgotten to make room leave the file too (it would grow for ever otherwise),
    in the same transaction; those kept are replayed after a restart, the forgotten applied."""
    import sqlite3

    from console.backends.memory import warehouse as warehouse_module

    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)
    first = await warehouse.update_item(item_id, plus(level, 1), idempotency_key="scan-0")
    kept = 3  # answers of this size
    size = len(wire_json(first)) + 16 + 200
    monkeypatch.setattr(warehouse_module, "IDEMPOTENCY_BYTES", kept * size + size // 2)
    for n in range(1, 4):  # one at a time, then several in one transaction
        await warehouse.update_item(item_id, plus(level, 1), idempotency_key=f"scan-{n}")
    await asyncio.gather(
        *(warehouse.update_item(item_id, plus(level, 1), idempotency_key=f"scan-{n}")
          for n in range(4, 8))
    )  # fmt: skip
    told = before + 8
    assert on_disk_qty(path, item_id, level) == told
    db = sqlite3.connect(path)
    keys = [key for (key,) in db.execute("select key from answers order by rowid")]
    db.close()
    assert keys == ["scan-5", "scan-6", "scan-7"]
    warehouse.close()
    again = reopen(path)
    replayed = await again.update_item(item_id, plus(level, 1), idempotency_key="scan-6")
    assert qty_in(replayed, level) == before + 7  # the answer it had then
    applied = await again.update_item(item_id, plus(level, 1), idempotency_key="scan-1")
    assert qty_in(applied, level) == told + 1  # forgotten: a new count
    again.close()


async def test_a_batch_that_fails_unexpectedly_answers_none_and_serves_nothing(tmp_path) -> None:
    """Found in review: only the file's own errors were caught, so any other left the batch's
    changes waiting for ever, its transaction open, and reads showing what was not on disk."""
    from console.domain.errors import Unavailable

    path, warehouse, item_id, level, before = await a_file_with_a_stocked_level(tmp_path)

    def a_defect(*args: Any, **kwargs: Any) -> None:
        raise TypeError("a defect in writing")

    warehouse._file.write = a_defect  # type: ignore[method-assign]
    outcomes = await asyncio.wait_for(
        asyncio.gather(
            *(warehouse.update_item(item_id, plus(level, 1)) for _ in range(3)),
            return_exceptions=True,
        ),
        10,
    )
    assert all(isinstance(o, Unavailable) for o in outcomes), outcomes
    with pytest.raises(Unavailable, match="Restart"):
        await warehouse.get_item(item_id)  # memory is ahead of the file: nothing is shown
    warehouse.close()
    assert on_disk_qty(path, item_id, level) == before
