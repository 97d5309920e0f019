"""The wire contract served over the in-memory warehouse (see docs/api.md).

Every answer is the PackageX envelope, errors and unknown routes included. Request bodies and
query strings are checked with the same strict models the warehouse and the client use, so a bad
one is a 400 naming the field. The warehouse being served is ``app.state.warehouse`` and is read
on every request, so a test can swap in a fresh one.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.errors import (
    FieldError,
    InvalidInput,
    PreconditionFailed,
    RateLimited,
    WarehouseChanged,
    WarehouseError,
)
from console.domain.models import Page, Pagination, Versioned, wire_json
from console.domain.queries import (
    FulfillmentQuery,
    ItemQuery,
    ListQuery,
    LocationQuery,
    LotQuery,
    ManifestQuery,
)
from console.domain.requests import MAX_JSON_DEPTH, json_depth_problem
from console.domain.wire import (
    EXTENSIONS,
    HONOURED,
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEYS_HONOURED,
    OFFERED_EXTENSIONS,
    WAREHOUSE_INSTANCE,
)
from console.server.deadlines import BodyTimeout, within

log = logging.getLogger("console.server")

# No request body of this contract comes near this; a bigger one is a mistake or an attack.
MAX_BODY_BYTES = 1_000_000
# A body still arriving after this is trickled (a slow-loris client holding a connection): a
# scanner's change is a few hundred bytes, sent at once even over a poor link.
BODY_SECONDS = 10


class SlowRequest(WarehouseError):
    status = 408
    code = "request_timeout"


_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_KEY_HEADERS = (b"px-api-key", b"x-api-key")
_OFFERED = ", ".join(OFFERED_EXTENSIONS).encode()


@dataclass
class Result:
    """What a handler answers: the data, and pagination for lists."""

    data: Any
    message: str = "OK"
    status: int = 200
    pagination: Pagination | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _json(value: Any) -> bytes:
    if value is None:
        return b"null"
    if value == []:
        return b"[]"
    if isinstance(value, str):
        return _text(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


# The texts of the envelope repeat (messages, codes, an object's path): each encoded once, up
# to so many of so many characters (a path is the client's to make up).
_TEXTS: dict[str, bytes] = {}
_TEXTS_KEPT = 4096
_TEXT_KEPT_CHARS = 200


def _text(value: str) -> bytes:
    found = _TEXTS.get(value)
    if found is None:
        found = json.dumps(value, ensure_ascii=False).encode()
        if len(value) <= _TEXT_KEPT_CHARS:
            if len(_TEXTS) >= _TEXTS_KEPT:
                _TEXTS.clear()
            _TEXTS[value] = found
    return found


def envelope(
    status: int,
    *,
    endpoint: str,
    data: Any = None,
    message: str = "OK",
    errors: list[FieldError] | None = None,
    code: str | None = None,
    pagination: Pagination | None = None,
    headers: dict[str, str] | None = None,
    warehouse: MemoryWarehouse | None = None,
) -> Response:
    """The envelope every answer is, encoded once: `data` (read models, or plain JSON values)
    goes straight from the models (as `warehouse` keeps them encoded) to the answer's bytes."""
    body = b"".join(
        (
            b'{"message":', _json(message),
            b',"data":', encoded(data, warehouse),
            b',"status":', str(status).encode(),
            b',"errors":', _json([{"field": e.field, "message": e.message} for e in errors or []]),
            b',"code":', _json(code),
            b',"pagination":', pagination.model_dump_json().encode() if pagination else b"null",
            b',"endpoint":', _json(endpoint),
            b"}",
        )
    )  # fmt: skip
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def error_envelope(exc: WarehouseError, endpoint: str) -> JSONResponse:
    headers: dict[str, str] = {}
    data: Any = None
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, PreconditionFailed) and exc.current is not None:
        # the record as it is now, so the client can rebase without another round trip
        data = exc.current
        headers |= version_headers(exc.current)
    return envelope(
        exc.status,
        endpoint=endpoint,
        data=data,
        message=exc.message,
        errors=exc.errors,
        code=exc.code,
        headers=headers,
    )


def version_headers(value: Any, warehouse: MemoryWarehouse | None = None) -> dict[str, str]:
    """The ETag of a single versioned object (handed out by `warehouse`, when given)."""
    if not isinstance(value, Versioned):
        return {}
    etag = warehouse.version(value) if warehouse is not None else value.etag
    return {"ETag": etag} if etag else {}


def encoded(value: Any, warehouse: MemoryWarehouse | None = None) -> bytes:
    """A read model (or a list of them, or plain JSON data) as JSON (`wire_json`); an object
    `warehouse` handed out as the warehouse keeps it encoded."""
    if isinstance(value, BaseModel):
        return warehouse.encoded(value) if warehouse is not None else wire_json(value)
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return b"[" + b",".join(encoded(v, warehouse) for v in value) + b"]"
    return _json(value)


# -- reading requests ---------------------------------------------------------------------------


def query_of(request: Request, model: type[ListQuery]) -> Any:
    """The query string through the query model; a repeated parameter is read as a comma list."""
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        params[key] = f"{params[key]},{value}" if key in params else value
    return model.parse(params)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: JSON's grammar allows it, no number holds it
        raise ValueError(f"{text} is out of range for a number")
    return number


# One decoder for every body (json.loads given hooks makes one a call). With NaN, Infinity
# and numbers out of range refused as they are read, a body holds only finite numbers.
_BODY_JSON = json.JSONDecoder(parse_constant=_no_constants, parse_float=_finite)


def _lone_surrogate(data: Any) -> str | None:
    """A \\ud800 escape without its pair decodes to half a character, which no text holds:
    stored, it broke the object's every answer. Only an escape makes one (the body was UTF-8)."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError as exc:
        return f"holding half a character (\\u{ord(exc.object[exc.start]):04x} without its pair)"
    return None


async def body_of(request: Request) -> Any:
    """The JSON body, or InvalidInput naming what is wrong with it."""
    raw = bytearray()
    try:
        async with within(BODY_SECONDS):
            async for chunk in request.stream():
                raw += chunk
                if len(raw) > MAX_BODY_BYTES:
                    raise InvalidInput(
                        f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                        [FieldError("body", "too large")],
                    )
    except BodyTimeout:
        raise SlowRequest(
            f"The request body took longer than {BODY_SECONDS} s to arrive: nothing was applied.",
            [FieldError("body", "too slow")],
        ) from None
    if not raw.strip():
        return {}
    try:
        # JSON between systems is UTF-8 (RFC 8259), a byte order mark tolerated
        text = raw.decode().removeprefix("\ufeff")
        data = _BODY_JSON.decode(text)
    except RecursionError:
        data, message = None, f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
    except ValueError as exc:  # UnicodeDecodeError is one
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        data, message = None, f"The request body is not valid JSON: {reason}."
    else:
        # no deeper than it has brackets: the walk is for the rare body with many
        problem = (
            json_depth_problem(data) if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH else None
        )
        if problem is None and "\\u" in text:
            problem = _lone_surrogate(data)
        if problem is None:
            return data
        message = f"The request body is {problem}."
    raise InvalidInput(message, [FieldError("body", "malformed JSON")])


def idempotency_key_of(request: Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
            [FieldError("Idempotency-Key", "invalid")],
        )
    return key


def warehouse_of(request: Request) -> MemoryWarehouse:
    return request.app.state.warehouse


def meant_for(request: Request, served: str) -> None:
    """A change naming another warehouse than the one served is refused, not applied here."""
    meant = request.headers.get(WAREHOUSE_INSTANCE)
    if meant is not None and meant.strip() != served:
        raise WarehouseChanged(
            "This change was made for a warehouse this server no longer serves (it was started "
            "afresh since): nothing was applied.",
            [FieldError(WAREHOUSE_INSTANCE, "another warehouse")],
        )


def page_result(page: Page[Any], what: str) -> Result:
    count = len(page.data)
    return Result(
        data=page.data,
        pagination=page.pagination,
        message=f"{count} {what}" if count != 1 else f"1 {what.rstrip('s')}",
    )


# -- handlers -----------------------------------------------------------------------------------

Handler = Callable[[Request, MemoryWarehouse], Awaitable[Result]]


@dataclass(frozen=True)
class Resource:
    """One kind of object: its list/create and get/update/delete handlers."""

    noun: str  # "item"
    query: type[ListQuery]
    list_method: str  # names of the warehouse methods
    get_method: str
    create_method: str | None = None
    update_method: str | None = None
    delete_method: str | None = None

    async def list(self, request: Request, warehouse: MemoryWarehouse) -> Result:
        page = await getattr(warehouse, self.list_method)(query_of(request, self.query))
        return page_result(page, f"{self.noun}s")

    async def get(self, request: Request, warehouse: MemoryWarehouse) -> Result:
        found = await getattr(warehouse, self.get_method)(request.path_params["id"])
        return Result(
            data=found,
            message=f"{self.noun.capitalize()} found",
            headers=version_headers(found, warehouse),
        )

    async def create(self, request: Request, warehouse: MemoryWarehouse) -> Result:
        assert self.create_method is not None
        meant_for(request, warehouse.instance)
        body = await body_of(request)
        created = await getattr(warehouse, self.create_method)(
            body, idempotency_key=idempotency_key_of(request)
        )
        return Result(
            data=created,
            status=201,
            message=f"{self.noun.capitalize()} created",
            headers=version_headers(created, warehouse),
        )

    async def update(self, request: Request, warehouse: MemoryWarehouse) -> Result:
        assert self.update_method is not None
        meant_for(request, warehouse.instance)
        body = await body_of(request)
        updated = await getattr(warehouse, self.update_method)(
            request.path_params["id"],
            body,
            idempotency_key=idempotency_key_of(request),
            if_match=request.headers.get("If-Match"),
        )
        return Result(
            data=updated,
            message=f"{self.noun.capitalize()} updated",
            headers=version_headers(updated, warehouse),
        )

    async def delete(self, request: Request, warehouse: MemoryWarehouse) -> Result:
        assert self.delete_method is not None
        meant_for(request, warehouse.instance)
        object_id = request.path_params["id"]
        await getattr(warehouse, self.delete_method)(
            object_id, idempotency_key=idempotency_key_of(request)
        )
        return Result(
            data={"id": object_id, "deleted": True}, message=f"{self.noun.capitalize()} deleted"
        )


ITEMS = Resource(
    "item", ItemQuery, "list_items", "get_item", "create_item", "update_item", "delete_item"
)
LOCATIONS = Resource("location", LocationQuery, "list_locations", "get_location")
LOTS = Resource("lot", LotQuery, "list_lots", "get_lot", "create_lot", "update_lot")
MANIFESTS = Resource(
    "manifest", ManifestQuery, "list_manifests", "get_manifest", "create_manifest",
    "update_manifest",
)  # fmt: skip
FULFILLMENTS = Resource(
    "fulfillment", FulfillmentQuery, "list_fulfillments", "get_fulfillment",
    "create_fulfillment", "update_fulfillment",
)  # fmt: skip

# The plural paths of each resource. Lots also answer every path the PackageX lot pages use in
# their headings and examples (/v1/asset, /v1/lot, /v1/assets/:id, /v1/lots/:id).
PATHS: tuple[tuple[tuple[str, ...], Resource], ...] = (
    (("/v1/items",), ITEMS),
    (("/v1/locations",), LOCATIONS),
    (("/v1/lots", "/v1/lot", "/v1/assets", "/v1/asset"), LOTS),
    (("/v1/manifests",), MANIFESTS),
    (("/v1/fulfillments",), FULFILLMENTS),
)


def endpoint(handlers: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint dispatching on the method, answering every outcome in the envelope."""
    allowed = ", ".join(sorted(handlers))

    async def run(request: Request) -> Response:
        path = request.scope["path"]
        handler = handlers.get(request.method)
        if handler is None:
            return envelope(
                405,
                endpoint=path,
                message=f"{request.method} is not allowed on {path}; use {allowed}.",
                code="method_not_allowed",
                headers={"Allow": allowed},
            )
        warehouse = warehouse_of(request)
        failure = getattr(warehouse, "failure", None)
        if failure is not None:  # its data file fell behind: what it holds may not last
            return envelope(
                503,
                endpoint=path,
                message=f"Nothing is served: {failure}. Restart the server.",
                code="unavailable",
            )
        try:
            result = await handler(request, warehouse)
        except WarehouseError as exc:
            return error_envelope(exc, path)
        except ClientDisconnect:
            # the client went away mid-body: nothing was applied, and no one is there to answer
            log.info(
                "%s %s: the client went away before its request was whole", request.method, path
            )
            return envelope(
                400, endpoint=path, message="The request ended early.", code="incomplete"
            )
        except Exception:
            log.exception("%s %s failed", request.method, path)
            return envelope(
                500,
                endpoint=path,
                message="The server failed while handling this request.",
                code="internal_error",
            )
        return envelope(
            result.status,
            endpoint=path,
            data=result.data,
            message=result.message,
            pagination=result.pagination,
            headers=result.headers,
            warehouse=warehouse,
        )

    return run


async def openapi_json(request: Request) -> Response:
    """The contract itself (console/server/openapi.py), made once per process."""
    global _DESCRIPTION
    if _DESCRIPTION is None:
        from console.server.openapi import description

        _DESCRIPTION = JSONResponse(description())
    return _DESCRIPTION


_DESCRIPTION: JSONResponse | None = None


def routes() -> list[Route]:
    out: list[Route] = []
    for paths, resource in PATHS:
        plural: dict[str, Handler] = {"GET": resource.list}
        singular: dict[str, Handler] = {"GET": resource.get}
        if resource.create_method:
            plural["POST"] = resource.create
        if resource.update_method:
            singular["POST"] = resource.update
        if resource.delete_method:
            singular["DELETE"] = resource.delete
        for path in paths:
            # Starlette's own 405 would not be an envelope: every method reaches `run`.
            methods = ["GET", "POST", "DELETE", "PUT", "PATCH"]
            out.append(Route(path, endpoint(plural), methods=methods))
            out.append(Route(f"{path}/{{id}}", endpoint(singular), methods=methods))
    # last: the routes are tried in order, and the items' come first as the busiest
    out.append(Route("/v1/openapi.json", openapi_json, methods=["GET"]))
    return out


# -- authentication and the errors Starlette raises itself ----------------------------------------


class _Seen(set[bytes]):
    """Values found fine, up to `most` of them (a client sending ever new ones fills it once)."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def note(self, value: bytes) -> None:
        if len(self) < self.most:
            self.add(value)


def _host_name(host_header: str) -> str:
    """The name in a Host header, without its port ("[::1]:8765" is "::1")."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


# on every answer, errors and refusals too (console/domain/wire.py)
_EVERY_ANSWER = (
    (IDEMPOTENCY_KEYS_HONOURED.lower().encode(), HONOURED.encode()),
    (EXTENSIONS.lower().encode(), _OFFERED),
)
_INSTANCE = WAREHOUSE_INSTANCE.lower().encode()
_CHANGES = ("POST", "PUT", "PATCH")


class WarehouseGate:
    """Every request passes here before anything else runs, and every answer on its way out.

    Refused, in this order, in the envelope:

    * what only a web page would send, so no page a warehouse PC's browser opens can read or
      change the warehouse: a `Host` that is a name other than those served (DNS rebinding
      points a name the attacker owns at this address; an address literal is always fine, no
      name resolves through it); an `Origin` not allowed (no page is served here, so by
      default none is); a change whose body is not `Content-Type: application/json` (a
      page's form or `text/plain` post needs no permission from this server; JSON does);
    * with `api_key`: a request without it in `PX-API-KEY` or `X-API-KEY` (401), compared in
      constant time.

    Every answer says that this server honours idempotency keys, which extensions it offers,
    and which warehouse it serves (`app.state.warehouse`, read per request).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_key: str | None,
        host_names: Iterable[str] | None,
        origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self._key = api_key.encode() if api_key else None
        self.host_names = None if host_names is None else {n.lower() for n in host_names}
        self._hosts_served = _Seen(256)  # Host headers found fine: not parsed again
        self.origins = {o.rstrip("/").lower() for o in origins}

    def __repr__(self) -> str:
        return f"WarehouseGate(key={'set' if self._key else 'none'})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        instance = getattr(scope["app"].state.warehouse, "instance", None)
        extra = (*_EVERY_ANSWER, (_INSTANCE, instance.encode())) if instance else _EVERY_ANSWER

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        refusal = self._refusal(scope["method"], scope["headers"])
        if refusal is None:
            await self.app(scope, receive, send_with_headers)
            return
        status, code, message = refusal
        response = envelope(status, endpoint=scope.get("path", ""), message=message, code=code)
        await response(scope, receive, send_with_headers)

    def _refusal(
        self, method: str, headers: Iterable[tuple[bytes, bytes]]
    ) -> tuple[int, str, str] | None:
        host = origin = media = None
        keys: list[bytes] = []
        for name, value in headers:  # names come lower-cased (ASGI)
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
            elif name == b"content-type":
                media = value
            elif name in _KEY_HEADERS:
                keys.append(value)
        if self.host_names is not None and (host or b"") not in self._hosts_served:
            shown = (host or b"").decode("latin-1")
            name = _host_name(shown)
            if not name or not (_is_address(name) or name in self.host_names):
                return (
                    400,
                    "host_not_served",
                    f"This server does not answer to the name “{clean_header(shown)}”: use its "
                    "address, or start it with --allow-host for that name.",
                )
            self._hosts_served.note(host or b"")
        if origin is not None:
            page = origin.decode("latin-1")
            if page.rstrip("/").lower() not in self.origins:
                return (
                    403,
                    "origin_refused",
                    f"Requests from web pages ({clean_header(page)}) are refused: start the "
                    "server with --allow-origin for that page.",
                )
        if method in _CHANGES:
            kind = (media or b"").decode("latin-1").partition(";")[0].strip().lower()
            if kind != "application/json":
                shown = clean_header(kind) or "none"
                return (
                    415,
                    "unsupported_media_type",
                    f"A change must be sent as Content-Type: application/json (this one: {shown}).",
                )
        if self._key is None:
            return None
        # Every candidate is compared, so the time taken does not reveal which header matched.
        matches = [hmac.compare_digest(value, self._key) for value in keys]
        if any(matches):
            return None
        message = (
            "The API key is not valid." if keys else "An API key is required: send it in the "
            "PX-API-KEY header."
        )  # fmt: skip
        return 401, "unauthorized", message


def clean_header(value: str) -> str:
    """A header value fit to quote back: printable, and short."""
    shown = "".join(ch for ch in value if ch.isprintable())
    return shown[:100] + ("…" if len(shown) > 100 else "")


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown route, body too large) in the envelope."""
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 404:
        message = f"There is no {path}: the API's paths start with /v1 (items, locations, lots, manifests, fulfillments)."
        code = "not_found"
    else:
        message, code = str(exc.detail), "error"
    return envelope(exc.status_code, endpoint=path, message=message, code=code, headers=exc.headers)


async def internal_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return envelope(
        500,
        endpoint=request.url.path,
        message="The server failed while handling this request.",
        code="internal_error",
    )


def create_app(
    warehouse: MemoryWarehouse,
    api_key: str | None = None,
    *,
    host_names: Iterable[str] | None = None,
    origins: Iterable[str] = (),
) -> Starlette:
    """The API over `warehouse`. With `api_key`, every request must carry it. `host_names` are
    the names (beside any address) a request's Host may give; None takes any. `origins` are
    the web pages allowed to call it."""
    from starlette.middleware import Middleware

    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(
                WarehouseGate, api_key=api_key or None, host_names=host_names, origins=origins
            )
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
    )
    # "/v1/items/" would otherwise be a redirect: an answer that is not an envelope.
    app.router.redirect_slashes = False
    warehouse.share_reads()  # the server only encodes what it reads: no copies
    app.state.warehouse = warehouse
    return app
