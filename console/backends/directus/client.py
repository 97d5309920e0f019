"""The Backend protocol over a Directus traceability project: lots (`lot`), the products they
are of (`product`) and where they were made (`location`), through Directus's REST API.

    GET   /items/lot?fields=…&filter={…}&sort=…&limit=…&offset=…&meta=filter_count
    GET   /items/lot/:id        POST /items/lot        PATCH /items/lot/:id
    GET   /items/product?filter=…&search=…

A lot's GS1 dates are ISO days (`2027-03-31`), read and written as the console's days (00:00
UTC, console/domain/lots.py). Its `quantity` is what it holds; Directus keeps no reservations,
so all of it is available. `status` is Directus's own: draft or published. What the console
has no field for (unit of measure, production location) is kept in the lot's metadata, shown
on the lot's screen, and never written back.

Directus keeps no versions and no idempotency keys. An edit is based on the version the form
was filled from: the lot is read again just before the PATCH and the edit refused when
`date_updated` moved (a narrow window remains between that read and the write). A create
whose answer is lost is found again by its number and product (console/services/saving.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from console.backends.http.transport import Call, Dialect, Transport, field_errors
from console.backends.lot_system import (
    LOCATION_ID,
    LotSystem,
    answer_day,
    answer_moment,
    empty_page,
)
from console.backends.protocol import Capabilities, Offer
from console.domain.errors import (
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unavailable,
)
from console.domain.gtin import gtin_spellings
from console.domain.lots import show_day
from console.domain.models import Item, Lot, Page, Pagination
from console.domain.queries import ItemQuery, LotQuery
from console.domain.requests import LotCreate, LotUpdate, parse_request

STATUSES = ("draft", "published")  # a new lot is a draft until someone publishes it
LOT_FIELDS = (
    "item",
    "number",
    "expires_at",
    "production_date",
    "best_before_date",
    "sell_by_date",
    "total_qty",
    "status",
    "digital_link",
)
CAPABILITIES = Capabilities(
    offers=frozenset({Offer.LOT_WRITES, Offer.LOT_EXPIRY_FILTER}),
    system="Directus",
    lot_statuses=STATUSES,
    lot_fields=LOT_FIELDS,
    lot_counts=("total_qty",),
)
# every field of a lot the console shows, relations expanded
LOT_READ = (
    "id,lot_number,production_date,expiry_date,best_before_date,sell_by_date,digital_link,"
    "quantity,status,uom,date_created,date_updated,"
    "product.id,product.product_name,product.gtin,product.digital_link,"
    "production_location.id,production_location.location_name,production_location.gln"
)
_PRODUCT_READ = "id,product_name,gtin,digital_link"
# the console's day fields and Directus's
_DAYS = {
    "expires_at": "expiry_date",
    "production_date": "production_date",
    "best_before_date": "best_before_date",
    "sell_by_date": "sell_by_date",
}
_SORTS = {"expires_at": "expiry_date", "number": "lot_number", "created_at": "date_created"}


def _directus_errors(payload: Any) -> tuple[str | None, list[FieldError], str | None]:
    """Directus's `{"errors": [{"message", "extensions": {"code", "field"}}]}`."""
    raw = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(raw, list) or not raw or not isinstance(raw[0], dict):
        return None, [], None
    first = raw[0]
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    fields = [
        FieldError(str(e["extensions"].get("field") or ""), str(e.get("message") or "invalid"))
        for e in raw[:20]
        if isinstance(e, dict) and isinstance(e.get("extensions"), dict)
    ]
    return first.get("message"), fields or field_errors(raw), extensions.get("code")


DIALECT = Dialect(
    name="a Directus project with the traceability collections (lot, product, location)",
    example_url="https://traceability.example.com",
    key_source="DIRECTUS_TOKEN or api_key in config.toml",
    key_header="Authorization",
    key_scheme="Bearer",
    read_errors=_directus_errors,
    conflict_codes=frozenset({"RECORD_NOT_UNIQUE"}),
    forbidden_means_missing=True,
)


def _related(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else ({"id": value} if value else {})


def lot_from_directus(row: dict[str, Any]) -> Lot:
    """One `lot` record as the console's lot; a record of the wrong shape raises ValueError."""
    product = _related(row.get("product"))
    made_at = _related(row.get("production_location"))
    try:
        quantity = Decimal(str(row.get("quantity") or 0))
    except InvalidOperation:
        raise ValueError("quantity is not a number") from None
    if not quantity.is_finite():
        raise ValueError(f"a quantity of {quantity} is not a count")
    metadata: dict[str, Any] = {}
    if row.get("uom"):
        metadata["uom"] = row["uom"]
    if quantity != quantity.to_integral_value():
        # the console counts whole units: the exact quantity stays in view
        metadata["quantity"] = f"{quantity.normalize()} {row.get('uom') or ''}".strip()
    if made_at:
        place = made_at.get("location_name") or made_at.get("id")
        gln = made_at.get("gln")
        metadata["produced at"] = f"{place} (GLN {gln})" if gln else place
    if product.get("digital_link"):
        metadata["product link"] = product["digital_link"]
    whole = int(quantity)
    return Lot(
        id=str(row["id"]),
        number=row.get("lot_number"),
        item_id=str(product.get("id") or ""),
        location_id=LOCATION_ID,
        status=str(row.get("status") or STATUSES[0]),
        expires_at=answer_day(row.get("expiry_date")),
        production_date=answer_day(row.get("production_date")),
        best_before_date=answer_day(row.get("best_before_date")),
        sell_by_date=answer_day(row.get("sell_by_date")),
        digital_link=row.get("digital_link"),
        total_qty=whole,
        available_qty=whole,
        metadata=metadata,
        created_at=answer_moment(row.get("date_created")),
        updated_at=answer_moment(row.get("date_updated")),
        # Directus keeps no versions: the time of the last change stands for one
        etag=str(row.get("date_updated") or row.get("date_created") or ""),
    )


def item_from_directus(row: dict[str, Any]) -> Item:
    return Item(
        id=str(row["id"]),
        name=str(row.get("product_name") or row.get("gtin") or row["id"]),
        gtin=row.get("gtin"),
        metadata={"digital_link": row["digital_link"]} if row.get("digital_link") else {},
    )


def _lot_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The console's lot fields as a Directus `lot` record (what Directus has no field for is
    not sent)."""
    body: dict[str, Any] = {}
    for ours, theirs in _DAYS.items():
        if ours in fields:
            body[theirs] = show_day(fields[ours]) or None
    simple = {"number": "lot_number", "digital_link": "digital_link", "status": "status"}
    for ours, theirs in simple.items():
        if ours in fields:
            body[theirs] = fields[ours]
    if "total_qty" in fields:
        body["quantity"] = fields["total_qty"]
    if "item_id" in fields:
        body["product"] = fields["item_id"]
    return body


def _checked_status(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Directus's statuses are its own (not the console's lot statuses): checked here."""
    body = dict(body)
    status = body.pop("status", None)
    if status is not None and status not in STATUSES:
        raise InvalidInput.on(
            "status", f"“{status}” is not a Directus lot status (draft, published)"
        )
    return body, status


class DirectusBackend(LotSystem):
    """Lots and products of a Directus traceability project, with a static token."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        allow_insecure_http: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(CAPABILITIES, "Directus lots")
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self._http = Transport(
            base_url,
            token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            allow_insecure_http=allow_insecure_http,
            transport=transport,
            dialect=DIALECT,
            **extra,
        )

    def __repr__(self) -> str:
        return f"DirectusBackend(url={str(self._http.url)!r}, token={'set' if self._http.has_key else 'none'})"

    @property
    def label(self) -> str:
        return self._http.label

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the exchange ----------------------------------------------------------------------

    async def _data(self, call: Call) -> tuple[Any, dict[str, Any]]:
        answer = await self._http.call(call)
        payload = answer.payload
        if not answer.readable or not isinstance(payload, dict) or "data" not in payload:
            raise self._http.unreadable(call, "the answer is not Directus's {data} object")
        meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
        return payload["data"], meta

    def _read(self, call: Call, reader: Callable[[dict[str, Any]], Any], row: Any) -> Any:
        try:
            if not isinstance(row, dict):
                raise ValueError("a record is not an object")
            return reader(row)
        except (ValueError, TypeError, KeyError) as problem:
            raise self._http.unreadable(call, f"a record could not be read: {problem}") from None

    async def _rows(
        self, path: str, params: dict[str, Any], what: str, reader: Callable[[dict[str, Any]], Any]
    ) -> tuple[list[Any], int | None]:
        call = Call("GET", path, f"listing {what}", what, params=params, collection=True)
        data, meta = await self._data(call)
        if not isinstance(data, list):
            raise self._http.unreadable(call, "data is not a list")
        if len(data) > int(params.get("limit", len(data))):
            raise self._http.unreadable(call, f"{len(data):,} records came back for fewer asked")
        count = meta.get("filter_count")
        total = int(count) if isinstance(count, int | str) and str(count).isdigit() else None
        return [self._read(call, reader, row) for row in data], total

    # -- products --------------------------------------------------------------------------

    async def list_items(self, query: ItemQuery | None = None) -> Page[Item]:
        query = query or ItemQuery()
        conditions: list[dict[str, Any]] = []
        if query.gtin:
            conditions.append({"gtin": {"_in": gtin_spellings(query.gtin) or [query.gtin]}})
        if query.sku:
            conditions.append({"id": {"_eq": query.sku}})
        if query.search:
            words = query.search.strip()
            conditions.append(
                {"_or": [{"product_name": {"_icontains": words}}, {"gtin": {"_contains": words}}]}
            )
        params: dict[str, Any] = {
            "fields": _PRODUCT_READ,
            "limit": query.limit,
            "offset": (query.page - 1) * query.limit,
            "meta": "filter_count",
            "sort": "-date_created" if query.order_by == "created_at" else "product_name",
        }
        if query.order_by != "created_at":
            params["sort"] = "-product_name" if query.direction == "desc" else "product_name"
        if conditions:
            params["filter"] = json.dumps({"_and": conditions})
        rows, total = await self._rows("/items/product", params, "products", item_from_directus)
        return _page(rows, query.page, query.limit, total)

    async def get_item(self, item_id: str) -> Item:
        return await self._one(
            "/items/product", item_id, "product", _PRODUCT_READ, item_from_directus
        )

    async def find_item(self, code: str) -> Item | None:
        code = code.strip()
        if not code:
            return None
        spellings = gtin_spellings(code)
        if spellings:
            found = await self.list_items(ItemQuery(gtin=code, limit=5))
            return next((item for item in found.data if item.gtin in spellings), None)
        return None

    # -- lots ------------------------------------------------------------------------------

    def _lot_filter(self, query: LotQuery) -> list[dict[str, Any]]:
        conditions: list[dict[str, Any]] = []
        if query.item_id:
            conditions.append({"product": {"_eq": query.item_id}})
        if query.statuses:
            wanted = [str(s) for s in query.statuses]
            if unknown := sorted(set(wanted) - set(STATUSES)):
                raise InvalidInput.on(
                    "statuses",
                    f"Directus lots are {' or '.join(STATUSES)}, not {', '.join(unknown)}",
                )
            conditions.append({"status": {"_in": wanted}})
        # A lot expires at 00:00 UTC of its day (console/domain/lots.py): it expires before
        # the moment `expires_before` if its day is at most that of the second before it, and
        # after `expires_after` if its day is later than that moment's, as the memory
        # warehouse compares them.
        if query.expires_before is not None:
            conditions.append({"expiry_date": {"_lte": show_day(query.expires_before - 1)}})
        if query.expires_after is not None:
            conditions.append({"expiry_date": {"_gt": show_day(query.expires_after)}})
        if query.search:
            conditions.append({"lot_number": {"_icontains": query.search.strip()}})
        return conditions

    async def list_lots(self, query: LotQuery | None = None) -> Page[Lot]:
        query = query or LotQuery()
        if self.elsewhere(query.location_id, query.layout_id):
            return empty_page(query)
        conditions = self._lot_filter(query)
        order_by = query.order_by or "expires_at"
        descending = query.direction == "desc"
        offset, limit = (query.page - 1) * query.limit, query.limit
        sort = ("-" if descending else "") + _SORTS[order_by]
        if order_by != "expires_at":
            rows, total = await self._lots(conditions, sort, offset, limit)
            return _page(rows, query.page, limit, total)
        # First to expire first, lots without an expiry last (first, newest-first): databases
        # disagree on where a sort puts NULL, so the dated and the undated are asked apart.
        dated = [*conditions, {"expiry_date": {"_nnull": True}}]
        undated = [*conditions, {"expiry_date": {"_null": True}}]
        first, second = (undated, dated) if descending else (dated, undated)
        rows, first_total = await self._lots(first, sort, offset, limit)
        if first_total is None:
            # where the second part starts depends on how many the first holds
            raise Unavailable(
                f"Directus at {self.label} answered a lot list without meta.filter_count, "
                "which the console asks for to page lots first to expire first: check that "
                f"the API URL points at {DIALECT.name}."
            )
        skip = max(0, offset - first_total)
        more, second_total = await self._lots(second, sort, skip, limit - len(rows) or 1)
        if len(rows) < limit:
            rows += more[: limit - len(rows)]
        total = None if second_total is None else first_total + second_total
        return _page(rows, query.page, limit, total)

    async def _lots(
        self, conditions: list[dict[str, Any]], sort: str, offset: int, limit: int
    ) -> tuple[list[Lot], int | None]:
        params: dict[str, Any] = {
            "fields": LOT_READ,
            "sort": f"{sort},id",  # ties in a stable order: pages never repeat or skip a lot
            "limit": limit,
            "offset": offset,
            "meta": "filter_count",
        }
        if conditions:
            params["filter"] = json.dumps({"_and": conditions})
        return await self._rows("/items/lot", params, "lots", lot_from_directus)

    async def get_lot(self, lot_id: str) -> Lot:
        return await self._one("/items/lot", lot_id, "lot", LOT_READ, lot_from_directus)

    async def _one(
        self,
        path: str,
        record_id: str,
        noun: str,
        fields: str,
        reader: Callable[[dict[str, Any]], Any],
    ) -> Any:
        if not record_id.strip():
            raise NotFound(f"No {noun} id was given.")
        call = Call(
            "GET",
            f"{path}/{quote(record_id, safe='')}",
            f"reading {noun} {record_id}",
            f"{noun} {record_id}",
            params={"fields": fields},
        )
        data, _meta = await self._data(call)
        return self._read(call, reader, data)

    async def create_lot(
        self, body: LotCreate | dict[str, Any], *, idempotency_key: str | None = None
    ) -> Lot:
        raw = body.model_dump(exclude_unset=True) if isinstance(body, LotCreate) else dict(body)
        raw, status = _checked_status(raw)
        fields = parse_request(LotCreate, raw).model_dump(exclude_unset=True)
        record = _lot_body(fields) | {"status": status or STATUSES[0]}
        number = fields.get("number") or "(no number)"
        call = Call(
            "POST",
            "/items/lot",
            f"creating lot {number}",
            f"lot {number}",
            params={"fields": LOT_READ},
            body=record,
            collection=True,
        )
        data, _meta = await self._data(call)
        return self._read(call, lot_from_directus, data)

    async def update_lot(
        self,
        lot_id: str,
        body: LotUpdate | dict[str, Any],
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Lot:
        raw = body.model_dump(exclude_unset=True) if isinstance(body, LotUpdate) else dict(body)
        raw, status = _checked_status(raw)
        fields = parse_request(LotUpdate, raw).model_dump(exclude_unset=True)
        record = _lot_body(fields) | ({"status": status} if status else {})
        if if_match:
            now = await self.get_lot(lot_id)
            if now.etag != if_match:
                raise PreconditionFailed(
                    f"Lot {now.number or lot_id} has changed since it was read: nothing was "
                    "applied.",
                    current=now,
                    etag=now.etag,
                )
        call = Call(
            "PATCH",
            f"/items/lot/{quote(lot_id, safe='')}",
            f"saving lot {lot_id}",
            f"lot {lot_id}",
            params={"fields": LOT_READ},
            body=record,
        )
        data, _meta = await self._data(call)
        return self._read(call, lot_from_directus, data)


def _page(rows: list[Any], page: int, limit: int, total: int | None) -> Page[Any]:
    shown = (page - 1) * limit + len(rows)
    more = shown < total if total is not None else len(rows) >= limit
    return Page.of(rows, Pagination(page=page, limit=limit, has_more=more, total_count=total))
