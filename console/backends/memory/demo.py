"""A deterministic demo warehouse: believable locations, catalogue, stock, lots and orders.

``generate_demo(items, seed, now)`` always returns the same data for the same arguments (ids
included): everything is drawn from one ``random.Random(seed)`` and every timestamp is relative to
``now`` (default: today's midnight UTC, so the data is stable during a day).

The data obeys the warehouse's inventory rules, as if it had been built through the API:

* an open fulfillment has reserved its lines at its location: each line's ``allocations`` were
  taken from the item's levels there in bin walking order (layout ``path``, the no-bin level
  last), moved from ``verified_qty`` to ``reserved_qty``;
* an accepted or processing manifest has added each line's expected ``qty`` to the
  ``manifested_qty`` of the item's no-bin level at the manifest's location;
* completed and canceled fulfillments, requested, completed and void manifests have no effect
  on levels; completed and canceled fulfillments carry no allocations;
* every item's ``total_*`` equal the sums over its levels.

The words (categories, brands, products and their options) come from the catalogue, a data
file of the package (console/backends/memory/catalogue.py).

The objects are not validated one by one: they are built with pydantic's `model_construct`
from values known to be of the right type. Three shortcuts follow, which code that keeps these
objects must respect (the memory warehouse does: it copies before it changes):

* items of the same product variant share their ``dimensions`` and ``packaged_dimensions``
  objects (copy an item before changing its dimensions in place);
* timestamps and other repeated values are shared int/str objects;
* objects given the same fields share one set of their names (`model_fields_set`, see
  `FieldSets` in console/backends/memory/building.py).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from console.backends.memory.building import FieldSets, construct
from console.backends.memory.catalogue import Product, catalogue
from console.domain.gtin import with_check_digit
from console.domain.models import (
    Address,
    Allocation,
    Contact,
    Dimensions,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Item,
    Layout,
    Level,
    Location,
    Lot,
    Manifest,
    ManifestLine,
    ManifestStatus,
    Parcel,
    ParcelLine,
)

__all__ = ["DAY", "DemoData", "generate_demo", "today_midnight_utc"]

DAY = 86_400
HOUR = 3_600
T = TypeVar("T", bound=BaseModel)


@dataclass
class DemoData:
    locations: list[Location]
    items: list[Item]
    lots: list[Lot]
    manifests: list[Manifest]
    fulfillments: list[Fulfillment]


def today_midnight_utc() -> int:
    now = int(time.time())
    return now - now % DAY


# -- construction ---------------------------------------------------------------------------------


# the objects given the same fields share one set of their names (`FieldSets`)
_FIELD_SETS = FieldSets()


def _constructor(cls: type[T], unset: Iterable[str] = ()) -> Callable[..., T]:
    """`cls.model_construct` for values known to be of the right type (nothing is validated
    again); the fields named in `unset` do not count as set."""
    left_out = frozenset(unset)
    # A field left to its default factory is filled in here: model_construct asks every time
    # whether the factory takes the validated data (an inspect.signature of `list` or `dict`),
    # which cost a third of the demo's build.
    factories = {
        name: field.default_factory
        for name, field in cls.model_fields.items()
        if field.default_factory is not None
    }

    def make(**values: Any) -> T:
        given = _FIELD_SETS.shared(frozenset(values) - left_out)
        for name, factory in factories.items():
            if name not in values:
                values[name] = factory()  # type: ignore[call-arg]
        return construct(cls, given, values)

    return make


_ITEM = _constructor(Item, unset=("search_highlights", "search_score"))
_LEVEL = _constructor(Level)
_DIMS = _constructor(Dimensions)
_LOT = _constructor(Lot)
_LAYOUT = _constructor(Layout)
_LOCATION = _constructor(Location)
_ADDRESS = _constructor(Address)
_CONTACT = _constructor(Contact)
_MANIFEST = _constructor(Manifest)
_MANIFEST_LINE = _constructor(ManifestLine)
_FULFILLMENT = _constructor(Fulfillment)
_FULFILLMENT_LINE = _constructor(FulfillmentLine)
_ALLOCATION = _constructor(Allocation)
_PARCEL = _constructor(Parcel)
_PARCEL_LINE = _constructor(ParcelLine)


# Countries whose GS1 prefix a brand's GTINs start with (company prefixes are 7 digits).
# US company prefixes avoid 02, 04 and 05 (variable-measure, in-store and coupon numbers).
_GS1_PREFIXES = {
    "US": ("00", "01", "06", "07", "08", "09", "10", "11", "12", "13"),
    "CA": ("754", "755"),
    "DE": ("40", "41", "42", "43"),
    "GB": ("50",),
    "FR": ("30", "34", "37"),
    "IT": ("80", "81"),
    "JP": ("45", "49"),
    "CN": ("690", "691", "692", "693", "694", "695"),
    "TW": ("471",),
    "KR": ("880",),
    "MX": ("750",),
}
_BRAND_COUNTRIES = ("US",) * 8 + ("CA", "DE", "GB", "FR", "IT", "JP", "CN", "TW", "KR", "MX")
_BRAND_SUFFIXES = ("Inc.", "LLC", "Co.", "Corp.", "Brands", "Manufacturing", "Group")


class _Site(NamedTuple):
    name: str
    code: str
    line1: str
    city: str
    state: str
    postal_code: str
    timezone: str
    size: float  # share of the stock and of the bins


_SITES = (
    _Site("Reno DC", "RNO1", "1250 Greg St", "Sparks", "NV", "89431", "America/Los_Angeles", 1.0),
    _Site(
        "Columbus Fulfillment Center",
        "CMH2",
        "3400 Alum Creek Dr",
        "Columbus",
        "OH",
        "43207",
        "America/New_York",
        0.8,
    ),
    _Site(
        "Newark Cross-dock",
        "EWR3",
        "160 Delancy St",
        "Newark",
        "NJ",
        "07105",
        "America/New_York",
        0.35,
    ),
    _Site(
        "Fort Worth Distribution Center",
        "DFW4",
        "4700 Mark IV Pkwy",
        "Fort Worth",
        "TX",
        "76106",
        "America/Chicago",
        0.6,
    ),
)
_SHIPPER = "Harborline Supply Co."
_SHELVES_PER_RACK = 4
_RACKS_PER_AISLE = 12
_CAGE_BINS = 2


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, entries separated by commas."""
    return tuple(w.strip() for w in text.split(",") if w.strip())


# City, state, the first three digits of its ZIP codes.
_CITIES = tuple(
    tuple(entry.split(":"))
    for entry in _words(
        """Portland:OR:972, Seattle:WA:981, Boise:ID:837, Sacramento:CA:958, Fresno:CA:937,
        San Diego:CA:921, Phoenix:AZ:850, Tucson:AZ:857, Albuquerque:NM:871, Denver:CO:802,
        Salt Lake City:UT:841, Las Vegas:NV:891, Austin:TX:787, Houston:TX:770,
        San Antonio:TX:782, Oklahoma City:OK:731, Kansas City:MO:641, Omaha:NE:681,
        Minneapolis:MN:554, Madison:WI:537, Chicago:IL:606, Indianapolis:IN:462, Detroit:MI:482,
        Grand Rapids:MI:495, Cleveland:OH:441, Pittsburgh:PA:152, Philadelphia:PA:191,
        Buffalo:NY:142, Albany:NY:122, Hartford:CT:061, Providence:RI:029, Boston:MA:021,
        Portland:ME:041, Baltimore:MD:212, Richmond:VA:232, Raleigh:NC:276, Charlotte:NC:282,
        Atlanta:GA:303, Nashville:TN:372, Louisville:KY:402, Birmingham:AL:352,
        Jacksonville:FL:322, Tampa:FL:336, Orlando:FL:328, New Orleans:LA:701,
        Little Rock:AR:722, Des Moines:IA:503, Spokane:WA:992"""
    )
)
_STREETS = _words(
    """Maple, Oak, Cedar, Elm, Pine, Washington, Lake, Hill, Park, Main, Church, Highland, Sunset,
    Railroad, Mill, Spring, Ridge, River, Forest, Meadow, Valley, Lincoln, Jefferson, Madison,
    Franklin, Adams, Jackson, Walnut, Chestnut, Willow, Birch, Harbor, Commerce, Industrial,
    Airport, Canyon, Prairie, Orchard, Summit, Union, Broad, Grand, Market, Water"""
)
_STREET_TYPES = _words("St, Ave, Rd, Blvd, Dr, Ln, Way, Ct, Pkwy, Pl")
_FIRST_NAMES = _words(
    """James, Maria, Robert, Linda, Michael, Patricia, David, Jennifer, Daniel, Elizabeth, Carlos,
    Aisha, Wei, Priya, Kenji, Fatima, Thomas, Sarah, Andre, Emily, Luis, Hannah, Omar, Grace,
    Noah, Olivia, Ethan, Sofia, Marcus, Chloe, Diego, Amara, Samuel, Mei, Isaac, Nadia, Tyler,
    Rosa, Kevin, Leah, Jamal, Ingrid, Victor, Yuki, Brian, Tanya, Adrian, Keisha"""
)
_LAST_NAMES = _words(
    """Smith, Johnson, Garcia, Nguyen, Brown, Martinez, Lee, Patel, Wilson, Anderson, Thomas,
    Hernandez, Moore, Kim, Jackson, Lopez, White, Harris, Clark, Lewis, Robinson, Walker, Young,
    Allen, Chen, Wright, Scott, Torres, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell,
    Perez, Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris,
    Murphy, Rivera, Cook, Rogers, Reed, Okafor, Novak, Schmidt"""
)
_BUSINESSES = _words(
    """Dental Group, Hardware, Café, Auto Repair, Veterinary Clinic, Builders, Market, Fitness,
    Print Shop, Bakery, Pharmacy, Outfitters, Marine Supply, Property Management, Family Clinic,
    Brewing Co., Landscaping, Electric, Plumbing & Heating, Physical Therapy, Montessori School,
    Bike Shop, Deli"""
)
_DISTRIBUTORS = _words(
    """Midwest Industrial Supply, Pacific Coast Distributors, Great Lakes Wholesale,
    Southern Cross Trading, Atlantic Source Partners, Mountain West Supply,
    Gulf Coast Distribution, Keystone Wholesale Group"""
)
_CANCEL_REASONS = _words(
    """Customer requested cancellation, Address could not be verified, Payment declined,
    Duplicate order, Ordered by mistake, Fraud review failed"""
)
_SHORT_REASONS = _words("Not found in bin, Damaged in bin, Count discrepancy, Expired stock found")
_CHANNELS = _words("web, web, b2b, marketplace, phone")
_CARRIERS = _words("UPS, FedEx, USPS, Old Dominion, Estes, XPO")
_BOXES = ((8.0, 6.0, 4.0), (10.0, 8.0, 6.0), (12.0, 10.0, 8.0), (14.0, 10.0, 6.0),
          (16.0, 12.0, 10.0), (18.0, 18.0, 12.0), (24.0, 18.0, 18.0))  # fmt: skip
_ALNUM = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_MAX_AGE_DAYS = 1200  # the oldest item was created this many days ago

_FULFILLMENT_STATUSES = (
    (FulfillmentStatus.CREATED, 0.30),
    (FulfillmentStatus.PROCESSING, 0.20),
    (FulfillmentStatus.PICKED, 0.14),
    (FulfillmentStatus.PACKED, 0.14),
    (FulfillmentStatus.COMPLETED, 0.14),
    (FulfillmentStatus.CANCELED, 0.08),
)
_MANIFEST_STATUSES = (
    (ManifestStatus.REQUESTED, 0.25),
    (ManifestStatus.ACCEPTED, 0.30),
    (ManifestStatus.PROCESSING, 0.25),
    (ManifestStatus.COMPLETED, 0.12),
    (ManifestStatus.VOID, 0.08),
)
_OPEN_FULFILLMENT = frozenset(
    {
        FulfillmentStatus.CREATED,
        FulfillmentStatus.PROCESSING,
        FulfillmentStatus.PICKED,
        FulfillmentStatus.PACKED,
    }
)
_ANNOUNCED = frozenset({ManifestStatus.ACCEPTED, ManifestStatus.PROCESSING})


def _brand_code(name: str, taken: set[str]) -> str:
    """Two or three letters for a brand, unique within its category."""
    words = [w for w in name.replace("&", " ").replace(".", " ").split() if w]
    if len(words) > 1:
        code = "".join(w[0] for w in words[:3]).upper()
    else:
        word = words[0].upper()
        code = word[0] + "".join(c for c in word[1:] if c not in "AEIOU")[:2]
    base, n = code, 1
    while code in taken:
        n += 1
        code = f"{base[:2]}{n}"
    taken.add(code)
    return code


# -- the generator -------------------------------------------------------------------------------


class _Cumulative:
    """Weighted choice by bisecting a cumulative table: ``pick(u)`` for u in [0, 1)."""

    def __init__(self, weights: Sequence[float]) -> None:
        total = 0.0
        self.table: list[float] = []
        for w in weights:
            total += w
            self.table.append(total)
        self.total = total
        self.last = len(self.table) - 1

    def pick(self, u: float) -> int:
        return min(bisect.bisect_right(self.table, u * self.total), self.last)


class _Brand(NamedTuple):
    name: str
    code: str
    country: str
    company: str
    premium: float
    offset: int  # item references are (n * 7919 + offset) % 100000: scattered, never repeated
    lot_style: int


def _yymmdd(epoch: int) -> str:
    t = time.gmtime(epoch)
    return f"{t.tm_year % 100:02d}{t.tm_mon:02d}{t.tm_mday:02d}"


# Draws of a lot number before a taken one is split into a sub-lot (see lot_number).
_LOT_DRAWS = 20

# Product lines ("Acme Terravo Hex Bolt"): a distributor's catalogue, past a shop's size, holds
# many brands' lines and models, and its vocabulary grows as about the square root of its size
# (Heaps' law): 100,000 items have several thousand distinct name words, 1,000,000 over ten
# thousand. A shop's catalogue (the default 2,000 items, the screenshots, the tests) has none.
LINES_FROM = 10_000  # items before a catalogue carries product lines
_LINES_PER_ROOT = 12  # distinct lines: 12 per square root of the item count
_LINE_SHARE = 0.6  # of the items with a line in their name
_LINE_SYLLABLES = _words(
    "ka, ro, vel, tor, min, dra, sen, lux, por, ven, tal, cor, fin, gra, bel, mar, ton, sil, "
    "nor, bri, dex, zan, qui, lor, tek, vir, cal, mon, ser, dal, pen, ric, har, vos, lan, tim, "
    "ber, cus, gen, fal, ost, ari, bo, cel, du, em, fa, go, hu, iz, jo, ke, li, mu, na, ol, pa, "
    "ru, sa, te, ul, va, wi, xo, ya, zu"
)


class _Generator:
    def __init__(self, n_items: int, seed: int, now: int) -> None:
        self.n = n_items
        self.rng = Random(seed)
        self.line_rng = Random(f"{seed}/product lines")
        self.r = self.rng.random
        self.now = now
        self.today = now - now % DAY
        self.categories = catalogue()
        self._shared: dict[int, int] = {}
        self._prefixes_used: set[str] = set()
        # Timestamps are shared int objects (28 bytes each saved a million times over): the
        # hours before today, for creation and update times.
        self.hours_ago = [self.today - k * HOUR for k in range(_MAX_AGE_DAYS * 24 + 1)]

    def shared(self, value: int) -> int:
        """One int object per distinct (day-granular) timestamp."""
        return self._shared.setdefault(value, value)

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.r() * len(seq))]

    def randint(self, lo: int, hi: int) -> int:
        return lo + int(self.r() * (hi - lo + 1))

    def code(self, n: int) -> str:
        r = self.r
        return "".join(_ALNUM[int(r() * len(_ALNUM))] for _ in range(n))

    # -- locations ---------------------------------------------------------------------------

    def build_locations(self) -> None:
        grid = 40 + 1.5 * self.n**0.5
        self.locations: list[Location] = []
        self.bins: list[list[tuple[str, str]]] = []  # per location: (layout id, name), path order
        self.loc_weights = _Cumulative([site.size for site in _SITES])
        lay_no = 0
        for index, (name, code, line1, city, state, postal, tz, weight) in enumerate(_SITES):
            count = max(40, min(200, int(grid * weight)))
            layouts = []
            names: list[tuple[str, str]] = []
            for b in range(count - _CAGE_BINS):
                aisle, rest = divmod(b, _RACKS_PER_AISLE * _SHELVES_PER_RACK)
                rack, shelf = divmod(rest, _SHELVES_PER_RACK)
                label = (
                    f"{chr(ord('A') + aisle)}-{rack + 1:02d}-{shelf + 1:02d}"  # aisle-rack-shelf
                )
                names.append((label, label.replace("-", "/")))
            for c in range(_CAGE_BINS):
                names.append((f"CAGE-{c + 1:02d}", f"Z/CAGE/{c + 1:02d}"))
            names.sort(key=lambda t: t[1])
            bins = []
            for bin_name, path in names:
                lay_no += 1
                lay_id = f"lay_{lay_no:04d}"
                layouts.append(_LAYOUT(id=lay_id, name=bin_name, path=path))
                bins.append((lay_id, bin_name))
            address = _ADDRESS(
                line1=line1,
                line2=None,
                city=city,
                state=state,
                postal_code=postal,
                country="US",
                formatted_address=f"{line1}, {city}, {state} {postal}, US",
            )
            created = self.today - self.randint(900, 1500) * DAY
            self.locations.append(
                _LOCATION(
                    id=f"loc_{index + 1:03d}",
                    name=name,
                    address=address,
                    layouts=layouts,
                    metadata={"code": code, "timezone": tz},
                    created_at=created,
                    updated_at=created + self.randint(1, 300) * DAY,
                )
            )
            self.bins.append(bins)

    # -- catalogue ---------------------------------------------------------------------------

    def build_brands(self) -> None:
        self.brands: list[list[_Brand]] = []
        for cat in self.categories:
            taken: set[str] = set()
            row = []
            for name in cat.brands:
                country = self.choice(_BRAND_COUNTRIES)
                suffix = self.choice(_BRAND_SUFFIXES)
                row.append(
                    _Brand(
                        name=name,
                        code=_brand_code(name, taken),
                        country=country,
                        company=f"{name} {suffix}",
                        premium=0.85 + 0.5 * self.r(),
                        offset=self.randint(0, 99_999),
                        lot_style=self.randint(0, 3),
                    )
                )
            self.brands.append(row)
        self.brand_prefixes: dict[tuple[int, int], list[str]] = {}
        self.brand_counts: dict[tuple[int, int], int] = {}

    def company_prefix(self, brand: _Brand) -> str:
        while True:
            lead = self.choice(_GS1_PREFIXES.get(brand.country, ("0",)))
            prefix = lead + "".join(str(int(self.r() * 10)) for _ in range(7 - len(lead)))
            if prefix not in self._prefixes_used:
                self._prefixes_used.add(prefix)
                return prefix

    def gtin_for(self, cat_index: int, brand_index: int) -> str:
        key = (cat_index, brand_index)
        brand = self.brands[cat_index][brand_index]
        count = self.brand_counts.get(key, 0)
        self.brand_counts[key] = count + 1
        block, n = divmod(count, 100_000)
        prefixes = self.brand_prefixes.setdefault(key, [])
        while len(prefixes) <= block:
            prefixes.append(self.company_prefix(brand))
        reference = (n * 7919 + brand.offset) % 100_000
        prefix = prefixes[block]
        if count == 0 and prefix[:2] in ("00", "01") and prefix[-1] != "0":
            # A US brand's first product (number system 0 or 1) is a small pack whose UPC-A has a UPC-E
            # (manufacturer code not ending in 0, product 00005-00009), as gum and sweets are.
            reference = 5 + brand.offset % 5
        return with_check_digit(f"{prefix}{reference:05d}")

    def product_lines(self) -> list[str]:
        """The catalogue's product line names: made-up words (as trade names are), distinct,
        deterministic per seed."""
        if self.n < LINES_FROM:
            return []
        syllables = _LINE_SYLLABLES
        width = len(syllables)
        # every two- and three-syllable word, numbered; a sample of numbers is a sample of
        # distinct words, with no draw that can repeat
        space = width**2 + width**3
        count = min(space, int(_LINES_PER_ROOT * self.n**0.5))
        words = []
        for k in self.line_rng.sample(range(space), count):
            if k < width**2:
                parts = (k // width, k % width)
            else:
                k -= width**2
                parts = (k // width**2, k // width % width, k % width)
            words.append("".join(syllables[p] for p in parts).capitalize())
        # two spellings may meet ("ari"+"bo" and "a"+"ribo" cannot, but keep it certain)
        return list(dict.fromkeys(words))

    def build_items(self) -> None:
        r = self.r
        lines = self.product_lines()
        line_r = self.line_rng.random
        cat_pick = _Cumulative([c.weight for c in self.categories])
        # Within a category, products are drawn in proportion to how many names they can make.
        prod_picks = [
            _Cumulative([len(p.a) * len(p.v1) * len(p.v2) for p in c.products])
            for c in self.categories
        ]
        descriptions: dict[tuple[str, str], str] = {}
        dims_cache: dict[tuple[int, int, int, int], tuple[Dimensions, Dimensions]] = {}
        names: set[str] = set()
        skus: set[str] = set()
        hours_ago = self.hours_ago
        width = max(6, len(str(self.n)))
        self.items: list[Item] = []
        self.item_product: list[Product] = []
        self.item_weight: list[float] = []
        self.item_brand: list[tuple[int, int]] = []
        self.item_age: list[int] = []  # hours since creation
        self.item_original: list[int] = []  # how many levels an item had before any manifest
        self.item_levels: list[list[list[int]]] = []
        self.loc_items: list[list[int]] = [[] for _ in self.locations]
        self.cat_items: list[list[int]] = [[] for _ in self.categories]
        self.brand_items: list[list[list[int]]] = [[[] for _ in b] for b in self.brands]
        level_counts = (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4)
        loc_pick = self.loc_weights.pick
        bin_counts = [len(b) for b in self.bins]
        item_levels = self.item_levels
        loc_items = self.loc_items
        for i in range(self.n):
            ci = cat_pick.pick(r())
            cat = self.categories[ci]
            brands = self.brands[ci]
            for _attempt in range(12):
                pi = prod_picks[ci].pick(r())
                prod = cat.products[pi]
                bi = int(r() * len(brands))
                brand = brands[bi]
                a = prod.a[int(r() * len(prod.a))]
                ia1 = int(r() * len(prod.v1))
                ia2 = int(r() * len(prod.v2))
                v1 = prod.v1[ia1]
                v2 = prod.v2[ia2]
                branded, line_code = brand.name, ""
                if lines and line_r() < _LINE_SHARE:
                    li = int(line_r() * len(lines))
                    branded, line_code = f"{brand.name} {lines[li]}", f"-L{li}"
                name = " ".join(
                    prod.fmt.format(
                        b=branded, a=a.display, p=prod.name, v1=v1.display, v2=v2.display
                    ).split()
                )
                sku = f"{cat.code}-{brand.code}-{prod.code}{a.sku}{v1.sku}{v2.sku}{line_code}"
                if name not in names and sku not in skus:
                    break
            else:  # a crowded catalogue: a model code tells the otherwise identical apart
                base_name, base_sku = name, sku
                while name in names or sku in skus:
                    model = self.code(4)
                    name = f"{base_name}, Model {model}"
                    sku = f"{base_sku}-{model}"
            names.add(name)
            skus.add(sku)

            desc_key = (prod.code, a.code)
            description = descriptions.get(desc_key)
            if description is None:
                label = prod.keys[0].capitalize()
                description = f"{prod.blurb} {label}: {a.display}."
                descriptions[desc_key] = description

            dims_key = (ci, pi, ia1, ia2)
            dims = dims_cache.get(dims_key)
            if dims is None:  # one pair of Dimensions per product variant, shared by its items
                bulk = v1.mult * v2.mult
                scale = bulk ** (1 / 3)
                length, wid, height, weight = prod.dims
                unit = (
                    round(length * scale, 1),
                    round(wid * scale, 1),
                    round(height * scale, 1),
                    round(weight * bulk, 2),
                )
                dims = (
                    _DIMS(length=unit[0], width=unit[1], height=unit[2], weight=unit[3]),
                    _DIMS(
                        length=round(unit[0] + 1.0, 1),
                        width=round(unit[1] + 1.0, 1),
                        height=round(unit[2] + 0.5, 1),
                        weight=round(unit[3] * 1.08 + 0.1, 2),
                    ),
                )
                dims_cache[dims_key] = dims
            unit_dims, packed_dims = dims

            dollars = prod.price * a.mult * v1.mult * v2.mult * brand.premium * (0.9 + 0.2 * r())
            cents = max(99, int(dollars) // 100 * 100 + (99 if r() < 0.7 else 49))

            attributes = {}
            for key, opt in zip(prod.keys, (a, v1, v2), strict=True):
                if opt.attribute:
                    attributes[key] = opt.attribute

            metadata: dict[str, Any] = {}
            if r() < 0.35:
                part = f"{brand.code}-{self.randint(10_000, 99_999)}-{self.code(2)}"
                metadata["_search"] = f"{part} {prod.synonyms}".strip()

            age = self.randint(20 * 24, (_MAX_AGE_DAYS - 100) * 24)  # in hours
            created = hours_ago[age]
            updated = hours_ago[int(r() * age)]
            gtin = self.gtin_for(ci, bi) if r() >= 0.03 else None
            origin = brand.country if r() < 0.5 else self.choice(cat.origins)

            item = _ITEM(
                id=f"item_{i + 1:0{width}d}",
                name=name,
                description=description,
                sku=sku,
                gtin=gtin,
                images=[],
                value=cents,
                currency="USD",
                dimensions=unit_dims,
                packaged_dimensions=packed_dims,
                attributes=attributes,
                categories=[cat.name, prod.subcategory],
                hs_code=prod.hs_code if r() < 0.75 else None,
                country_of_origin=origin,
                metadata=metadata,
                levels=[],
                total_verified=0,
                total_damaged=0,
                total_manifested=0,
                total_reserved=0,
                created_at=created,
                updated_at=updated,
                search_highlights=None,
                search_score=None,
            )
            self.items.append(item)
            self.item_product.append(prod)
            self.item_weight.append(unit_dims.weight)
            self.item_brand.append((ci, bi))
            self.item_age.append(age)
            self.cat_items[ci].append(i)
            self.brand_items[ci][bi].append(i)

            # Stock: [location, bin index or -1, verified, damaged, manifested, reserved]
            levels: list[list[int]] = []
            places: set[tuple[int, int]] = set()
            primary = loc_pick(r())
            for k in range(level_counts[int(r() * len(level_counts))]):
                loc = primary if k == 0 or r() < 0.5 else loc_pick(r())
                lay = -1 if r() < 0.04 else int(r() * bin_counts[loc])
                if (loc, lay) in places:
                    continue
                places.add((loc, lay))
                verified = 0 if r() < 0.07 else 1 + int(r() ** 2 * 499)
                damaged = 1 + int(r() * 12) if r() < 0.07 else 0
                levels.append([loc, lay, verified, damaged, 0, 0])
            item_levels.append(levels)
            self.item_original.append(len(levels))
            for loc in sorted({loc for loc, _ in places}):
                loc_items[loc].append(i)

    # -- orders ------------------------------------------------------------------------------

    def on_hand(self, i: int, loc: int) -> int:
        return sum(lv[2] for lv in self.item_levels[i] if lv[0] == loc)

    def reserve(self, i: int, loc: int, qty: int) -> list[Allocation]:
        """Take ``qty`` from the item's levels at ``loc``, bins in walking order, no-bin last."""
        levels = sorted(
            (lv for lv in self.item_levels[i] if lv[0] == loc),
            key=lambda lv: (lv[1] < 0, lv[1]),
        )
        allocations = []
        bins = self.bins[loc]
        for lv in levels:
            take = min(qty, lv[2])
            if take > 0:
                lv[2] -= take
                lv[5] += take
                qty -= take
                allocations.append(
                    _ALLOCATION(layout_id=bins[lv[1]][0] if lv[1] >= 0 else None, qty=take)
                )
            if not qty:
                break
        assert qty == 0, "reserve() called for more than is on hand"
        return allocations

    def contact(self, company: str | None = None, person: bool = True) -> Contact:
        r = self.r
        first, last = self.choice(_FIRST_NAMES), self.choice(_LAST_NAMES)
        city, state, zip3 = self.choice(_CITIES)
        line1 = f"{self.randint(10, 9899)} {self.choice(_STREETS)} {self.choice(_STREET_TYPES)}"
        roll = r()
        line2 = (
            f"Suite {self.randint(1, 9) * 100 + self.randint(0, 20)}"
            if roll < 0.15
            else f"Apt {self.randint(1, 30)}{self.choice('ABCD')}"
            if roll < 0.25
            else None
        )
        postal = f"{zip3}{self.randint(0, 99):02d}"
        parts = [line1, line2, f"{city}, {state} {postal}", "US"]
        address = _ADDRESS(
            line1=line1,
            line2=line2,
            city=city,
            state=state,
            postal_code=postal,
            country="US",
            formatted_address=", ".join(p for p in parts if p),
        )
        domain = self.choice(("example.com", "example.net", "example.org"))
        return _CONTACT(
            name=f"{first} {last}" if person else None,
            company=company,
            email=f"{first.lower()}.{last.lower()}@{domain}",
            phone=f"+1 ({self.randint(201, 989)}) 555-01{self.randint(0, 99):02d}",
            address=address,
        )

    def pick_location(self, index: int) -> int:
        n = len(self.locations)
        return index % n if index < 3 * n else self.loc_weights.pick(self.r())

    def build_fulfillments(self) -> None:
        r = self.r
        now = self.now
        n_loc = len(self.locations)
        count = max(8, self.n // 40, 3 * n_loc) if self.n else 0
        status_pick = _Cumulative([w for _, w in _FULFILLMENT_STATUSES])
        location_senders = [
            _CONTACT(
                name=loc.name,
                company=_SHIPPER,
                email=f"shipping.{site.code.lower()}@example.com",
                phone=f"+1 (800) 555-01{10 + k:02d}",
                address=loc.address,
            )
            for k, (loc, site) in enumerate(zip(self.locations, _SITES, strict=True))
        ]
        specs = []
        for f in range(count):
            if f < len(_FULFILLMENT_STATUSES):
                status = _FULFILLMENT_STATUSES[f][0]
            else:
                status = _FULFILLMENT_STATUSES[status_pick.pick(r())][0]
            loc = self.pick_location(f)
            candidates = self.loc_items[loc]
            if not candidates:
                continue
            is_open = status in _OPEN_FULFILLMENT
            wanted = (1, 1, 2, 2, 2, 3, 3, 4, 5, 6)[int(r() * 10)]
            lines = []
            used: set[int] = set()
            for _try in range(wanted * 6):
                if len(lines) >= wanted:
                    break
                i = candidates[int(r() * len(candidates))]
                if i in used:
                    continue
                stock = self.on_hand(i, loc)
                if stock <= 0:
                    continue
                qty = 1 + int(r() ** 3 * 11)
                if r() < 0.08:
                    qty = self.choice((12, 24, 48))
                qty = min(qty, stock)
                used.add(i)
                allocations = self.reserve(i, loc, qty) if is_open else []
                lines.append([i, qty, allocations])
            if not lines:
                continue
            specs.append((status, loc, lines))

        # Build in creation order, so order numbers and ids rise with created_at.
        timed = []
        for status, loc, lines in specs:
            if status in _OPEN_FULFILLMENT:
                if r() < 0.12:
                    complete_at = now - self.randint(1, 8) * HOUR
                else:
                    complete_at = now + self.randint(2, 5 * 24) * HOUR
                created = min(complete_at, now) - self.randint(6, 72) * HOUR
            else:
                complete_at = now - self.randint(1, 30) * DAY + self.randint(8, 18) * HOUR
                created = complete_at - self.randint(1, 4) * DAY
            timed.append((created, complete_at, status, loc, lines))
        timed.sort(key=lambda t: t[0])

        self.fulfillments: list[Fulfillment] = []
        order_no = 104_000 + self.randint(0, 999)
        parcel_no = 0
        for n, (created, complete_at, status, loc, lines) in enumerate(timed, start=1):
            order_no += self.randint(1, 9)
            out_lines = []
            for i, qty, allocations in lines:
                picked = 0
                short = None
                if status == FulfillmentStatus.PROCESSING:
                    roll = r()
                    picked = qty if roll < 0.45 else self.randint(0, qty - 1) if roll < 0.75 else 0
                elif status in (
                    FulfillmentStatus.PICKED,
                    FulfillmentStatus.PACKED,
                    FulfillmentStatus.COMPLETED,
                ):
                    picked = qty
                    if qty > 1 and r() < 0.1:  # a short pick, with the reason recorded
                        picked = self.randint(1, qty - 1)
                        short = self.choice(_SHORT_REASONS)
                packed_qty = (
                    picked
                    if status in (FulfillmentStatus.PACKED, FulfillmentStatus.COMPLETED)
                    else 0
                )
                out_lines.append(
                    _FULFILLMENT_LINE(
                        item_id=self.items[i].id,
                        qty=qty,
                        picked_qty=picked,
                        packed_qty=packed_qty,
                        short_reason=short,
                        allocations=allocations,
                    )
                )
            if status == FulfillmentStatus.PROCESSING and not any(
                line.picked_qty for line in out_lines
            ):
                out_lines[0].__dict__["picked_qty"] = 1  # the first pick started the work

            parcels = []
            if status in (FulfillmentStatus.PACKED, FulfillmentStatus.COMPLETED):
                contents = [
                    (line.item_id, line.packed_qty, self.item_weight[i])
                    for line, (i, _, _) in zip(out_lines, lines, strict=True)
                    if line.packed_qty
                ]
                groups = [contents]
                if len(contents) > 2 and r() < 0.4:
                    half = len(contents) // 2
                    groups = [contents[:half], contents[half:]]
                for group in groups:
                    if not group:
                        continue
                    parcel_no += 1
                    box = self.choice(_BOXES)
                    weight = round(sum(q * w for _, q, w in group) + 0.4, 2)
                    parcels.append(
                        _PARCEL(
                            id=f"prcl_{parcel_no:06d}",
                            length=box[0],
                            width=box[1],
                            height=box[2],
                            weight=weight,
                            inventory=[_PARCEL_LINE(item_id=iid, qty=q) for iid, q, _ in group],
                        )
                    )
            canceled = status == FulfillmentStatus.CANCELED
            recipient = self.contact(
                company=f"{self.choice(_STREETS)} {self.choice(_BUSINESSES)}"
                if r() < 0.35
                else None
            )
            self.fulfillments.append(
                _FULFILLMENT(
                    id=f"ful_{n:05d}",
                    order_number=f"SO-{order_no}",
                    status=status,
                    location_id=self.locations[loc].id,
                    complete_at=complete_at,
                    inventory=out_lines,
                    parcels=parcels,
                    recipient=recipient,
                    sender=location_senders[loc],
                    cancel_reason=self.choice(_CANCEL_REASONS) if canceled else None,
                    metadata={"channel": self.choice(_CHANNELS)},
                    created_at=created,
                    updated_at=min(now, created + self.randint(0, 48) * HOUR)
                    if status in _OPEN_FULFILLMENT
                    else complete_at,
                )
            )

    def tracking_number(self, carrier: str) -> str:
        if carrier == "UPS":
            return f"1Z{self.code(6)}{self.randint(1, 99):02d}{self.randint(0, 99_999_999):08d}"
        if carrier == "FedEx":
            return f"{self.randint(100_000_000_000, 999_999_999_999)}"
        if carrier == "USPS":
            return f"9400{self.randint(10**17, 10**18 - 1)}"
        return f"{self.randint(10**9, 10**10 - 1)}"  # an LTL PRO number

    def build_manifests(self) -> None:
        r = self.r
        now = self.now
        count = max(6, self.n // 60) if self.n else 0
        status_pick = _Cumulative([w for _, w in _MANIFEST_STATUSES])
        specs = []
        for m in range(count):
            if m < len(_MANIFEST_STATUSES):
                status = _MANIFEST_STATUSES[m][0]
            else:
                status = _MANIFEST_STATUSES[status_pick.pick(r())][0]
            loc = self.pick_location(m)
            here = self.loc_items[loc]
            first = here[int(r() * len(here))] if here and r() < 0.9 else int(r() * self.n)
            ci, bi = self.item_brand[first]
            direct = r() < 0.5
            pool = self.brand_items[ci][bi] if direct else self.cat_items[ci]
            sender_company = self.brands[ci][bi].company if direct else self.choice(_DISTRIBUTORS)
            wanted = self.randint(1, 8)
            chosen = [first]
            for _try in range(wanted * 4):
                if len(chosen) >= wanted:
                    break
                i = pool[int(r() * len(pool))]
                if i not in chosen:
                    chosen.append(i)
            specs.append((status, loc, chosen, sender_company))

        timed = []
        for status, loc, chosen, sender in specs:
            if status == ManifestStatus.REQUESTED:
                eta = self.today + self.randint(2, 14) * DAY
                created = now - self.randint(1, 72) * HOUR
            elif status == ManifestStatus.ACCEPTED:
                eta = self.today + self.randint(-1, 7) * DAY
                created = now - self.randint(2, 10) * DAY
            elif status == ManifestStatus.PROCESSING:
                eta = self.today - self.randint(0, 1) * DAY
                created = now - self.randint(3, 12) * DAY
            else:
                eta = self.today - self.randint(1, 40) * DAY
                created = eta - self.randint(3, 14) * DAY
            eta += self.randint(7, 16) * HOUR
            timed.append((created, eta, status, loc, chosen, sender))
        timed.sort(key=lambda t: t[0])

        self.manifests: list[Manifest] = []
        po = 55_000 + self.randint(0, 999)
        for n, (created, eta, status, loc, chosen, sender) in enumerate(timed, start=1):
            po += self.randint(1, 7)
            lines = []
            bins = self.bins[loc]
            for i in chosen:
                qty = self.choice((6, 12, 24, 24, 48, 60, 100, 120, 144, 240, 500))
                received = damaged = 0
                layout_id = None
                if status == ManifestStatus.COMPLETED or (
                    status == ManifestStatus.PROCESSING and r() < 0.6
                ):
                    received = qty if r() < 0.7 else self.randint(0, qty)
                    if received and r() < 0.15:
                        damaged = min(received, self.randint(1, 3))
                        received -= damaged
                    homes = [lv[1] for lv in self.item_levels[i] if lv[0] == loc and lv[1] >= 0]
                    if homes:
                        layout_id = bins[homes[0]][0]
                if status in _ANNOUNCED:
                    self.manifest_level(i, loc)[4] += qty
                lines.append(
                    _MANIFEST_LINE(
                        item_id=self.items[i].id,
                        qty=qty,
                        received_qty=received,
                        damaged_qty=damaged,
                        layout_id=layout_id,
                        lot_id=None,
                    )
                )
            carrier = self.choice(_CARRIERS)
            tracking = (
                []
                if status == ManifestStatus.REQUESTED and r() < 0.6
                else [self.tracking_number(carrier) for _ in range(self.randint(1, 2))]
            )
            self.manifests.append(
                _MANIFEST(
                    id=f"mfst_{n:05d}",
                    order_number=f"PO-{po}",
                    status=status,
                    location_id=self.locations[loc].id,
                    tracking_numbers=tracking,
                    estimated_delivery_at=eta,
                    inventory=lines,
                    sender=self.contact(company=sender, person=r() < 0.7),
                    metadata={"carrier": carrier},
                    created_at=created,
                    updated_at=min(now, max(created, eta - self.randint(0, 2) * DAY)),
                )
            )

    def manifest_level(self, i: int, loc: int) -> list[int]:
        """The item's no-bin level at ``loc``, created when it has none."""
        for lv in self.item_levels[i]:
            if lv[0] == loc and lv[1] < 0:
                return lv
        lv = [loc, -1, 0, 0, 0, 0]
        self.item_levels[i].append(lv)
        return lv

    # -- lots --------------------------------------------------------------------------------

    def lot_number(self, style: int, produced: int, taken: set[str]) -> str:
        """A lot number in one of the styles real suppliers use, not yet taken. A style's
        space is small (999 a day, 10,000 a year): once a few draws all collide, the last one
        gets a sub-lot suffix (".2", ".3"…), as a supplier splits a lot, so a big demo never
        draws for ever."""
        t = time.gmtime(produced)
        for _ in range(_LOT_DRAWS):
            if style == 0:
                number = f"L{t.tm_year % 100:02d}-{self.randint(0, 9999):04d}"
            elif style == 1:
                number = f"{_yymmdd(produced)}{self.choice('ABCDEFGH')}{self.randint(1, 99):02d}"
            elif style == 2:
                number = f"B{t.tm_year % 100:02d}{t.tm_yday:03d}-{self.randint(1, 999):03d}"
            else:
                number = f"LOT{self.randint(0, 999_999):06d}"
            if number not in taken:
                taken.add(number)
                return number
        split = 2
        while f"{number}.{split}" in taken:
            split += 1
        taken.add(f"{number}.{split}")
        return f"{number}.{split}"

    def build_lots(self) -> None:
        r = self.r
        today = self.today
        now = self.now
        shared = self.shared
        self.lots: list[Lot] = []
        taken: set[str] = set()
        lot_no = 0
        for i, prod in enumerate(self.item_product):
            if not prod.lot_tracked:
                continue
            # Lots sit where the item has stock (any of its levels, if it has none anywhere).
            levels = self.item_levels[i][: self.item_original[i]]  # none made by manifests
            levels = [lv for lv in levels if lv[2] or lv[3] or lv[5]] or levels
            if not levels:
                continue
            item = self.items[i]
            brand = self.brands[self.item_brand[i][0]][self.item_brand[i][1]]
            gtin14 = "0" + item.gtin if item.gtin else None
            food = self.categories[self.item_brand[i][0]].code == "FB"
            n_lots = (1, 1, 1, 1, 2, 2, 2, 3, 3)[int(r() * 9)]
            placed: dict[int, list[list[Any]]] = {}
            for _ in range(n_lots):
                level_index = int(r() * len(levels))
                life = prod.shelf_life
                if life is None or r() < 0.03:
                    expires = None
                else:
                    roll = r()
                    if roll < 0.08:
                        days = -self.randint(1, 60)
                    elif roll < 0.22:
                        days = self.randint(0, min(45, life))
                    else:
                        days = self.randint(min(45, life), min(life, 730))
                    expires = shared(today + days * DAY)
                if expires is not None:
                    produced = expires - (life or 0) * DAY
                else:
                    produced = today - self.randint(30, 400) * DAY
                if expires is not None and expires < now:
                    roll = r()
                    status = (
                        "expired" if roll < 0.65 else "available" if roll < 0.9 else "quarantined"
                    )
                else:
                    roll = r()
                    status = (
                        "available" if roll < 0.9 else "quarantined" if roll < 0.96 else "recalled"
                    )
                placed.setdefault(level_index, []).append([expires, produced, status])
            for level_index, lots in placed.items():
                lv = levels[level_index]
                loc, lay, verified, damaged, _manifested, reserved = lv
                lots.sort(key=lambda t: (t[0] is None, t[0] or 0))
                weights = [0.2 + r() for _ in lots]
                total_w = sum(weights)
                shares = [int(verified * w / total_w) for w in weights]
                shares[-1] += verified - sum(shares)
                damaged_at = int(r() * len(lots))
                reserved_at = next(
                    (
                        k
                        for k, (exp, _, status) in enumerate(lots)
                        if status == "available" and (exp is None or exp >= now)
                    ),
                    None,
                )
                for k, (expires, produced, status) in enumerate(lots):
                    share = shares[k]
                    defective = damaged if k == damaged_at else 0
                    held = reserved if k == reserved_at else 0
                    total = share + defective + held
                    if total == 0:
                        status = "consumed"
                    # units reserved for an open order are still in the lot, available: a
                    # lot's units are held for an order when they are picked (lots follow picks)
                    available = share + held if status == "available" else 0
                    lot_no += 1
                    received = min(today - DAY, produced + self.randint(3, 30) * DAY)
                    traced = r() < 0.45
                    best_before = sell_by = link = None
                    if traced and food and expires is not None:
                        best_before = expires
                        sell_by = expires - self.randint(7, 30) * DAY
                    number = self.lot_number(brand.lot_style, produced, taken)
                    if traced and gtin14:
                        link = f"https://id.example.com/01/{gtin14}/10/{number}"
                        if expires is not None:
                            link += f"?17={_yymmdd(expires)}"
                    manufacturer = (
                        f"{brand.code}-{self.randint(1000, 9999)}-{self.code(2)}"
                        if r() < 0.4
                        else None
                    )
                    self.lots.append(
                        _LOT(
                            id=f"lot_{lot_no:06d}",
                            number=number,
                            manufacturer_number=manufacturer,
                            item_id=item.id,
                            location_id=self.locations[loc].id,
                            layout_id=self.bins[loc][lay][0] if lay >= 0 else None,
                            address_id=None,
                            status=status,
                            expires_at=expires,
                            total_qty=total,
                            available_qty=available,
                            defective_qty=defective,
                            manifested_qty=0,
                            reserved_qty=0,
                            production_date=shared(produced) if traced else None,
                            best_before_date=best_before,
                            sell_by_date=sell_by,
                            digital_link=link,
                            metadata={},
                            created_at=shared(received),
                            updated_at=shared(min(now, received + self.randint(0, 60) * DAY)),
                        )
                    )

    # -- levels ------------------------------------------------------------------------------

    def build_levels(self) -> None:
        r = self.r
        hours_ago = self.hours_ago
        locations = self.locations
        bins = self.bins
        level_no = 0
        width = max(7, len(str(self.n * 6)))
        location_ids = [loc.id for loc in locations]
        for i, item in enumerate(self.items):
            records = self.item_levels[i]
            if len(records) > 1:  # by location, then bins in walking order, the no-bin one last
                records.sort(key=lambda lv: (lv[0], lv[1] < 0, lv[1]))
            age = self.item_age[i]
            out = []
            tv = td = tm = tr = 0
            for loc, lay, verified, damaged, manifested, reserved in records:
                level_no += 1
                since = max(0, age - int(r() * 30) * 24)  # stocked within a month of creation
                if lay >= 0:
                    lay_id, lay_name = bins[loc][lay]
                else:
                    lay_id = lay_name = None
                out.append(
                    _LEVEL(
                        id=f"lvl_{level_no:0{width}d}",
                        location_id=location_ids[loc],
                        layout_id=lay_id,
                        layout_name=lay_name,
                        verified_qty=verified,
                        damaged_qty=damaged,
                        manifested_qty=manifested,
                        reserved_qty=reserved,
                        created_at=hours_ago[since],
                        updated_at=hours_ago[int(r() * min(since, 60 * 24))],
                    )
                )
                tv += verified
                td += damaged
                tm += manifested
                tr += reserved
            values = item.__dict__
            values["levels"] = out
            values["total_verified"] = tv
            values["total_damaged"] = td
            values["total_manifested"] = tm
            values["total_reserved"] = tr

    def run(self) -> DemoData:
        self.build_locations()
        self.build_brands()
        self.build_items()
        self.build_fulfillments()
        self.build_manifests()
        self.build_lots()
        self.build_levels()
        return DemoData(
            locations=self.locations,
            items=self.items,
            lots=self.lots,
            manifests=self.manifests,
            fulfillments=self.fulfillments,
        )


def generate_demo(items: int = 2000, seed: int = 7, now: int | None = None) -> DemoData:
    """A believable warehouse with ``items`` catalogue entries, the same for the same arguments.

    ``now`` (epoch seconds, default today's midnight UTC) anchors every timestamp: creation
    dates lie before it, expiries and due dates on both sides of it.
    """
    if items < 0:
        raise ValueError("items must be zero or more")
    anchor = today_midnight_utc() if now is None else int(now)
    return _Generator(items, seed, anchor).run()
