"""The warehouse's memory of idempotency keys: a re-sent change gets its first answer, within
a bounded number of bytes and hours, the oldest forgotten first."""

from __future__ import annotations

import pytest

from console.backends.memory import warehouse as warehouse_module
from console.backends.memory.warehouse import IDEMPOTENCY_SECONDS
from tests.contract.world import A1, BOLT, NOW, RENO, build_world

PLUS_ONE = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 1}]}


def at_a1(item) -> int:
    return next(lv.verified_qty for lv in item.levels if lv.layout_id == A1)


async def test_a_re_sent_change_gets_its_first_answer_with_its_version() -> None:
    world = build_world()
    first = await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-1")
    await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-2")
    again = await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-1")
    assert again == first and again.etag == first.etag
    assert at_a1(await world.get_item(BOLT)) == at_a1(first) + 1  # k-1 applied once


async def test_the_oldest_answers_go_first_when_the_bytes_run_out(monkeypatch) -> None:
    world = build_world()
    one = await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-0")
    size = len(one.model_dump_json()) + 300  # an answer and its entry, generously
    monkeypatch.setattr(warehouse_module, "IDEMPOTENCY_BYTES", 3 * size)
    for n in range(1, 6):
        await world.update_item(BOLT, PLUS_ONE, idempotency_key=f"k-{n}")
    level = at_a1(await world.get_item(BOLT))
    latest = await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-5")
    assert at_a1(await world.get_item(BOLT)) == level  # still remembered: not applied again
    assert latest.etag is not None
    await world.update_item(BOLT, PLUS_ONE, idempotency_key="k-0")
    assert at_a1(await world.get_item(BOLT)) == level + 1  # forgotten: a new change


@pytest.mark.parametrize(
    ("later", "applied_again"), [(60.0, False), (IDEMPOTENCY_SECONDS + 1, True)]
)
async def test_an_answer_is_kept_for_a_day(later: float, applied_again: bool) -> None:
    moment = [float(NOW)]
    world = build_world(clock=lambda: moment[0])
    first = await world.update_item(BOLT, PLUS_ONE, idempotency_key="scan-1")
    moment[0] += later
    await world.update_item(BOLT, PLUS_ONE, idempotency_key="scan-1")
    assert at_a1(await world.get_item(BOLT)) == at_a1(first) + applied_again


async def test_a_key_reused_for_another_change_is_refused_while_remembered() -> None:
    from console.domain.errors import Conflict

    world = build_world()
    await world.update_item(BOLT, PLUS_ONE, idempotency_key="k")
    other = {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": 2}]}
    with pytest.raises(Conflict, match="Idempotency-Key"):
        await world.update_item(BOLT, other, idempotency_key="k")
