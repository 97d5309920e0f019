"""Level adjustment as an operator does it: preview, send, refusals, lost answers, undo."""

from __future__ import annotations

from typing import Any

import pytest

from console.ui.screens.adjust import AdjustScreen
from console.ui.screens.dialogs import BinPicker, Confirm
from tests.contract.test_levels import qty
from tests.contract.world import A1, A2, BOLT, BOLT_GTIN13, BRACKET, RENO
from tests.recording import answers_lost
from tests.ui.conftest import cells, message, press, scan, settle, static_text


async def open_bolt(pilot: Any) -> AdjustScreen:
    """F3 with nothing open, then scan the bolt: the adjust screen on it, first bin chosen."""
    await settle(pilot)
    await press(pilot, "f3")
    await settle(pilot)
    await scan(pilot, BOLT_GTIN13)
    screen = pilot.app.screen
    assert isinstance(screen, AdjustScreen)
    assert screen.item is not None and screen.item.id == BOLT
    return screen


async def type_qty(pilot: Any, text: str) -> None:
    await press(pilot, *text)
    await settle(pilot, 0)


async def level(backend: Any, layout: str | None, field: str = "verified_qty") -> int:
    return qty(await backend.inner.get_item(BOLT), RENO, layout, field)


async def test_preview_then_apply_a_delta(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_bolt(pilot)
        assert [row[0] for row in cells(app, "#bins")] == ["A-01-01", "A-01-02"]
        await type_qty(pilot, "+5")
        assert "A-01-01 · verified: 10 → 15" in static_text(app, "#preview")
        assert backend.count("update_item") == 0  # nothing sent while typing
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, A1) == 15
        assert "Done" in message(app)
        assert cells(app, "#log")[0][2:] == ["A-01-01 verified +5 (10→15)", "applied"]
        assert cells(app, "#bins")[0][1] == "15"
        assert screen.query_one("#qty").value == ""


async def test_choose_bin_with_arrows_and_quantity_type(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await press(pilot, "down", "ctrl+t")  # second bin, damaged
        await type_qty(pilot, "+2")
        assert "A-01-02 · damaged: 0 → 2" in static_text(app, "#preview")
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, A2, "damaged_qty") == 2
        assert await level(backend, A2) == 5


async def test_scanning_a_bin_label_chooses_it(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await scan(pilot, "Shelf [A1]")  # a bin this item is not in yet
        assert "Shelf [A1] · verified: 0" in static_text(app, "#preview")
        await type_qty(pilot, "+4")
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, BRACKET) == 4


@pytest.mark.parametrize("typed", ["+", "5x", "--3", "=", "=" + "9" * 30, "+0"])
async def test_bad_quantities_are_refused_and_nothing_is_sent(
    make_app, backend, typed: str
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, typed)
        await press(pilot, "enter")
        await settle(pilot)
        assert backend.count("update_item") == 0
        assert await level(backend, A1) == 10
        text = message(app)
        assert "✖" in text
        assert "+5" in text or "too large" in text or "no item" in text


async def test_below_zero_is_refused_before_sending(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "-11")
        assert "refused" in static_text(app, "#preview")
        await press(pilot, "enter")
        await settle(pilot)
        assert "would be -1" in message(app)
        assert "Nothing was sent" in message(app)
        assert backend.count("update_item") == 0


async def test_reset_needs_a_second_confirmation(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "=100")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await press(pilot, "escape")
        await settle(pilot)
        assert backend.count("update_item") == 0
        assert "not sent" in message(app)
        assert app.screen.query_one("#qty").value == "=100"  # kept, to correct or confirm
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, A1) == 100
        sent = backend.calls[-1]
        assert sent[0] == "update_item"
        assert sent[2]["idempotency_key"]


async def test_a_refusal_from_the_backend_is_shown_and_the_level_re_read(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        # another console takes 7 from the bin while this screen still shows 10
        await backend.inner.update_item(
            BOLT, {"levels": [{"location_id": RENO, "layout_id": A1, "verified_qty": -7}]}
        )
        await type_qty(pilot, "-5")
        assert "10 → 5" in static_text(app, "#preview")
        await press(pilot, "enter")
        await settle(pilot)
        assert "Refused" in message(app)
        assert "would be -2" in message(app)
        assert cells(app, "#log")[0][3] == "refused"
        assert cells(app, "#bins")[0][1] == "3"  # the true level, re-read
        assert await level(backend, A1) == 3


async def test_a_lost_answer_is_re_read_and_never_re_sent(make_app, backend) -> None:
    """Against a backend that does not honour idempotency keys, sending a delta again could
    count it twice: the level is re-read instead, and the operator checks it."""

    backend.keys_honoured = False
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        backend.hooks["update_item"] = answers_lost()
        reads_before = backend.count("get_item")
        await type_qty(pilot, "+3")
        await press(pilot, "enter")
        await settle(pilot, 0.5)
        assert backend.count("update_item") == 1
        assert backend.count("get_item") > reads_before  # re-read
        assert await level(backend, A1) == 13  # applied exactly once
        assert cells(app, "#bins")[0][1] == "13"  # and the screen shows the true level
        assert "Nothing was re-sent" in message(app)
        assert cells(app, "#log")[0][3] == "check level"


async def test_a_lost_answer_is_sent_again_with_its_key_where_keys_are_honoured(
    make_app, backend
) -> None:
    """The backend applies a key once: the change is sent again, with the same key, until an
    answer comes; it shows as waiting meanwhile, and counts once."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        backend.hooks["update_item"] = answers_lost(2)
        await type_qty(pilot, "+3")
        await press(pilot, "enter")
        await settle(pilot, 0.2)
        assert cells(app, "#log")[0][3] == "waiting"
        assert "sent again" in message(app)
        await settle(pilot, 3.5)  # the waits between attempts: 1 s, then 2 s
        keys = {call[2]["idempotency_key"] for call in backend.calls if call[0] == "update_item"}
        assert backend.count("update_item") == 3 and len(keys) == 1
        assert await level(backend, A1) == 13  # applied exactly once
        assert cells(app, "#log")[0][3] == "applied"
        assert cells(app, "#bins")[0][1] == "13"


def dialog_text(app: Any) -> str:
    return " ".join(str(w.render()) for w in app.screen.query(".dialog-title, .dialog-body"))


async def test_mark_damaged_takes_the_typed_number_asks_with_the_levels_and_is_one_update(
    make_app, backend
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "3")  # the number help speaks of, no sign
        assert "10 → 7" in static_text(app, "#preview"), "the preview says what is taken away"
        await press(pilot, "ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, Confirm), "asked before sending"
        assert "verified: 10 → 7" in dialog_text(app)
        assert "damaged: 0 → 3" in dialog_text(app)
        assert backend.count("update_item") == 0
        await press(pilot, "enter")
        await settle(pilot)
        assert backend.count("update_item") == 1
        assert (await level(backend, A1), await level(backend, A1, "damaged_qty")) == (7, 3)


async def test_a_damage_not_confirmed_sends_nothing(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "+3")
        await press(pilot, "ctrl+d")
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert backend.count("update_item") == 0
        assert "Damage not sent." in message(app)


async def test_move_between_bins_asks_with_both_levels_and_is_one_update(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "4")
        assert "+4" not in static_text(app, "#preview")
        await press(pilot, "ctrl+b")
        await settle(pilot)
        assert isinstance(app.screen, BinPicker)
        await press(pilot, "enter")  # first other bin: A-01-02
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "A-01-01 · verified: 10 → 6" in dialog_text(app)
        assert "A-01-02 · verified: 5 → 9" in dialog_text(app)
        assert backend.count("update_item") == 0
        await press(pilot, "enter")
        await settle(pilot)
        assert backend.count("update_item") == 1
        assert (await level(backend, A1), await level(backend, A2)) == (6, 9)


async def test_a_damage_of_letters_is_refused_with_what_to_type(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "=4")
        await press(pilot, "ctrl+d")
        await settle(pilot)
        assert "type how many units, like 3" in message(app)
        assert backend.count("update_item") == 0


async def test_undo_sends_the_inverse_after_showing_it(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "+5")
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "ctrl+z")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        body = " ".join(str(w.render()) for w in app.screen.query(".dialog-body"))
        assert "A-01-01 verified -5" in body
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, A1) == 10
        assert [row[3] for row in cells(app, "#log")] == ["applied", "undone"]


async def test_undo_of_a_reset_restores_the_old_count(make_app, backend) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bolt(pilot)
        await type_qty(pilot, "=2")
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "enter")  # confirm the reset
        await settle(pilot)
        assert await level(backend, A1) == 2
        await press(pilot, "ctrl+z")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert await level(backend, A1) == 10


async def test_f3_from_an_item_adjusts_that_item(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "PH-GLV-L")
        await press(pilot, "f3")
        await settle(pilot)
        assert isinstance(app.screen, AdjustScreen)
        assert app.screen.item is not None and app.screen.item.name == "Nitrile Gloves Large"
