"""The Backend protocol over a PackageX-style inventory API (see docs/api.md).

Bodies are validated locally with the same strict request models the server uses, so bad input
never leaves the machine, and are sent as ``model_dump(exclude_unset=True)``: a level change that
omits ``layout_id`` stays different from one that says ``null`` (the layout rule depends on it).
Answers are read through the tolerant read models; an answer that is not the envelope the
contract promises becomes a typed error, never a crash in a screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from console.backends.http.transport import (
    Answer,
    Call,
    ClientConfigError,
    RetryPolicy,
    Transport,
    strong_etag,
)
from console.backends.protocol import Capabilities
from console.domain.errors import InvalidInput, NotFound, PreconditionFailed
from console.domain.gtin import gtin14
from console.domain.models import (
    Fulfillment,
    Item,
    Location,
    Lot,
    Manifest,
    Page,
    Pagination,
    Versioned,
)
from console.domain.queries import (
    FulfillmentQuery,
    ItemQuery,
    ListQuery,
    LocationQuery,
    LotQuery,
    ManifestQuery,
)
from console.domain.requests import (
    FulfillmentCreate,
    FulfillmentUpdate,
    ItemCreate,
    ItemUpdate,
    LotCreate,
    LotUpdate,
    ManifestCreate,
    ManifestUpdate,
    RequestModel,
    parse_request,
)
from console.domain.wire import LOT_PICKS, RECEIPT_PARTS

__all__ = ["ClientConfigError", "HttpBackend", "RetryPolicy"]

M = TypeVar("M", bound=BaseModel)
Body = dict[str, Any]

# How many candidates a code look-up asks for: a server that ignores the filter returns a full
# page, and the client then finds no exact match rather than taking the first row.
_LOOKUP_LIMIT = 5


def _segment(object_id: str, noun: str = "object") -> str:
    """An id as one path segment: '/' or '?' inside an id must not change the path, and an empty
    id must not turn a singular path into the plural one (which would create, not update)."""
    if not object_id or not object_id.strip():
        raise NotFound(f"No {noun} id was given.")
    return quote(object_id, safe="")


def _describe(model: type[BaseModel]) -> str:
    return {"Item": "item", "Location": "location", "Lot": "lot"}.get(
        model.__name__, model.__name__.lower()
    )


class HttpBackend:
    """The Backend protocol over HTTP. One instance holds one connection pool; close it with
    `aclose()` (or use it as an async context manager)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        allow_insecure_http: bool = False,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_connections: int = 20,
    ) -> None:
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self._http = Transport(
            base_url,
            api_key,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            allow_insecure_http=allow_insecure_http,
            retry=retry,
            transport=transport,
            max_connections=max_connections,
            **extra,
        )

    def __repr__(self) -> str:
        # Never the key, only whether there is one.
        key = "set" if self._http.has_key else "none"
        return f"HttpBackend(url={str(self._http.url)!r}, key={key})"

    @property
    def label(self) -> str:
        return self._http.label

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            idempotency_keys=self._http.honours_keys,
            etags=self._http.etags,
            lot_picks=LOT_PICKS in self._http.extensions,
            receipt_parts=RECEIPT_PARTS in self._http.extensions,
        )

    @property
    def instance(self) -> str | None:
        return self._http.instance

    def watch_instance(self, changed: Callable[[str, str], None]) -> None:
        """`changed(before, now)` is called when the server starts serving another warehouse."""
        self._http.instance_changed = changed

    @property
    def base_url(self) -> str:
        return str(self._http.url)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> HttpBackend:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- generic shapes ----------------------------------------------------------------------

    async def _list(self, path: str, query: ListQuery, model: type[M], what: str) -> Page[M]:
        call = Call("GET", path, f"listing {what}", what, params=query.params(), collection=True)
        answer = await self._http.call(call)
        envelope = self._envelope(call, answer)
        rows = envelope.get("data")
        if not isinstance(rows, list):
            kind = "missing" if rows is None else f"a {type(rows).__name__}"
            raise self._http.unreadable(call, f"data is {kind}, not a list")
        if len(rows) > query.limit:
            # a server that ignores the limit would have the console hold and draw all of them
            raise self._http.unreadable(
                call, f"{len(rows):,} rows came back for a page of {query.limit}"
            )
        data: list[M] = []
        for index, row in enumerate(rows):
            data.append(self._model(call, model, row, f"row {index + 1} of the list"))
        return Page.of(data, self._pagination(call, envelope, query, data))

    async def _get(self, path: str, object_id: str, model: type[M]) -> M:
        noun = _describe(model)
        call = Call(
            "GET",
            f"{path}/{_segment(object_id, noun)}",
            f"reading {noun} {object_id}",
            f"{noun} {object_id}",
        )
        return self._one(call, await self._http.call(call), model)

    async def _change(
        self,
        call: Call,
        request_model: type[RequestModel],
        body: Any,
        model: type[M],
    ) -> M:
        # Checked here first: a body that the server would refuse never leaves the machine.
        request = parse_request(request_model, body)
        wire = request.model_dump(mode="json", exclude_unset=True)
        call = Call(
            call.method,
            call.path,
            call.doing,
            call.subject,
            body=wire,
            idempotency_key=call.idempotency_key,
            if_match=call.if_match,
            collection=call.collection,
        )
        try:
            answer = await self._http.call(call)
        except PreconditionFailed as stale:
            current = stale.current
            if isinstance(current, dict):
                try:
                    current = model.model_validate(current)
                except ValidationError:
                    current = None
            if isinstance(current, Versioned):
                current.etag = stale.etag
            stale.current = current if isinstance(current, model) else None
            raise
        return self._one(call, answer, model)

    def _envelope(self, call: Call, answer: Answer) -> dict[str, Any]:
        if not answer.readable:
            what = "empty" if answer.size == 0 else "not JSON"
            raise self._http.unreadable(call, f"the body is {what}")
        if not isinstance(answer.payload, dict):
            raise self._http.unreadable(call, "the body is not an envelope object")
        if "data" not in answer.payload:
            raise self._http.unreadable(call, "the envelope has no data")
        return answer.payload

    def _one(self, call: Call, answer: Answer, model: type[M]) -> M:
        data = self._envelope(call, answer).get("data")
        if not isinstance(data, dict):
            kind = "missing" if data is None else f"a {type(data).__name__}"
            raise self._http.unreadable(call, f"data is {kind}, not an object")
        found = self._model(call, model, data, "the object")
        if isinstance(found, Versioned):
            found.etag = strong_etag(answer.headers.get("ETag"))
        return found

    def _model(self, call: Call, model: type[M], data: Any, where: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"]) or _describe(model)
            problem = "missing" if first["type"] == "missing" else "invalid"
            message = f"{where} is not a valid {_describe(model)}: {field} is {problem}"
        raise self._http.unreadable(call, message)

    def _pagination(
        self, call: Call, envelope: dict[str, Any], query: ListQuery, data: list[Any]
    ) -> Pagination:
        raw = envelope.get("pagination")
        if raw is None:
            # Tolerated: a page without pagination. Assume more may follow when it is full, so a
            # screen offers "load more" rather than silently hiding rows.
            return Pagination(
                page=query.page,
                limit=query.limit,
                has_more=len(data) >= query.limit,
                total_count=None,
            )
        if not isinstance(raw, dict):
            raise self._http.unreadable(call, "pagination is not an object")
        try:
            return Pagination.model_validate(raw)
        except ValidationError:
            problem = "pagination has invalid fields"
        raise self._http.unreadable(call, problem)

    # -- items -------------------------------------------------------------------------------

    async def list_items(self, query: ItemQuery | None = None) -> Page[Item]:
        return await self._list("/items", query or ItemQuery(), Item, "items")

    async def get_item(self, item_id: str) -> Item:
        return await self._get("/items", item_id, Item)

    async def find_item(self, code: str) -> Item | None:
        code = code.strip()
        if not code:
            return None
        key = gtin14(code)
        if key is not None:
            try:
                page = await self.list_items(ItemQuery(gtin=code, limit=_LOOKUP_LIMIT))
            except InvalidInput:
                # `gtin` is our extension: a strict server may refuse it. Its search covers GTINs.
                page = await self.list_items(ItemQuery(search=code, limit=_LOOKUP_LIMIT))
            # Checked here too: a server that ignores the filter returns unrelated items.
            found = next((i for i in page.data if gtin14(i.gtin) == key), None)
            if found is not None:
                return found
        # Not a GTIN, or no item has it: a SKU may be all digits too.
        page = await self.list_items(ItemQuery(sku=code, limit=_LOOKUP_LIMIT))
        wanted = code.casefold()
        return next((i for i in page.data if (i.sku or "").casefold() == wanted), None)

    async def create_item(
        self, body: ItemCreate | Body, *, idempotency_key: str | None = None
    ) -> Item:
        call = Call(
            "POST",
            "/items",
            "creating an item",
            "the item list (search for the new item)",
            idempotency_key=idempotency_key,
            collection=True,
        )
        return await self._change(call, ItemCreate, body, Item)

    async def update_item(
        self,
        item_id: str,
        body: ItemUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Item:
        call = Call(
            "POST",
            f"/items/{_segment(item_id, 'item')}",
            f"saving item {item_id}",
            f"item {item_id}",
            idempotency_key=idempotency_key,
            if_match=if_match,
        )
        return await self._change(call, ItemUpdate, body, Item)

    async def delete_item(self, item_id: str, *, idempotency_key: str | None = None) -> None:
        call = Call(
            "DELETE",
            f"/items/{_segment(item_id, 'item')}",
            f"deleting item {item_id}",
            f"item {item_id}",
            idempotency_key=idempotency_key,
        )
        await self._http.call(call)  # any 2xx means deleted; the body does not matter

    # -- locations ---------------------------------------------------------------------------

    async def list_locations(self, query: LocationQuery | None = None) -> Page[Location]:
        return await self._list("/locations", query or LocationQuery(), Location, "locations")

    async def get_location(self, location_id: str) -> Location:
        return await self._get("/locations", location_id, Location)

    # -- lots --------------------------------------------------------------------------------

    async def list_lots(self, query: LotQuery | None = None) -> Page[Lot]:
        return await self._list("/lots", query or LotQuery(), Lot, "lots")

    async def get_lot(self, lot_id: str) -> Lot:
        return await self._get("/lots", lot_id, Lot)

    async def create_lot(
        self, body: LotCreate | Body, *, idempotency_key: str | None = None
    ) -> Lot:
        call = Call(
            "POST",
            "/lots",
            "creating a lot",
            "the item's lots",
            idempotency_key=idempotency_key,
            collection=True,
        )
        return await self._change(call, LotCreate, body, Lot)

    async def update_lot(
        self,
        lot_id: str,
        body: LotUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Lot:
        call = Call(
            "POST",
            f"/lots/{_segment(lot_id, 'lot')}",
            f"saving lot {lot_id}",
            f"lot {lot_id}",
            idempotency_key=idempotency_key,
            if_match=if_match,
        )
        return await self._change(call, LotUpdate, body, Lot)

    # -- manifests ---------------------------------------------------------------------------

    async def list_manifests(self, query: ManifestQuery | None = None) -> Page[Manifest]:
        return await self._list("/manifests", query or ManifestQuery(), Manifest, "manifests")

    async def get_manifest(self, manifest_id: str) -> Manifest:
        return await self._get("/manifests", manifest_id, Manifest)

    async def create_manifest(
        self, body: ManifestCreate | Body, *, idempotency_key: str | None = None
    ) -> Manifest:
        call = Call(
            "POST",
            "/manifests",
            "creating a manifest",
            "the manifest list",
            idempotency_key=idempotency_key,
            collection=True,
        )
        return await self._change(call, ManifestCreate, body, Manifest)

    async def update_manifest(
        self,
        manifest_id: str,
        body: ManifestUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Manifest:
        call = Call(
            "POST",
            f"/manifests/{_segment(manifest_id, 'manifest')}",
            f"saving manifest {manifest_id}",
            f"manifest {manifest_id}",
            idempotency_key=idempotency_key,
            if_match=if_match,
        )
        return await self._change(call, ManifestUpdate, body, Manifest)

    # -- fulfillments ------------------------------------------------------------------------

    async def list_fulfillments(self, query: FulfillmentQuery | None = None) -> Page[Fulfillment]:
        return await self._list(
            "/fulfillments", query or FulfillmentQuery(), Fulfillment, "fulfillments"
        )

    async def get_fulfillment(self, fulfillment_id: str) -> Fulfillment:
        return await self._get("/fulfillments", fulfillment_id, Fulfillment)

    async def create_fulfillment(
        self, body: FulfillmentCreate | Body, *, idempotency_key: str | None = None
    ) -> Fulfillment:
        call = Call(
            "POST",
            "/fulfillments",
            "creating a fulfillment",
            "the fulfillment queue",
            idempotency_key=idempotency_key,
            collection=True,
        )
        return await self._change(call, FulfillmentCreate, body, Fulfillment)

    async def update_fulfillment(
        self,
        fulfillment_id: str,
        body: FulfillmentUpdate | Body,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Fulfillment:
        call = Call(
            "POST",
            f"/fulfillments/{_segment(fulfillment_id, 'fulfillment')}",
            f"saving fulfillment {fulfillment_id}",
            f"fulfillment {fulfillment_id}",
            idempotency_key=idempotency_key,
            if_match=if_match,
        )
        return await self._change(call, FulfillmentUpdate, body, Fulfillment)
