"""The demo warehouse's catalogue: categories, brands and products with their options.

The words live in a data file beside this module (catalogue.txt, its format explained at its
top), read once, when a demo is first generated.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, NamedTuple

CATALOGUE_FILE = "catalogue.txt"


class Option(NamedTuple):
    display: str  # as it appears in the name ("" when the option adds nothing)
    code: str  # its SKU segment ("" for none)
    mult: float  # price multiplier; for the variants (v1, v2) also the bulk of the unit
    attribute: str  # as an attribute value: the display without separators
    sku: str  # what it adds to the SKU: "-" and its code, or nothing


class Product(NamedTuple):
    name: str
    code: str
    subcategory: str
    fmt: str
    a: tuple[Option, ...]
    v1: tuple[Option, ...]
    v2: tuple[Option, ...]
    keys: tuple[str, ...]  # attribute names of a, v1, v2
    price: int  # cents, before multipliers
    dims: tuple[float, ...]  # length, width, height (in), weight (lb) of the base unit
    hs_code: str | None
    shelf_life: int | None  # days; None: no expiry
    lot_tracked: bool
    blurb: str
    synonyms: str


class Category(NamedTuple):
    code: str
    name: str
    weight: float
    origins: tuple[str, ...]  # where its goods are commonly made
    brands: tuple[str, ...]
    products: tuple[Product, ...]


def _options(spec: str, shared: dict[str, str]) -> tuple[Option, ...]:
    result: list[Option] = []
    for part in spec.split("|"):
        if part.startswith("$"):
            result.extend(_options(shared[part[1:]], shared))
            continue
        display, code, *mult = part.split(":")
        attribute = display.strip(" ,()")
        sku = f"-{code}" if code else ""
        result.append(Option(display, code, float(mult[0]) if mult else 1.0, attribute, sku))
    return tuple(result)


def _parse_catalogue(text: str) -> tuple[Category, ...]:
    categories: list[dict[str, Any]] = []
    product: dict[str, Any] | None = None
    shared: dict[str, str] = {}  # option lists by name

    def close_product() -> None:
        nonlocal product
        if product is None:
            return
        category = categories[-1]
        name, code, sub = (x.strip() for x in product["product"].split("|"))
        keys, price, dims, hs, life = (x.strip() for x in product["spec"].split("|"))
        shelf_life = None if life == "-" else int(life)
        tracked = "untracked" not in product and (category["lots"] or shelf_life is not None)
        options = {k: _options(product.get(k, ":"), shared) for k in ("a", "v1", "v2")}
        for key, opts in options.items():
            codes = [o.code for o in opts]
            if len(set(codes)) != len(codes):
                raise ValueError(f"{name}: duplicate option codes in {key}")
        category["products"].append(
            Product(
                name=name,
                code=code,
                subcategory=sub,
                fmt=product["fmt"],
                a=options["a"],
                v1=options["v1"],
                v2=options["v2"],
                keys=tuple(keys.split()),
                price=int(price),
                dims=tuple(float(x) for x in dims.split()),
                hs_code=None if hs == "-" else hs,
                shelf_life=shelf_life,
                lot_tracked=tracked,
                blurb=product["blurb"],
                synonyms=product.get("syn", ""),
            )
        )
        product = None

    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if key == "options":
            name, _, spec = value.partition(" ")
            shared[name] = spec
        elif key == "category":
            close_product()
            code, name, weight = (s.strip() for s in value.split("|"))
            categories.append(
                {"code": code, "name": name, "weight": float(weight), "lots": False,
                 "origins": (), "brands": [], "products": []}
            )  # fmt: skip
        elif key == "product":
            close_product()
            product = {"product": value}
        elif product is None:  # a line of the category
            category = categories[-1]
            if key == "lots":
                category["lots"] = True
            elif key == "origins":
                category["origins"] = tuple(value.split())
            elif key == "brands":
                category["brands"].extend(b.strip() for b in value.split(","))
        elif key in product and key in ("a", "v1", "v2"):
            product[key] += "|" + value
        elif key in product and key == "blurb":
            product[key] += " " + value
        else:
            product[key] = value if value else True
    close_product()
    return tuple(
        Category(
            code=c["code"],
            name=c["name"],
            weight=c["weight"],
            origins=c["origins"],
            brands=tuple(c["brands"]),
            products=tuple(c["products"]),
        )
        for c in categories
    )


@functools.cache
def catalogue() -> tuple[Category, ...]:
    """The catalogue, read from the package's data file."""
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return _parse_catalogue(text)
