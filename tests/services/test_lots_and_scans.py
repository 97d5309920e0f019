"""Saving lots and resolving scans, without a screen."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain.errors import Conflict
from console.domain.gtin import gtin14
from console.domain.queries import LotQuery
from console.domain.scan import interpret
from console.services.clock import ManualClock
from console.services.lots import LotSaver, NothingChanged, NotSaved, Saved, lot_from_label
from console.services.scans import KnownItems, find_bin, resolve_scan
from tests.contract.world import A1, BOLT, BOLT_GTIN13, MILK, MILK_GTIN12, RENO, TAPE
from tests.recording import Recording, answers_lost
from tests.services.conftest import let_time_pass, run_until_asleep

FORM = {
    "item": "PK-TAPE-48",
    "bin": "a-01-01",
    "number": "T-1",
    "manufacturer_number": "",
    "expires_at": "2027-01-31",
    "production_date": "",
    "best_before_date": "",
    "sell_by_date": "",
    "total_qty": "10",
    "available_qty": "10",
    "reserved_qty": "0",
    "defective_qty": "0",
    "status": "available",
}


async def lots_of(backend: Recording, item_id: str) -> dict[str, Any]:
    page = await backend.inner.list_lots(LotQuery(item_id=item_id, limit=100))
    return {lot.number: lot for lot in page.data}


@pytest.fixture
async def reno(backend: Recording) -> Any:
    return await backend.inner.get_location(RENO)


async def test_a_new_lot_is_checked_and_sent_once(backend, outbox, reno) -> None:
    saved = await LotSaver(backend, outbox).save(dict(FORM), reno)
    assert isinstance(saved, Saved) and saved.item is not None and saved.item.id == TAPE
    lot = (await lots_of(backend, TAPE))["T-1"]
    assert (lot.layout_id, lot.total_qty) == (A1, 10)
    assert backend.count("create_lot") == 1


@pytest.mark.parametrize(
    ("field", "typed", "named"),
    [
        ("item", "NOPE", "item"),
        ("bin", "Z-99", "bin"),
        ("total_qty", "x", "total_qty"),
        ("available_qty", "11", "total_qty"),
        ("expires_at", "31/01/2027", "expires_at"),
        ("number", " ", "number"),
    ],
)
async def test_bad_input_names_the_field_and_sends_nothing(
    backend, outbox, reno, field: str, typed: str, named: str
) -> None:
    result = await LotSaver(backend, outbox).save(FORM | {field: typed}, reno)
    assert isinstance(result, NotSaved) and not result.unknown
    assert any(e.field == named for e in result.error.errors)
    assert backend.count("create_lot") == 0


async def test_an_edit_sends_only_what_changed(backend, outbox, reno) -> None:
    lot = (await lots_of(backend, MILK))["L-300"]
    saver = LotSaver(backend, outbox)
    form = {"number": "L-300", "total_qty": "8", "available_qty": "8", "status": "available"}
    assert isinstance(await saver.save(form, reno, lot=lot), NothingChanged)
    result = await saver.save(form | {"total_qty": "9"}, reno, lot=lot)
    assert isinstance(result, Saved) and result.lot.total_qty == 9
    assert backend.calls[-1][1][1] == {"total_qty": 9}


async def test_a_refusal_is_given_back_with_the_backend_s_reason(backend, outbox, reno) -> None:
    async def locked(real: Any, *args: Any, **kwargs: Any) -> Any:
        raise Conflict("The lot is locked by a stock count.")

    backend.hooks["create_lot"] = locked
    result = await LotSaver(backend, outbox).save(dict(FORM), reno)
    assert isinstance(result, NotSaved) and "locked" in result.error.message


async def test_a_lost_answer_is_checked_and_saving_again_reuses_the_key(
    backend, outbox, reno
) -> None:
    backend.keys_honoured = False

    backend.hooks["create_lot"] = answers_lost(applied=False)
    saver = LotSaver(backend, outbox)
    first = await saver.save(dict(FORM), reno)
    assert isinstance(first, NotSaved) and first.unknown and "not saved" in first.error.message
    del backend.hooks["create_lot"]
    again = await saver.save(dict(FORM), reno)
    assert isinstance(again, Saved)
    keys = [c[2]["idempotency_key"] for c in backend.calls if c[0] == "create_lot"]
    assert len(keys) == 2 and keys[0] == keys[1]  # the same request, the same key


async def test_a_lost_answer_that_was_applied_is_shown_as_saved(backend, outbox, reno) -> None:
    backend.keys_honoured = False

    backend.hooks["create_lot"] = answers_lost()
    result = await LotSaver(backend, outbox).save(dict(FORM), reno)
    assert isinstance(result, Saved) and result.lot.number == "T-1"
    assert backend.count("create_lot") == 1


async def test_with_honoured_keys_a_lost_save_is_sent_again_and_made_once(
    backend, outbox, reno, clock: ManualClock
) -> None:
    backend.hooks["create_lot"] = answers_lost(1)
    task = await run_until_asleep(clock, LotSaver(backend, outbox).save(dict(FORM), reno))
    await let_time_pass(clock, 1.0)
    assert isinstance(task.result(), Saved)
    assert len([n for n in await lots_of(backend, TAPE) if n == "T-1"]) == 1


async def test_a_case_label_names_the_lot_on_record_or_makes_one(backend, outbox) -> None:
    milk = await backend.inner.get_item(MILK)
    known = interpret(f"]C101{gtin14(MILK_GTIN12)}10L-200")
    lot, created, error = await lot_from_label(
        backend, outbox, milk, known, location_id=RENO, layout_id=None
    )
    assert lot is not None and lot.id == "lot_soon" and not created and error is None
    new = interpret(f"]C101{gtin14(MILK_GTIN12)}17271231\x1d10NEW-1")
    lot, created, error = await lot_from_label(
        backend, outbox, milk, new, location_id=RENO, layout_id=A1
    )
    assert lot is not None and created and lot.layout_id == A1 and lot.expires_at is not None


async def test_a_scan_resolves_to_item_lot_bin_or_lot_number(backend, reno) -> None:
    by_gtin = await resolve_scan(backend, interpret(f"]C101{gtin14(MILK_GTIN12)}10L-200"), reno)
    assert by_gtin.item.id == MILK and by_gtin.lot.id == "lot_soon"
    by_sku = await resolve_scan(backend, interpret("hw-bolt-m8-40"), reno)
    assert by_sku.item.id == BOLT and by_sku.lot is None
    by_bin = await resolve_scan(backend, interpret("A-01-02"), reno)
    assert by_bin.layout is not None and by_bin.item is None
    by_lot_number = await resolve_scan(backend, interpret("L-300"), reno)
    assert by_lot_number.item.id == MILK and by_lot_number.lot.id == "lot_far"
    miss = await resolve_scan(backend, interpret("nothing-here"), reno)
    assert not miss.found and "no item, lot or bin" in miss.describe_miss()
    assert "GTIN" in (await resolve_scan(backend, interpret("4006381333948"), reno)).describe_miss()
    assert find_bin(reno, " shelf [a1] ") is not None and find_bin(None, "A-01-01") is None


async def test_known_items_answer_scans_without_asking_the_backend(backend) -> None:
    known = KnownItems()
    await known.fetch(backend, {BOLT, MILK, "item_gone"})
    calls = len(backend.calls)
    assert known.known(interpret(BOLT_GTIN13)).id == BOLT
    assert known.known(interpret("fb-oat-1l")).id == MILK
    assert known.known(interpret("PK-TAPE-48")) is None
    assert known.name("item_gone") == "item_gone" and known.get("item_gone") is None
    assert len(backend.calls) == calls
