"""Item search: the console's index beside the alternatives a user could pick, on the same
names and the same neutral queries, whole and as typed.

Run: ``python -m tests.benchmarks.bench_search [--items 100000] [--queries 1000] [--synthetic]``

Items come from the demo generator (``console.backends.memory.demo.generate_demo``), or with
``--synthetic`` from the name generator in this file. Queries are an item's whole name, or its
2-4 rarest words, with exactly one typo (insertion, deletion, substitution or transposition,
in turn) in one word of at least 5 letters; none is chosen by asking an index. A query is
found when its item is in the first 10 results; recall is given for all queries and for the
unambiguous ones (no other item holds all of their words).

A second set is what an operator types to browse: two neighbouring words of a random item's
name, as they are ("hex bolt"), which thousands of items share. There is no one right item, so
it is timed (whole and as typed), and the console's first ten are checked against its own full
ranking (every match scored and sorted): a page cut short must be the same page. The
alternatives are in tests/benchmarks/search_alternatives.py (the `bench` extra).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import string
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console import allocator
from console.backends.memory.search import tokenize

if TYPE_CHECKING:
    from tests.benchmarks.search_alternatives import Engine

TYPO_KINDS = ("insert", "delete", "substitute", "transpose")


@dataclass(frozen=True, slots=True)
class Doc:
    id: str
    name: str
    fields: dict[str, str | None]


# --------------------------------------------------------------------------- documents


def demo_docs(items: int, seed: int) -> list[Doc] | None:
    """Items from the demo generator, or None when it is not there (yet)."""
    try:
        from console.backends.memory.demo import generate_demo
    except ImportError:
        return None
    data = generate_demo(items=items, seed=seed)
    docs = []
    for item in data.items:
        extra = item.metadata.get("_search") if item.metadata else None
        if isinstance(extra, list):
            extra = " ".join(str(x) for x in extra)
        fields = {
            "name": item.name,
            "sku": item.sku,
            "gtin": item.gtin,
            "search": extra if isinstance(extra, str) else None,
        }
        docs.append(Doc(item.id, item.name, fields))
    return docs


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SYLLABLES = _words(
    "ka ro vel tor min dra sen lux por ven tal cor fin gra bel mar ton sil nor bri dex "
    "zan qui lor tek vir cal mon ser dal pen ric har vos lan tim ber cus gen fal ost"
)
_BRAND_TAILS = ("works", "line", "tech", "craft", "tools", "fix", "pro", "industries", "")
_MATERIALS = _words(
    "Stainless Galvanized Brass Aluminium Nylon Carbon Titanium Copper Bronze Polymer Ceramic "
    "Hardened Tempered Forged Cast Alloy Steel Rubber Silicone Teflon Fiberglass Maple Walnut"
)
_QUALIFIERS = _words(
    "Hex Flanged Countersunk Self-tapping Heavy-duty Lightweight Insulated Threaded Slotted "
    "Phillips Torx Socket Shoulder Carriage Coach Machine Wood Drywall Concrete Masonry Marine "
    "Industrial Precision Reinforced Adjustable Folding Locking Swivel Magnetic Waterproof "
    "Rechargeable Cordless Compact Extended Reversible Tapered Knurled Serrated Spring Split "
    "Square Round Oval Double Single Triple Vented Sealed Braided Coiled Flexible Rigid"
)
_TYPES = _words(
    "Bolt Screw Washer Nut Anchor Hinge Bracket Cable Connector Clamp Fitting Valve Gasket Seal "
    "Bearing Bushing Pulley Sprocket Chain Hook Shackle Rivet Pin Dowel Spacer Standoff Grommet "
    "Latch Hasp Handle Knob Caster Wheel Spring Strap Tie Tape Adhesive Sealant Lubricant Filter "
    "Hose Coupling Elbow Tee Reducer Plug Cap Flange Nipple Union Manifold Regulator Gauge Switch "
    "Relay Fuse Breaker Terminal Lug Splice Conduit Junction Enclosure Panel Socket Adapter Charger "
    "Battery Lamp Bulb Fixture Sensor Thermostat Timer Controller Motor Pump Fan Blower Compressor "
    "Drill Driver Wrench Spanner Plier Cutter Saw Blade Chisel Hammer Mallet Level Square Caliper "
    "Micrometer Tester Multimeter Scanner Printer Label Ribbon Carton Pallet Crate Bin Shelf Rack "
    "Cabinet Drawer Trolley Ladder Glove Goggle Helmet Respirator Earplug Vest Boot Apron Sleeve"
)
_FINISHES = _words(
    "Zinc Chrome Black-oxide Plain Nickel Painted Anodized Powder-coated Polished Brushed "
    "Satin Matte Gloss Primed Passivated Phosphate Yellow Blue Red Green White Grey Orange"
)
_PACKS = ("5-pack", "10-pack", "25-pack", "50-pack", "100-pack", "Box of 200", "Each", "Pair")
_FREE_WORDS = _words(
    "fastener hardware spare replacement maintenance workshop garage outdoor indoor kitchen "
    "plumbing electrical automotive marine agricultural construction furniture office warehouse "
    "bulk trade clearance premium economy bestseller seasonal discontinued imported domestic"
)


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


def _check_digit(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def synthetic_docs(items: int, seed: int) -> list[Doc]:
    """Names like 'Northwind Stainless Hex Bolt M8x40 Zinc 50-pack' over a few thousand words."""
    rng = random.Random(seed)
    brands = sorted({_word(rng, 2).capitalize() + rng.choice(_BRAND_TAILS) for _ in range(150)})
    models = sorted({_word(rng, rng.choice((2, 3))).capitalize() for _ in range(2500)})
    docs = []
    for n in range(items):
        brand = rng.choice(brands)
        words = [brand]
        if rng.random() < 0.5:
            words.append(rng.choice(_QUALIFIERS))
        if rng.random() < 0.7:
            words.append(rng.choice(_MATERIALS))
        words.append(rng.choice(_TYPES))
        if rng.random() < 0.6:
            words.append(rng.choice(models))
        size = rng.random()
        if size < 0.4:
            words.append(f"M{rng.choice((3, 4, 5, 6, 8, 10, 12, 16))}x{rng.randrange(6, 121, 2)}")
        elif size < 0.6:
            words.append(f"{rng.randrange(1, 500)}{rng.choice(('mm', 'cm', 'in', 'V', 'W', 'A'))}")
        if rng.random() < 0.5:
            words.append(rng.choice(_FINISHES))
        if rng.random() < 0.6:
            words.append(rng.choice(_PACKS))
        name = " ".join(words)
        sku = f"{brand[:3].upper()}-{rng.randrange(100, 999)}-{n:06d}"
        kind = rng.random()
        if kind < 0.8:
            payload = "".join(rng.choice(string.digits) for _ in range(12))
        elif kind < 0.95:
            payload = "".join(rng.choice(string.digits) for _ in range(11))
        else:
            payload = "".join(rng.choice(string.digits) for _ in range(7))
        gtin = payload + _check_digit(payload)
        extra = " ".join(rng.sample(_FREE_WORDS, 3)) if rng.random() < 0.3 else None
        docs.append(
            Doc(f"itm_{n:06d}", name, {"name": name, "sku": sku, "gtin": gtin, "search": extra})
        )
    return docs


# --------------------------------------------------------------------------- queries


def _typo(word: str, kind: str, rng: random.Random) -> str:
    letters = string.ascii_lowercase
    i = rng.randrange(len(word))
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
    pairs = [j for j in range(len(word) - 1) if word[j].lower() != word[j + 1].lower()]
    j = rng.choice(pairs)
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :]


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # with its one typo
    doc_id: str  # the item it was made from
    kind: str  # the typo: insert, delete, substitute, transpose
    style: str  # "name" (the whole name) or "words" (2-4 of its rarest words)
    correct: str  # the same words without the typo
    unambiguous: bool  # no other item holds every one of those words


def make_queries(docs: list[Doc], count: int, seed: int) -> list[Query]:
    """Neutral queries: an item drawn at random, its whole name or 2-4 of its rarest words
    (by how many names hold them, as an operator picks the words that tell an item apart),
    one typo in one word of 5+ letters. Nothing here asks any index: a query is kept whether
    or not a search would find its item. `unambiguous` is decided on the names alone: only the
    intended item holds every word of the query without its typo."""
    rng = random.Random(seed)
    holders: dict[str, list[int]] = {}
    for n, doc in enumerate(docs):
        for token in set(tokenize(doc.name)):
            holders.setdefault(token, []).append(n)
    queries: list[Query] = []
    while len(queries) < count:
        n = rng.randrange(len(docs))
        doc = docs[n]
        words = doc.name.split()
        typo_able = [
            i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5 and len(set(w)) > 1
        ]
        if not typo_able:
            continue
        style = "name" if len(queries) % 2 == 0 else "words"
        if style == "words":
            by_rarity = sorted(
                range(len(words)),
                key=lambda i: min((len(holders[t]) for t in tokenize(words[i])), default=0),
            )
            keep = sorted(by_rarity[: rng.randint(2, 4)])
            if not any(i in typo_able for i in keep):
                keep = sorted({*keep[:-1], rng.choice(typo_able)})
            target = rng.choice([k for k, i in enumerate(keep) if i in typo_able])
            words = [words[i] for i in keep]
        else:
            target = words.index(words[rng.choice(typo_able)])
        kind = TYPO_KINDS[len(queries) // 2 % len(TYPO_KINDS)]  # every kind in both styles
        typo = _typo(words[target], kind, rng)
        if typo.lower() == words[target].lower():
            continue
        correct = " ".join(words)
        together = None
        for token in set(tokenize(correct)):
            held = set(holders.get(token, ()))
            together = held if together is None else together & held
        unambiguous = together == {n}
        words = [*words[:target], typo, *words[target + 1 :]]
        queries.append(Query(" ".join(words), doc.id, kind, style, correct, unambiguous))
    return queries


def common_queries(docs: list[Doc], count: int, seed: int) -> list[str]:
    """Two neighbouring words of the name of an item drawn at random, without a typo."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = rng.choice(docs).name.split()
        if len(words) >= 2:
            first = rng.randrange(len(words) - 1)
            queries.append(" ".join(words[first : first + 2]))
    return queries


def prefixes(text: str) -> list[str]:
    """What the field holds while the query is typed, from its second character."""
    return [text[:i] for i in range(2, len(text) + 1)]


# --------------------------------------------------------------------------- measuring


def give_back_freed_memory() -> None:
    """Freed memory returned to the system, so that what a build adds shows as resident memory
    instead of filling what earlier work left free."""
    gc.collect()
    allocator.give_back_freed_memory()


def resident_mib() -> float:
    """The process's resident memory now (not its peak): what a build added, whatever the
    allocator (SQLite's and tantivy's memory are not Python objects)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _timed(
    run: Callable[[str], list[str]], texts: list[str]
) -> tuple[list[float], list[list[str]]]:
    times: list[float] = []
    found: list[list[str]] = []
    for text in texts:
        start = time.perf_counter()
        top = run(text)
        times.append((time.perf_counter() - start) * 1000)
        found.append(top)
    return times, found


def _recall(queries: list[Query], found: list[list[str]], *, only_unambiguous: bool) -> str:
    pairs = [
        q.doc_id in top[:10]
        for q, top in zip(queries, found, strict=True)
        if q.unambiguous or not only_unambiguous
    ]
    return f"{sum(pairs) / len(pairs):.1%} of {len(pairs)}" if pairs else "-"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--typed", type=int, default=200, help="queries also timed as typed")
    parser.add_argument("--scan-queries", type=int, default=100, help="for the rapidfuzz scan")
    parser.add_argument("--common", type=int, default=500, help="common two-word queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true", help="names from this file")
    args = parser.parse_args(argv)

    from tests.benchmarks.search_alternatives import RapidfuzzScan, alternatives

    docs = (
        synthetic_docs(args.items, args.seed)
        if args.synthetic
        else demo_docs(args.items, args.seed)
    )
    assert docs is not None
    source = "synthetic names (this file)" if args.synthetic else "the demo catalogue"
    vocabulary = len({t for doc in docs for t in tokenize(doc.name)})
    print(f"items: {len(docs):,} from {source}; {vocabulary:,} distinct name words")
    print(f"example name: {docs[len(docs) // 2].name}")
    queries = make_queries(docs, args.queries, args.seed + 1)
    clear = sum(q.unambiguous for q in queries)
    print(
        f"queries: {len(queries)} neutral ones, one typo each (half whole names, half 2-4 words); "
        f"{clear} unambiguous (no other item holds all their words)"
    )
    print(f"example query: {queries[1].text!r} for {queries[1].correct!r}")
    typed = [p for q in queries[: args.typed] for p in prefixes(q.text)]
    print(f"as typed: every prefix of the first {args.typed} queries, {len(typed):,} searches")
    common = common_queries(docs, args.common, args.seed + 2)
    common_typed = [p for q in common[: args.typed // 2] for p in prefixes(q)]
    print(
        f"common words: {len(common)} queries of two neighbouring words of a random name "
        f"(example {common[0]!r}); as typed: the first {args.typed // 2}, "
        f"{len(common_typed):,} searches"
    )
    print("targets at 1,000,000 items, in process: prefix p95 <= 10 ms, full query p95 <= 3 ms,")
    print("  recall@10 >= 99% on unambiguous queries, index memory <= 300 MB")
    print()
    header = (
        f"{'engine':<26} {'build s':>8} {'py MiB':>6} {'RSS':>6} {'kept':>5} {'full p50':>9} {'p95':>7} "
        f"{'typed p50':>10} {'p95':>7} {'max':>7}  recall@10 all / unambiguous"
    )
    print(header)
    browsing: list[str] = []
    for engine in alternatives():
        give_back_freed_memory()
        before = resident_mib()
        start = time.perf_counter()
        engine.build(docs)
        build_s = time.perf_counter() - start
        grown = resident_mib() - before
        give_back_freed_memory()  # what the build freed but the allocator still held
        kept = resident_mib() - before
        # Python's own allocations, by a second build under tracemalloc (slower, so not the
        # one timed); SQLite's and tantivy's are in the resident memory only
        gc.collect()
        tracemalloc.start()
        traced = type(engine)()
        traced.build(docs)
        python_mib = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        del traced
        gc.collect()
        asked = queries
        if isinstance(engine, RapidfuzzScan):
            asked = queries[: args.scan_queries]  # a scan of every name: too slow for more
        run = lambda text, engine=engine: engine.search(text, 10)  # noqa: E731
        _timed(run, [q.text for q in queries[-20:]])  # warm-up
        times, found = _timed(run, [q.text for q in asked])
        line = (
            f"{engine.name:<26} {build_s:>8.1f} {python_mib:>6.0f} {grown:>6.0f} {kept:>5.0f} "
            f"{statistics.median(times):>9.2f} "
            f"{_p(times, 0.95):>7.2f} "
        )
        if isinstance(engine, RapidfuzzScan):
            line += f"{'-':>10} {'-':>7} {'-':>7}  "
        else:
            as_typed, _ = _timed(run, typed)
            line += (
                f"{statistics.median(as_typed):>10.2f} {_p(as_typed, 0.95):>7.2f} "
                f"{max(as_typed):>7.1f}  "
            )
        line += (
            f"{_recall(asked, found, only_unambiguous=False)} / "
            f"{_recall(asked, found, only_unambiguous=True)}"
        )
        print(line, flush=True)
        if not isinstance(engine, RapidfuzzScan):
            browsing.append(_browsing(engine, common, common_typed))
    print("\ncommon words, whole and as typed (ms):")
    print(
        f"{'engine':<26} {'full p50':>9} {'p95':>7} {'max':>7} {'typed p50':>10} {'p95':>7} {'max':>7}"
    )
    print("\n".join(browsing))
    print(
        "(times in ms; py MiB: the Python objects a build holds, by tracemalloc; RSS: the\n"
        " resident memory the build added, MiB, which hides Python memory reused from earlier\n"
        " work but shows SQLite's and tantivy's; kept: the same after freed memory is given\n"
        " back to the system (malloc_trim); rapidfuzz on the first "
        f"{args.scan_queries} queries only, not as typed)"
    )


def _browsing(engine: Engine, common: list[str], typed: list[str]) -> str:
    """The common-words row of one engine; for the console's index, whether each first ten
    is the first ten of its full ranking."""
    from tests.benchmarks.search_alternatives import Ours

    run = lambda text: engine.search(text, 10)  # noqa: E731
    times, found = _timed(run, common)
    as_typed, _ = _timed(run, typed)
    line = (
        f"{engine.name:<26} {statistics.median(times):>9.2f} {_p(times, 0.95):>7.2f} "
        f"{max(times):>7.1f} {statistics.median(as_typed):>10.2f} {_p(as_typed, 0.95):>7.2f} "
        f"{max(as_typed):>7.1f}"
    )
    if isinstance(engine, Ours):
        same = sum(
            top == [hit.doc_id for hit in engine.index.search(text)[:10]]
            for text, top in zip(common, found, strict=True)
        )
        line += f"   same first ten as its full ranking: {same} of {len(common)}"
    return line


if __name__ == "__main__":
    main()
