"""Saving a lot: from the lot form (create or edit), and from a case label scanned while
receiving. Everything is checked before it is sent, and sent once (console/services/saving.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.backends.protocol import Backend
from console.domain.errors import InvalidInput, WarehouseError
from console.domain.lots import lot_form_values
from console.domain.models import Item, Location, Lot
from console.domain.scan import Scan
from console.services.outbox import Outbox, Request, Result
from console.services.saving import NothingChanged, NotSaved, SavesOnce
from console.services.scans import find_bin, find_lot


@dataclass(frozen=True)
class Saved:
    lot: Lot
    item: Item | None


SaveResult = Saved | NotSaved | NothingChanged


class LotSaver:
    """Saves one lot form, once (console/services/saving.py)."""

    def __init__(self, backend: Backend, outbox: Outbox) -> None:
        self.backend = backend
        self.outbox = outbox
        self._once = SavesOnce(outbox, "lot")

    async def save(
        self,
        form: dict[str, str],
        location: Location,
        *,
        item: Item | None = None,
        lot: Lot | None = None,
    ) -> SaveResult:
        """`form` holds the typed fields, with `item` (SKU or GTIN) and `bin` (a label)."""
        try:
            body, item = await self._body(form, location, item, lot)
        except InvalidInput as error:
            return NotSaved(error)
        if lot is not None and not body:
            return NothingChanged()
        if lot is not None:
            # lot quantities are absolute: saved only on the version the form was filled from
            request = Request("update_lot", lot.id, body, if_match=lot.etag)
            what = f"lot {lot.number or lot.id}"
        else:
            request = Request("create_lot", None, body)
            what = f"new lot {body.get('number')}"

        async def read_back() -> Lot | None:
            if lot is not None:
                now = await self.backend.get_lot(lot.id)
                return now if all(getattr(now, k) == v for k, v in body.items()) else None
            return await find_lot(self.backend, str(body["number"]), str(body["item_id"]))

        answer = await self._once.send(
            what,
            request,
            context={"screen": "lot-form", "record": lot.id if lot else None},
            changed_meanwhile=(
                "Someone else changed this lot since you opened it: nothing was saved. "
                "Leave the form and open the lot again to see what it holds now."
            ),
            read_back=read_back,
        )
        return answer if isinstance(answer, NotSaved) else Saved(answer, item)

    async def _body(
        self, form: dict[str, str], location: Location, item: Item | None, lot: Lot | None
    ) -> tuple[dict[str, Any], Item | None]:
        values = {k: v for k, v in form.items() if k not in ("item", "bin")}
        statuses = self.backend.capabilities.lot_statuses
        if lot is not None:
            body = lot_form_values(values, lot, statuses=statuses)
        else:
            body = lot_form_values(values, statuses=statuses)
            typed = form.get("item", "").strip()
            if item is None or typed not in (item.sku, item.gtin, item.id):
                item = await self.backend.find_item(typed) if typed else None
            if item is None:
                what = f"“{typed}”: no item has this SKU or GTIN" if typed else "which item?"
                raise InvalidInput.on("item", what)
            body |= {"item_id": item.id, "location_id": location.id}
        label = form.get("bin", "").strip()
        layout = find_bin(location, label) if label else None
        if label and layout is None:
            raise InvalidInput.on("bin", f"“{label}” is not a bin of {location.name}")
        layout_id = layout.id if layout else None
        if lot is None:
            if layout_id:
                body["layout_id"] = layout_id
        elif layout_id != lot.layout_id and layout_id is not None:
            body["layout_id"] = layout_id
        return body, item


async def lot_from_label(
    backend: Backend,
    outbox: Outbox,
    item: Item,
    scan: Scan,
    *,
    location_id: str,
    layout_id: str | None,
) -> tuple[Lot | None, bool, WarehouseError | None]:
    """The lot a case label names for this item at this location: the one on record, or a new
    one made from the label (number, expiry). Returns (lot, created, error)."""
    assert scan.lot is not None
    try:
        found = await find_lot(backend, scan.lot, item.id, location_id)
    except WarehouseError:
        found = None
    if found is not None:
        return found, False, None
    body: dict[str, Any] = {"number": scan.lot, "item_id": item.id, "location_id": location_id}
    if layout_id:
        body["layout_id"] = layout_id
    if scan.expires_at:
        body["expires_at"] = scan.expires_at
    delivery = await outbox.deliver(
        f"new lot {scan.lot}", Request("create_lot", None, body), key=outbox.new_key("lot")
    )
    if delivery.result is Result.APPLIED:
        return delivery.answer, True, None
    return None, False, delivery.error
