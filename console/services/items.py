"""Saving an item made or corrected on the spot: from search, from a scan that matched
nothing, from receiving an unexpected product. Checked before it is sent (console/domain/
items.py), and sent once (console/services/saving.py)."""

from __future__ import annotations

from dataclasses import dataclass

from console.backends.protocol import Backend
from console.domain.errors import InvalidInput
from console.domain.gtin import gtin14
from console.domain.items import item_form_values
from console.domain.models import Item
from console.domain.queries import ItemQuery
from console.services.outbox import Outbox, Request
from console.services.saving import CannotTell, NothingChanged, NotSaved, SavesOnce


@dataclass(frozen=True)
class ItemSaved:
    item: Item


ItemSaveResult = ItemSaved | NotSaved | NothingChanged


class ItemSaver:
    """Saves one item form, once."""

    def __init__(self, backend: Backend, outbox: Outbox) -> None:
        self.backend = backend
        self._once = SavesOnce(outbox, "item")

    async def save(self, form: dict[str, str], item: Item | None = None) -> ItemSaveResult:
        try:
            body = item_form_values(form, item)
        except InvalidInput as error:
            return NotSaved(error)
        if item is not None and not body:
            return NothingChanged()
        if item is not None:
            request = Request("update_item", item.id, body, if_match=item.etag)
            what = f"item {item.name}"
        else:
            request = Request("create_item", None, body)
            what = f"new item {body['name']}"

        async def read_back() -> Item | None:
            if item is not None:
                now = await self.backend.get_item(item.id)
                fields = {k: v for k, v in body.items() if k != "packaged_dimensions"}
                return now if all(getattr(now, k) == v for k, v in fields.items()) else None
            return await self._made(body)

        answer = await self._once.send(
            what,
            request,
            context={"screen": "item-form", "record": item.id if item else None},
            changed_meanwhile=(
                "Someone else changed this item since you opened it: nothing was saved. "
                "Leave the form and open the item again to see what it holds now."
            ),
            read_back=read_back,
        )
        return answer if isinstance(answer, NotSaved) else ItemSaved(answer)

    async def _made(self, body: dict[str, object]) -> Item | None:
        """The item a lost create made, found by its GTIN or SKU (a name alone proves nothing)."""
        gtin, sku = body.get("gtin"), body.get("sku")
        if isinstance(gtin, str) and gtin14(gtin):
            found = await self.backend.find_item(gtin)
            return found if found is not None and found.name == body["name"] else None
        if isinstance(sku, str):
            page = await self.backend.list_items(ItemQuery(sku=sku, limit=2))
            return next((i for i in page.data if i.name == body["name"]), None)
        raise CannotTell(
            "Without a SKU or GTIN it cannot be told whether it was saved: search for it by "
            "name before entering it again."
        )
