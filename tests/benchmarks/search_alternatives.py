"""What a user could pick instead of the console's item index (which keeps its documents in
tantivy, under its own rules), built on the same documents and
asked the same queries (tests/benchmarks/bench_search.py). Each is set up as its own
documentation suggests for typo-tolerant, as-you-type search over short names:

* symspellpy + SQLite FTS5: each query word corrected by SymSpell against the name vocabulary
  (distance 1, 2 for words of 8+ letters), then an FTS5 match of every word, the last one as a
  prefix, ranked by bm25;
* tantivy, plain: every word a fuzzy term query (distance 1 for words of 4+ letters, the last one a
  fuzzy prefix), all of them required, ranked by BM25;
* rapidfuzz: every name scored against the whole query with a fast scorer (`fuzz.QRatio`),
  the best ten kept: no index at all.

They are imported only here, from the `bench` extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from console.backends.memory.search import SearchIndex, tokenize


class Document(Protocol):
    id: str
    name: str
    fields: dict[str, str | None]


class Engine(Protocol):
    name: str

    def build(self, docs: Sequence[Document]) -> None: ...
    def search(self, query: str, count: int) -> list[str]: ...


class Ours:
    """The console's index (its rules, the documents in tantivy), asked as the warehouse asks
    it for a page of a plain search: the best `count` and their highlights."""

    name = "console index"

    def build(self, docs: Sequence[Document]) -> None:
        self.index = SearchIndex()
        for doc in docs:
            self.index.add(doc.id, doc.fields)
        self.index.settle()

    def search(self, query: str, count: int) -> list[str]:
        hits = self.index.top(query, count).hits
        for hit in hits:  # MemoryWarehouse.list_items marks every listed item
            self.index.highlight(hit.doc_id, query)
        return [hit.doc_id for hit in hits]


class SymspellFts5:
    name = "symspellpy + SQLite FTS5"

    def build(self, docs: Sequence[Document]) -> None:
        from symspellpy import SymSpell

        self.ids = [doc.id for doc in docs]
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(name, sku, gtin, extra, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        self.db.executemany(
            "INSERT INTO doc(rowid, name, sku, gtin, extra) VALUES (?, ?, ?, ?, ?)",
            (
                (n, d.name, d.fields.get("sku"), d.fields.get("gtin"), d.fields.get("search"))
                for n, d in enumerate(docs)
            ),
        )
        self.db.commit()
        counts: Counter[str] = Counter()
        for doc in docs:
            counts.update(tokenize(doc.name))
        self.vocabulary = counts
        self.speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in counts.items():
            self.speller.create_dictionary_entry(word, count)

    def _corrected(self, word: str) -> str:
        from symspellpy import Verbosity

        if word in self.vocabulary or len(word) < 4 or not word.isalpha():
            return word
        distance = 2 if len(word) >= 8 else 1
        found = self.speller.lookup(word, Verbosity.TOP, max_edit_distance=distance)
        return found[0].term if found else word

    def search(self, query: str, count: int) -> list[str]:
        words = tokenize(query)
        if not words:
            return []
        *whole, last = words
        terms = [f'"{self._corrected(w)}"' for w in whole]
        # the word being typed: a prefix as it stands, or of its correction if nothing starts so
        typed = last if len(last) < 4 or self._has_prefix(last) else self._corrected(last)
        terms.append(f'"{typed}"*' if len(typed) >= 2 else f'"{typed}"')
        rows = self.db.execute(
            "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT ?",
            (" AND ".join(terms), count),
        ).fetchall()
        return [self.ids[row[0]] for row in rows]

    def _has_prefix(self, word: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM doc WHERE doc MATCH ? LIMIT 1", (f'name : "{word}"*',)
        ).fetchone()
        return row is not None


class Tantivy:
    name = "tantivy"

    def build(self, docs: Sequence[Document]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False)
        builder.add_integer_field("n", stored=True, indexed=False)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(heap_size=256_000_000)
        for n, doc in enumerate(docs):
            text = " ".join(v for v in doc.fields.values() if v)
            writer.add_document(tantivy.Document(text=text, n=n))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.ids = [doc.id for doc in docs]

    def search(self, query: str, count: int) -> list[str]:
        import tantivy

        words = tokenize(query)
        if not words:
            return []
        parts: list[tuple[Any, Any]] = []
        for i, word in enumerate(words):
            distance = 1 if len(word) >= 4 and word.isalpha() else 0
            term = tantivy.Query.fuzzy_term_query(
                self.schema, "text", word, distance=distance, prefix=i == len(words) - 1
            )
            parts.append((tantivy.Occur.Must, term))
        found = self.searcher.search(tantivy.Query.boolean_query(parts), count)
        return [self.ids[self.searcher.doc(address)["n"][0]] for _score, address in found.hits]


class RapidfuzzScan:
    name = "rapidfuzz QRatio scan"

    def build(self, docs: Sequence[Document]) -> None:
        from rapidfuzz import utils

        self.ids = [doc.id for doc in docs]
        self.names = [utils.default_process(doc.name) for doc in docs]

    def search(self, query: str, count: int) -> list[str]:
        from rapidfuzz import fuzz, process, utils

        found = process.extract(
            utils.default_process(query), self.names, scorer=fuzz.QRatio, limit=count
        )
        return [self.ids[i] for _, _, i in found]


def alternatives() -> list[Engine]:
    """The engines whose libraries are installed (the `bench` extra), ours first."""
    engines: list[Engine] = [Ours()]
    for engine, module in (
        (SymspellFts5, "symspellpy"),
        (Tantivy, "tantivy"),
        (RapidfuzzScan, "rapidfuzz"),
    ):
        try:
            __import__(module)
        except ImportError:
            print(f"{engine.name}: not installed (pip install -e '.[bench]'), not measured")
            continue
        engines.append(engine())
    return engines
