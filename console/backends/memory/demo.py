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

Speed and memory (100,000 items: ~5 s, ~320 MB): the ~1.5 million objects are not validated
one by one. :func:`_maker` builds an instance as ``Model.model_construct`` does, from values known
to be of the right type, with a key-sharing ``__dict__``. Three shortcuts follow, which code that
keeps these objects must respect (the memory warehouse does: it copies before it changes):

* all instances of a model class share one ``__pydantic_fields_set__`` holding every field (an
  item's search-only ``_search``/``_score`` excepted): ``exclude_unset`` dumps everything else,
  setting a field is fine (set ``_search``/``_score`` on copies only), ``model_copy`` gives the
  copy a set of its own;
* items of the same product variant share their ``dimensions`` and ``packaged_dimensions``
  objects (copy an item before changing its dimensions in place);
* timestamps and other repeated values are shared int/str objects.

The cyclic garbage collector is paused while generating (nothing here is garbage; its passes
over a million young objects tripled the run time) and restored afterwards.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from random import Random
from typing import Any, NamedTuple

from console.backends.memory.demo_store import DAY, DemoData, today_midnight_utc
from console.collector import collector_paused
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

__all__ = ["CATEGORIES", "DemoData", "generate_demo", "today_midnight_utc"]

HOUR = 3_600


# -- cheap construction --------------------------------------------------------------------------

_new = object.__new__
_setattr = object.__setattr__


def _maker(cls: type, unset: Iterable[str] = ()) -> Callable[..., Any]:
    """A constructor for ``cls`` from trusted values: every field must be passed, by keyword.

    It does what ``cls.model_construct(**values)`` does, without its per-field loop. Each
    ``__dict__`` is a copy of a prototype that was filled field by field, so CPython keeps it as
    a key-sharing dict (the values only: about half the size of a plain dict of the same
    fields). All instances share one fields-set (see the module docstring). A missing or
    unknown field is a TypeError.
    """
    names = tuple(cls.model_fields)
    if {"obj", "values", "cls", "prototype", "fields_set", "_new", "_setattr"} & set(names):
        raise TypeError(f"{cls.__name__} has a field named like a local of the maker")
    specimen = _new(cls)
    for name in names:  # in field order: this fixes the class's shared key table
        _setattr(specimen, name, None)
    source = "".join(
        [f"def make(*, {', '.join(names)}):\n", "    values = prototype.copy()\n"]
        + [f"    values[{name!r}] = {name}\n" for name in names]
        + [
            "    obj = _new(cls)\n",
            "    _setattr(obj, '__dict__', values)\n",
            "    _setattr(obj, '__pydantic_fields_set__', fields_set)\n",
            "    _setattr(obj, '__pydantic_extra__', {})\n",
            "    _setattr(obj, '__pydantic_private__', None)\n",
            "    return obj\n",
        ]
    )
    namespace: dict[str, Any] = {
        "_new": _new,
        "_setattr": _setattr,
        "cls": cls,
        "prototype": specimen.__dict__,
        "fields_set": set(names).difference(unset),
    }
    exec(source, namespace)
    return namespace["make"]


_ITEM = _maker(Item, unset=("search_highlights", "search_score"))
_LEVEL = _maker(Level)
_DIMS = _maker(Dimensions)
_LOT = _maker(Lot)
_LAYOUT = _maker(Layout)
_LOCATION = _maker(Location)
_ADDRESS = _maker(Address)
_CONTACT = _maker(Contact)
_MANIFEST = _maker(Manifest)
_MANIFEST_LINE = _maker(ManifestLine)
_FULFILLMENT = _maker(Fulfillment)
_FULFILLMENT_LINE = _maker(FulfillmentLine)
_ALLOCATION = _maker(Allocation)
_PARCEL = _maker(Parcel)
_PARCEL_LINE = _maker(ParcelLine)


# -- vocabulary ----------------------------------------------------------------------------------
#
# The catalogue is a small text format, so the word lists stay readable: a ``category`` line
# (code | name | share of the catalogue) starts a category, a ``product`` line (name | SKU code |
# subcategory) a product; the other lines fill in the current one. ``spec`` is: attribute names
# of a, v1, v2 | price in cents | length width height (in) weight (lb) | HS code | shelf life in
# days ("-": none). Option lists are ``display:code[:multiplier]`` separated by ``|`` (a repeated
# key continues the list; ``$NAME`` is a shared list). A display may be empty (``:``, the option
# adds nothing to the name) or carry its own separator (``, 6-pack``). In ``fmt``, {b} is the
# brand, {p} the product, {a}, {v1}, {v2} its options. Categories marked ``lots`` track lots for
# all their products; elsewhere products with a shelf life do, unless marked ``untracked``.


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


_SHARED_OPTIONS = {
    "PACKS": "10-pack:010:0.3|25-pack:025:0.6|50-pack:050:1|100-pack:100:1.8",
    "METRIC": "M4:M4:0.5|M5:M5:0.6|M6:M6:0.7|M8:M8|M10:M10:1.4|M12:M12:1.9|M16:M16:2.6",
    "COLORS": "Navy:NVY|Black:BLK|White:WHT|Heather Gray:HGR|Olive:OLV|Burgundy:BRG"
    "|Royal Blue:RBL|Forest Green:FGR|Charcoal:CHR|Sand:SND|Red:RED|Sky Blue:SKY",
    "SIZES": "XS:XS:0.9|S:S:0.95|M:M|L:L:1.05|XL:XL:1.1|2XL:2XL:1.15|3XL:3XL:1.2",
    "DEVICE": "Black:BK|White:WH|Gray:GY|Red:RD|Blue:BL",
    "CASE": ":|, 6-pack:06:5.6|, 12-pack:12:10.8",
    "CASE24": ":|, 6-pack:06:5.6|, 12-pack:12:10.8|, 24-pack:24:20",
    "SCENTS": "Lemon:LEM|Lavender:LAV|Unscented:UNS|Fresh Linen:LIN|Eucalyptus:EUC"
    "|Ocean Breeze:OCN|Orange Blossom:ORB|Green Apple:GAP",
    "CABLE": "0.5 m:05:0.8|1 m:1M|2 m:2M:1.2|3 m:3M:1.4",
    "MILK": "1 L:1L|946 ml:946|1.89 L:189:1.7|250 ml:250:0.4",
}

_CATALOGUE = """
category HW | Hardware | 0.22
origins CN TW US DE IN MX VN
brands Northwind, Ironclad, Keystone, Granite Ridge, Fastline, Torqwell, Stanmore, Ridgeback
brands Hartwell, Tradesman, Forgecraft, Millbrook, Summit Tool, Blackhawk, Redline, Copperhead
brands Anvilstone, Pioneer, Crestline, Boltmaster
brands Steelhead, Oakridge, Benchmark, Truelock, Holdfast, Ironside, Quarryman, Gridline
brands Mason & Vale, Irongate, Toolcraft, Brightforge, Stonewall, Hammerhead, Kingsbolt
brands Trueline, Fenwick, Ashgrove, Corbel, Sturdee

product Hex Bolt | BOLT | Fasteners
spec finish size pack | 1299 | 4 3 2 1.2 | 7318.15 | -
fmt {b} {a} {p} {v1} ({v2})
a Stainless:SS:1.6|Zinc-Plated:ZP|Galvanized:GV:1.1|Black Oxide:BO:1.2|Grade 8 Steel:G8:1.4
a Brass:BR:2
v1 M5x20:M5X20:0.6|M6x25:M6X25:0.7|M6x40:M6X40:0.8|M8x30:M8X30|M8x40:M8X40:1.1
v1 M8x60:M8X60:1.25|M10x50:M10X50:1.5|M10x80:M10X80:1.8|M12x60:M12X60:2.2
v1 M12x100:M12X100:2.8
v2 $PACKS
blurb Fully threaded hex-head bolt for machinery, framing and general fastening.
syn hex cap screw machine bolt

product Hex Nut | NUT | Fasteners
spec finish size pack | 699 | 3 2 1.5 0.6 | 7318.16 | -
fmt {b} {a} {p} {v1} ({v2})
a Stainless:SS:1.6|Zinc-Plated:ZP|Galvanized:GV:1.1|Nylon-Insert Lock:NL:1.3
a Grade 8 Steel:G8:1.4|Brass:BR:2
v1 $METRIC
v2 $PACKS
blurb Metric hex nut with coarse thread, to pair with hex bolts and threaded rod.
syn nut nyloc

product Flat Washer | WSHR | Fasteners
spec finish size pack | 549 | 3 2 1 0.4 | 7318.22 | -
fmt {b} {a} {p} {v1} ({v2})
a Stainless:SS:1.6|Zinc-Plated:ZP|Galvanized:GV:1.1|Fender:FN:1.2|Nylon:NY:0.8
v1 $METRIC
v2 $PACKS
blurb Flat round washer that spreads the load of a bolt or screw head.
syn washer spacer

product Wood Screw | WSCR | Fasteners
spec finish size pack | 899 | 4 3 1.5 0.9 | 7318.12 | -
fmt {b} {a} {p} {v1} ({v2})
a Zinc-Plated:ZP|Yellow Zinc:YZ|Stainless:SS:1.7|Black Phosphate:BP|Coated Deck:CD:1.3
v1 #6 x 1 in:6X1:0.6|#8 x 1-1/4 in:8X125:0.8|#8 x 2 in:8X2|#10 x 2-1/2 in:10X25:1.3
v1 #10 x 3 in:10X3:1.5|#12 x 3-1/2 in:12X35:1.9
v2 50-pack:050:0.5|100-pack:100|250-pack:250:2.2|1 lb box:1LB:1.6
blurb Sharp-point wood screw with a Phillips/square combo drive.
syn deck screw timber screw

product Drywall Anchor | ANCH | Fasteners
spec type size pack | 699 | 5 3 1 0.3 | 3926.90 | -
fmt {b} {a} {p} {v1} ({v2})
a Plastic:PL:0.7|Zinc:ZN|Self-Drilling:SD:1.2|Toggle:TG:1.6|Nylon:NY:0.9
v1 #6:6:0.8|#8:8|#10:10:1.1|1/4 in:025:1.3|3/8 in:038:1.6
v2 10-pack:010:0.4|25-pack:025|50-pack:050:1.8|100-pack:100:3.2
blurb Wall anchor for hanging shelves, mirrors and fixtures on drywall.
syn wall plug

product Cable Ties | CTIE | Fasteners
spec material length pack | 599 | 9 3 1 0.3 | 3926.90 | -
fmt {b} {a} {p} {v1} ({v2})
a Nylon:NY|UV-Resistant Black:UV:1.2|Heavy-Duty:HD:1.5|Releasable:RL:1.4|Stainless Steel:SS:3
v1 4 in:04:0.4|8 in:08:0.7|11 in:11|14 in:14:1.3|20 in:20:1.8
v2 100-pack:100|500-pack:500:4|1000-pack:1K:7
blurb Self-locking cable tie for bundling cords, hoses and wiring.
syn zip ties tie wraps

product Hose Clamp | HCLP | Plumbing
spec type size pack | 1199 | 4 4 2 0.5 | 7326.90 | -
fmt {b} {a} {p} {v1} ({v2})
a Stainless:SS|Worm-Drive:WD:0.9|Spring Steel:SP:0.8|T-Bolt:TB:2.2|Zinc-Plated:ZP:0.7
v1 1/2 in:050:0.7|3/4 in:075:0.8|1 in:100:0.9|1-1/2 in:150|2 in:200:1.1|3 in:300:1.3
v1 4 in:400:1.5
v2 2-pack:02:0.3|10-pack:10|25-pack:25:2.2
blurb Adjustable band clamp for hoses and ducting.
syn jubilee clip

product Door Hinge | HNGE | Hardware
spec finish size pack | 1099 | 5 4 1 0.7 | 8302.10 | -
fmt {b} {a} {p} {v1} ({v2})
a Satin Nickel:SN|Oil-Rubbed Bronze:ORB:1.2|Polished Brass:PB:1.2|Matte Black:MB:1.1
a Stainless:SS:1.4
v1 3 in:3:0.8|3-1/2 in:35|4 in:4:1.2|4-1/2 in:45:1.4
v2 1-pack:01:0.4|2-pack:02:0.7|3-pack:03|24-pack:24:6.5
blurb Residential butt hinge with removable pin and screws included.
syn butt hinge

product Padlock | PDLK | Hardware
spec type size pack | 1499 | 4 3 1.5 0.6 | 8301.10 | -
fmt {b} {a} {p} {v1} ({v2})
a Laminated Steel:LS|Brass:BR:1.2|Weatherproof:WP:1.5|Keyed-Alike:KA:1.3|Combination:CB:1.1
a Shrouded:SH:1.8
v1 30 mm:30:0.7|40 mm:40|50 mm:50:1.3|60 mm:60:1.7
v2 1-pack:1|2-pack:2:1.8|4-pack:4:3.4
blurb Padlock with hardened shackle for gates, lockers and storage.
syn lock

product Tape Measure | TAPE | Hand Tools
spec type length color | 1799 | 3.5 3.5 2 0.9 | 9017.80 | -
fmt {b} {a} {p} {v1}, {v2}
a Magnetic-Tip:MT:1.2|Compact:CP:0.8|Heavy-Duty:HD:1.3|Fiberglass:FG:1.5|Autolock:AL
v1 12 ft:12:0.7|16 ft:16:0.85|25 ft:25|30 ft:30:1.15|35 ft:35:1.3
v2 Yellow:YL|Black:BK|Orange:OR|Red:RD
blurb Retractable steel tape with nylon-coated blade and belt clip.
syn measuring tape tape rule

product Utility Knife | UKNF | Hand Tools
spec type blade blades | 1299 | 7 2 1 0.4 | 8211.93 | -
fmt {b} {a} {p} {v1} {v2}
a Retractable:RT|Folding:FD:1.2|Snap-Off:SO:0.7|Auto-Loading:AU:1.4|Safety:SF:1.3
v1 9 mm:09:0.8|18 mm:18|25 mm:25:1.2
v2 with 5 Blades:05|with 10 Blades:10:1.2|with 50 Blades:50:1.8
blurb Box cutter with quick blade change, for opening cartons and cutting strapping.
syn box cutter carton knife

product Drill Bit Set | DBIT | Hand Tools
spec material pieces range | 2999 | 8 4 1.5 1.4 | 8207.50 | -
fmt {b} {a} {p} {v1} ({v2})
a Titanium-Coated:TI|Cobalt:CO:1.6|Black Oxide:BO:0.8|Masonry:MA:0.9|Brad-Point:BP|HSS:HS:0.9
v1 5-piece:05:0.4|13-piece:13:0.8|21-piece:21|29-piece:29:1.4
v2 1/16-1/4 in:SAE4|1/16-1/2 in:SAE8:1.3|1-10 mm:M10|3-13 mm:M13:1.3
blurb Drill bits in a hard case with size markings.
syn twist drill bits

product Duct Tape | DUCT | Hardware
spec type size color | 899 | 5 5 2 0.8 | 5906.10 | -
fmt {b} {a} {p} {v2}, {v1}
a All-Weather:AW|Heavy-Duty:HD:1.3|Cloth:CL:1.1|Waterproof:WP:1.4|Professional:PR:1.2
v1 48 mm x 20 m:4820:0.6|48 mm x 55 m:4855|72 mm x 50 m:7250:1.4
v2 Silver:SV|Black:BK|White:WH|Red:RD|Blue:BL|Green:GN|Yellow:YL|Orange:OR
blurb Cloth-backed tape with strong adhesive for quick repairs.
syn gaffer tape

product Extension Cord | EXTC | Electrical
spec type length gauge | 1999 | 10 10 3 2.5 | 8544.42 | -
fmt {b} {a} {p} {v1} {v2}
a Indoor:IN|Outdoor:OD:1.3|Heavy-Duty:HD:1.6|Flat-Plug:FP:1.1|Lighted-End:LE:1.2
v1 6 ft:06:0.5|10 ft:10:0.6|25 ft:25|50 ft:50:1.7|100 ft:100:3
v2 16 AWG:16|14 AWG:14:1.3|12 AWG:12:1.6
blurb Three-prong grounded extension cord, UL listed.
syn power cord lead

product PVC Elbow | PVCE | Plumbing
spec rating size angle | 249 | 3 3 2 0.2 | 3917.40 | -
fmt {b} {a} {p} {v2} {v1}
a Schedule 40:S40|Schedule 80:S80:1.6|DWV:DWV:0.9|Slip x Slip:SXS|Threaded:THR:1.3
v1 1/2 in:050:0.4|3/4 in:075:0.5|1 in:100:0.7|1-1/4 in:125:0.9|1-1/2 in:150|2 in:200:1.4
v1 3 in:300:2.4|4 in:400:3.5
v2 90 Degree:90|45 Degree:45
blurb Pipe fitting for solvent-weld PVC plumbing and drainage.
syn pipe fitting

product Shelf Bracket | SBRK | Hardware
spec material size color | 699 | 10 8 1 0.9 | 8302.50 | -
fmt {b} {a} {p} {v1}, {v2}
a Steel:ST|Heavy-Duty:HD:1.5|Decorative:DC:1.8|Powder-Coated:PC:1.2|Galvanized:GV:1.1
v1 6 x 8 in:0608:0.7|8 x 10 in:0810|10 x 12 in:1012:1.3|12 x 14 in:1214:1.6
v2 White:WH|Black:BK|Gray:GY|Brushed Nickel:BN:1.3
blurb L-shaped shelf bracket with pre-drilled mounting holes.
syn shelf support

category FB | Food & Beverage | 0.18
lots
origins US CA MX IT ES FR DE
brands Alpine, Meadowbrook, Sunfield, Harvest Moon, Blue Ridge, Golden Acre, Riverbend
brands Orchard Lane, Wildflower, Coastal Kitchen, Prairie Gold, Maple Hollow, Green Valley
brands Stonebridge, Tidewater, Hearthstone, Silver Creek, Nordic Table, Bellavista, Little Farm
brands Sunny Hollow, Oak & Honey, Pacific Grove, Copper Kettle, Morning Field, Bluestem
brands Cedar Springs, Twin Oaks, Lakeshore, Red Barn, Wheatland, Mountain Spring, Fig & Olive
brands Three Rivers, Westfield Farms, Brookside, Honeycomb, Clearwater, Sweetgrass, Terra Verde

product Oat Milk | OATM | Dairy Alternatives
spec variety size pack | 449 | 3 3 8 2.3 | 2202.99 | 240
fmt {b} {a} {p} {v1}{v2}
a Original:ORG|Organic:OGC:1.2|Barista:BAR:1.15|Unsweetened:UNS|Chocolate:CHO:1.1
a Vanilla:VAN:1.1|Extra Creamy:XCR:1.1
v1 $MILK
v2 $CASE
blurb Plant-based oat drink, shelf-stable until opened.
syn oat drink non-dairy

product Almond Milk | ALMM | Dairy Alternatives
spec variety size pack | 429 | 3 3 8 2.3 | 2202.99 | 300
fmt {b} {a} {p} {v1}{v2}
a Original:ORG|Organic:OGC:1.2|Unsweetened:UNS|Vanilla:VAN:1.1|Chocolate:CHO:1.1
a Protein:PRO:1.3
v1 $MILK
v2 $CASE
blurb Almond drink fortified with calcium and vitamin D.
syn almond drink non-dairy

product Sparkling Water | SPWT | Beverages
spec flavor size pack | 129 | 2.6 2.6 5 0.8 | 2201.10 | 540
fmt {b} {a} {p} {v1}{v2}
a Lime:LIM|Grapefruit:GRP|Lemon:LEM|Black Cherry:BCH|Raspberry:RSP|Unflavored:UNF|Mango:MNG
a Cucumber Mint:CMT|Blood Orange:BLO|Peach:PCH
v1 330 ml:330|355 ml:355|500 ml:500:1.3|1 L:1L:2
v2 $CASE24
blurb Naturally flavored carbonated water, no sugar added.
syn seltzer soda water

product Cold Brew Coffee | CBRW | Coffee & Tea
spec flavor size pack | 349 | 2.5 2.5 6 0.8 | 2101.12 | 180
fmt {b} {a} {p} {v1}{v2}
a Black:BLK|Vanilla:VAN|Mocha:MOC|Caramel:CAR|Oat Milk Latte:OML:1.2|Unsweetened:UNS
v1 250 ml:250|325 ml:325:1.2|1 L:1L:2.6|1.5 L:15L:3.4
v2 $CASE
blurb Slow-steeped cold brew, ready to drink. Keep chilled once opened.
syn iced coffee rtd

product Whole Bean Coffee | WBCF | Coffee & Tea
spec roast size origin | 1299 | 4 3 8 0.8 | 0901.21 | 365
fmt {b} {v2} {a} {p} {v1}
a Light Roast:LR|Medium Roast:MR|Dark Roast:DR|Espresso Roast:ER|Decaf:DC:1.1
a French Roast:FR|Organic House Blend:OH:1.2
v1 340 g:340|454 g:454:1.3|907 g:907:2.4|2.27 kg:2K:5.5
v2 Colombia:COL|Ethiopia:ETH:1.15|Guatemala:GUA|Sumatra:SUM:1.1|Brazil:BRA:0.95
v2 Kenya:KEN:1.2|Costa Rica:CRI:1.1
blurb Small-batch roasted whole bean coffee in a valve bag.
syn coffee beans

product Green Tea | GTEA | Coffee & Tea
spec variety size pack | 499 | 5 3 3 0.2 | 0902.10 | 720
fmt {b} {a} {p} {v1}{v2}
a Jasmine:JAS|Sencha:SEN|Matcha:MAT:1.8|Mint:MNT|Lemon Ginger:LGN|Decaf:DEC|Organic:OGC:1.2
v1 20 bags:20|40 bags:40:1.8|100 bags:100:4|Loose Leaf 100 g:L100:2.2
v2 $CASE
blurb Whole-leaf green tea, individually sealed for freshness.
syn tea bags

product Granola | GRNL | Pantry
spec flavor size pack | 549 | 6 2.5 9 0.8 | 1904.20 | 300
fmt {b} {a} {p} {v1}{v2}
a Honey Almond:HAL|Maple Pecan:MPC|Dark Chocolate:DCH|Cranberry Walnut:CWL
a Coconut Cashew:CCS|Vanilla Blueberry:VBL|Low-Sugar:LSG
v1 300 g:300|500 g:500:1.5|1 kg:1K:2.7
v2 $CASE
blurb Oven-baked whole grain granola clusters.
syn muesli cereal

product Pasta | PSTA | Pantry
spec variety shape size | 249 | 8 3 2 1.1 | 1902.19 | 730
fmt {b} {a} {v1} {p} {v2}
a Durum Wheat:DW|Whole Wheat:WW|Gluten-Free:GF:1.5|Organic:OG:1.3|Bronze-Cut:BC:1.4
a Chickpea:CP:1.7
v1 Penne:PEN|Spaghetti:SPA|Fusilli:FUS|Rigatoni:RIG|Linguine:LIN|Farfalle:FAR
v1 Orecchiette:ORE|Macaroni:MAC
v2 500 g:500|1 kg:1K:1.8|5 kg:5K:7.5
blurb Dried pasta made from 100% durum wheat semolina.
syn noodles macaroni

product Olive Oil | OLIV | Pantry
spec grade size origin | 1199 | 3 3 11 3.3 | 1509.20 | 540
fmt {b} {v2} {a} {p} {v1}
a Extra Virgin:EV|Organic Extra Virgin:OEV:1.3|Light:LT:0.9|Cold-Pressed:CP:1.1
a Unfiltered:UF:1.2
v1 250 ml:250:0.4|500 ml:500:0.7|750 ml:750|1 L:1L:1.3|3 L:3L:3.5
v2 Spanish:ES|Italian:IT:1.2|Greek:GR:1.1|Californian:CA:1.3|Tunisian:TN:0.9
blurb First cold-pressed olive oil in a dark glass bottle.
syn evoo cooking oil

product Protein Bar | PBAR | Snacks
spec flavor size pack | 249 | 5 2 0.8 0.15 | 1905.90 | 365
fmt {b} {a} {p} {v1}{v2}
a Peanut Butter:PB|Chocolate Chip:CC|Cookie Dough:CD|Salted Caramel:SC|Almond Coconut:AC
a Birthday Cake:BC|Double Chocolate:DC
v1 45 g:45|60 g:60:1.2
v2 :|, 12-count:12:10|, 24-count:24:19
blurb High-protein snack bar with 20 g of protein.
syn energy bar snack

product Trail Mix | TMIX | Snacks
spec variety size pack | 499 | 6 2 8 0.5 | 2008.19 | 240
fmt {b} {a} {p} {v1}{v2}
a Classic:CLS|Tropical:TRP|Sweet & Salty:SNS|Omega-3:OM3:1.2|Unsalted:UNS
a Dark Chocolate:DCH:1.1
v1 200 g:200|400 g:400:1.8|1 kg:1K:4
v2 $CASE
blurb Roasted nuts, seeds and dried fruit in a resealable bag.
syn nut mix snack

product Peanut Butter | PNBT | Pantry
spec variety size pack | 399 | 3.5 3.5 5 1.1 | 2008.11 | 540
fmt {b} {a} {p} {v1}{v2}
a Creamy:CRM|Crunchy:CRN|Natural Creamy:NCM:1.2|Natural Crunchy:NCN:1.2
a Honey Roasted:HNY:1.1|Unsalted:UNS
v1 340 g:340|510 g:510:1.4|1 kg:1K:2.5
v2 :|, 2-pack:02:1.9|, 6-pack:06:5.6
blurb Roasted peanut spread, no hydrogenated oils.
syn nut butter

product Chickpeas | CHKP | Pantry
spec variety size pack | 179 | 3 3 4.5 1 | 2005.99 | 900
fmt {b} {a} {p} {v1}{v2}
a Organic:OGC:1.3|Low-Sodium:LSD|No Salt Added:NSA|Classic:CLS
v1 400 g:400|800 g:800:1.8|2.5 kg:25K:5
v2 :|, 4-pack:04:3.8|, 12-pack:12:11
blurb Cooked chickpeas in lightly salted water, BPA-free can.
syn garbanzo beans canned

product Electrolyte Drink | ELYT | Beverages
spec flavor size pack | 219 | 2.8 2.8 8 1.2 | 2202.99 | 365
fmt {b} {a} {p} {v1}{v2}
a Lemon Lime:LLM|Orange:ORG|Fruit Punch:FPU|Berry:BRY|Watermelon:WML|Coconut:CCN
a Zero Sugar Citrus:ZSC
v1 500 ml:500|750 ml:750:1.3|1 L:1L:1.6
v2 $CASE24
blurb Hydration drink with sodium and potassium.
syn sports drink isotonic

product Rice | RICE | Pantry
spec variety size pack | 349 | 8 4 2.5 2.2 | 1006.30 | 720
fmt {b} {a} {p} {v1}{v2}
a Jasmine:JAS|Basmati:BAS:1.2|Long Grain:LGR|Brown:BRN|Arborio:ARB:1.4|Wild Blend:WLD:1.5
a Sushi:SUS:1.2
v1 1 kg:1K|2 kg:2K:1.8|5 kg:5K:4.2|10 kg:10K:8
v2 :|, 4-pack:04:3.8
blurb Premium milled rice, sorted and cleaned.
syn grain

category PH | Health & Pharmacy | 0.14
lots
origins US CA IN DE CH MY CN
brands Kestrel, Meridian, Clearwell, Vitalis, CareFirst, Nuvia, Apex Health, Purelife, Healwell
brands Sanora, Wellspring, Lumina Health, Evercare, Calmora, Novacare, Brightleaf, Curant
brands Ostara, Remedia, Sentinel Medical
brands Medica, Ardent, Veritas Care, Solace, Corvida, Zenova, Pharmacrest, Trueheal, Aurelia
brands Mendwell, Halcyon, Vitacore, Bonavita, Restora, Clarity Health, Northstar Health
brands Everwell, Safeguard, Renewa, Pulse Health

product Nitrile Gloves | NGLV | Medical Supplies
spec type size pack | 1299 | 9.5 5 3 1.4 | 4015.19 | 1095
fmt {b} {a} {p} {v1}{v2}
a Powder-Free:PF|Exam-Grade:EX:1.1|Heavy-Duty:HD:1.4|Textured:TX:1.1|Extended-Cuff:EC:1.3
a Black:BK:1.2
v1 Small:S|Medium:M|Large:L|X-Large:XL
v2 , Box of 100:100|, Box of 200:200:1.9|, Case of 1000:1K:9
blurb Latex-free disposable nitrile gloves, ambidextrous.
syn exam gloves disposable gloves

product Ibuprofen Tablets | IBUP | Pain Relief
spec form strength count | 799 | 2.5 2.5 4.5 0.3 | 3004.90 | 1095
fmt {b} {a} {p} {v1}{v2}
a Coated:CT|Fast-Acting:FA:1.2|Liquid-Gel:LG:1.4|Junior:JR:1.1|Extra Strength:XS:1.2
v1 200 mg:200|400 mg:400:1.5
v2 , 24 count:024:0.4|, 50 count:050:0.7|, 100 count:100|, 200 count:200:1.7
v2 , 500 count:500:3.6
blurb Pain reliever and fever reducer (NSAID).
syn nsaid pain reliever

product Acetaminophen Caplets | ACET | Pain Relief
spec form strength count | 749 | 2.5 2.5 4.5 0.3 | 3004.90 | 1095
fmt {b} {a} {p} {v1}{v2}
a Regular:RG|Extra Strength:XS:1.2|Rapid Release:RR:1.3|Arthritis:AR:1.4|PM:PM:1.3
v1 325 mg:325|500 mg:500:1.2|650 mg:650:1.4
v2 , 24 count:024:0.4|, 50 count:050:0.7|, 100 count:100|, 225 count:225:1.9
blurb Pain reliever and fever reducer.
syn paracetamol

product Vitamin D3 Softgels | VITD | Vitamins
spec type strength count | 899 | 2.5 2.5 4.5 0.25 | 2106.90 | 730
fmt {b} {a} {p} {v1}{v2}
a Daily:DY|High-Potency:HP:1.3|Vegan:VG:1.5|Once-Weekly:OW:1.4|With K2:K2:1.6
v1 400 IU:0400|1000 IU:1000|2000 IU:2000:1.2|5000 IU:5000:1.4
v2 , 60 count:060:0.6|, 120 count:120|, 240 count:240:1.8
blurb Dietary supplement for bone and immune health.
syn vitamin d cholecalciferol

product Multivitamin Tablets | MVIT | Vitamins
spec formula count pack | 1499 | 2.8 2.8 5 0.4 | 2106.90 | 730
fmt {b} {a} {p}{v1}{v2}
a Women's:WMN|Men's:MEN|Adult 50+:A50|Prenatal:PRN:1.3|Kids' Chewable:KID|Daily:DLY
v1 , 60 count:060:0.6|, 90 count:090:0.8|, 150 count:150|, 300 count:300:1.8
v2 :|, 2-pack:02:1.9
blurb Complete multivitamin and mineral supplement.
syn multi vitamin supplement

product Hand Sanitizer Gel | HSAN | Personal Care
spec scent size pack | 599 | 3 2 7 1.2 | 3808.94 | 1095
fmt {b} {a} {p} {v1}{v2}
a Aloe:ALO|Unscented:UNS|Lavender:LAV|Citrus:CIT|Moisturizing:MST|Foaming:FOM:1.1
v1 59 ml:059:0.2|236 ml:236:0.6|500 ml:500|1 L:1L:1.7|3.8 L:38L:5
v2 $CASE
blurb 70% alcohol hand sanitizer gel.
syn hand gel alcohol

product Adhesive Bandages | BAND | First Aid
spec type size count | 599 | 4 3 2 0.2 | 3005.10 | 1095
fmt {b} {a} {p} {v1}, {v2}
a Assorted:AST|Fabric:FAB:1.1|Waterproof:WPF:1.2|Sheer:SHR|Kids' Printed:KID:1.2
a Heavy-Duty:HDY:1.3
v1 Standard:STD|Large:LRG:1.2|Knuckle & Fingertip:KNF:1.1|Extra Large:XL:1.4
v2 20 count:020:0.4|40 count:040:0.7|100 count:100|200 count:200:1.8
blurb Sterile adhesive bandages with non-stick pad.
syn plasters first aid strips

product Saline Nasal Spray | SALN | Cold & Allergy
spec type size pack | 599 | 1.5 1.5 5 0.2 | 3004.90 | 730
fmt {b} {a} {p} {v1}{v2}
a Gentle Mist:GM|Hypertonic:HT:1.2|Kids':KD|Moisturizing:MS:1.1|Allergy Relief:AR:1.3
v1 30 ml:30|45 ml:45:1.3|90 ml:90:2
v2 :|, 2-pack:02:1.9|, 3-pack:03:2.7
blurb Drug-free saline spray for dry or stuffy noses.
syn nasal mist

product Digital Thermometer | DTHM | Medical Supplies
spec type color pack | 1199 | 6 2 1 0.2 | 9025.19 | -
fmt {b} {a} {p} {v1}{v2}
a Oral:OR|Forehead:FH:2|Ear:EA:2.5|Flexible-Tip:FT:1.2|Infrared No-Touch:IR:3
v1 White:WH|Blue:BL|Gray:GY
v2 :|, 2-pack:02:1.9|, Clinic 10-pack:10:8.5
blurb Fast-reading digital thermometer with fever alert.
syn fever thermometer

product Face Masks | FMSK | Medical Supplies
spec type color pack | 1299 | 7 4 4 0.6 | 6307.90 | 1460
fmt {b} {a} {p} {v1}{v2}
a 3-Ply:3PL|KN95:K95:2.5|Surgical:SRG:1.3|Kids':KID|Earloop:ELP|Tie-On:TIE:1.2
v1 Blue:BL|White:WH|Black:BK|Pink:PK
v2 , Box of 10:010:0.25|, Box of 50:050|, Case of 500:500:8.5
blurb Disposable face masks with adjustable nose wire.
syn mask respirator

product Antiseptic Wipes | AWIP | First Aid
spec type size count | 699 | 5 3 3 0.5 | 3005.90 | 730
fmt {b} {a} {p} {v1}{v2}
a Alcohol:ALC|Benzalkonium:BZK:1.2|Chlorhexidine:CHG:1.6|Individually Wrapped:IWR:1.3
v1 Small:S|Medium:M:1.2|Large:L:1.5
v2 , 100 count:100|, 200 count:200:1.8|, 1000 count:1K:8
blurb Single-use antiseptic towelettes for skin prep.
syn prep pads alcohol swabs

product Cough Syrup | CSYR | Cold & Allergy
spec flavor size pack | 899 | 2.5 2.5 6 0.6 | 3004.90 | 720
fmt {b} {a} {p} {v1}{v2}
a Honey Lemon:HL|Cherry:CH|Sugar-Free:SF:1.1|Nighttime:NT:1.2|Non-Drowsy:ND:1.1|Kids':KD
v1 120 ml:120|180 ml:180:1.4|240 ml:240:1.8
v2 :|, 2-pack:02:1.9
blurb Cough suppressant and expectorant syrup.
syn cough medicine

product Allergy Relief Tablets | ALRG | Cold & Allergy
spec ingredient strength count | 999 | 2.5 2.5 4 0.2 | 3004.90 | 900
fmt {b} {a} {p} {v1}{v2}
a Loratadine:LOR|Cetirizine:CET|Fexofenadine:FEX:1.3|Non-Drowsy:NDR|24-Hour:24H:1.1
v1 5 mg:05|10 mg:10:1.2|180 mg:180:1.5
v2 , 30 count:030|, 90 count:090:2.4|, 365 count:365:7
blurb Antihistamine for seasonal allergy relief.
syn antihistamine hay fever

product Elastic Bandage Wrap | EBND | First Aid
spec type width pack | 599 | 4 4 3 0.3 | 3005.90 | 1825
fmt {b} {a} {p} {v1}{v2}
a Latex-Free:LF|Self-Closure:SC:1.2|Sports:SP:1.1|Heavy-Compression:HC:1.3
v1 2 in:2:0.7|3 in:3|4 in:4:1.2|6 in:6:1.5
v2 , 1 roll:01|, 2 rolls:02:1.8|, 10 rolls:10:8
blurb Reusable elastic compression bandage with clips.
syn compression wrap

product Lubricant Eye Drops | EYED | Eye Care
spec type size pack | 899 | 2 1.5 4 0.1 | 3004.90 | 540
fmt {b} {a} {p} {v1}{v2}
a Dry Eye Relief:DRY|Preservative-Free:PFR:1.3|Redness Relief:RED|Allergy:ALG:1.1
a Contact Lens Rewetting:CLR|Gel:GEL:1.2
v1 10 ml:10|15 ml:15:1.3|30 ml:30:2
v2 :|, 2-pack:02:1.9|, 3-pack:03:2.7
blurb Soothing lubricant eye drops for dry, irritated eyes.
syn artificial tears

product Antacid Chewable Tablets | ANTC | Digestive Health
spec flavor strength count | 599 | 2.5 2.5 4.5 0.4 | 3004.90 | 900
fmt {b} {a} {p} {v1}{v2}
a Assorted Fruit:FRT|Peppermint:PEP|Tropical:TRO|Berry:BRY|Cherry:CHY|Wintergreen:WGR
v1 Regular Strength:RS|Extra Strength:XS:1.2|Ultra Strength:US:1.4
v2 , 32 count:032:0.5|, 72 count:072|, 96 count:096:1.3|, 160 count:160:2
blurb Fast relief of heartburn and acid indigestion.
syn heartburn relief calcium carbonate

category AP | Apparel | 0.16
origins BD VN CN IN PK KH TR MX US PT
brands Harbor, Summit, Trailhead, Bluewater, Northbound, Foxglove, Ashford, Timberline
brands Coastline, Urban Thread, Ridgeway, Cedar & Pine, Driftwood, Westport, Ironwood
brands Fieldcrest, Saltmarsh, Highland, Bramble, Outpost

product Crew T-Shirt | TSHT | Tops
spec material color size | 1499 | 10 8 1 0.4 | 6109.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Cotton:COT|Organic Cotton:OGC:1.3|Tri-Blend:TRI:1.2|Performance:PRF:1.3
a Heavyweight:HVY:1.2|Slub Cotton:SLB:1.1
v1 $COLORS
v2 $SIZES
blurb Short-sleeve crew neck tee with tagless neck label.
syn tee shirt tshirt

product Hooded Sweatshirt | HOOD | Tops
spec material color size | 3999 | 12 10 3 1.3 | 6110.20 | -
fmt {b} {a} {p} {v1}, {v2}
a Fleece:FLC|Heavyweight:HVY:1.2|Zip-Up:ZIP:1.15|Recycled Fleece:RCF:1.1
a French Terry:FTR:1.1
v1 $COLORS
v2 $SIZES
blurb Pullover hoodie with kangaroo pocket and lined hood.
syn hoodie sweater

product Work Pants | WPNT | Bottoms
spec material color size | 4499 | 14 11 2 1.6 | 6203.42 | -
fmt {b} {a} {p} {v1}, {v2}
a Canvas:CNV|Ripstop:RIP|Stretch Twill:STW|Double-Knee:DKN:1.2|Flame-Resistant:FR:1.8
v1 Khaki:KHK|Black:BLK|Navy:NVY|Brown:BRN|Gray:GRY|Olive:OLV
v2 30x30:3030|30x32:3032|32x30:3230|32x32:3232|34x30:3430|34x32:3432|36x32:3632
v2 38x32:3832|40x32:4032|42x30:4230
blurb Durable work pants with utility and hammer-loop pockets.
syn trousers workwear

product Hiking Socks | SOCK | Accessories
spec material color size | 1599 | 8 4 1 0.2 | 6115.94 | -
fmt {b} {a} {p} {v1}, {v2}
a Merino:MER:1.4|Cushioned:CSH|Lightweight:LTW|Crew:CRW|Quarter:QTR|Compression:CMP:1.3
v1 Charcoal:CHR|Black:BLK|Navy:NVY|Olive:OLV|Gray:GRY|Brown:BRN|Red:RED
v2 S:S|M:M|L:L|XL:XL
blurb Cushioned-sole hiking sock with arch support.
syn socks

product Safety Vest | SVST | Workwear
spec type color size | 1299 | 11 9 1 0.4 | 6211.33 | -
fmt {b} {a} {p} {v1}, {v2}
a Hi-Vis Class 2:HV2|Hi-Vis Class 3:HV3:1.4|Mesh:MSH:0.9|Surveyor:SRV:1.6
a Breakaway:BRK:1.2
v1 Lime:LIM|Orange:ORG
v2 $SIZES
blurb High-visibility vest with reflective tape, ANSI/ISEA 107.
syn hi vis vest reflective

product Work Gloves | WGLV | Workwear
spec material color size | 1499 | 10 5 1 0.3 | 6116.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Leather:LTH|Cut-Resistant:CUT:1.4|Insulated:INS:1.3|Nitrile-Dipped:NTD:0.8
a Mechanic's:MEC|Cowhide Driver:CWD:1.2
v1 Gray:GRY|Black:BLK|Tan:TAN|Hi-Vis Yellow:HVY|Blue:BLU
v2 S:S|M:M|L:L|XL:XL|2XL:2XL
blurb Work gloves with reinforced palm and knit wrist.
syn gloves

product Rain Jacket | RJKT | Outerwear
spec type color size | 7999 | 13 11 3 1.4 | 6201.40 | -
fmt {b} {a} {p} {v1}, {v2}
a Packable:PCK|Insulated:INS:1.5|Waterproof:WPF:1.2|Softshell:SSH:1.3|3-Layer:3LR:1.8
v1 $COLORS
v2 $SIZES
blurb Breathable rain shell with taped seams and adjustable hood.
syn raincoat shell

product Baseball Cap | BCAP | Accessories
spec material color size | 2199 | 10 8 5 0.3 | 6505.00 | -
fmt {b} {a} {p} {v1}, {v2}
a Cotton Twill:TWL|Trucker:TRK|Wool Blend:WOL:1.3|Performance:PRF:1.2|Corduroy:CRD:1.2
v1 $COLORS
v2 Adjustable:ADJ|S/M:SM|L/XL:LXL
blurb Six-panel cap with curved brim.
syn hat cap

product Polo Shirt | POLO | Tops
spec material color size | 2999 | 11 9 1 0.5 | 6105.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Pique:PIQ|Performance:PRF:1.2|Moisture-Wicking:MWK:1.2|Long-Sleeve:LSL:1.3
a Stretch:STR:1.1
v1 $COLORS
v2 $SIZES
blurb Three-button polo with ribbed collar.
syn golf shirt

product Beanie | BEAN | Accessories
spec material color size | 1799 | 9 8 1 0.2 | 6505.00 | -
fmt {b} {a} {p} {v1}, {v2}
a Knit:KNT|Cuffed:CUF|Merino:MER:1.5|Fleece-Lined:FLL:1.2|Ribbed:RIB|Watch Cap:WCH
v1 $COLORS
v2 One Size:OS|Kids:KD:0.8
blurb Warm knit beanie with a snug fit.
syn toque winter hat

product Work Boots | WBOT | Footwear
spec type color size | 12999 | 13 9 5 4.5 | 6403.40 | -
fmt {b} {a} {p} {v1}, {v2}
a Steel-Toe:STL|Composite-Toe:CMP:1.1|Waterproof:WPF:1.15|Soft-Toe:SFT:0.9
a Insulated:INS:1.2
v1 Brown:BRN|Black:BLK|Wheat:WHT
v2 US 7:070|US 7.5:075|US 8:080|US 8.5:085|US 9:090|US 9.5:095|US 10:100|US 10.5:105
v2 US 11:110|US 11.5:115|US 12:120|US 13:130
blurb 6-inch leather work boot, slip-resistant outsole, ASTM F2413.
syn safety boots shoes

product Fleece Jacket | FJKT | Outerwear
spec style color size | 5499 | 13 11 3 1.2 | 6201.40 | -
fmt {b} {a} {p} {v1}, {v2}
a Full-Zip:FZ|Quarter-Zip:QZ:0.9|Sherpa:SH:1.3|Grid:GD:1.1|Recycled:RC
v1 $COLORS
v2 $SIZES
blurb Midweight fleece jacket with zip hand pockets.
syn fleece pullover

category EL | Electronics | 0.13
origins CN TW VN MY KR MX TH JP
brands Voltra, Lumen, Circuitry, Nexon, Ampere, Brightcell, Pulsar, Quanta, Tronix
brands Zenith Labs, Arclight, Ohmtek, Helix, Spectra, Cobalt, Signalwave, Maxcell, Vertex
brands Ionix, Photon
brands Kinetik, Lumos, Stratos, Nova Circuit, Boltron, Gigawatt, Luxon, Omnitek, Parallax
brands Radiant, Syntek, Teracell, Ultrabeam, Wavelink, Xenon, Polaris Tech, Dynamo, Fluxion
brands Microvolt, Corelink

product USB-C Cable | USBC | Cables
spec type length color | 1299 | 6 4 1 0.15 | 8544.42 | -
fmt {b} {p} {v1} {a} {v2}
a Braided:BRD:1.3|Fast-Charging:FST:1.1|Right-Angle:RAN:1.2|Thunderbolt 4:TB4:3
a Silicone:SIL:1.2
v1 $CABLE
v2 $DEVICE
blurb USB-C to USB-C cable, 60 W charging and data.
syn usb c cord charger cable

product Lightning Cable | LTNG | Cables
spec type length color | 1499 | 6 4 1 0.15 | 8544.42 | -
fmt {b} {p} {v1} {a} {v2}
a Braided:BRD:1.3|MFi-Certified:MFI:1.2|Right-Angle:RAN:1.2|Silicone:SIL:1.1|Coiled:COL:1.2
v1 $CABLE
v2 $DEVICE
blurb USB-A to Lightning charge and sync cable.
syn phone cable charger cord

product HDMI Cable | HDMI | Cables
spec type length pack | 1199 | 8 6 1.5 0.4 | 8544.42 | -
fmt {b} {a} {p} {v1}{v2}
a 4K:4K|8K:8K:1.6|High-Speed:HS|Active Optical:AOC:3|Slim:SLM:1.1
v1 1 m:1M:0.8|2 m:2M|3 m:3M:1.2|5 m:5M:1.5|10 m:10M:2.2
v2 :|, 2-pack:2:1.8|, 5-pack:5:4.2
blurb HDMI 2.1 cable with gold-plated connectors.
syn video cable

product LED Bulb | LEDB | Lighting
spec shape rating pack | 1299 | 9 5 5 0.7 | 8539.52 | -
fmt {b} {p} {a} {v1} ({v2})
a A19:A19|A21:A21:1.2|BR30:BR30:1.4|PAR38:PAR38:2|G25:G25:1.3|B11 Candelabra:B11:1.1
v1 6W 2700K:062700:0.8|6W 4000K:064000:0.8|9W 2700K:092700|9W 3000K:093000
v1 9W 5000K:095000|14W 2700K:142700:1.3|14W 5000K:145000:1.3|17W 3000K:173000:1.5
v1 17W 5000K:175000:1.5
v2 1-pack:01:0.3|4-pack:04|12-pack:12:2.6|24-pack:24:4.8
blurb Dimmable LED bulb, E26 base, 25,000-hour life.
syn light bulb lamp

product Alkaline Batteries | ALKB | Batteries
spec size pack grade | 1999 | 5 3 2 1.1 | 8506.10 | -
fmt {b} {v2} {a} {p} ({v1})
a AA:AA|AAA:AAA|C:C:1.6|D:D:1.9|9V:9V:2.4
v1 4-pack:04:0.3|8-pack:08:0.55|24-pack:24|48-pack:48:1.8|96-pack:96:3.4
v2 Standard:STD|Industrial:IND:0.9|Max Power:MAX:1.3
blurb Long-lasting 1.5 V alkaline batteries, 10-year storage life.
syn battery cells

product Wireless Mouse | WMSE | Computer Accessories
spec type color connection | 2499 | 5 3.5 2 0.3 | 8471.60 | -
fmt {b} {a} {p} {v2}, {v1}
a Ergonomic:ERG:1.3|Compact:CMP|Silent-Click:SIL:1.1|Vertical:VRT:1.5|Travel:TRV
a Gaming:GAM:2
v1 $DEVICE
v2 Bluetooth:BT|2.4 GHz:24G|Dual-Mode:DM:1.2
blurb Wireless mouse with adjustable DPI and 18-month battery.
syn computer mouse

product Power Bank | PWRB | Mobile Accessories
spec type capacity color | 2999 | 6 3 1 0.5 | 8507.60 | -
fmt {b} {a} {p} {v1}, {v2}
a Slim:SLM|Rugged:RGD:1.3|MagSafe-Compatible:MAG:1.5|Solar:SOL:1.4|Fast-Charging:FST:1.2
v1 5000 mAh:05K:0.6|10000 mAh:10K|20000 mAh:20K:1.6|26800 mAh:27K:2
v2 $DEVICE
blurb Portable battery pack with USB-C PD input and output.
syn portable charger battery pack

product Surge Protector | SURG | Electrical
spec type cord rating | 2499 | 12 4 2 1.5 | 8536.30 | -
fmt {b} {a} {p} {v1} Cord, {v2}
a 6-Outlet:06O|8-Outlet:08O:1.2|12-Outlet:12O:1.6|Wall-Mount:WAL:0.9|USB:USB:1.3
a Rackmount:RCK:2.5
v1 3 ft:03:0.9|6 ft:06|10 ft:10:1.15|15 ft:15:1.3
v2 900 J:0900|2100 J:2100:1.3|4000 J:4000:1.7
blurb Surge protector power strip with protection indicator light.
syn power strip

product Barcode Scanner | BCSC | Warehouse Equipment
spec type interface kit | 8999 | 8 4 3 0.6 | 8471.90 | -
fmt {b} {a} {p} {v1}{v2}
a Handheld:HH|Wireless:WL:1.5|2D Imager:2D:1.8|Rugged:RG:2.5|Presentation:PR:1.6
v1 USB:USB|Bluetooth:BT:1.3|RS-232:232:1.1
v2 :|, with Stand:ST:1.1|, with Charging Cradle:CC:1.3
blurb 1D/2D barcode scanner, reads GS1 DataMatrix and QR codes.
syn barcode reader scan gun

product Label Printer | LBLP | Warehouse Equipment
spec type resolution interface | 27999 | 10 8 7 5 | 8443.32 | -
fmt {b} {a} {p} {v1} {v2}
a Thermal:TH|Direct Thermal:DT|Thermal Transfer:TT:1.4|Desktop:DK|Industrial:IN:3.5
v1 203 dpi:203|300 dpi:300:1.3|600 dpi:600:2
v2 USB:USB|Ethernet:ETH:1.2|Wi-Fi:WIFI:1.3|Bluetooth:BT:1.2
blurb 4-inch label printer for shipping and barcode labels, ZPL and EPL.
syn shipping label printer

product Wireless Earbuds | EBUD | Audio
spec type color generation | 5999 | 4 4 2 0.3 | 8518.30 | -
fmt {b} {a} {p} {v2}, {v1}
a Noise-Cancelling:ANC:1.8|Sport:SPT:1.1|Open-Ear:OPN:1.2|Compact:CMP|Pro:PRO:2
v1 $DEVICE
v2 Gen 2:G2|Gen 3:G3:1.1|Gen 4:G4:1.2|Lite:LT:0.8|Max:MX:1.4
blurb True wireless earbuds with charging case.
syn headphones earphones

product Smart Plug | SPLG | Smart Home
spec type pack rating | 1499 | 4 3 3 0.3 | 8536.50 | -
fmt {b} {a} {p} {v2}{v1}
a Wi-Fi:WIFI|Zigbee:ZB:1.1|Outdoor:OUT:1.6|Energy-Monitoring:EM:1.3|Mini:MINI:0.9
v1 :|, 2-pack:02:1.8|, 4-pack:04:3.3
v2 15 A:15|10 A:10:0.9
blurb App-controlled smart plug with schedules and voice control.
syn smart outlet

product Headlamp | HDLP | Lighting
spec type output color | 2499 | 5 4 2 0.3 | 8513.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Rechargeable:RCH|Waterproof:WPF|Motion-Sensor:MOT:1.2|Red-Light:RED|Ultralight:ULT
v1 300 lm:0300:0.7|500 lm:0500|800 lm:0800:1.3|1200 lm:1200:1.7
v2 $DEVICE
blurb LED headlamp with adjustable strap and tilt.
syn head torch

product Flashlight | FLSH | Lighting
spec type output color | 2999 | 7 2 2 0.5 | 8513.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Tactical:TAC|Rechargeable:RCH|Waterproof:WPF|Magnetic:MAG|Penlight:PEN:0.6
v1 300 lm:0300:0.7|700 lm:0700|1000 lm:1000:1.3|2000 lm:2000:1.8
v2 $DEVICE
blurb Aluminum LED flashlight with zoom and three modes.
syn torch

product Ethernet Cable | ETHN | Cables
spec category length color | 899 | 6 5 1.5 0.4 | 8544.42 | -
fmt {b} {a} {p} {v1}, {v2}
a Cat6:C6|Cat6a:C6A:1.3|Cat5e:C5E:0.8|Cat8:C8:1.8|Outdoor Cat6:OC6:1.6
v1 1 ft:001:0.5|3 ft:003:0.6|7 ft:007|14 ft:014:1.3|25 ft:025:1.7|50 ft:050:2.5
v1 100 ft:100:4
v2 Blue:BL|Gray:GY|Black:BK|White:WH|Yellow:YL|Red:RD|Green:GN
blurb Snagless patch cable with RJ45 connectors.
syn network cable lan patch

category CL | Cleaning & Janitorial | 0.10
origins US CA MX DE CN
brands Brightway, Sparkle, PureHome, Freshline, Clearbrook, Shineworks, Tidy Co., Everclean
brands Bluebell, Crisp, Citrus Grove, Sudsy, Gleam, Spotless, Mistral, Greenleaf, Polar
brands Zestra, Fresh Meadow, Proclean
brands Sparkwell, Cleanwise, Shimmer, Bright & Fresh, Purity, Freshwave, Citrus Bay, Snowdrop
brands Glimmer, Tidewell, Scrubbs, Neatly, Clear Day, Dazzle, Ecoshine, Homestead, Wavecrest
brands Splash, Lustre, Brisk

product Multi-Surface Cleaner | MSCL | Cleaners
spec scent size pack | 449 | 4 2.5 10 1.8 | 3402.50 | 1095
fmt {b} {a} {p} {v1}{v2}
a $SCENTS
v1 500 ml:500:0.8|750 ml:750|946 ml:946:1.2|3.8 L:38L:3.6|Concentrate 1 L:C1L:2
v2 $CASE
blurb Spray cleaner for counters, sealed stone, glass and appliances.
syn all purpose cleaner spray

product Dish Soap | DSHS | Cleaners
spec scent size pack | 349 | 3 2 8 1.5 | 3402.50 | -
fmt {b} {a} {p} {v1}{v2}
untracked
a $SCENTS
v1 375 ml:375:0.6|650 ml:650|1.2 L:12L:1.7|3.8 L:38L:4.5
v2 $CASE
blurb Grease-cutting dishwashing liquid, gentle on hands.
syn dishwashing liquid

product Laundry Detergent Pods | LDPD | Laundry
spec scent count pack | 1299 | 7 5 8 2.5 | 3402.50 | 730
fmt {b} {a} {p}{v1}{v2}
a Free & Clear:FC|Original:OR|Spring Meadow:SM|Sensitive Skin:SS:1.1|Oxi Boost:OX:1.2
a Cold Water:CW
v1 , 24 count:024:0.6|, 42 count:042|, 81 count:081:1.8|, 112 count:112:2.4
v2 :|, 2-pack:2:1.9|, 4-pack:4:3.7
blurb Pre-measured 3-in-1 detergent pods, HE compatible.
syn laundry capsules

product Microfiber Cloths | MFCL | Tools & Cloths
spec type size pack | 1299 | 8 6 3 0.8 | 6307.10 | -
fmt {b} {a} {p} {v1}, {v2}
untracked
a All-Purpose:AP|Glass:GL:1.1|Edgeless:EL:1.3|Heavy-Duty:HD:1.2|Lint-Free:LF:1.1
v1 30 x 30 cm:30|40 x 40 cm:40:1.3
v2 12-pack:12|24-pack:24:1.8|50-pack:50:3.5
blurb Reusable microfiber cleaning cloths, machine washable.
syn cleaning rags towels

product Disinfecting Wipes | DWIP | Disinfectants
spec scent count pack | 549 | 4 4 8 1.5 | 3808.94 | 730
fmt {b} {a} {p} {v1}{v2}
a Lemon:LEM|Fresh Scent:FRS|Unscented:UNS|Crisp Linen:LIN
v1 (35 count):035:0.6|(80 count):080|(160 count):160:1.8|(800-count Bucket):800:7
v2 :|, 3-pack:3:2.8|, 6-pack:6:5.4
blurb Kills 99.9% of bacteria and viruses on hard surfaces.
syn sanitizing wipes

product Bleach | BLCH | Disinfectants
spec type size pack | 499 | 6 4 11 9 | 2828.90 | 365
fmt {b} {a} {p} {v1}{v2}
a Concentrated:CON|Splash-Less:SPL|Germicidal:GRM:1.2|Lavender Scented:LAV|Regular:REG
v1 1.4 L:14L:0.5|2.8 L:28L:0.8|3.8 L:38L
v2 $CASE
blurb Sodium hypochlorite bleach for laundry and disinfection.
syn chlorine bleach

product Trash Bags | TRSH | Liners
spec type size count | 1299 | 10 6 4 2.5 | 3923.21 | -
fmt {b} {a} {p} {v1} {v2}
untracked
a Drawstring:DRW|Heavy-Duty:HDY:1.3|Contractor:CTR:1.8|Compostable:CMP:1.5
a Flap-Tie:FLP:0.9|Scented:SCT:1.1
v1 30 L:030:0.6|50 L:050:0.8|76 L:076|120 L:120:1.4|170 L:170:1.8
v2 (20 count):020:0.4|(40 count):040:0.7|(100 count):100|(250 count):250:2.2
blurb Leak-resistant trash bags for kitchen and janitorial use.
syn garbage bags bin liners

product Floor Cleaner | FLCL | Cleaners
spec scent size pack | 599 | 4 3 10 2.3 | 3402.50 | 1095
fmt {b} {a} {p} {v1}{v2}
a $SCENTS
v1 946 ml:946|1.9 L:19L:1.8|3.8 L:38L:3.2|Concentrate 1 L:C1L:1.5
v2 $CASE
blurb No-rinse cleaner for sealed floors, tile and vinyl.
syn mopping solution

product Glass Cleaner | GLCL | Cleaners
spec type size pack | 399 | 4 2.5 10 1.8 | 3405.90 | 1095
fmt {b} {a} {p} {v1}{v2}
a Streak-Free:STF|Ammonia-Free:AMF|Vinegar:VNG|Foaming:FOM|Lemon:LEM
v1 500 ml:500:0.8|750 ml:750|3.8 L:38L:3.5
v2 $CASE
blurb Streak-free glass and mirror cleaner.
syn window cleaner

product Scrub Sponges | SPNG | Tools & Cloths
spec type pack color | 599 | 6 4 3 0.4 | 3921.13 | -
fmt {b} {a} {p} {v1}, {v2}
untracked
a Non-Scratch:NS|Heavy-Duty:HD:1.2|Cellulose:CL|Dual-Sided:DS|Stainless:SS:1.3
v1 3-pack:03:0.4|6-pack:06:0.7|12-pack:12|24-pack:24:1.8
v2 Yellow:YL|Blue:BL|Green:GN|Pink:PK|Assorted:AS
blurb Scrub sponges for dishes, pots and counters.
syn scourer

product Mop Head | MOPH | Tools & Cloths
spec type size color | 1199 | 12 8 4 1 | 9603.90 | -
fmt {b} {a} {p} {v1}, {v2}
untracked
a Cotton Loop-End:CLE|Microfiber:MFB:1.3|Cut-End:CUT:0.9|Blended:BLN|Wet:WET
v1 Small:S:0.8|Medium:M|Large:L:1.2|X-Large:XL:1.4
v2 White:WH|Blue:BL|Green:GN|Red:RD|Yellow:YL
blurb Color-coded commercial mop head with headband.
syn mop refill

product Paper Towels | PTWL | Paper Products
spec type pack color | 1899 | 22 11 11 6 | 4818.20 | -
fmt {b} {a} {p} {v1}, {v2}
untracked
a 2-Ply:2PL|Select-A-Size:SAS|Multifold:MLT|Center-Pull:CPL:1.3|Hardwound:HWD:1.4
v1 6 rolls:06:0.6|12 rolls:12|30 rolls:30:2.3
v2 White:WH|Natural:NT:0.9
blurb Absorbent paper towels for kitchens and washrooms.
syn kitchen roll

product Degreaser | DGRS | Cleaners
spec type size pack | 699 | 4 2.5 10 1.9 | 3402.50 | 1095
fmt {b} {a} {p} {v1}{v2}
a Citrus:CIT|Heavy-Duty:HDY:1.2|Biodegradable:BIO:1.3|Foaming:FOM|Kitchen:KIT
v1 750 ml:750|946 ml:946:1.2|3.8 L:38L:3.5|18.9 L:189L:14
v2 $CASE
blurb Cuts grease and oil on engines, floors and equipment.
syn grease remover

category PK | Packaging & Shipping | 0.07
origins US CA MX CN
brands Boxwell, Shipright, Packrite, Sealtight, Cargo Pro, Parcelworks, Tapeline, Crateco
brands Stackwell, Wrapmaster, Corrupak, Labelpro, Fillmore, Dockside, Freightline, Mailwise
brands Kraftline, Loadstar, Palletline, Portside
brands Boxmaster, Shipwell, Packwise, Sealwell, Cartonex, Mailright, Tapewell, Strapco
brands Cushionpak, Wrapwell, Crateworks, Fillpro, Packstar, Labelwise, Boxline, Shipmate
brands Cargoline, Sendwell, Dockworks, Parcelpoint

product Shipping Box | SBOX | Boxes
spec type size pack | 3499 | 12 10 4 8 | 4819.10 | -
fmt {b} {a} {p} {v1} {v2}
a Single-Wall:SW|Double-Wall:DW:1.6|Kraft:KR|White:WH:1.2|Heavy-Duty:HD:1.8
v1 6 x 6 x 6 in:060606:0.4|8 x 6 x 4 in:080604:0.4|10 x 8 x 6 in:100806:0.6
v1 12 x 10 x 8 in:121008|14 x 10 x 6 in:141006|16 x 12 x 10 in:161210:1.4
v1 18 x 18 x 12 in:181812:2|20 x 20 x 20 in:202020:2.8|24 x 18 x 18 in:241818:3
v2 (25-pack):25|(50-pack):50:1.9|(Bundle of 20):B20:0.8
blurb Corrugated shipping boxes, 32 ECT, shipped flat.
syn carton corrugated

product Packing Tape | PTPE | Tape
spec type size pack | 1599 | 8 6 3 2.5 | 3919.10 | -
fmt {b} {a} {p} {v1} {v2}
a Clear:CLR|Tan:TAN|Heavy-Duty Clear:HDC:1.3|Printed Fragile:FRG:1.5|Low-Noise:LNS:1.4
a Water-Activated:WAT:2
v1 48 mm x 50 m:4850:0.6|48 mm x 100 m:48100|72 mm x 100 m:72100:1.4
v2 (6-pack):06|(12-pack):12:1.9|(36-pack):36:5.4
blurb Carton sealing tape with strong acrylic adhesive.
syn box tape

product Thermal Labels | TLBL | Labels
spec type size pack | 1299 | 6 6 4 1.5 | 4821.10 | -
fmt {b} {a} {p} {v1}{v2}
a Direct Thermal:DT|Perforated:PF|Fanfold:FF:1.1|Removable:RM:1.3|Freezer-Grade:FZ:1.5
v1 4 x 6 in:46|4 x 4 in:44:0.8|2 x 1 in:21:0.4|3 x 2 in:32:0.6|4 x 3 in:43:0.7
v2 , 250 per roll:250:0.6|, 500 per roll:500|, 1000 per roll:1K:1.8|, 4 rolls:4R:3.5
blurb BPA-free direct thermal shipping labels with permanent adhesive.
syn shipping labels 4x6

product Stretch Wrap | SWRP | Wrap
spec type size gauge | 3999 | 20 5 5 8 | 3920.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Cast:CST|Blown:BLW:1.2|Pre-Stretched:PRE:1.1|Black Opaque:BLK:1.3|Blue Tinted:BLU
v1 12 in x 1500 ft:121500:0.4|18 in x 1500 ft:181500:0.6|20 in x 5000 ft:205000
v2 80 gauge:80:1.2|70 gauge:70:1.1|60 gauge:60|47 gauge:47:0.85
blurb Pallet stretch film with high cling and puncture resistance.
syn pallet wrap film

product Bubble Mailer | BMLR | Mailers
spec type size pack | 1499 | 12 9 3 2 | 3923.21 | -
fmt {b} {a} {p} {v1} {v2}
a Poly:PLY|Kraft:KRF|Self-Seal:SLF|Padded:PAD:1.1|Metallic:MET:1.5
v1 #000 4 x 8 in:000:0.5|#0 6 x 10 in:0:0.7|#2 8.5 x 12 in:2|#5 10.5 x 16 in:5:1.4
v1 #7 14.25 x 20 in:7:1.9
v2 (25-pack):025|(50-pack):050:1.8|(100-pack):100:3.3
blurb Padded mailers with peel-and-seal closure.
syn padded envelope

product Bubble Wrap | BWRP | Wrap
spec type size pack | 2499 | 13 13 13 3 | 3921.19 | -
fmt {b} {a} {p} {v1}{v2}
a Small Bubble:SB|Large Bubble:LB:1.2|Anti-Static:AS:1.6|Perforated:PF:1.1
v1 12 in x 50 ft:1250:0.4|12 in x 175 ft:12175|24 in x 250 ft:24250:2.4
v2 :|, 4 rolls:4:3.6
blurb Cushioning bubble roll, perforated every 12 in.
syn air cushioning

product Poly Bags | PBAG | Mailers
spec type size pack | 1199 | 8 6 2 1.2 | 3923.21 | -
fmt {b} {a} {p} {v1} {v2}
a Clear:CLR|Reclosable:RCL:1.3|Zip-Top:ZIP:1.3|Anti-Static:AST:2|Heavy-Duty 4 mil:HD4:1.6
v1 4 x 6 in:0406:0.5|6 x 9 in:0609:0.7|9 x 12 in:0912|12 x 15 in:1215:1.4
v2 (100-pack):100|(500-pack):500:4|(1000-pack):1K:7
blurb Flat poly bags for kitting and parts storage.
syn plastic bags baggies

product Pallet Strapping | PSTR | Wrap
spec material size color | 4999 | 16 16 6 25 | 3920.10 | -
fmt {b} {a} {p} {v1}, {v2}
a Polypropylene:PP|Polyester:PET:1.6|Steel:STL:2.5|Heavy-Duty:HD:1.3
v1 1/2 in x 7200 ft:127200|5/8 in x 6000 ft:586000:1.2|3/4 in x 3000 ft:343000:1.1
v2 Black:BK|White:WH|Green:GN
blurb Strapping coil for securing pallets and bundles.
syn banding strap
"""


def _options(spec: str) -> tuple[Option, ...]:
    result = []
    for part in spec.split("|"):
        if part.startswith("$"):
            result.extend(_options(_SHARED_OPTIONS[part[1:]]))
            continue
        display, code, *mult = part.split(":")
        attribute = display.strip(" ,()")
        sku = f"-{code}" if code else ""
        result.append(Option(display, code, float(mult[0]) if mult else 1.0, attribute, sku))
    return tuple(result)


def _parse_catalogue(text: str) -> tuple[Category, ...]:
    categories: list[dict[str, Any]] = []
    product: dict[str, Any] | None = None

    def close_product() -> None:
        nonlocal product
        if product is None:
            return
        category = categories[-1]
        name, code, sub = (x.strip() for x in product["product"].split("|"))
        keys, price, dims, hs, life = (x.strip() for x in product["spec"].split("|"))
        shelf_life = None if life == "-" else int(life)
        tracked = "untracked" not in product and (category["lots"] or shelf_life is not None)
        options = {k: _options(product.get(k, ":")) for k in ("a", "v1", "v2")}
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
        if not line:
            continue
        key, _, value = line.partition(" ")
        if key == "category":
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


CATEGORIES: tuple[Category, ...] = _parse_catalogue(_CATALOGUE)
LOT_CATEGORY_NAMES = frozenset(c.name for c in CATEGORIES if any(p.lot_tracked for p in c.products))

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


class _Generator:
    def __init__(self, n_items: int, seed: int, now: int) -> None:
        self.n = n_items
        self.rng = Random(seed)
        self.r = self.rng.random
        self.now = now
        self.today = now - now % DAY
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
        for cat in CATEGORIES:
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
        return with_check_digit(f"{prefixes[block]}{reference:05d}")

    def build_items(self) -> None:
        r = self.r
        cat_pick = _Cumulative([c.weight for c in CATEGORIES])
        # Within a category, products are drawn in proportion to how many names they can make.
        prod_picks = [
            _Cumulative([len(p.a) * len(p.v1) * len(p.v2) for p in c.products]) for c in CATEGORIES
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
        self.cat_items: list[list[int]] = [[] for _ in CATEGORIES]
        self.brand_items: list[list[list[int]]] = [[[] for _ in b] for b in self.brands]
        level_counts = (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4)
        loc_pick = self.loc_weights.pick
        bin_counts = [len(b) for b in self.bins]
        item_levels = self.item_levels
        loc_items = self.loc_items
        for i in range(self.n):
            ci = cat_pick.pick(r())
            cat = CATEGORIES[ci]
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
                name = " ".join(
                    prod.fmt.format(
                        b=brand.name, a=a.display, p=prod.name, v1=v1.display, v2=v2.display
                    ).split()
                )
                sku = f"{cat.code}-{brand.code}-{prod.code}{a.sku}{v1.sku}{v2.sku}"
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
        t = time.gmtime(produced)
        while True:
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
            food = CATEGORIES[self.item_brand[i][0]].code == "FB"
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
                    available = share if status == "available" else 0
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
                            reserved_qty=held,
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
    with collector_paused():
        return _Generator(items, seed, anchor).run()
