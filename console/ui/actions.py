"""Every action of the console, declared once: its id, its default key, its words and the
screens it belongs to.

The screens' key bindings, the keys line, F1 help, the command palette and the README's key
table are all made from this table. Operators remap keys in the config file by id
(``[keymap]`` in config.toml, see console/config.py); `resolve_keymap` checks such a keymap
against this table.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

from console.backends.protocol import Offer

EVERYWHERE = "*"  # an action of the console itself, on every screen


@dataclass(frozen=True)
class Action:
    id: str  # the keymap name: "undo", "lots.new"
    key: str  # default key (Textual's names: "ctrl+z", "f4", "enter")
    words: str  # a word or two for the keys line: "Undo"
    help: str  # what it does, for F1 and the palette
    screens: tuple[str, ...]  # the screens it belongs to (their SCREEN ids), or EVERYWHERE
    action: str  # the Textual action it runs: "undo", "show('lots')"
    show: bool = True  # in the keys line (all are in F1 and the palette)
    priority: bool = False  # before the focused field's own keys (Textual priority binding)
    also: str = ""  # more words the palette finds it by
    # what the backend must offer for it to work (byrd keeps no levels: F3 shows unavailable)
    needs: Offer | None = None

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.words,
            show=self.show,
            priority=self.priority,
            id=self.id,
        )

    @property
    def everywhere(self) -> bool:
        return EVERYWHERE in self.screens

    def on(self, screen: str) -> bool:
        return self.everywhere or screen in self.screens

    @property
    def searched(self) -> str:
        """What the palette matches a query against."""
        return f"{self.words} {self.help} {self.also}"

    @property
    def call(self) -> tuple[str, tuple[object, ...]]:
        """The Textual action's name and parameters, as check_action is given them."""
        name, _, parameters = self.action.partition("(")
        return name, action_parameters(parameters)


def action_parameters(text: str) -> tuple[object, ...]:
    """The parameters of an action string's call (`'pickpack'` of `show('pickpack')`)."""
    text = text.rstrip(")").strip()
    if not text:
        return ()
    values: list[object] = []
    for part in text.split(","):
        part = part.strip()
        if part in ("True", "False"):
            values.append(part == "True")
        elif part.lstrip("-").isdigit():
            values.append(int(part))
        else:
            values.append(part.strip("'\""))
    return tuple(values)


A = Action
COUNTING = ("order", "manifest")
LISTS = ("pickpack", "receiving")

ACTIONS: tuple[Action, ...] = (
    # -- the console itself -----------------------------------------------------------------
    A("help", "f1", "Help", "Help for this screen: what it is for and every key", (EVERYWHERE,),
      "help", priority=True),
    A("find", "f2", "Find", "Item search: find an item by name, SKU, GTIN or a scan",
      (EVERYWHERE,), "show('search')", priority=True, also="search"),
    A("adjust", "f3", "Adjust", "Level adjustment of the item on screen, per bin",
      (EVERYWHERE,), "adjust", priority=True, also="levels stock count", needs=Offer.LEVELS),
    A("lots", "f4", "Lots", "Lots at this location, first to expire first", (EVERYWHERE,),
      "show('lots')", priority=True, also="expiry batches"),
    A("pick", "f5", "Pick", "Pick-pack: open fulfillments to pick, pack and complete",
      (EVERYWHERE,), "show('pickpack')", priority=True, also="orders fulfillments outbound", needs=Offer.FULFILLMENTS),
    A("receive", "f6", "Receive", "Receiving: inbound manifests to count off the truck",
      (EVERYWHERE,), "show('receiving')", priority=True, also="manifests inbound", needs=Offer.MANIFESTS),
    A("site", "f9", "Site", "Change the location (site) you work at", (EVERYWHERE,),
      "pick_location", priority=True, also="location warehouse"),
    A("bell", "f10", "Bell", "Turn the bell for refused scans and adjustments on or off",
      (EVERYWHERE,), "toggle_bell", show=False, priority=True, also="sound"),
    A("quit", "ctrl+q", "Quit", "Quit the console", (EVERYWHERE,), "quit", show=False,
      priority=True, also="exit"),
    # -- moving around, shared by several screens -------------------------------------------
    A("back", "escape", "Back", "Back to the screen before (counting screens ask first when "
      "counts are not saved yet)", ("item", "lot", *COUNTING), "back"),
    A("reload", "ctrl+r", "Reload", "Read what is on screen again from the warehouse",
      ("adjust", "item", "lots", "lot", *LISTS, *COUNTING), "reload", show=False,
      priority=True, also="refresh"),
    A("up", "up", "Up", "Highlight the line above", ("adjust", *LISTS, *COUNTING),
      "cursor(-1)", show=False, priority=True),
    A("down", "down", "Down", "Highlight the line below", ("adjust", *LISTS, *COUNTING),
      "cursor(1)", show=False, priority=True),
    A("open", "enter", "Open", "Open the highlighted line (or what was typed)",
      ("search", *LISTS), "open"),
    A("results", "down", "Results", "Move into the results, to choose one with the arrows",
      ("search", "lots"), "into_results", show=False),
    A("sort", "ctrl+o", "Sort", "Sort the list another way: relevance, name, newest first…",
      ("search", "lots"), "cycle_order", also="order by"),
    # -- item search ------------------------------------------------------------------------
    # reaching the end of the list loads more too (the summary line says so)
    A("search.more", "ctrl+l", "More", "Load more results", ("search",), "more",
      show=False, also="next page load"),
    A("item.new", "ctrl+n", "New item", "Create an item: name, SKU, GTIN, packaged size and "
      "weight, value (a GTIN scanned that no item has is filled in)",
      ("search", "item", "manifest"), "new_item", priority=True, also="create add product", needs=Offer.ITEM_WRITES),
    A("item.edit", "ctrl+e", "Edit", "Edit this item: name, SKU, GTIN, packaged size, value",
      ("item",), "edit", priority=True, also="change correct", needs=Offer.ITEM_WRITES),
    A("search.find", "ctrl+f", "Find field", "Back to the search field", ("search",),
      "focus_find", show=False),
    # -- level adjustment -------------------------------------------------------------------
    A("adjust.apply", "enter", "Apply", "Send the typed change (+5, -3, =100) to the chosen "
      "bin", ("adjust",), "apply", also="send"),
    A("adjust.damage", "ctrl+d", "Damaged", "Mark the typed number of verified units damaged",
      ("adjust",), "damage", priority=True, also="damage broken"),
    A("adjust.kind", "ctrl+t", "Qty type", "Change which quantity is adjusted: verified, "
      "damaged, manifested, reserved", ("adjust",), "cycle_kind", priority=True,
      also="quantity"),
    A("adjust.move", "ctrl+b", "Move", "Move the typed number of units to another bin",
      ("adjust",), "move", priority=True, also="transfer bin"),
    A("adjust.undo", "ctrl+z", "Undo", "Undo the last adjustment of this session (shown "
      "before it is sent)", ("adjust",), "undo", priority=True, also="revert"),
    # -- lots -------------------------------------------------------------------------------
    A("lots.expiry", "ctrl+e", "Expiry", "Filter by expiry: expired, expiring soon, later, "
      "all", ("lots",), "cycle_expiry", priority=True, also="expired expiring filter", needs=Offer.LOT_EXPIRY_FILTER),
    A("lots.status", "ctrl+t", "Status", "Filter by status: available, quarantined, "
      "expired, recalled, consumed, any", ("lots",), "cycle_status", priority=True,
      also="filter"),
    A("lots.bin", "ctrl+b", "Bin", "Show only the lots of one bin", ("lots",), "choose_bin",
      priority=True, also="filter layout", needs=Offer.LOT_BINS),
    A("lots.new", "ctrl+n", "New", "Create a lot (of the item and bin filtered on)",
      ("lots",), "new_lot", priority=True, also="create add", needs=Offer.LOT_WRITES),
    A("lots.clear", "ctrl+x", "Clear filters", "Show every lot here again", ("lots",),
      "clear_filters", show=False, priority=True, also="reset all"),
    A("lots.window", "ctrl+w", "Soon window", "Change how many days count as expiring soon",
      ("lots",), "cycle_window", show=False, priority=True, also="days expiring"),
    A("lot.edit", "ctrl+e", "Edit", "Edit this lot", ("lot",), "edit", priority=True,
      also="change", needs=Offer.LOT_WRITES),
    A("form.save", "enter", "Save", "Save the form", ("lot-form", "item-form"), "save", priority=True),
    A("form.cancel", "escape", "Cancel", "Leave the form without saving", ("lot-form", "item-form"),
      "app.back"),
    A("form.next", "tab", "Next field", "Move to the next field", ("lot-form", "item-form"),
      "app.focus_next", show=False, priority=True),
    A("form.previous", "shift+tab", "Previous field", "Move to the previous field",
      ("lot-form", "item-form"), "app.focus_previous", show=False, priority=True),
    # -- receiving --------------------------------------------------------------------------
    A("receiving.all", "ctrl+t", "All/open", "Show completed and void manifests too, or only "
      "open ones", ("receiving",), "toggle_closed", priority=True, also="closed filter"),
    A("manifest.accept", "ctrl+a", "Accept", "Accept a requested manifest: its units show as "
      "on the way", ("manifest",), "accept", priority=True),
    A("manifest.bin", "ctrl+b", "Bin", "Choose the bin the next units go to", ("manifest",),
      "choose_bin", priority=True, also="put away layout"),
    A("manifest.damaged", "ctrl+d", "Damaged", "Scans count damaged units (press again to "
      "count received units)", ("manifest",), "toggle_damaged", priority=True,
      also="damage broken"),
    A("manifest.counts", "ctrl+u", "Qty", "Type the received and damaged counts of the "
      "highlighted line", ("manifest",), "counts", priority=True, also="quantity type"),
    A("manifest.complete", "ctrl+k", "Complete", "Complete the manifest: received units go "
      "into stock", ("manifest",), "complete", priority=True, also="finish close"),
    A("manifest.void", "ctrl+x", "Void", "Void the manifest", ("manifest",), "void",
      priority=True, also="cancel"),
    # -- picking and packing ----------------------------------------------------------------
    A("order.qty", "ctrl+u", "Qty", "Type the picked count of the highlighted line",
      ("order",), "quantity", priority=True, also="quantity type"),
    A("order.short", "ctrl+s", "Short", "Record a short pick of the highlighted line, with "
      "its reason", ("order",), "short", priority=True, also="short pick missing"),
    A("order.parcel", "ctrl+n", "Parcel", "Open a new parcel to pack into", ("order",),
      "new_parcel", priority=True, also="box new pack"),
    A("order.pack_all", "ctrl+a", "Pack all", "Put every picked unit left into the open "
      "parcel", ("order",), "pack_rest", priority=True, also="pack rest"),
    A("order.edit_parcel", "ctrl+e", "Edit parcel", "Change the open parcel's size and "
      "weight", ("order",), "edit_parcel", priority=True, also="edit dimensions"),
    A("order.close", "ctrl+k", "Packed", "Mark the order packed, then completed (each shown "
      "before it is sent)", ("order",), "advance", priority=True,
      also="complete finish ship"),
    A("order.cancel", "ctrl+x", "Cancel order", "Cancel the order, with a reason",
      ("order",), "cancel_order", priority=True),
    # -- dialogs ----------------------------------------------------------------------------
    A("confirm.yes", "enter", "Confirm", "Do what the question asks", ("confirm",),
      "answer(True)", priority=True),
    A("confirm.no", "escape", "Cancel", "Do nothing", ("confirm",), "answer(False)",
      priority=True),
    A("ask.ok", "enter", "OK", "Give the typed answers", ("ask",), "give", priority=True),
    A("ask.cancel", "escape", "Cancel", "Give up: nothing changes", ("ask",), "give_up",
      priority=True),
    A("ask.next", "tab", "Next field", "Move to the next field", ("ask",), "app.focus_next",
      show=False, priority=True),
    A("ask.previous", "shift+tab", "Previous field", "Move to the previous field", ("ask",),
      "app.focus_previous", show=False, priority=True),
    A("choose.cancel", "escape", "Cancel", "Choose nothing", ("choose",), "cancel",
      priority=True),
    A("recovery.send", "enter", "Send them", "Send every change left unconfirmed, each with "
      "its original request id (the warehouse applies it once)", ("recovery",), "send",
      priority=True, also="resend recover"),
    A("recovery.discard", "ctrl+d", "Discard", "Do not send the highlighted change (asked "
      "first; the journal keeps a note)", ("recovery",), "discard", priority=True,
      also="drop delete"),
    A("recovery.later", "escape", "Later", "Keep them; they are offered again at the next "
      "start", ("recovery",), "later", priority=True),
    A("help.close", "escape,enter", "Close", "Close the help (F1 too)", ("help",), "close",
      priority=True),
    A("startup.retry", "enter,f5", "Retry", "Try to reach the warehouse again", ("startup",),
      "answer(True)", priority=True),
    A("startup.quit", "escape", "Quit", "Quit the console", ("startup",), "answer(False)",
      priority=True),
)  # fmt: skip

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

# Screen ids (WarehouseScreen.SCREEN and the dialogs) in the order the README lists them.
SCREENS: dict[str, str] = {
    "search": "Item search (F2)",
    "item": "Item",
    "item-form": "Item form",
    "adjust": "Level adjustment (F3)",
    "lots": "Lots (F4)",
    "lot": "Lot",
    "lot-form": "Lot form",
    "pickpack": "Pick-pack (F5)",
    "order": "Order",
    "receiving": "Receiving (F6)",
    "manifest": "Manifest",
    "confirm": "Questions",
    "recovery": "Left unconfirmed",
    "ask": "Typed answers",
    "choose": "Choosers",
    "help": "Help",
    "startup": "Start-up problem",
}


_RANK = {action.id: index for index, action in enumerate(ACTIONS)}
_BY_CALL: dict[tuple[str, str, tuple[object, ...]], Action] = {
    (screen, *action.call): action for action in ACTIONS for screen in action.screens
}


def key_rank(action_id: str | None) -> tuple[int, int, int]:
    """Where a key goes in the keys line: the screen's own actions first, in the table's order,
    then those it shares with other screens (Back last of them), then the console's own."""
    action = BY_ID.get(action_id or "")
    if action is None:
        return (1, 1, len(_RANK))
    shared = "." not in action.id
    return (action.everywhere, shared + (action.id == "back"), _RANK[action.id])


def action_called(screen: str, name: str, parameters: tuple[object, ...]) -> Action | None:
    """The action of a screen (or the console's own) that a Textual action call runs."""
    return _BY_CALL.get((screen, name, parameters)) or _BY_CALL.get((EVERYWHERE, name, parameters))


def actions_on(screen: str, *, everywhere: bool = False) -> list[Action]:
    """The actions of one screen (with the console's own, when `everywhere`)."""
    return [a for a in ACTIONS if screen in a.screens or (everywhere and a.everywhere)]


def bindings(screen: str) -> list[Binding]:
    """A screen's BINDINGS, made from the table."""
    return [action.binding() for action in actions_on(screen)]


def app_bindings() -> list[Binding]:
    return [action.binding() for action in ACTIONS if action.everywhere]


# -- the operator's keymap ------------------------------------------------------------------

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "backspace", "delete", "insert", "home", "end", "pageup",
        "pagedown", "up", "down", "left", "right", "space",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip
# What a scanner sends, or a field needs for typing: never an action's key on its own.
RESERVED = {
    "ctrl+j": "a scanner may end a scan with it (LF)",
    "ctrl+m": "it is Enter to a terminal",
    "ctrl+i": "it is Tab to a terminal",
    "ctrl+right_square_bracket": "it is GS, the separator inside GS1 labels",
    "ctrl+p": "it opens the command palette",
}
_KEY = re.compile(r"^[a-z0-9_+]+$")


def key_problem(key: str) -> str | None:
    """Why a key name cannot be an action's key, or None when it can."""
    if not key or not _KEY.match(key):
        return "not a key name (like ctrl+e, f7 or shift+tab)"
    *modifiers, name = key.split("+")
    if (
        not name
        or any(m not in MODIFIERS for m in modifiers)
        or len(set(modifiers)) != len(modifiers)
    ):
        return "not a key name (like ctrl+e, f7 or shift+tab)"
    if name not in NAMED_KEYS and not (
        len(name) == 1 and name in string.ascii_lowercase + string.digits
    ):
        return "not a key name (like ctrl+e, f7 or shift+tab)"
    if not modifiers and len(name) == 1:
        return "a plain letter or digit: a scan or typed text would trigger it"
    reason = RESERVED.get(key)
    if reason:
        return f"reserved: {reason}"
    return None


@dataclass(frozen=True)
class Keymap:
    """The keys in force: the defaults with the operator's valid remappings on top."""

    keys: Mapping[str, str]  # action id → key, only the remapped ones

    def key(self, action: Action) -> str:
        return self.keys.get(action.id, action.key)


def resolve_keymap(wanted: Mapping[str, object]) -> tuple[Keymap, list[str]]:
    """The operator's `[keymap]` checked against the table: what can be taken, and one line
    for each entry that cannot (its default is kept)."""
    problems: list[str] = []
    taken: dict[str, str] = {}
    for action_id, key in wanted.items():
        action = BY_ID.get(action_id)
        if action is None:
            close = ", ".join(sorted(i for i in BY_ID if i.split(".")[-1] in action_id)[:3])
            hint = f" (did you mean {close}?)" if close else ""
            problems.append(f"keymap: no action {action_id!r}{hint}; see F1 for the ids")
            continue
        if not isinstance(key, str):
            problems.append(f'keymap: {action_id} must be a key name in quotes, like "ctrl+e"')
            continue
        key = key.strip().lower()
        if (problem := key_problem(key)) is not None:
            problems.append(f"keymap: {action_id} = {key!r} is {problem}; kept {action.key}")
            continue
        taken[action_id] = key
    # a clash: two actions that can be on screen together on one key (not both defaults)
    for action_id, key in list(taken.items()):
        action = BY_ID[action_id]
        for other in ACTIONS:
            if other.id == action_id or not _meet(action, other):
                continue
            other_key = taken.get(other.id, other.key)
            if other_key == key:
                problems.append(
                    f"keymap: {action_id} = {key!r} clashes with {other.id} "
                    f"({other.words}); kept {action.key}"
                )
                taken.pop(action_id)
                break
    return Keymap(taken), problems


def _meet(first: Action, second: Action) -> bool:
    """Whether two actions can both be live on one screen (the console's own keys reach
    every screen, its dialogs included)."""
    if first.everywhere or second.everywhere:
        return True
    return bool(set(first.screens) & set(second.screens))


def help_text(text: str, keymap: Keymap) -> str:
    """A screen's help with `{action id}` replaced by the key in force."""

    def key_of(found: re.Match[str]) -> str:
        action = BY_ID.get(found.group(1))
        return shown_key(keymap.key(action)) if action else found.group(0)

    return re.sub(r"\{([a-z_.]+)\}", key_of, text)


_SHORT_NAMES = {"escape": "Esc", "pageup": "PgUp", "pagedown": "PgDn", "up": "↑", "down": "↓"}


def keys_hint(keymap: Keymap, *parts: tuple[str, str]) -> str:
    """A dialog's line of keys, 'Enter confirm · Esc cancel', from (action id or a key's own
    name, words) pairs, with the keys in force."""
    shown = []
    for name, words in parts:
        action = BY_ID.get(name)
        shown.append(f"{shown_key(keymap.key(action)) if action else name} {words}")
    return " · ".join(shown)


def keymap_of(app: object) -> Keymap:
    """The keymap of the console an app is (the default one for another app)."""
    keymap = getattr(app, "keymap", None)
    return keymap if isinstance(keymap, Keymap) else Keymap({})


def shown_key(key: str) -> str:
    """A key as the README and help show it: 'Ctrl+E', 'F4', 'Enter', 'Esc' ('Esc, Enter' for
    an action on two keys)."""
    return ", ".join(
        "+".join(
            _SHORT_NAMES.get(part, part.upper() if len(part) == 1 else part.capitalize())
            for part in one.split("+")
        )
        for one in key.split(",")
    )


def readme_table(keymap: Keymap | None = None) -> str:
    """The key table of the README, screen by screen."""
    keymap = keymap or Keymap({})
    lines = ["| screen | key | action | id |", "|---|---|---|---|"]
    for screen, title in (("*", "every screen"), *SCREENS.items()):
        chosen: Iterable[Action] = (
            [a for a in ACTIONS if a.everywhere] if screen == "*" else actions_on(screen)
        )
        for action in chosen:
            lines.append(
                f"| {title} | {shown_key(keymap.key(action))} | {action.help} | `{action.id}` |"
            )
    return "\n".join(lines)
