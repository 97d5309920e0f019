"""The Backend protocol over byrd's API v2, read-only: lots with their stock per warehouse, and
the products they are of (docs/byrd.md says which parts rest on byrd's public documentation
and which are assumptions to check with an account).

    POST /v2/login {username: API key, password: secret}  → {token, payload: {exp, …}}
    POST /v2/refresh_token {token}                         → the same, for a fresh token
    GET  /v2/warehouse/lots?page&per_page&sort_by&sort_order&q&fields&product_id
                           &warehouse_details=true
    GET  /v2/warehouse/products?page&per_page&q&fields     GET /v2/warehouse/products/:id

A token lasts days. It is kept in memory and in a file only the user can read, refreshed a
while before it expires, and a login is never tried more than `LOGINS_PER_MINUTE` times a
minute, counted across restarts (byrd blocks a client that logs in more than five times a
minute).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from console.backends.http.transport import Answer, Call, Dialect, Transport, field_errors
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
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    WarehouseError,
)
from console.domain.gtin import gtin_spellings
from console.domain.models import Item, Level, Lot, Page, Pagination, WarehouseStock
from console.domain.queries import ItemQuery, LotQuery

DEFAULT_URL = "https://api.getbyrd.com/v2"
ACTIVE, INACTIVE = "active", "inactive"  # byrd's `activated`, in the console's words
CAPABILITIES = Capabilities(
    offers=frozenset(),
    system="byrd",
    lot_statuses=(ACTIVE, INACTIVE),
    lot_fields=(),
    lot_counts=("total_qty", "available_qty", "reserved_qty"),
    stock_by_warehouse=True,
)
LOGINS_PER_MINUTE = 3  # byrd blocks more than five
# refreshed once less than this is left (or half its life, for a token that lasts less)
REFRESH_BEFORE = 24 * 3600
# Assumption (docs/byrd.md): `page` counts from 0, as in byrd's lot and product examples.
FIRST_PAGE = 0
_SORTS = {"expires_at": "expiryDate", "number": "lotNumber", "created_at": "createdAt"}


def _byrd_errors(payload: Any) -> tuple[str | None, list[FieldError], str | None]:
    """byrd's error answers are not in its public docs (docs/lot-systems.md): its words are
    taken from `message` or from `error` (a string, or an object with a `message` and `code`)."""
    envelope = payload if isinstance(payload, dict) else {}
    error = envelope.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        return error.get("message"), [], str(code) if code is not None else None
    message = envelope.get("message") or (error if isinstance(error, str) else None)
    return message, field_errors(envelope.get("errors")), None


DIALECT = Dialect(
    name="byrd's API (https://api.getbyrd.com/v2)",
    example_url=DEFAULT_URL,
    key_source="BYRD_API_KEY and BYRD_API_SECRET, or api_key and api_secret in config.toml",
    version_path="/v2",
    key_header="Authorization",
    key_scheme="Bearer",
    read_errors=_byrd_errors,
)


def _count(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"a stock of {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"a stock of {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"a stock of {value!r} is not a count")
    return int(number)


def warehouse_stock(raw: Any) -> list[WarehouseStock]:
    """`warehouses`: a list of warehouses, or `{}` when the account has one."""
    if not raw:
        return []
    if not isinstance(raw, list):
        raise ValueError("warehouses is neither a list nor empty")
    return [
        WarehouseStock(
            id=str(w["id"]),
            code=w.get("code"),
            name=w.get("displayName") or w.get("name"),
            country_code=w.get("countryCode"),
            physical_qty=_count(w.get("physicalStock")),
            reserved_qty=_count(w.get("reservedStock")),
        )
        for w in raw
    ]


def lot_from_byrd(row: dict[str, Any]) -> Lot:
    physical, reserved = _count(row.get("physicalStock")), _count(row.get("reservedStock"))
    metadata = {
        label: day[:10]
        for label, day in (("not before", row.get("notBefore")), ("not after", row.get("notAfter")))
        if day
    }
    return Lot(
        id=str(row["id"]),
        number=row.get("lotNumber"),
        item_id=str(row.get("productID") or ""),
        location_id=LOCATION_ID,
        status=ACTIVE if row.get("activated", True) else INACTIVE,
        expires_at=answer_day(row.get("expiryDate")),
        total_qty=physical,
        reserved_qty=min(reserved, physical),
        available_qty=max(0, physical - reserved),
        metadata=metadata,
        warehouses=warehouse_stock(row.get("warehouses")),
        created_at=answer_moment(row.get("createdAt")),
        updated_at=answer_moment(row.get("updatedAt")),
    )


def _barcodes(row: dict[str, Any]) -> list[str]:
    """The codes a scan may carry for a product: its EAN, UPC and barcode, and each packaging
    unit's barcode."""
    codes = [row.get(k) for k in ("ean", "upc", "barcode")]
    units = row.get("packagingUnits") if isinstance(row.get("packagingUnits"), list) else []
    codes += [u.get("barcodeValue") for u in units if isinstance(u, dict)]
    return [str(c).strip() for c in codes if c]


def item_from_byrd(row: dict[str, Any]) -> Item:
    units = row.get("packagingUnits") if isinstance(row.get("packagingUnits"), list) else []
    metadata: dict[str, Any] = {}
    for key in ("upc", "barcode", "bsku"):
        if row.get(key):
            metadata[key] = row[key]
    shown = [
        f"{u.get('barcodeValue')} ×{u.get('quantity')}"
        for u in units
        if isinstance(u, dict) and u.get("barcodeValue")
    ]
    if shown:
        metadata["packaging units"] = ", ".join(shown)
    physical, reserved = _count(row.get("physicalStock")), _count(row.get("reservedStock"))
    # the one location the console sees holds all of it (per warehouse: on each lot)
    here = Level(
        id=f"{row['id']}@{LOCATION_ID}",
        location_id=LOCATION_ID,
        verified_qty=physical,
        reserved_qty=reserved,
    )
    return Item(
        id=str(row["id"]),
        name=str(row.get("name") or row.get("sku") or row["id"]),
        sku=row.get("sku"),
        gtin=row.get("ean") or row.get("upc"),
        levels=[here],
        total_verified=physical,
        total_reserved=reserved,
        metadata=metadata,
        created_at=answer_moment(row.get("createdAt")),
        updated_at=answer_moment(row.get("updatedAt")),
    )


def token_expiry(token: str, payload: Any) -> int | None:
    """When a token expires: the login answer's `payload.exp`, else the JWT's own claim (read,
    not verified: only byrd checks its signature)."""
    if isinstance(payload, dict) and isinstance(payload.get("exp"), int):
        return int(payload["exp"])
    try:
        middle = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))
        return int(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


class TokenFile:
    """The account's token and its recent logins, in a file only the user can read."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, data: dict[str, Any]) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):  # a token not kept is asked for again, no more
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = self.path.with_suffix(".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                os.fchmod(out.fileno(), 0o600)
                json.dump(data, out)
            os.replace(partial, self.path)


class ByrdBackend(LotSystem):
    """Lots and products of a byrd account, read-only."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        api_secret: str | None,
        *,
        token_dir: Path | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        allow_insecure_http: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(CAPABILITIES, "byrd warehouses")
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self._http = Transport(
            base_url or DEFAULT_URL,
            None,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            allow_insecure_http=allow_insecure_http,
            transport=transport,
            dialect=DIALECT,
            # a careless server that echoes the login's credentials never has them shown
            secrets=(api_key or "", api_secret or ""),
            **extra,
        )
        self._key = api_key or ""
        self._secret = api_secret or ""
        self._clock = clock
        account = hashlib.sha256(f"{self._http.url}\n{self._key}".encode()).hexdigest()[:16]
        # one file per account and URL, in the console's state directory
        self._file = TokenFile(token_dir / f"byrd-{account}.json" if token_dir else None)
        self._token: str | None = None
        self._expires: int | None = None
        self._issued: float | None = None

    def __repr__(self) -> str:
        return f"ByrdBackend(url={str(self._http.url)!r}, key={'set' if self._key else 'none'})"

    @property
    def label(self) -> str:
        return self._http.label

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the token -------------------------------------------------------------------------

    def _keep(self, token: str, payload: Any, *, logins: list[float]) -> None:
        self._token, self._expires = token, token_expiry(token, payload)
        self._issued = self._clock()
        self._http.authorize(token)
        self._file.write(
            {"token": token, "expires": self._expires, "issued": self._issued, "logins": logins}
        )

    def _recent_logins(self) -> list[float]:
        now = self._clock()
        logins = self._file.read().get("logins")
        if not isinstance(logins, list):
            return []
        return [t for t in logins if isinstance(t, int | float) and now - 60 < t <= now]

    def _fresh_enough(self, expires: int | None) -> bool:
        return expires is None or expires - self._clock() > 60

    async def _token_now(self) -> None:
        """A token to send: the one held, the one on file, a refreshed one, or a new login."""
        if self._token is None:
            self._take_filed(other_than=None)
        if self._token is None or not self._fresh_enough(self._expires):
            await self._login()
            return
        if self._expires is not None and self._due_for_refresh(self._expires):
            await self._refresh()

    def _due_for_refresh(self, expires: int) -> bool:
        left = expires - self._clock()
        life = expires - self._issued if self._issued is not None else 7 * 24 * 3600
        return left < min(REFRESH_BEFORE, life / 2)

    async def _login(self) -> None:
        if not self._key or not self._secret:
            raise Unauthorized(
                "byrd needs an API key and secret: set BYRD_API_KEY and BYRD_API_SECRET, or "
                "api_key and api_secret in config.toml."
            )
        logins = self._recent_logins()
        if len(logins) >= LOGINS_PER_MINUTE:
            wait = max(1, round(60 - (self._clock() - min(logins))))
            raise RateLimited(
                f"byrd blocks a client that logs in too often: {len(logins)} logins in the last "
                f"minute already. Wait {wait} s and try again.",
                wait,
            )
        logins.append(self._clock())
        self._file.write(self._file.read() | {"logins": logins})
        self._http.authorize(None)
        call = Call(
            "POST",
            "/login",
            "logging in to byrd",
            "the byrd login",
            body={"username": self._key, "password": self._secret},
        )
        try:
            token, payload = await self._token_call(call)
        except Forbidden:
            raise Unauthorized(
                f"byrd does not let this API key log in (HTTP 403): ask byrd's support, or "
                f"set another key in {DIALECT.key_source}."
            ) from None
        except Unauthorized:
            raise Unauthorized(
                f"byrd refused the API key and secret (HTTP 401): check {DIALECT.key_source}."
            ) from None
        self._keep(token, payload, logins=logins)

    async def _refresh(self) -> None:
        assert self._token is not None
        call = Call(
            "POST",
            "/refresh_token",
            "refreshing the byrd token",
            "the byrd token",
            body={"token": self._token},
        )
        try:
            token, payload = await self._token_call(call)
        except Unauthorized as refused:
            if isinstance(refused, Forbidden):
                return  # may not refresh: the token is still good for a while
            # another console may have refreshed it (byrd then stops taking the old one)
            if not self._take_filed(other_than=self._token):
                self._token = None
                await self._login()
            return
        except WarehouseError:
            return  # still valid for a while: refreshed at the next call
        self._keep(token, payload, logins=self._recent_logins())

    async def _token_call(self, call: Call) -> tuple[str, Any]:
        answer = await self._http.call(call)
        body = answer.payload if isinstance(answer.payload, dict) else {}
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise Unavailable(
                f"byrd answered {call.doing} without a token: check that the API URL points at "
                f"{DIALECT.name}."
            )
        return token, body.get("payload")

    async def _get(self, call: Call) -> Any:
        """A read with a valid token; a token byrd refuses (revoked, expired early) is
        replaced once."""
        await self._token_now()
        try:
            return self._object(call, await self._http.call(call))
        except Forbidden:
            raise  # good credentials without access: a new token would not help
        except Unauthorized:
            refused = self._token
        # Another console on this account may have refreshed the token (byrd then stops taking
        # the old one): its token on file is tried before a login is spent.
        if self._take_filed(other_than=refused):
            try:
                return self._object(call, await self._http.call(call))
            except Forbidden:
                raise
            except Unauthorized:
                refused = self._token
        self._token = None
        kept = self._file.read()
        if kept.get("token") == refused:
            self._file.write(kept | {"token": None})
        await self._login()
        return self._object(call, await self._http.call(call))

    def _object(self, call: Call, answer: Answer) -> dict[str, Any]:
        if not answer.readable or not isinstance(answer.payload, dict):
            raise self._http.unreadable(call, "the answer is not a JSON object")
        return answer.payload

    def _take_filed(self, *, other_than: str | None) -> bool:
        """Take the token on file when it is another, still fresh one."""
        kept = self._file.read()
        token, expires, issued = kept.get("token"), kept.get("expires"), kept.get("issued")
        expires = expires if isinstance(expires, int) else None
        if not isinstance(token, str) or token == other_than or not self._fresh_enough(expires):
            return False
        self._token, self._expires = token, expires
        self._issued = issued if isinstance(issued, int | float) else None
        self._http.authorize(token)
        return True

    def _read(self, call: Call, reader: Callable[[dict[str, Any]], Any], row: Any) -> Any:
        try:
            if not isinstance(row, dict):
                raise ValueError("a record is not an object")
            return reader(row)
        except (ValueError, TypeError, KeyError) as problem:
            raise self._http.unreadable(call, f"a record could not be read: {problem}") from None

    async def _list(
        self,
        path: str,
        params: dict[str, Any],
        what: str,
        reader: Callable[[dict[str, Any]], Any],
        page: int,
        limit: int,
    ) -> Page[Any]:
        params = params | {"page": page - 1 + FIRST_PAGE, "per_page": limit}
        call = Call("GET", path, f"listing {what}", what, params=params, collection=True)
        envelope = await self._get(call)
        data = envelope.get("data")
        if not isinstance(data, list):
            raise self._http.unreadable(call, "data is not a list")
        if len(data) > limit:
            raise self._http.unreadable(call, f"{len(data):,} rows came back for a page of {limit}")
        rows = [self._read(call, reader, row) for row in data]
        total = envelope.get("total_count")
        total = int(total) if isinstance(total, int) and total >= 0 else None
        more = (page - 1) * limit + len(rows) < total if total is not None else len(rows) >= limit
        return Page.of(rows, Pagination(page=page, limit=limit, has_more=more, total_count=total))

    # -- products --------------------------------------------------------------------------

    async def list_items(self, query: ItemQuery | None = None) -> Page[Item]:
        query = query or ItemQuery()
        params: dict[str, Any] = {}
        if query.sku:
            params["sku"] = query.sku
        words = query.gtin or query.search
        if words:
            params |= {"q": words.strip(), "fields": "name,sku,ean,upc,barcode"}
        if query.order_by:
            params |= {
                "sort_by": "createdAt" if query.order_by == "created_at" else "name",
                "sort_order": query.direction or "asc",
            }
        return await self._list(
            "/warehouse/products", params, "products", item_from_byrd, query.page, query.limit
        )

    async def get_item(self, item_id: str) -> Item:
        if not item_id.strip():
            raise NotFound("No product id was given.")
        call = Call(
            "GET",
            f"/warehouse/products/{quote(item_id, safe='')}",
            f"reading product {item_id}",
            f"product {item_id}",
        )
        envelope = await self._get(call)
        return self._read(call, item_from_byrd, envelope.get("data"))

    async def find_item(self, code: str) -> Item | None:
        """The product whose EAN, UPC, barcode, packaging unit's barcode or SKU is `code`."""
        code = code.strip()
        if not code:
            return None
        spellings = gtin_spellings(code)
        wanted = set(spellings) or {code}
        # byrd's `q` finds a part of a field: the GTIN's shortest spelling is part of them all
        searched = spellings[-1] if spellings else code
        params = {"q": searched, "fields": "ean,upc,barcode,sku,packagingUnits.barcodeValue"}
        call = Call(
            "GET",
            "/warehouse/products",
            f"looking up {code}",
            "products",
            params=params | {"page": FIRST_PAGE, "per_page": 10},
            collection=True,
        )
        envelope = await self._get(call)
        rows = envelope.get("data") if isinstance(envelope.get("data"), list) else []
        for row in rows:
            if isinstance(row, dict) and (
                wanted & set(_barcodes(row)) or (row.get("sku") or "").casefold() == code.casefold()
            ):
                return self._read(call, item_from_byrd, row)
        return None

    # -- lots ------------------------------------------------------------------------------

    async def list_lots(self, query: LotQuery | None = None) -> Page[Lot]:
        query = query or LotQuery()
        if self.elsewhere(query.location_id, query.layout_id):
            return empty_page(query)
        if query.expires_before is not None or query.expires_after is not None:
            self.refuse(Offer.LOT_EXPIRY_FILTER)
        params: dict[str, Any] = {
            "warehouse_details": "true",
            "sort_by": _SORTS[query.order_by or "expires_at"],
            "sort_order": query.direction or "asc",
        }
        if query.item_id:
            params["product_id"] = query.item_id
        statuses = {str(s) for s in query.statuses or ()}
        if statuses - {ACTIVE, INACTIVE}:
            raise InvalidInput.on("statuses", "byrd lots are active or inactive")
        if len(statuses) == 1:
            params["activated"] = "true" if ACTIVE in statuses else "false"
        if query.search:
            params |= {"q": query.search.strip(), "fields": "lotNumber"}
        return await self._list(
            "/warehouse/lots", params, "lots", lot_from_byrd, query.page, query.limit
        )

    async def get_lot(self, lot_id: str) -> Lot:
        """byrd lists lots and has no call for one (docs/byrd.md): the lot is found in the list
        by its number or id."""
        call = Call(
            "GET",
            "/warehouse/lots",
            f"reading lot {lot_id}",
            f"lot {lot_id}",
            params={
                "q": lot_id,
                "fields": "id,lotNumber",
                "warehouse_details": "true",
                "page": FIRST_PAGE,
                "per_page": 50,
            },
            collection=True,
        )
        envelope = await self._get(call)
        rows = envelope.get("data") if isinstance(envelope.get("data"), list) else []
        for row in rows:
            if isinstance(row, dict) and str(row.get("id")) == lot_id:
                return self._read(call, lot_from_byrd, row)
        raise NotFound(f"Lot {lot_id} is not in byrd's lot list.")

    async def create_lot(self, body: Any, *, idempotency_key: str | None = None) -> Lot:
        self.refuse(Offer.LOT_WRITES)

    async def update_lot(
        self,
        lot_id: str,
        body: Any,
        *,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> Lot:
        self.refuse(Offer.LOT_WRITES)
