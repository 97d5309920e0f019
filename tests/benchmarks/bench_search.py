"""Speed and quality of the in-memory item search, against a plain rapidfuzz scan.

Run: ``python -m tests.benchmarks.bench_search [--items 100000] [--queries 1000]``

Items come from the demo generator (``console.backends.memory.demo.generate_demo``) when it can be
imported, else from a synthetic generator of product names in this file. Queries are an item's
whole name, or its 2-4 most distinctive words, with exactly one typo (insertion, deletion,
substitution or transposition, in turn) in one word of at least 5 letters. A query is a hit when
the item it was made from is in the first 10 results.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import string
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from console.backends.memory.search import SearchIndex, tokenize

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


Query = tuple[str, str, str, str, str]


def make_queries(
    docs: list[Doc], count: int, seed: int, index: SearchIndex | None = None
) -> tuple[list[Query], int]:
    """(query, intended doc id, typo kind, 'name' | 'words', query without the typo), and how
    many drawn items had no answerable word query.

    A 'words' query is what an operator types: the rarest words of the name, two at first and
    up to four, until those words (without any typo) put the item in the top 10. Items whose
    four rarest words still fit more than ten items equally well are skipped and counted: no
    search could pick them from so few words, typo or not.
    """
    rng = random.Random(seed)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(tokenize(doc.name)))
    queries: list[Query] = []
    unanswerable = 0
    while len(queries) < count:
        doc = rng.choice(docs)
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
                key=lambda i: min((df[t] for t in tokenize(words[i])), default=len(docs)),
            )
            keep: list[int] = []
            for size in range(2, 5):
                keep = sorted(by_rarity[:size])
                if not any(i in typo_able for i in keep):
                    keep = sorted({*keep[:-1], rng.choice(typo_able)})
                plain = " ".join(words[i] for i in keep)
                if index is None or doc.id in [h.doc_id for h in index.search(plain)[:10]]:
                    break
            else:
                unanswerable += 1
                continue
            target = rng.choice([k for k, i in enumerate(keep) if i in typo_able])
            words = [words[i] for i in keep]
        else:
            target = rng.choice(typo_able)
        kind = TYPO_KINDS[len(queries) // 2 % len(TYPO_KINDS)]  # every kind in both styles
        typo = _typo(words[target], kind, rng)
        if typo.lower() == words[target].lower():
            continue
        correct = " ".join(words)
        words = [*words[:target], typo, *words[target + 1 :]]
        queries.append((" ".join(words), doc.id, kind, style, correct))
    return queries, unanswerable


# --------------------------------------------------------------------------- measuring


def _build(docs: list[Doc]) -> SearchIndex:
    index = SearchIndex()
    for doc in docs:
        index.add(doc.id, doc.fields)
    return index


def _time_queries(
    run: Callable[[str], list[str]], queries: list[Query]
) -> tuple[list[float], list[bool]]:
    times: list[float] = []
    hits: list[bool] = []
    for query, doc_id, *_ in queries:
        start = time.perf_counter()
        top = run(query)
        times.append((time.perf_counter() - start) * 1000)
        hits.append(doc_id in top[:10])
    return times, hits


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--reference-queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true", help="ignore the demo generator")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the memory pass")
    args = parser.parse_args(argv)

    docs = None if args.synthetic else demo_docs(args.items, args.seed)
    source = "demo.generate_demo" if docs is not None else "synthetic"
    if docs is None:
        docs = synthetic_docs(args.items, args.seed)
    vocabulary = len({t for doc in docs for t in tokenize(doc.name)})
    print(f"source: {source}")
    print(f"items: {len(docs)}")
    print(f"distinct name tokens: {vocabulary}")
    print(f"example name: {docs[len(docs) // 2].name}")

    gc.collect()
    start = time.perf_counter()
    index = _build(docs)
    build_s = time.perf_counter() - start
    print(f"index build: {build_s:.2f} s ({build_s / len(docs) * 1e6:.1f} us/item)")
    if not args.no_tracemalloc:
        # A second, traced build: tracemalloc slows it down, so it is not the one timed.
        gc.collect()
        tracemalloc.start()
        traced = _build(docs)
        traced.search("warm up the sorted vocabulary")
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del traced
        gc.collect()
        print(
            f"index memory (tracemalloc; field texts are shared with the items): "
            f"{current / 2**20:.1f} MiB, peak while building {peak / 2**20:.1f} MiB "
            f"({current / len(docs):.0f} bytes/item)"
        )

    queries, unanswerable = make_queries(docs, args.queries, args.seed + 1, index)
    kinds = Counter(query[2] for query in queries)
    print(f"queries: {len(queries)} ({', '.join(f'{k} {kinds[k]}' for k in TYPO_KINDS)})")
    print(
        f"items skipped because even their 4 rarest words, without a typo, fit more than 10 "
        f"items: {unanswerable}"
    )
    print(f"example query: {queries[0][0]!r} -> {queries[0][1]}")

    def run_index(query: str) -> list[str]:
        return [hit.doc_id for hit in index.search(query)[:10]]

    _time_queries(run_index, make_queries(docs, 20, args.seed + 2)[0])  # warm-up, other queries
    times, hits = _time_queries(run_index, queries)
    median, p95 = statistics.median(times), _p95(times)
    print(f"index median ms/query: {median:.2f}")
    print(f"index p95 ms/query: {p95:.2f}")
    print(f"index max ms/query: {max(times):.2f}")
    print(f"index top-10 hit rate: {sum(hits) / len(hits):.1%}")
    for style in ("name", "words"):
        picked = [h for h, q in zip(hits, queries, strict=True) if q[3] == style]
        label = "whole name" if style == "name" else "2-4 distinctive words"
        print(f"index top-10 hit rate, {label}: {sum(picked) / len(picked):.1%}")
    for kind in TYPO_KINDS:
        picked = [h for h, q in zip(hits, queries, strict=True) if q[2] == kind]
        print(f"index top-10 hit rate, {kind}: {sum(picked) / len(picked):.1%}")
    # A miss is unavoidable when, even without the typo, the words fit more than 10 items
    # at least as well as the intended one.
    ambiguous = 0
    for (_, doc_id, _, _, correct), hit in zip(queries, hits, strict=True):
        if not hit:
            ranked = [h.doc_id for h in index.search(correct)]
            ambiguous += doc_id not in ranked[:10]
    print(f"index misses: {hits.count(False)}")
    print(f"index misses that miss even without the typo (ambiguous words): {ambiguous}")
    print(
        "index top-10 hit rate where the words without the typo find the item: "
        f"{sum(hits) / max(1, len(hits) - ambiguous):.1%}"
    )

    try:
        from rapidfuzz import process
    except ImportError:
        print("rapidfuzz: not installed, no reference")
        return
    names = [doc.name for doc in docs]
    ids = [doc.id for doc in docs]
    reference = queries[: args.reference_queries]

    def run_rapidfuzz(query: str) -> list[str]:
        return [ids[i] for _, _, i in process.extract(query, names, limit=10)]

    ref_times, ref_hits = _time_queries(run_rapidfuzz, reference)
    ref_median, ref_p95 = statistics.median(ref_times), _p95(ref_times)
    same_times = times[: len(reference)]
    print(f"rapidfuzz.process.extract queries: {len(reference)}")
    print(f"rapidfuzz median ms/query: {ref_median:.2f}")
    print(f"rapidfuzz p95 ms/query: {ref_p95:.2f}")
    print(f"rapidfuzz top-10 hit rate: {sum(ref_hits) / len(ref_hits):.1%}")
    print(
        f"index top-10 hit rate on the same queries: {sum(hits[: len(reference)]) / len(reference):.1%}"
    )
    print(
        f"median speed-up (rapidfuzz / index, same queries): "
        f"{ref_median / statistics.median(same_times):.0f}x"
    )
    print(f"p95 speed-up (rapidfuzz / index, same queries): {ref_p95 / _p95(same_times):.0f}x")


if __name__ == "__main__":
    main()
