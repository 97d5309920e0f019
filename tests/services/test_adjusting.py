"""The adjustment session without a screen: plan, preview, send, undo, an answer lost."""

from __future__ import annotations

import pytest

from console.domain.scan import interpret
from console.services.adjusting import AdjustmentSession, Outcome, Refusal
from console.services.clock import ManualClock
from console.services.notices import Notice
from console.services.outbox import Outbox
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, BOLT_GTIN13, BRACKET, MILK_GTIN12, RENO
from tests.recording import Recording, answers_lost
from tests.services.conftest import let_time_pass, run_until_asleep, texts


@pytest.fixture
async def session(backend: Recording, outbox: Outbox, clock: ManualClock, notices: list[Notice]):
    drawn: list[int] = []
    reno = await backend.inner.get_location(RENO)
    adjusting = AdjustmentSession(
        backend, outbox, clock, tell=notices.append, changed=lambda: drawn.append(1), location=reno
    )
    await adjusting.take_scan(interpret(BOLT_GTIN13))
    adjusting.drawn = drawn  # type: ignore[attr-defined]
    return adjusting


async def level(backend: Recording, layout: str | None, field: str = "verified_qty") -> int:
    return qty(await backend.inner.get_item(BOLT), RENO, layout, field)


async def test_a_scanned_item_shows_its_bins_in_walking_order(session, notices) -> None:
    assert session.item.id == BOLT
    assert [s.label for s in session.slots()] == ["A-01-01", "A-01-02"]
    assert session.counts(session.slot) == [10, 0, 0, 0]
    assert "choose the bin" in texts(notices)


async def test_the_preview_shows_now_and_after_before_anything_is_sent(session, backend) -> None:
    preview = session.preview("+5")
    assert (preview.label, preview.kind, preview.now, preview.after) == (
        "A-01-01",
        "verified",
        10,
        15,
    )
    assert session.preview("-11").below_zero
    assert session.preview("=3").reset
    assert "is not a quantity" in session.preview("+x").problem
    assert backend.count("update_item") == 0


async def test_a_delta_is_planned_sent_once_and_logged(session, backend, notices) -> None:
    plan = session.plan_entry("+5")
    assert plan.question is None and plan.summary == "A-01-01 verified +5 (10→15)"
    record = await session.send(plan)
    assert record.outcome is Outcome.APPLIED and await level(backend, A1) == 15
    assert session.counts(session.slot)[0] == 15  # the answer is what is shown
    assert backend.calls[-1][2]["idempotency_key"] == record.key
    assert notices[-1].text == "Done: A-01-01 verified +5 (10→15)."


@pytest.mark.parametrize(
    ("typed", "said"),
    [("-11", "would be -1"), ("5x", "not a quantity"), ("+0", "changes nothing")],
)
async def test_what_cannot_be_sent_is_refused_before_sending(
    session, backend, typed: str, said: str
) -> None:
    with pytest.raises(Refusal) as refused:
        session.plan_entry(typed)
    assert said in refused.value.notice.text and refused.value.notice.ring
    assert backend.count("update_item") == 0


async def test_a_reset_asks_first_and_its_undo_sets_the_old_count_back(session, backend) -> None:
    plan = session.plan_entry("=2")
    assert plan.question is not None and "replaces the count" in plan.question.body
    await session.send(plan)
    undo = session.plan_undo()
    assert "verified =10" in undo.question.body
    await session.send(undo)
    assert await level(backend, A1) == 10
    assert [a.outcome for a in session.log] == [Outcome.UNDONE, Outcome.APPLIED]


async def test_damage_and_move_are_one_update_each_and_checked_first(session, backend) -> None:
    with pytest.raises(Refusal, match="only 10 verified"):
        session.plan_damage("+11")
    await session.send(session.plan_damage("+3"))
    assert (await level(backend, A1), await level(backend, A1, "damaged_qty")) == (7, 3)
    units, targets = session.move_targets("+4")
    assert units == 4 and [t.id for t in targets] == [A2, BRACKET]
    await session.send(session.plan_move(units, targets[0]))
    assert (await level(backend, A1), await level(backend, A2)) == (3, 9)
    assert backend.count("update_item") == 2


async def test_what_is_logged_is_what_the_bin_holds_after_another_console_counted(
    session, backend, notices
) -> None:
    plan = session.plan_entry("+5")  # on the 10 shown
    assert plan.summary == "A-01-01 verified +5 (10→15)"
    await backend.inner.update_item(  # another console, meanwhile
        BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 7}]}
    )
    record = await session.send(plan)
    assert record.outcome is Outcome.APPLIED and await level(backend, A1) == 22
    assert record.summary == "A-01-01 verified +5 (17→22)"
    assert notices[-1].text == "Done: A-01-01 verified +5 (17→22)."
    assert session.counts(session.slot)[0] == 22


async def test_a_bin_scanned_that_holds_none_of_it_becomes_a_slot(session, backend) -> None:
    await session.take_scan(interpret("Shelf [A1]"))
    assert session.slot.label == "Shelf [A1]" and session.level(session.slot) == 0
    await session.send(session.plan_entry("+4"))
    assert await level(backend, BRACKET) == 4


async def test_a_refusal_from_the_backend_is_logged_and_the_level_re_read(
    session, backend, notices
) -> None:
    await backend.inner.update_item(
        BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": -7}]}
    )
    record = await session.send(session.plan_entry("-5"))  # planned on the 10 shown
    assert record.outcome is Outcome.REFUSED
    assert "would be -2" in texts(notices)
    assert session.level(session.slot) == 3  # re-read


async def test_a_lost_answer_without_honoured_keys_is_re_read_never_re_sent(
    session, backend, notices
) -> None:
    backend.hooks["update_item"] = answers_lost()
    backend.keys_honoured = False
    record = await session.send(session.plan_entry("+3"))
    assert record.outcome is Outcome.CHECK and backend.count("update_item") == 1
    assert session.level(session.slot) == 13 and await level(backend, A1) == 13
    assert "Nothing was re-sent" in notices[-1].text


async def test_a_lost_answer_with_honoured_keys_waits_and_counts_once(
    session, backend, clock, notices
) -> None:
    backend.hooks["update_item"] = answers_lost(1)
    task = await run_until_asleep(clock, session.send(session.plan_entry("+3")))
    assert session.log[-1].outcome is Outcome.WAITING and "sent again" in notices[-1].text
    await let_time_pass(clock, 1.0)
    assert task.result().outcome is Outcome.APPLIED
    assert await level(backend, A1) == 13 and backend.count("update_item") == 2


async def test_nothing_to_undo_is_said(session) -> None:
    with pytest.raises(Refusal, match="Nothing to undo"):
        session.plan_undo()


async def test_a_miss_says_what_was_scanned(session, notices) -> None:
    await session.take_scan(interpret("42"))
    assert "no item, lot or bin" in notices[-1].text and "+5, -3 or =100" in notices[-1].text
    await session.take_scan(interpret(MILK_GTIN12))
    assert session.item.name == "Organic Oat Milk 1 L" and session.chosen == 0
