"""An item made or corrected on the spot: a view over the item saver (console/services/items.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from console.domain.items import PACKED_FIELDS, show_cents, show_measure
from console.domain.models import Item
from console.services.items import ItemSaved, ItemSaver
from console.services.saving import NothingChanged, NotSaved
from console.ui.actions import bindings
from console.ui.screens.base import WarehouseScreen
from console.ui.text import plain
from console.ui.widgets import FormFields

# (key, label, placeholder): what an operator knows of a product in hand.
ITEM_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "Name", "as on the package"),
    ("sku", "SKU", "(optional)"),
    ("gtin", "GTIN", "scan it, or type 8-14 digits"),
    ("packed_length", "Length in", "packed, inches"),
    ("packed_width", "Width in", "packed, inches"),
    ("packed_height", "Height in", "packed, inches"),
    ("packed_weight", "Weight lb", "packed, pounds"),
    ("value", "Value", "per unit, like 12.50"),
)


class ItemFormScreen(WarehouseScreen):
    """Create an item, or edit one. `done` is told the item saved (the form has closed)."""

    SCREEN = "item-form"
    TITLE = "Item"
    HELP = (
        "Fill in the item: {form.next} and {form.previous} move between fields, {form.save} "
        "saves, {form.cancel} leaves without saving. Only the name is needed. A GTIN is "
        "checked with its check digit; sizes are the packed size in inches and the weight in "
        "pounds; the value is per unit (12.50). Nothing is sent until it all reads right; if "
        "the answer to a save is lost, saving again sends the same request, which applies once."
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(SCREEN)

    def __init__(
        self,
        *,
        item: Item | None = None,
        prefill: dict[str, str] | None = None,
        done: Callable[[Item], None] | None = None,
    ) -> None:
        super().__init__()
        self.item = item
        self._prefill = prefill or {}
        self._done = done
        self.saver = ItemSaver(self.console.backend, self.console.outbox)

    def compose_body(self) -> ComposeResult:
        yield Static(id="form-title", classes="title")
        yield FormFields(ITEM_FIELDS, id="item-form")

    def on_mount(self) -> None:
        super().on_mount()
        item = self.item
        values: dict[str, str] = {}
        if item is not None:
            packed = item.packaged_dimensions
            values = {
                "name": item.name,
                "sku": item.sku or "",
                "gtin": item.gtin or "",
                "value": show_cents(item.value),
            } | {
                field: show_measure(getattr(packed, dimension, None))
                for field, dimension in PACKED_FIELDS.items()
            }
        values.update(self._prefill)
        form = self.query_one(FormFields)
        form.fill(values)
        title = f"Edit {item.name}" if item else "New item"
        self.query_one("#form-title", Static).update(plain(title, "bold"))
        form.field("name").focus()

    def action_save(self) -> None:
        self.run_io(self._save, group="save")

    async def _save(self) -> None:
        form = self.query_one(FormFields)
        result = await self.saver.save(form.values(), self.item)
        if isinstance(result, NothingChanged):
            self.say("Nothing changed.")
        elif isinstance(result, NotSaved):
            if result.unknown:
                self.alert(result.error.message, "warning")
            else:
                self.alert(str(result.error))
                form.point_at(result.error, {"packaged_dimensions": "packed_length"})
        else:
            assert isinstance(result, ItemSaved)
            self.app.pop_screen()
            if self._done is not None:
                self._done(result.item)
