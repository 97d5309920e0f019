"""The wire contract as an OpenAPI 3.1 description, made from the same routes and models the
server answers with, so the two cannot drift: `GET /v1/openapi.json` serves it, and
docs/openapi.json is this, written by `python -m scripts.openapi` (a test compares them).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from console.domain.models import Fulfillment, Item, Location, Lot, Manifest, Pagination
from console.domain.queries import MAX_PAGE_SIZE, ListQuery
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
)
from console.domain.wire import (
    EXTENSIONS,
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_KEYS_HONOURED,
    WAREHOUSE_INSTANCE,
)
from console.server.app import PATHS, Resource

VERSION = "1"
# What each resource reads and writes: (the object, its create body, its update body).
BODIES: dict[str, tuple[type[BaseModel], type[RequestModel] | None, type[RequestModel] | None]] = {
    "item": (Item, ItemCreate, ItemUpdate),
    "location": (Location, None, None),
    "lot": (Lot, LotCreate, LotUpdate),
    "manifest": (Manifest, ManifestCreate, ManifestUpdate),
    "fulfillment": (Fulfillment, FulfillmentCreate, FulfillmentUpdate),
}
REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Bad input, named in `errors` (also a Host that is not served)",
    "401": "The API key is missing or wrong",
    "403": "A web page's Origin that is not allowed",
    "404": "No such object or path",
    "405": "Method not allowed on this path",
    "408": "The body took too long to arrive",
    "409": "A conflict: below zero, a reused Idempotency-Key, another warehouse",
    "412": "If-Match names an older version: nothing applied; `data` is the object now",
    "415": "A change not sent as application/json",
    "429": "Too many requests (Retry-After says when to try again)",
    "500": "The server failed (always an envelope)",
}


def _subclasses(base: type[RequestModel]) -> dict[str, type[RequestModel]]:
    found: dict[str, type[RequestModel]] = {}
    for cls in base.__subclasses__():
        found[cls.__name__] = cls
        found |= _subclasses(cls)
    return found


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" not in schema or len(options) == len(schema["anyOf"]):
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**options[0], **rest} if len(options) == 1 else {"anyOf": options, **rest}


def _schemas() -> dict[str, Any]:
    """Every body and object schema, by model name; a request field takes null only where a
    null clears it (RequestModel.CLEARABLE), as the server enforces."""
    reads = [(model, "serialization") for model, _, _ in BODIES.values()]
    reads.append((Pagination, "serialization"))
    # the filters' own types (a list query's statuses), named by the query parameters
    reads += [(resource.query, "validation") for _, resource in PATHS]
    writes = [(m, "validation") for _, *bodies in BODIES.values() for m in bodies if m is not None]
    _, top = models_json_schema(reads + writes, ref_template=REF)  # type: ignore[arg-type]

    schemas: dict[str, Any] = top.get("$defs", {})
    requests = _subclasses(RequestModel)
    for name, schema in schemas.items():
        model = requests.get(name)
        if model is None:
            continue
        schema["properties"] = {
            field: prop if field in model.CLEARABLE else _without_null(prop)
            for field, prop in schema.get("properties", {}).items()
        }
    schemas["FieldError"] = {
        "type": "object",
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        "required": ["field", "message"],
    }
    schemas["Envelope"] = {
        "type": "object",
        "description": "Every answer, errors included.",
        "properties": {
            "message": {"type": "string"},
            "data": {},
            "status": {"type": "integer"},
            "errors": {"type": "array", "items": {"$ref": REF.format(model="FieldError")}},
            "code": {"type": ["string", "null"]},
            "pagination": {"anyOf": [{"$ref": REF.format(model="Pagination")}, {"type": "null"}]},
            "endpoint": {"type": "string"},
        },
        "required": ["message", "data", "status", "errors", "code", "pagination", "endpoint"],
    }
    return schemas


def _answer(description: str, data: dict[str, Any] | None, *, etag: bool = False) -> Any:
    schema: dict[str, Any] = {"$ref": REF.format(model="Envelope")}
    if data is not None:
        schema = {"allOf": [schema, {"type": "object", "properties": {"data": data}}]}
    headers: dict[str, Any] = {
        WAREHOUSE_INSTANCE: {"$ref": "#/components/headers/WarehouseInstance"},
        IDEMPOTENCY_KEYS_HONOURED: {"$ref": "#/components/headers/IdempotencyKeysHonoured"},
        EXTENSIONS: {"$ref": "#/components/headers/WarehouseExtensions"},
    }
    if etag:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": schema}},
    }


def _errors(codes: list[str]) -> dict[str, Any]:
    return {code: _answer(ERRORS[code], None) for code in codes}


def _query_parameters(query: type[ListQuery]) -> list[dict[str, Any]]:
    schema = query.model_json_schema(ref_template=REF)
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        parameter: dict[str, Any] = {"name": name, "in": "query", "schema": prop}
        if prop.get("type") == "array":
            parameter |= {"style": "form", "explode": False}  # status=picked,packed
        out.append(parameter)
    return out


def _operations(resource: Resource, path: str) -> dict[str, dict[str, Any]]:
    model, create, update = BODIES[resource.noun]
    one = {"$ref": REF.format(model=model.__name__)}
    noun = resource.noun
    change_headers = [
        {"$ref": "#/components/parameters/IdempotencyKey"},
        {"$ref": "#/components/parameters/WarehouseInstance"},
    ]
    common = ["400", "401", "403", "429", "500"]
    plural: dict[str, Any] = {
        "get": {
            "operationId": f"list_{noun}s",
            "summary": f"List {noun}s",
            "parameters": _query_parameters(resource.query),
            "responses": {
                "200": _answer(f"A page of {noun}s", {"type": "array", "items": one}),
                **_errors(common),
            },
        }
    }
    singular: dict[str, Any] = {
        "get": {
            "operationId": f"get_{noun}",
            "summary": f"One {noun}",
            "responses": {
                "200": _answer(f"The {noun}", one, etag=True),
                **_errors([*common, "404"]),
            },
        }
    }
    if create is not None:
        plural["post"] = {
            "operationId": f"create_{noun}",
            "summary": f"Create a {noun}",
            "parameters": change_headers,
            "requestBody": _body(create),
            "responses": {
                "201": _answer(f"The {noun} created", one, etag=True),
                **_errors([*common, "404", "408", "409", "415"]),
            },
        }
    if update is not None:
        singular["post"] = {
            "operationId": f"update_{noun}",
            "summary": f"Change a {noun}",
            "parameters": [*change_headers, {"$ref": "#/components/parameters/IfMatch"}],
            "requestBody": _body(update),
            "responses": {
                "200": _answer(f"The {noun} changed", one, etag=True),
                **_errors([*common, "404", "408", "409", "412", "415"]),
            },
        }
    if resource.delete_method:
        singular["delete"] = {
            "operationId": f"delete_{noun}",
            "summary": f"Delete a {noun}",
            "parameters": change_headers,
            "responses": {
                "200": _answer(f"The {noun} deleted", {"type": "object"}),
                **_errors([*common, "404", "409"]),
            },
        }
    id_parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    singular["parameters"] = [id_parameter]
    return {path: plural, f"{path}/{{id}}": singular}


def _body(model: type[RequestModel]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }


def description() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API this server answers (its main paths; the lot
    aliases /v1/lot, /v1/assets and /v1/asset answer the same as /v1/lots)."""
    paths: dict[str, Any] = {}
    for names, resource in PATHS:
        paths |= _operations(resource, names[0].removeprefix("/v1"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "warehouse-console inventory API",
            "version": VERSION,
            "description": (
                "A PackageX-style inventory API: every answer is an envelope; changes carry "
                "Idempotency-Key and, for absolute numbers, If-Match. See docs/api.md. "
                f"Pages hold at most {MAX_PAGE_SIZE} rows."
            ),
        },
        "servers": [{"url": "/v1"}],
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "PX-API-KEY"},
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": IDEMPOTENCY_KEY,
                    "in": "header",
                    "description": "The same key applies the change once and answers the first answer again",
                    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
                },
                "IfMatch": {
                    "name": "If-Match",
                    "in": "header",
                    "description": "The ETag the change is based on; an older one is a 412",
                    "schema": {"type": "string"},
                },
                "WarehouseInstance": {
                    "name": WAREHOUSE_INSTANCE,
                    "in": "header",
                    "description": "The warehouse the change is meant for; another one is a 409",
                    "schema": {"type": "string"},
                },
            },
            "headers": {
                "ETag": {
                    "description": "The object's version (strong)",
                    "schema": {"type": "string"},
                },
                "WarehouseInstance": {
                    "description": "Which warehouse this server serves",
                    "schema": {"type": "string"},
                },
                "IdempotencyKeysHonoured": {
                    "description": "`honoured`: a repeated Idempotency-Key applies nothing twice",
                    "schema": {"type": "string"},
                },
                "WarehouseExtensions": {
                    "description": "The contract's extensions this server offers, comma-separated "
                    "(`lot-picks`: fulfillment lines record the lot of each pick)",
                    "schema": {"type": "string"},
                },
            },
        },
    }
