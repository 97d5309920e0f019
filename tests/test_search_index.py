"""The in-memory warehouse's item search, as an operator typing into the search box sees it."""

from __future__ import annotations

import random

import pytest

from console.backends.memory.search import SearchHit, SearchIndex, tokenize


def item(
    name: str, sku: str | None = None, gtin: str | None = None, search: str | None = None
) -> dict[str, str | None]:
    return {"name": name, "sku": sku, "gtin": gtin, "search": search}


def ids(index: SearchIndex, query: str) -> list[str]:
    return [hit.doc_id for hit in index.search(query)]


@pytest.fixture
def index() -> SearchIndex:
    ix = SearchIndex()
    ix.add("bolt", item("Northwind Stainless Hex Bolt M8x40 Zinc 50-pack", "NW-HB-0840"))
    ix.add("nut", item("Northwind Brass Hex Nut M8", "NW-HN-0008", "4006381333931"))
    ix.add("washer", item("Acme Nylon Washer M6 100-pack", "AC-WS-0006"))
    ix.add("hinge", item("Acme Heavy-duty Door Hinge", "AC-DH-0001", search="cabinet hardware"))
    ix.add("gloves", item("Nitrile Gloves Large", "SAF-GL-L", "00012345678905"))
    ix.add("creme", item("Crème Brûlée Torch", "KT-CB-1"))
    return ix


# --------------------------------------------------------------------------- words


def test_exact_word_finds_the_item(index: SearchIndex) -> None:
    assert ids(index, "hinge") == ["hinge"]
    assert ids(index, "Washer") == ["washer"]


def test_words_like_m8x40_stay_one_token() -> None:
    assert tokenize("Hex Bolt M8x40, 50-pack") == ["hex", "bolt", "m8x40", "50", "pack"]


def test_size_token_is_searchable_whole_and_while_typing(index: SearchIndex) -> None:
    assert ids(index, "m8x40") == ["bolt"]
    assert ids(index, "m8x4") == ["bolt"]
    assert set(ids(index, "m8")) == {"bolt", "nut"}


def test_free_text_search_field_is_searched(index: SearchIndex) -> None:
    assert ids(index, "cabinet") == ["hinge"]


def test_blank_or_punctuation_query_returns_nothing(index: SearchIndex) -> None:
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search(" - / ,") == []


def test_unknown_word_returns_nothing(index: SearchIndex) -> None:
    assert index.search("zeppelin") == []


# --------------------------------------------------------------------------- as you type


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("st", "bolt"), ("stai", "bolt"), ("stainle", "bolt"), ("gl", "gloves"), ("nitri", "gloves")],
)
def test_last_word_matches_as_a_prefix_while_typing(
    index: SearchIndex, typed: str, expected: str
) -> None:
    assert ids(index, typed) == [expected]


def test_prefix_of_the_last_word_combines_with_full_words(index: SearchIndex) -> None:
    assert ids(index, "northwind hex bo") == ["bolt"]
    assert ids(index, "northwind hex nu") == ["nut"]
    # A single letter is no prefix yet: it is left out rather than emptying the list.
    assert set(ids(index, "northwind hex b")) == {"bolt", "nut"}


def test_a_single_letter_is_not_a_prefix(index: SearchIndex) -> None:
    assert index.search("s") == []


def test_typo_inside_the_prefix_being_typed(index: SearchIndex) -> None:
    assert ids(index, "stianl") == ["bolt"]  # transposed, word not finished


# --------------------------------------------------------------------------- typos


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("stainlesss", "insertion"),
        ("stainles", "deletion"),
        ("stainlass", "substitution"),
        ("stianless", "transposition"),
        ("hinhe", "substitution"),
        ("hnige", "transposition"),
        ("glovs", "deletion"),
    ],
)
def test_one_typo_still_finds_the_item(index: SearchIndex, query: str, kind: str) -> None:
    assert ids(index, query)[:1] in (["bolt"], ["hinge"], ["gloves"]), kind


def test_one_typo_in_a_whole_name_finds_the_item(index: SearchIndex) -> None:
    assert ids(index, "Northwind Stainless Hex Blot M8x40 Zinc 50-pack")[0] == "bolt"
    assert ids(index, "Acme Nylon Wahser M6 100-pack")[0] == "washer"


def test_transposition_counts_as_one_typo(index: SearchIndex) -> None:
    # 'blot' is two substitutions away from 'bolt' but one transposition.
    assert ids(index, "hex blot") == ["bolt"]


def test_long_words_allow_two_typos() -> None:
    ix = SearchIndex()
    ix.add("a", item("Galvanized Carriage Bolt"))
    assert ids(ix, "galvanised carriage") == ["a"]  # one typo
    assert ids(ix, "glavanised") == ["a"]  # two typos, 10 letters
    assert ix.search("glavanisedd") == []  # three
    assert ids(ix, "carirage bolt") == ["a"]


def test_short_words_do_not_allow_typos() -> None:
    ix = SearchIndex()
    ix.add("nut", item("Nut"))
    ix.add("bolt", item("Bolt"))
    assert ix.search("nit") == []  # 3 letters: no typo allowed
    assert ids(ix, "bilt") == ["bolt"]  # 4 letters: one typo
    assert ix.search("bxlx") == []  # 4 letters: not two


def test_numbers_are_not_typo_matched() -> None:
    ix = SearchIndex()
    ix.add("a", item("Cable 1234"))
    assert ix.search("1243") == []  # no typo on numbers (nor on GTINs)
    assert ids(ix, "cable 1243") == ["a"]  # 'cable' alone still matches
    ix.add("b", item("Cable 1243"))
    assert ids(ix, "cable 1243") == ["b"]


def test_a_typo_never_changes_a_number() -> None:
    ix = SearchIndex()
    ix.add("m8x40", item("Hex Bolt M8x40"))
    ix.add("m8x50", item("Hex Bolt M8x50"))
    assert ids(ix, "m8x40") == ["m8x40"]
    assert ids(ix, "hex bolt m8x50") == ["m8x50"]
    assert ids(ix, "m8c40") == ["m8x40"]  # a letter typo inside a size still matches
    assert ids(ix, "8mx40") == ["m8x40"]  # so does swapping a letter and a digit


def test_an_unknown_earlier_word_may_be_a_prefix(index: SearchIndex) -> None:
    assert ids(index, "stain bolt") == ["bolt"]
    assert ids(index, "nitr gloves") == ["gloves"]


# --------------------------------------------------------------------------- accents and case


def test_case_and_accent_insensitive(index: SearchIndex) -> None:
    assert ids(index, "creme brulee") == ["creme"]
    assert ids(index, "CRÈME BRÛLÉE") == ["creme"]
    assert ids(index, "STAINLESS bolt") == ["bolt"]


def test_accented_query_finds_plain_text() -> None:
    ix = SearchIndex()
    ix.add("a", item("Cafe Table"))
    ix.add("b", item("Straße Sign"))
    ix.add("c", item("Cafe\u0301 Chair"))  # decomposed é
    assert set(ids(ix, "café")) == {"a", "c"}
    assert ids(ix, "strasse") == ["b"]
    assert ids(ix, "STRASSE sign") == ["b"]


# --------------------------------------------------------------------------- AND and fallback


def test_every_word_must_match(index: SearchIndex) -> None:
    assert ids(index, "northwind hex") != ["bolt"]
    assert set(ids(index, "northwind hex")) == {"bolt", "nut"}
    assert ids(index, "northwind brass") == ["nut"]
    assert ids(index, "acme nylon") == ["washer"]


def test_one_bad_word_does_not_empty_the_results(index: SearchIndex) -> None:
    assert ids(index, "acme nylon zeppelin") == ["washer"]


def test_without_a_full_match_the_items_matching_most_words_are_returned(
    index: SearchIndex,
) -> None:
    # No item is both a hinge and a washer: both kinds are shown, nothing else.
    assert set(ids(index, "acme hinge washer")) == {"hinge", "washer"}
    assert set(ids(index, "hinge washer")) == {"hinge", "washer"}


# --------------------------------------------------------------------------- ranking


def test_exact_sku_ranks_first() -> None:
    ix = SearchIndex()
    ix.add("named", item("HB 100 Hex Bolt", "ZZ-9"))
    ix.add("sku", item("Hex Bolt", "HB-100"))
    ix.add("other", item("Hex Bolt HB 100 extra", "HB-1000"))
    assert ids(ix, "HB-100")[0] == "sku"
    assert ids(ix, "hb-100")[0] == "sku"
    assert ids(ix, "hb 100")[0] == "sku"
    hits = ix.search("HB-100")
    assert hits[0].score > 2 * hits[1].score


def test_exact_gtin_ranks_first() -> None:
    ix = SearchIndex()
    ix.add("gtin", item("Widget", "W-1", "4006381333931"))
    ix.add("sku", item("Widget", "4006381333931"))  # the same digits as a SKU
    ix.add("name", item("Widget 4006381333931"))
    found = ids(ix, "4006381333931")
    assert found[0] in {"gtin", "sku"}
    assert set(found[:2]) == {"gtin", "sku"}
    assert found[2] == "name"


@pytest.mark.parametrize(
    "query", ["4006381333931", "04006381333931", " 4006381333931 ", "4 006381 333931"]
)
def test_gtin13_query_finds_stored_gtin13(index: SearchIndex, query: str) -> None:
    assert ids(index, query) == ["nut"]


def test_gtin_in_any_length_finds_any_other_length() -> None:
    ix = SearchIndex()
    ix.add("g14", item("Stored as GTIN-14", gtin="04006381333931"))
    ix.add("g13", item("Stored as GTIN-13", gtin="0012345678905"))
    ix.add("g12", item("Stored as GTIN-12", gtin="012345678912"))
    ix.add("g8", item("Stored as GTIN-8", gtin="96385074"))
    assert ids(ix, "4006381333931") == ["g14"]  # 13-digit query, 14-digit stored
    assert ids(ix, "00012345678905") == ["g13"]  # 14-digit query, 13-digit stored
    assert ids(ix, "12345678905") == []  # 11 digits: not a GTIN length
    assert ids(ix, "012345678905") == ["g13"]  # GTIN-12 form
    assert ids(ix, "0012345678912") == ["g12"]
    assert ids(ix, "00000096385074") == ["g8"]
    assert ids(ix, "96385074") == ["g8"]


def test_exact_beats_prefix_beats_typo() -> None:
    ix = SearchIndex()
    ix.add("typo", item("Boot"))
    ix.add("prefix", item("Bolting"))
    ix.add("exact", item("Bolt"))
    assert ids(ix, "bolt") == ["exact", "prefix", "typo"]


def test_exact_beats_typo_even_when_the_typo_word_is_rarer() -> None:
    ix = SearchIndex()
    for n in range(20):
        ix.add(f"bolt{n:02}", item(f"Bolt {n}"))
    ix.add("belt", item("Belt"))
    assert ids(ix, "bolt")[-1] == "belt"


def test_name_match_beats_free_text_match(index: SearchIndex) -> None:
    index.add("cabinet", item("Cabinet", search="hinge"))
    assert ids(index, "hinge") == ["hinge", "cabinet"]
    assert ids(index, "cabinet") == ["cabinet", "hinge"]


def test_rarer_words_weigh_more() -> None:
    ix = SearchIndex()
    for n in range(10):
        ix.add(f"bolt{n}", item(f"Bolt model {n}"))
    ix.add("hinge", item("Hinge"))
    # Nothing is both: every item matching one word comes back, the rare word first.
    assert ids(ix, "bolt hinge")[0] == "hinge"
    assert ids(ix, "hinge bolt")[0] == "hinge"
    assert len(ix.search("bolt hinge")) == 11


def test_shorter_name_with_the_same_matches_ranks_higher() -> None:
    ix = SearchIndex()
    ix.add("a", item("Hex Bolt with a long descriptive name for catalogues"))
    ix.add("b", item("Hex Bolt"))
    assert ids(ix, "hex bolt") == ["b", "a"]


def test_ties_are_broken_by_doc_id_and_order_is_deterministic() -> None:
    docs = {f"id{n}": item("Hex Bolt", f"S{n}") for n in (5, 3, 9, 1, 7)}
    forward, backward = SearchIndex(), SearchIndex()
    for doc_id, fields in docs.items():
        forward.add(doc_id, fields)
    for doc_id, fields in reversed(docs.items()):
        backward.add(doc_id, fields)
    assert ids(forward, "bolt") == ["id1", "id3", "id5", "id7", "id9"]
    assert forward.search("hex bolt") == backward.search("hex bolt")
    assert forward.search("hex bolt") == forward.search("hex bolt")


def test_hits_are_best_first_with_comparable_scores(index: SearchIndex) -> None:
    hits = index.search("northwind hex")
    assert all(isinstance(hit, SearchHit) for hit in hits)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    assert hits[0] == SearchHit(hits[0].doc_id, hits[0].score)


# --------------------------------------------------------------------------- add, re-add, remove


def test_re_adding_replaces_the_old_text(index: SearchIndex) -> None:
    index.add("hinge", item("Piano Hinge", "AC-PH-0002"))
    assert len(index) == 6
    assert index.search("heavy") == []
    assert index.search("door") == []
    assert index.search("cabinet") == []  # the old free text is gone too
    assert ids(index, "piano") == ["hinge"]
    assert index.search("dh") == []
    assert ids(index, "AC-PH-0002") == ["hinge"]


def test_remove_forgets_the_item(index: SearchIndex) -> None:
    index.remove("bolt")
    assert len(index) == 5
    assert index.search("stainless") == []
    assert ids(index, "northwind") == ["nut"]
    assert index.highlight("bolt", "stainless") == {}
    index.remove("bolt")  # absent: no error
    index.remove("never-added")
    assert len(index) == 5


def test_interleaved_add_remove_search() -> None:
    ix = SearchIndex()
    for n in range(50):
        ix.add(f"i{n:02}", item(f"Widget {n}", f"W-{n:03}"))
        if n % 3 == 0:
            ix.remove(f"i{n // 2:02}")
        assert (f"i{n:02}" in ix) == bool(ix.search(f"W-{n:03}"))
    ix.add("i00", item("Gadget"))  # re-uses freed slots
    ix.add("new", item("Gizmo"))
    assert ids(ix, "gadget") == ["i00"]
    assert ids(ix, "gizmo") == ["new"]
    assert ids(ix, "widget 49") == ["i49"]
    assert len(ix) == sum(1 for hit in ix.search("widget")) + 2


def test_many_new_words_are_found_as_prefixes_at_once() -> None:
    ix = SearchIndex()
    ix.add("first", item("Anchor"))
    assert ids(ix, "anc") == ["first"]
    for n in range(3000):  # enough new words to re-sort the vocabulary
        ix.add(f"d{n}", item(f"Part{n}x", f"P{n}"))
        if n in (10, 1500):
            assert ids(ix, f"part{n}x")[0] == f"d{n}"
    assert ids(ix, "part2999x") == ["d2999"]
    assert ids(ix, "part299")[0] == "d299"  # exact-ish prefix first
    assert ids(ix, "anc") == ["first"]


def test_missing_and_none_fields_are_skipped() -> None:
    ix = SearchIndex()
    ix.add("a", {"name": "Plain Item", "sku": None})
    ix.add("b", {"sku": "ONLY-SKU"})
    ix.add("c", {"name": "Extra", "colour": "Vermilion"})  # any other field: free text
    assert ids(ix, "plain") == ["a"]
    assert ids(ix, "only-sku") == ["b"]
    assert ids(ix, "vermilion") == ["c"]
    assert ix.highlight("c", "vermilion") == {"colour": "<mark>Vermilion</mark>"}
    assert len(ix) == 3


# --------------------------------------------------------------------------- highlight


def test_highlight_marks_whole_tokens_of_prefix_and_typo_matches() -> None:
    ix = SearchIndex()
    ix.add("a", item("Stainless Hex Bolt [M8]"))
    assert ix.highlight("a", "stainles bolt") == {
        "name": "<mark>Stainless</mark> Hex <mark>Bolt</mark> [M8]"
    }
    assert ix.highlight("a", "stain") == {"name": "<mark>Stainless</mark> Hex Bolt [M8]"}
    assert ix.highlight("a", "m8") == {"name": "Stainless Hex Bolt [<mark>M8</mark>]"}


def test_highlight_keeps_odd_text_verbatim() -> None:
    ix = SearchIndex()
    ix.add("a", item("Bolt [/x] [b <i>&amp; 'quoted'", search="see [b] and [/b]"))
    assert ix.highlight("a", "bolt") == {"name": "<mark>Bolt</mark> [/x] [b <i>&amp; 'quoted'"}
    assert ix.highlight("a", "quoted") == {"name": "Bolt [/x] [b <i>&amp; '<mark>quoted</mark>'"}
    assert ix.highlight("a", "see") == {"search": "<mark>see</mark> [b] and [/b]"}


def test_highlight_only_returns_matched_fields(index: SearchIndex) -> None:
    assert index.highlight("hinge", "cabinet") == {"search": "<mark>cabinet</mark> hardware"}
    marked = index.highlight("hinge", "acme")
    assert marked == {"name": "<mark>Acme</mark> Heavy-duty Door Hinge"}
    assert index.highlight("hinge", "zeppelin") == {}
    assert index.highlight("hinge", "  ") == {}


def test_highlight_sku_and_gtin(index: SearchIndex) -> None:
    assert index.highlight("nut", "NW-HN-0008") == {
        "sku": "<mark>NW</mark>-<mark>HN</mark>-<mark>0008</mark>"
    }
    assert index.highlight("nut", "04006381333931") == {"gtin": "<mark>4006381333931</mark>"}
    assert index.highlight("gloves", "12345678905") == {}  # 11 digits: no GTIN


def test_highlight_keeps_case_and_accents() -> None:
    ix = SearchIndex()
    ix.add("a", item("Crème Brûlée TORCH"))
    ix.add("b", item("Cafe\u0301 Chair"))
    ix.add("c", item("Große Straße"))
    assert ix.highlight("a", "creme torch") == {
        "name": "<mark>Crème</mark> Brûlée <mark>TORCH</mark>"
    }
    assert ix.highlight("b", "cafe") == {"name": "<mark>Cafe\u0301</mark> Chair"}
    assert ix.highlight("c", "strasse") == {"name": "Große <mark>Straße</mark>"}


def test_highlight_marks_every_occurrence() -> None:
    ix = SearchIndex()
    ix.add("a", item("Bolt and bolt-bolt"))
    marked = ix.highlight("a", "bolt")["name"]
    assert marked == "<mark>Bolt</mark> and <mark>bolt</mark>-<mark>bolt</mark>"


# --------------------------------------------------------------------------- properties


WORDS = [
    "anchor",
    "bracket",
    "bolt",
    "washer",
    "hinge",
    "crème",
    "brûlée",
    "galvanized",
    "stainless",
    "m8x40",
    "m8x50",
    "zinc",
    "nylon",
    "carriage",
    "50",
    "pack",
    "northwind",
    "acme",
    "heavy",
    "duty",
    "torch",
    "cable",
    "clamp",
    "socket",
    "spanner",
    "ratchet",
    "coupling",
    "elbow",
    "reducer",
    "flange",
]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) - 1)
    return rng.choice(
        [
            word[:i] + word[i + 1 :],  # delete
            word[:i] + "q" + word[i:],  # insert
            word[:i] + "q" + word[i + 1 :],  # substitute
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],  # transpose
        ]
    )


def test_random_catalogue_with_churn_keeps_its_promises() -> None:
    rng = random.Random(11)
    ix = SearchIndex()
    names: dict[str, str] = {}
    for n in range(300):
        names[f"d{n:03}"] = " ".join(rng.sample(WORDS, rng.randint(2, 5)))
    for doc_id, name in names.items():
        ix.add(doc_id, item(name, sku=f"SKU-{doc_id}"))
    for n in range(0, 300, 7):
        ix.remove(f"d{n:03}")
        del names[f"d{n:03}"]
    for n in range(1, 300, 11):
        names[f"d{n:03}"] = " ".join(rng.sample(WORDS, 3))
        ix.add(f"d{n:03}", item(names[f"d{n:03}"], sku=f"SKU-d{n:03}"))
    assert len(ix) == len(names)
    tokens = {doc_id: set(tokenize(name)) for doc_id, name in names.items()}

    for _ in range(150):
        doc_id = rng.choice(sorted(names))
        name_words = names[doc_id].split()
        words = rng.sample(name_words, rng.randint(1, min(3, len(name_words))))
        query_words = list(words)
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words and rng.random() < 0.6:
            i = rng.choice(long_words)
            query_words[i] = _typo(words[i], rng)
        query = " ".join(query_words)
        hits = ix.search(query)
        found = [hit.doc_id for hit in hits]
        assert doc_id in found, query
        # Every item holding all the intended words is found, each once, best first.
        wanted = {t for w in words for t in tokenize(w)}
        assert {d for d, toks in tokens.items() if wanted <= toks} <= set(found), query
        assert len(found) == len(set(found))
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert ix.search(query) == hits
        # Whatever is returned has something to show in the highlight.
        for hit in hits[:25]:
            assert "<mark>" in ix.highlight(hit.doc_id, query)["name"], (query, hit)


# --------------------------------------------------------------------------- the warehouse's index


async def test_a_new_warehouse_searches_correctly_before_and_while_its_index_fills() -> None:
    """The index fills in the background; renames and deletions made before it gets to an item
    must not leave that item findable under what it used to be."""
    import asyncio

    from console.backends.memory.warehouse import MemoryWarehouse
    from console.domain.models import Item
    from console.domain.queries import ItemQuery

    names = [f"Widget {i:04d} Cobalt" for i in range(1000)] + ["Acme Zephyr Lantern"]
    warehouse = MemoryWarehouse(items=[Item(id=f"i{n}", name=x) for n, x in enumerate(names)])

    async def found(text: str) -> list[str]:
        return [i.id for i in (await warehouse.list_items(ItemQuery(search=text))).data]

    await warehouse.update_item("i1000", {"name": "Acme Quartz Lantern"})
    await warehouse.delete_item("i999")
    # the first request starts the background fill; a search first indexes what is still waiting
    assert await found("quartz lantern") == ["i1000"]
    assert await found("zephyr") == []
    assert "i999" not in await found("widget 0999 cobalt")
    await asyncio.sleep(0.2)
    await warehouse.update_item("i5", {"name": "Globex Halyard"})
    assert await found("halyard") == ["i5"]
    assert "i5" not in await found("widget 0005")


def test_the_best_few_are_the_first_of_every_match_and_the_count_is_all_of_them() -> None:
    """A page of results (`top`) is exactly the start of the whole ranking, ties included,
    over a catalogue where many items share a word and many share a score."""
    from console.backends.memory.demo import generate_demo

    index = SearchIndex()
    for entry in generate_demo(items=3000, seed=5, now=1_790_000_000).items:
        index.add(entry.id, {"name": entry.name, "sku": entry.sku, "gtin": entry.gtin})
    for query in ("ca", "steel", "black", "cable 6", "shirt s", "stainles", "zzz", ""):
        everything = index.search(query)
        for count in (1, 10, 25, 100, 5000):
            best = index.top(query, count)
            assert best.hits == everything[:count], (query, count)
            assert best.total == len(everything)


def test_a_word_typed_over_a_huge_catalogue_gives_the_same_best_without_counting_all() -> None:
    """Over tens of thousands of items sharing words, the best of a one-word query are found
    by stopping early; they are the start of the whole ranking all the same."""
    rng = random.Random(11)
    stems = ["co", "cor", "corn", "cord", "cordless", "copper", "coil", "coat", "cobalt"]
    others = ["bolt", "washer", "hinge", "cable", "steel", "zinc"]
    index = SearchIndex()
    for n in range(30_000):
        words = [rng.choice(stems), *rng.sample(others, rng.randint(0, 4))]
        if rng.random() < 0.3:
            words.insert(0, rng.choice(others))
        fields = {"name": " ".join(words), "sku": f"SK-{n}"}
        if rng.random() < 0.2:
            fields = {"name": rng.choice(others), "search": rng.choice(stems)}
        index.add(f"itm_{n:05d}", fields)
    for query in ("co", "cor", "cop", "coi"):
        everything = index.search(query)
        best = index.top(query, 25)
        assert [h.doc_id for h in best.hits] == [h.doc_id for h in everything[:25]], query
        assert [h.score for h in best.hits] == [h.score for h in everything[:25]], query
    assert index.top("co", 25).total is None, "so many were not counted"
    assert index.top("cobalt", 25).total == len(index.search("cobalt"))


def test_an_exact_sku_comes_first_even_when_its_word_scores_low_elsewhere() -> None:
    index = SearchIndex()
    for n in range(30_000):
        index.add(f"itm_{n:05d}", {"name": f"Coach bolt {n % 7}", "sku": f"X-{n}"})
    index.add("itm_co", {"name": "Hinge", "sku": "CO"})
    assert index.top("co", 10).hits[0].doc_id == "itm_co"
    assert index.top("co", 10).hits == index.search("co")[:10]


async def test_a_page_of_uncounted_matches_says_there_are_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The memory warehouse's page of a word typed over a huge catalogue (here: any word
    with more matches than two postings) has no count, and says a next page exists."""
    from console.backends.memory import search
    from console.backends.memory.warehouse import MemoryWarehouse
    from console.domain.queries import ItemQuery

    monkeypatch.setattr(search, "_EARLY_STOP_FROM", 2)
    warehouse = MemoryWarehouse.demo(items=400, seed=3, now=1_790_000_000)
    page = await warehouse.list_items(ItemQuery(search="ca", limit=5))
    assert len(page.data) == 5
    assert (page.pagination.total_count, page.pagination.has_more) == (None, True)
    everything = await warehouse.list_items(ItemQuery(search="ca", limit=200))
    assert [i.id for i in page.data] == [i.id for i in everything.data[:5]]
    second = await warehouse.list_items(ItemQuery(search="ca", limit=5, page=2))
    assert [i.id for i in second.data] == [i.id for i in everything.data[5:10]]


def test_exact_skus_reached_by_a_longer_word_first_keep_their_whole_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from console.backends.memory import search

    monkeypatch.setattr(search, "_EARLY_STOP_FROM", 1)
    index = SearchIndex()
    word = "abcdefghij"
    index.add("x", {"name": word + "k a b c d", "sku": word})  # reached by its name first
    index.add("z", {"name": " ".join(f"n{i}" for i in range(20)), "sku": word})
    index.add("y1", {"name": word + "k"})
    index.add("y2", {"name": word + "k"})
    assert index.top(word, 2).hits == index.search(word)[:2]
    assert [hit.doc_id for hit in index.top(word, 2).hits] == ["x", "z"]


def test_a_name_of_many_words_scores_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from console.backends.memory import search

    monkeypatch.setattr(search, "_EARLY_STOP_FROM", 1)
    index = SearchIndex()
    word = "abcdefghij"
    index.add("x", {"name": " ".join(f"n{i}" for i in range(300)), "sku": word})
    index.add("y", {"name": word + "k"})
    assert index.top(word, 1).hits == index.search(word)[:1]


def test_a_code_in_the_gtin_field_that_is_no_gtin_still_ranks_first_exactly() -> None:
    index = SearchIndex()
    index.add("a", {"name": "widget", "gtin": "AB-1234"})
    index.add("b", {"name": "ab 1234 widget"})
    assert ids(index, "AB-1234")[0] == "a"
    assert index.search("AB-1234")[0].score > 1000


def test_uncounted_pages_end_where_the_matches_end_when_all_were_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from console.backends.memory import search

    monkeypatch.setattr(search, "_EARLY_STOP_FROM", 1)
    index = SearchIndex()
    for n in range(10):
        index.add(f"d{n}", {"name": f"cable {n}"})
    best = index.top("cable", 10)
    assert best.total == 10, "every word was scored: the count is known"


def test_changes_after_settle_are_seen_by_the_next_search() -> None:
    """settle() hands the index's writer over once its merges are done: what is changed
    afterwards is still indexed, and seen by the very next search."""
    index = SearchIndex()
    for n in range(50):
        index.add(f"d{n:02}", {"name": f"Widget {n}", "sku": f"W-{n:03}"})
    index.settle()
    index.add("new", {"name": "Gizmo Lantern"})
    index.add("d07", {"name": "Renamed Halyard"})
    index.remove("d08")
    assert ids(index, "gizmo") == ["new"]
    assert ids(index, "halyard") == ["d07"]
    assert "d07" not in ids(index, "widget 7")
    assert "d08" not in ids(index, "W-008")
    assert len(index) == 50
    index.settle()
    assert ids(index, "lantern") == ["new"]


def test_a_prefix_shared_by_many_codes_ranks_them_as_search_does() -> None:
    """Typing "200" over thousands of SKU serials starting with it (one automaton in tantivy,
    not a clause per serial): the page is still the start of the whole ranking."""
    index = SearchIndex()
    for n in range(3000):
        index.add(f"i{n:04}", {"name": f"Part {n % 7}", "sku": f"AB-{200000 + n * 7 % 1000}"})
    index.add("exact", {"name": "Part", "sku": "AB-200"})
    everything = index.search("200")
    assert len(everything) == 3001
    assert everything[0].doc_id == "exact"
    for count in (1, 10, 100):
        assert index.top("200", count).hits == everything[:count]


def test_a_common_two_word_query_gives_the_start_of_the_whole_ranking() -> None:
    """A search for "hex bolt" over thousands of bolts: the items whose every field says bolt
    must not crowd out the short names that rank first. Each of these holds "bolt" in its
    name, SKU and free text and "bolts" too, so a bound summing what a word matches in every
    field puts them far above what they score; the best are the short names."""
    index = SearchIndex()
    for n in range(3_000):
        index.add(
            f"itm_{n:05d}",
            {
                "name": f"Hex Bolt Zinc Plated Grade {n % 9} M{n % 13} bolts",
                "sku": f"BOLT-HEX-{n}",
                "search": "bolt bolts hex",
            },
        )
    for n in range(60):
        index.add(f"short_{n:03d}", {"name": "Hex Bolt", "sku": f"HB{n}"})
    for query in ("hex bolt", "hex bol", "bolt hex"):
        everything = index.search(query)
        best = index.top(query, 50)
        assert [h.doc_id for h in best.hits] == [h.doc_id for h in everything[:50]], query
        assert all(h.doc_id.startswith("short_") for h in best.hits), query
