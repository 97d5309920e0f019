"""Listings in an order: the page a client asks for is the page of the whole sorted catalogue,
however items came, changed and went since the order was sorted, and whichever way the page was
cut (a slice of everything, a few matches sorted alone, a broad filter walked)."""

from __future__ import annotations

import asyncio
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from console.backends.memory.ordering import SortedIds
from console.backends.memory.warehouse import MemoryWarehouse
from console.domain.models import Item, Page
from console.domain.queries import ItemQuery
from console.domain.requests import ItemUpdate

NAMES = st.sampled_from(["bolt", "Bolt", "anchor", "zinc nut", "washer", "", "Ätna hex"])

# one step: (what, which id, new name)
STEPS = st.lists(
    st.tuples(st.sampled_from(["add", "rename", "remove"]), st.integers(0, 40), NAMES),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    start=st.dictionaries(st.integers(0, 40), NAMES, max_size=30),
    steps=STEPS,
    page_start=st.integers(0, 35),
    size=st.integers(1, 12),
    descending=st.booleans(),
    among=st.none() | st.sets(st.integers(0, 40)),
    keep_even=st.booleans(),
)
def test_a_page_is_the_page_of_the_catalogue_sorted_anew(
    start: dict[int, str],
    steps: list[tuple[str, int, str]],
    page_start: int,
    size: int,
    descending: bool,
    among: set[int] | None,
    keep_even: bool,
) -> None:
    names = {f"i{n:02d}": name for n, name in start.items()}

    def key(item_id: str) -> tuple[str, str]:
        return (names[item_id].casefold(), item_id)

    order = SortedIds(key, names)
    for what, n, name in steps:
        item_id = f"i{n:02d}"
        if what == "add" and item_id not in names:
            names[item_id] = name
            order.add(item_id)
        elif what == "rename" and item_id in names:
            order.remove(item_id)  # before the name changes, as the warehouse does
            names[item_id] = name
            order.add(item_id)
        elif what == "remove" and item_id in names:
            order.remove(item_id)
            del names[item_id]

    assert order.ids == sorted(names, key=key)
    # what the warehouse filters by (a location's items, a search's matches) is always listed
    allowed = None if among is None else {f"i{n:02d}" for n in among} & names.keys()

    def even(item_id: str) -> bool:
        return int(item_id[1:]) % 2 == 0

    keep = even if keep_even else None
    expected = [
        i
        for i in sorted(names, key=key, reverse=descending)
        if (allowed is None or i in allowed) and (keep is None or keep(i))
    ]
    got = order.page(page_start, size, descending=descending, among=allowed, keep=keep)
    assert got == (expected[page_start : page_start + size], len(expected))


def _names(page: Page[Item]) -> list[str]:
    return [item.name for item in page.data]


def test_listings_by_name_follow_a_renamed_created_and_deleted_item() -> None:
    """The order is sorted once, by the first listing; what changes afterwards moves in it."""

    async def run() -> None:
        warehouse = MemoryWarehouse.demo(items=200, seed=5)
        warehouse.prepare_listings()
        everything = ItemQuery(limit=250)
        first = (await warehouse.list_items(everything)).data[0]
        renamed = await warehouse.update_item(first.id, ItemUpdate(name="zzzz last of all"))
        created = await warehouse.create_item({"name": "!!! first of all"})
        by_name = await warehouse.list_items(everything)
        assert by_name.data[0].id == created.id
        assert by_name.data[-1].id == first.id == renamed.id
        last = await warehouse.list_items(ItemQuery(limit=1, direction="desc"))
        assert last.data[0].id == renamed.id
        assert last.pagination.total_count == 201 and last.pagination.has_more
        await warehouse.delete_item(created.id)
        after = await warehouse.list_items(ItemQuery(limit=250))
        names = _names(after)
        assert created.id not in [i.id for i in after.data]
        assert names == sorted(names, key=lambda n: n.casefold()) and len(names) == 200
        newest = await warehouse.list_items(
            ItemQuery(limit=3, order_by="created_at", direction="desc")
        )
        assert created.id not in [i.id for i in newest.data]

    asyncio.run(run())


def test_a_search_in_name_order_lists_its_matches_sorted_and_counted() -> None:
    async def run() -> None:
        warehouse = MemoryWarehouse.demo(items=2000, seed=5)
        word = "bolt"
        relevance = await warehouse.list_items(ItemQuery(search=word, limit=250))
        matched = {item.id for item in relevance.data}
        assert 25 < len(matched) < 250 and relevance.pagination.total_count == len(matched)
        pages = []
        page_number = 1
        while True:
            page = await warehouse.list_items(
                ItemQuery(search=word, order_by="name", limit=25, page=page_number)
            )
            pages += page.data
            assert page.pagination.total_count == len(matched)
            if not page.pagination.has_more:
                break
            page_number += 1
        assert {item.id for item in pages} == matched
        keys = [(item.name.casefold(), item.id) for item in pages]
        assert keys == sorted(keys)
        assert all(item.search_score is not None for item in pages)

    asyncio.run(run())


async def _every_match(warehouse: MemoryWarehouse, words: str) -> list[Item]:
    """Every item a search finds, by relevance, page by page."""
    found: list[Item] = []
    page = 1
    while True:
        answer = await warehouse.list_items(ItemQuery(search=words, limit=250, page=page))
        found += answer.data
        if not answer.pagination.has_more:
            return found
        page += 1


def test_a_search_in_name_or_date_order_is_its_matches_sorted() -> None:
    """Common words, rare ones, a prefix being typed, a typo, two words: each page is the page
    of all the matches sorted, with the scores relevance gives them, and counted."""

    async def run() -> None:
        warehouse = MemoryWarehouse.demo(items=3000, seed=11)
        listed = (await warehouse.list_items(ItemQuery(limit=250))).data
        words = Counter(w.casefold() for item in listed for w in item.name.split() if w.isalpha())
        common = [w for w, _ in words.most_common(3)]
        rare = [w for w, n in words.items() if n == 1][:2]
        typed = [common[0][:2], "blot", f"{common[0]} {common[1]}"]
        for words_typed in [*common, *rare, *typed]:
            matches = await _every_match(warehouse, words_typed)
            scores = {item.id: item.search_score for item in matches}
            for order_by, key in (
                ("name", lambda i: (i.name.casefold(), i.id)),
                ("created_at", lambda i: (i.created_at or 0, i.id)),
            ):
                for direction in ("asc", "desc"):
                    expected = sorted(matches, key=key, reverse=direction == "desc")
                    for page in (1, 3):
                        got = await warehouse.list_items(
                            ItemQuery(
                                search=words_typed,
                                order_by=order_by,
                                direction=direction,
                                limit=20,
                                page=page,
                            )
                        )
                        want = expected[(page - 1) * 20 : page * 20]
                        assert [i.id for i in got.data] == [i.id for i in want], words_typed
                        assert [i.search_score for i in got.data] == [scores[i.id] for i in want]
                        assert got.pagination.total_count == len(matches)
                        assert got.pagination.has_more == (page * 20 < len(matches))

    asyncio.run(run())


def test_a_search_in_name_order_sorts_names_as_the_listing_does() -> None:
    """Case does not count, and a name sorts before the longer names it begins."""

    async def run() -> None:
        warehouse = MemoryWarehouse.demo(items=50, seed=3)
        for name in ("zeta Quokkel", "Quokkel", "ALPHA Quokkel", "beta Quokkel", "Quokkel A"):
            await warehouse.create_item({"name": name})
        for direction in ("asc", "desc"):
            query = ItemQuery(search="quokkel", order_by="name", direction=direction)
            searched = await warehouse.list_items(query)
            listed = await warehouse.list_items(ItemQuery(direction=direction, limit=250))
            assert _names(searched) == [n for n in _names(listed) if "Quokkel" in n]
        assert _names(searched) == [
            "zeta Quokkel", "Quokkel A", "Quokkel", "beta Quokkel", "ALPHA Quokkel"
        ]  # fmt: skip

    asyncio.run(run())
