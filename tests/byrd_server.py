"""A byrd-shaped server, written from byrd's public API documentation (byrd has no public
sandbox): login and token refresh with expiring JWTs, the login rate limit, lots with stock per
warehouse and products with barcodes, pages counted from 0.

    python -m tests.byrd_server [--port 8770] [--validity SECONDS]

prints the URL and the key and secret it accepts, and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

API_KEY = "byrd-test-key"
API_SECRET = "byrd-test-secret"
LOGIN_LIMIT = 5  # per minute, per client (byrd blocks more)
_SIGNING_KEY = b"byrd-shaped-server"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class ByrdWorld:
    """What the server holds, and what it saw (for the tests to check)."""

    validity: int = 7 * 24 * 3600
    clock: Callable[[], float] = time.time
    products: list[dict[str, Any]] = field(default_factory=list)
    lots: list[dict[str, Any]] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    refreshes: int = 0
    revoked: set[str] = field(default_factory=set)
    blocked_until: float = 0.0
    asked: list[dict[str, str]] = field(default_factory=list)  # each lot list's parameters
    issued: list[str] = field(default_factory=list)  # every token handed out
    # for the tests: lots answer 403 (good token, no access); a refused login echoes what was sent
    forbidden: bool = False
    careless: bool = False

    def token(self, validity: int | None = None) -> tuple[str, dict[str, Any]]:
        now = int(self.clock())
        payload = {
            "iat": now,
            "nbf": now,
            "exp": now + (validity or self.validity),
            "aud": "api.getbyrd.com",
            "iss": "api.getbyrd.com",
            "jti": str(uuid.uuid4()),
            "sub": "account-1",
            "role": "customer",
        }
        head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(payload).encode())
        signature = hmac.new(_SIGNING_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
        token = f"{head}.{body}.{_b64(signature)}"
        self.issued.append(token)
        return token, payload

    def valid(self, token: str) -> bool:
        try:
            head, body, signature = token.split(".")
            expected = hmac.new(_SIGNING_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return False
        return (
            hmac.compare_digest(_b64(expected), signature)
            and claims["exp"] > self.clock()
            and token not in self.revoked
        )


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message}}, status_code=status)


def build_app(world: ByrdWorld) -> Starlette:
    """The server over `world`; `app.state.world` may be replaced by another between tests."""

    def authorized(request: Request) -> bool:
        world = request.app.state.world
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and world.valid(header.removeprefix("Bearer "))

    async def login(request: Request) -> JSONResponse:
        world = request.app.state.world
        now = world.clock()
        if now < world.blocked_until:
            return _error(429, "Too many login attempts: blocked.")
        world.logins.append(now)
        if len([t for t in world.logins if now - 60 < t <= now]) > LOGIN_LIMIT:
            world.blocked_until = now + 300
            return _error(429, "Too many login attempts: blocked.")
        body = await request.json()
        if body.get("username") != API_KEY or body.get("password") != API_SECRET:
            if world.careless:
                sent = f"{body.get('username')}:{body.get('password')}"
                return _error(401, f"Invalid credentials {sent}.")
            return _error(401, "Invalid credentials.")
        validity = body.get("validity")
        token, payload = world.token(int(validity) if validity else None)
        return JSONResponse({"token": token, "payload": payload})

    async def refresh(request: Request) -> JSONResponse:
        world = request.app.state.world
        body = await request.json()
        old = body.get("token", "")
        if not world.valid(old):
            return _error(401, "Token is invalid or expired.")
        world.refreshes += 1
        world.revoked.add(old)
        token, payload = world.token()
        return JSONResponse({"token": token, "payload": payload})

    def listing(request: Request, rows: list[dict[str, Any]]) -> JSONResponse:
        params = request.query_params
        try:
            page = int(params.get("page", "0"))
            per_page = int(params.get("per_page", "250"))
        except ValueError:
            return _error(400, "page and per_page must be numbers.")
        if page < 0 or not 1 <= per_page <= 250:
            return _error(400, "page starts at 0; per_page is 1 to 250.")
        if q := params.get("q"):
            fields = (params.get("fields") or "").split(",")
            rows = [r for r in rows if any(_matches(r, f, q) for f in fields if f)]
        if sort_by := params.get("sort_by"):
            present = [r for r in rows if r.get(sort_by) is not None]
            absent = [r for r in rows if r.get(sort_by) is None]
            present.sort(
                key=lambda r: (r[sort_by], r["id"]), reverse=params.get("sort_order") == "desc"
            )
            rows = present + absent
        total = len(rows)
        data = rows[page * per_page : (page + 1) * per_page]
        return JSONResponse(
            {
                "page": page,
                "per_page": per_page,
                "page_count": -(-total // per_page),
                "total_count": total,
                "data": data,
            }
        )

    async def lots(request: Request) -> JSONResponse:
        world = request.app.state.world
        if not authorized(request):
            return _error(401, "Unauthorized.")
        if world.forbidden:
            return _error(403, "This account may not list lots.")
        params = request.query_params
        world.asked.append(dict(params))
        rows = list(world.lots)
        if product := params.get("product_id"):
            rows = [r for r in rows if r["productID"] == product]
        if (activated := params.get("activated")) is not None:
            rows = [r for r in rows if r["activated"] == (activated == "true")]
        if params.get("warehouse_details") != "true":
            rows = [{k: v for k, v in r.items() if k != "warehouses"} for r in rows]
        return listing(request, rows)

    async def products(request: Request) -> JSONResponse:
        world = request.app.state.world
        if not authorized(request):
            return _error(401, "Unauthorized.")
        rows = list(world.products)
        if sku := request.query_params.get("sku"):
            rows = [r for r in rows if r["sku"] == sku]
        return listing(request, rows)

    async def product(request: Request) -> JSONResponse:
        world = request.app.state.world
        if not authorized(request):
            return _error(401, "Unauthorized.")
        wanted = request.path_params["product_id"]
        for row in world.products:
            if row["id"] == wanted:
                return JSONResponse({"data": row})
        return _error(404, "Product not found.")

    app = Starlette(
        routes=[
            Route("/v2/login", login, methods=["POST"]),
            Route("/v2/refresh_token", refresh, methods=["POST"]),
            Route("/v2/warehouse/lots", lots),
            Route("/v2/warehouse/products", products),
            Route("/v2/warehouse/products/{product_id}", product),
        ]
    )
    app.state.world = world
    return app


def _matches(row: dict[str, Any], field_name: str, q: str) -> bool:
    if "." in field_name:  # packagingUnits.barcodeValue
        outer, inner = field_name.split(".", 1)
        return any(q.casefold() in str(u.get(inner, "")).casefold() for u in row.get(outer) or [])
    return q.casefold() in str(row.get(field_name) or "").casefold()


WAREHOUSES = [
    {
        "id": "wh-de",
        "code": "TST",
        "name": "Test Warehouse DE",
        "displayName": "DE - Demo",
        "legalName": "Test Warehouse DE",
        "countryCode": "DE",
    },
    {
        "id": "wh-es",
        "code": "TES",
        "name": "Test Warehouse ES",
        "displayName": "ES - Demo",
        "legalName": "Test Warehouse ES",
        "countryCode": "ES",
    },
]
PRODUCTS = [
    ("prod-oat", "Organic oat drink 1 l", "OAT-1L", "4006381333931", "14006381333938"),
    ("prod-yog", "Greek yoghurt 500 g", "YOG-500", "9506000134369", "19506000134366"),
    ("prod-tea", "Green tea, 20 bags", "TEA-20", "5012345678900", None),
]


def demo_world(
    *, lots: int = 24, today: date | None = None, one_warehouse: bool = False, **options: Any
) -> ByrdWorld:
    """Three products (two with a case barcode), two warehouses (or one: byrd then answers
    `warehouses: {}`), `lots` lots."""
    world = ByrdWorld(**options)
    today = today or date.today()
    stamp = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for pid, name, sku, ean, case in PRODUCTS:
        world.products.append(
            {
                "id": pid,
                "name": name,
                "sku": sku,
                "ean": ean,
                "upc": None,
                "barcode": None,
                "bsku": f"BSKU-{sku}",
                "lotsEnabled": True,
                "packagingUnits": (
                    [
                        {
                            "barcodeValue": case,
                            "active": True,
                            "barcodeType": "GTIN-14",
                            "quantity": 12,
                        }
                    ]
                    if case
                    else []
                ),
                "physicalStock": 0,
                "availableStock": 0,
                "reservedStock": 0,
                "stocksByWarehouse": {},
                "createdAt": stamp.isoformat(),
                "updatedAt": stamp.isoformat(),
            }
        )
    for n in range(lots):
        pid = PRODUCTS[n % len(PRODUCTS)][0]
        expiry = today + timedelta(days=(n * 11) % 120 - 20) if n % 7 else None
        here = [
            {**w, "physicalStock": 10 + (n * (i + 3)) % 40, "reservedStock": (n * (i + 1)) % 6}
            for i, w in enumerate(WAREHOUSES[:1] if one_warehouse else WAREHOUSES)
            if one_warehouse or (n + i) % 3
        ]
        created = stamp + timedelta(days=n)
        world.lots.append(
            {
                "id": f"lot-{n:04d}",
                "lotNumber": f"B{n:04d}",
                "expiryDate": expiry.isoformat() if expiry else None,
                "notBefore": None,
                "notAfter": None,
                "physicalStock": sum(w["physicalStock"] for w in here),
                "reservedStock": sum(w["reservedStock"] for w in here),
                "activated": n % 9 != 4,
                "productID": pid,
                "createdAt": created.isoformat(),
                "updatedAt": created.isoformat(),
                "warehouses": {} if one_warehouse else here,
            }
        )
    for product in world.products:
        mine = [lot for lot in world.lots if lot["productID"] == product["id"]]
        product["physicalStock"] = sum(lot["physicalStock"] for lot in mine)
        product["reservedStock"] = sum(lot["reservedStock"] for lot in mine)
        product["availableStock"] = product["physicalStock"] - product["reservedStock"]
    return world


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m tests.byrd_server", description=__doc__)
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--validity", type=int, default=7 * 24 * 3600, help="token life (s)")
    parser.add_argument("--lots", type=int, default=24)
    args = parser.parse_args()
    world = demo_world(lots=args.lots, validity=args.validity)
    print(f"byrd-shaped server at http://127.0.0.1:{args.port}/v2")
    print(f"  BYRD_API_KEY={API_KEY} BYRD_API_SECRET={API_SECRET}", flush=True)
    uvicorn.run(build_app(world), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
