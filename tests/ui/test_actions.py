"""One table of actions: the keys, F1, the palette and the README come from it; keys remap."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette, Hit

from console.ui import actions
from console.ui.actions import ACTIONS, BY_ID, SCREENS, actions_on, readme_table, resolve_keymap
from console.ui.app import WarehouseApp
from console.ui.palette import ActionCommands
from console.ui.screens.adjust import AdjustScreen
from console.ui.screens.dialogs import Ask, Confirm, HelpScreen, LocationPicker, StartupProblem
from console.ui.screens.item import ItemScreen
from console.ui.screens.item_form import ItemFormScreen
from console.ui.screens.lots import LotDetailScreen, LotFormScreen, LotsScreen
from console.ui.screens.pickpack import OrderScreen, PickPackScreen
from console.ui.screens.receiving import InboundScreen, ManifestScreen
from console.ui.screens.recovery import RecoveryScreen
from console.ui.screens.search import SearchScreen
from console.ui.widgets import KeysLine
from tests.contract.world import BOLT, BOLT_GTIN13, MANIFEST, MILK_GTIN12, RENO
from tests.ui.conftest import message, press, scan, settle, shown_text

README = Path(__file__).resolve().parents[2] / "README.md"

SCREEN_CLASSES = {
    "search": SearchScreen,
    "item": ItemScreen,
    "adjust": AdjustScreen,
    "lots": LotsScreen,
    "lot": LotDetailScreen,
    "lot-form": LotFormScreen,
    "item-form": ItemFormScreen,
    "pickpack": PickPackScreen,
    "order": OrderScreen,
    "receiving": InboundScreen,
    "manifest": ManifestScreen,
    "confirm": Confirm,
    "recovery": RecoveryScreen,
    "ask": Ask,
    "choose": LocationPicker,
    "help": HelpScreen,
    "startup": StartupProblem,
}


def test_every_screen_binds_exactly_the_table_s_actions() -> None:
    assert set(SCREEN_CLASSES) == set(SCREENS)
    for screen_id, cls in SCREEN_CLASSES.items():
        bound = {b.id for b in cls.BINDINGS}  # type: ignore[union-attr]
        assert bound == {a.id for a in actions_on(screen_id)}, screen_id
    app_bound = {b.id for b in WarehouseApp.BINDINGS}  # type: ignore[union-attr]
    assert app_bound == {a.id for a in ACTIONS if a.everywhere}


def test_every_action_is_described_and_belongs_somewhere() -> None:
    for action in ACTIONS:
        assert action.words and len(action.help) > len(action.words), action.id
        assert all(s in SCREENS or s == actions.EVERYWHERE for s in action.screens), action.id
    assert len(BY_ID) == len(ACTIONS), "action ids are unique"


def test_the_readme_key_table_is_the_table() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- keys:start -->\n(.*?)\n<!-- keys:end -->", text, re.S)
    assert found, "README.md lost its generated key table (python -m scripts.keys)"
    assert found.group(1) == readme_table(), "README key table is stale: python -m scripts.keys"


async def hits(screen: Any, query: str) -> list[Hit]:
    provider = ActionCommands(screen)
    return [hit async for hit in provider.search(query)]


async def found_by(screen: Any, query: str) -> set[str]:
    """The help texts of the palette's hits for a query: one per action."""
    return {str(hit.help) for hit in await hits(screen, query)}


async def test_the_palette_finds_the_actions_of_the_screen_by_their_words(
    make_app, backend
) -> None:
    await backend.inner.update_manifest(MANIFEST, {"status": "accepted"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        want = {
            "search": ["sort", "more"],
            "adjust": ["undo", "damage", "move", "qty type"],
            "lots": ["sort", "expired", "new", "clear filters", "soon window", "bin"],
        }
        await press(pilot, "f3")
        await settle(pilot)
        screens = {"adjust": app.screen}
        await press(pilot, "f4")
        await settle(pilot)
        screens["lots"] = app.screen
        await press(pilot, "f2")
        await settle(pilot)
        screens["search"] = app.screen
        for screen_id, words in want.items():
            for word in words:
                helps = await found_by(screens[screen_id], word)
                wanted = [a.help for a in actions_on(screen_id) if word in a.searched.lower()]
                assert wanted and set(wanted) <= helps, (screen_id, word)
        # the console's own actions are found from any screen
        assert BY_ID["site"].help in await found_by(screens["lots"], "location")
        # an action of another screen is not offered here
        assert BY_ID["adjust.undo"].help not in await found_by(screens["lots"], "undo")


async def test_the_palette_on_an_order_and_a_lot(make_app, backend) -> None:
    """'short pick' on an order being picked, 'edit' on a lot."""
    await backend.inner.create_fulfillment(
        {"location_id": RENO, "order_number": "SO-9", "inventory": [{"item_id": BOLT, "qty": 2}]}
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert BY_ID["order.short"].help in await found_by(app.screen, "short pick")
        # packing keys do nothing while picking: not offered
        assert BY_ID["order.pack_all"].help not in await found_by(app.screen, "pack all")
        await press(pilot, "escape")
        await press(pilot, "f4")
        await settle(pilot)
        await scan(pilot, f"]C101{MILK_GTIN12.zfill(14)}17271231\x1d10L-200")
        assert isinstance(app.screen, LotDetailScreen)
        assert BY_ID["lot.edit"].help in await found_by(app.screen, "edit")


async def test_an_action_chosen_in_the_palette_runs(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await scan(pilot, BOLT_GTIN13)
        await press(pilot, *"+5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AdjustScreen) and app.screen.session.log
        await press(pilot, "ctrl+p")
        await pilot.pause(0.1)  # the palette searches on its own (real) timers
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"undo")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.query("CommandList").first().option_count:  # type: ignore[attr-defined]
                break
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settle(pilot)
        assert isinstance(app.screen, Confirm), "the palette's 'Undo' asked to undo"


def test_a_keymap_takes_what_it_can_and_says_what_it_cannot() -> None:
    keymap, problems = resolve_keymap(
        {
            "adjust.undo": "f8",
            "lots.new": "CTRL+L",
            "adjust.nothing": "f7",  # no such action
            "adjust.move": "m",  # a scan would trigger it
            "adjust.damage": "ctrl+zz",  # no such key
            "order.qty": "ctrl+s",  # clashes with order.short
            "quit": "ctrl+j",  # a scanner's LF
            "help": 7,  # not a key name
        }
    )
    assert dict(keymap.keys) == {"adjust.undo": "f8", "lots.new": "ctrl+l"}
    assert len(problems) == 6
    assert all(line.startswith("keymap: ") and "\n" not in line for line in problems)
    said = " ".join(problems)
    for expected in ("adjust.nothing", "plain letter", "not a key name", "clashes with "
                     "order.short", "reserved", "in quotes"):  # fmt: skip
        assert expected in said
    assert keymap.key(BY_ID["adjust.move"]) == "ctrl+b"  # the default kept


async def test_a_remapped_key_works_and_is_shown(make_app, backend) -> None:
    app = make_app(keymap={"adjust.undo": "f8", "adjust.move": "m"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "adjust.move" in message(app)  # the refused entry, said at start
        await press(pilot, "f3")
        await scan(pilot, BOLT_GTIN13)
        await press(pilot, *"+5", "enter")
        await settle(pilot)
        assert "f8 Undo" in app.screen.query_one(KeysLine).render().plain
        await press(pilot, "ctrl+z")  # the old key does nothing now
        await settle(pilot)
        assert isinstance(app.screen, AdjustScreen)
        await press(pilot, "f8")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await press(pilot, "escape")
        await press(pilot, "f1")
        await settle(pilot)
        body = shown_text(app, ".dialog-body")
        assert "F8 Undo" in body and "Ctrl+B Move" in body
        assert "F8 undoes the last adjustment" in body  # the help text names the key in force


@pytest.mark.parametrize("screen_id", list(SCREENS))
def test_help_texts_name_only_actions_that_exist(screen_id: str) -> None:
    cls = SCREEN_CLASSES[screen_id]
    for name in re.findall(r"\{([a-z_.]+)\}", getattr(cls, "HELP", None) or ""):
        assert name in BY_ID, (screen_id, name)
