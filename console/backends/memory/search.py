"""Typo-tolerant item search for the in-memory warehouse, on tantivy.

The rules are ours; tantivy holds the documents. At a million items a pure-Python index needed
about 570 MiB of Python objects (one vocabulary entry per SKU serial and per GTIN) and tens of
milliseconds for a broad word being typed; tantivy keeps the same documents, texts stored, in about 210 MiB resident
and finds the candidates in Rust, so this module only decides what matches and how it ranks.

How it works, in short:

* **Tokens.** Text is case-folded, NFKD-decomposed with combining marks dropped, and split on
  anything that is not a letter or digit, so ``"Édition M8x40, 50-pack"`` gives ``édition`` ->
  ``edition``, ``m8x40``, ``50``, ``pack``. A GTIN field of 8/12/13/14 digits is indexed as one
  key holding its 14-digit zero-padded form, so every GTIN length finds every other. The tokens
  are made here and given to tantivy already split (one field per kind of field), so tantivy's
  own tokenisers never decide what a word is.
* **Vocabulary.** The words of names and free text (few, even for a million items) are also
  kept here, with a symmetric-delete dictionary of the long ones: typos are looked up in them,
  never in codes. Codes (SKU pieces, GTINs) live only in tantivy's term dictionary.
* **Matching a query word.** Exact; prefix (the last word while typing, or any word of 3+
  characters that is not itself indexed), listed from tantivy's term dictionary; and typos:
  Damerau-Levenshtein distance 1 when both words have 4+ characters (all single edits of the
  query word are looked up), distance 2 when both have 8+ (symmetric deletes), and distance 1
  against a prefix for the last word (5+ characters). Typos only reach words of names and free
  text, never codes, and a typo never changes a digit (M8x40 does not match M8x50).
* **Finding documents.** Every query word must match (AND): each word is one tantivy clause
  that matches exactly the tokens listed for it. A word that matches nothing takes no part. If
  no document matches every word, the documents matching the largest number of words are
  returned.
* **Score.** Per query word: match quality (exact 1 > prefix 0.75-0.9 > typo 0.6 > typo in a
  prefix 0.5 > two typos 0.45) x field weight (name and GTIN 1, SKU 0.9, free text 0.6) x the
  word's IDF, summed over the query words, with a small bonus for short names; an exact SKU or
  GTIN gets a bonus that puts it above everything else. Ties are broken by document id. Tantivy
  ranks by an upper bound of that score (constant scores per token, the best per word, the
  name bonus as a weight), and the candidates it returns are scored again here exactly, from
  their stored texts: more are fetched until none left unread could rank above the last one
  kept, so a page is the start of the whole ranking.
* **Other orders.** A listing of matches by name or date (``in_order``) is tantivy's: each
  document carries its key in each such order as a fast column, so a page of a common word
  comes without scoring every match; only the page is scored.
* **Changes.** ``add`` and ``remove`` go to tantivy's writer at once; the next query (or
  ``settle``) commits them first, so a change is always visible to the next search.
"""

from __future__ import annotations

import heapq
import json
import math
import os
import re
import threading
import time
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import tantivy

__all__ = ["SearchHit", "SearchIndex", "SearchTop", "tokenize"]

# How long a process about to fork waits for tantivy's threads to end (`threads_ended`): they
# end within milliseconds of the index settling.
_THREADS_END_SECONDS = 5.0

_WORD = re.compile(r"[^\W_]+")
_GTIN_LENGTHS = frozenset({8, 12, 13, 14})
# Prefix of the token of a normalised GTIN: no query word can start with it, so typing "00"
# never expands to every padded GTIN.
_GTIN_KEY = "\x00"

# Field codes, and the tantivy field holding each one's tokens.
_NAME, _SKU, _GTIN, _TEXT = 0, 1, 2, 3
_FIELD_CODES = {"name": _NAME, "sku": _SKU, "gtin": _GTIN, "search": _TEXT}
_FIELD_WEIGHT = (1.0, 0.9, 1.0, 0.6)
_TOKEN_FIELDS = ("t_name", "t_sku", "t_gtin", "t_text")
_GTIN_FIELD = "gtin14"  # the 14 digits of a field that is a GTIN
_ID_KEYS = "ids"  # "s " / "g " + the SKU's (or GTIN field's) tokens, for an exact id match
_FACTOR_FIELD = "short"  # the short-name bonus, as tantivy's weight_by_field wants it

# Match qualities, before field weight and IDF.
_EXACT = 1.0
_PREFIX_MIN = 0.75  # a prefix scores 0.75 + 0.15 * len(prefix) / len(word)
_PREFIX_SPAN = 0.15
_TYPO1 = 0.6
_TYPO_PREFIX = 0.5
_TYPO2 = 0.45
_PREFIX_FLOOR = _PREFIX_MIN  # qualities at or above this count as exact/prefix for the IDF

_EXACT_ID_BONUS = 1000.0  # an exact SKU or GTIN sits above any word match
_SHORT_NAME_BONUS = 0.05  # score x (1 + 0.05 / (1 + name words)): a tie-breaker, no more
# that factor by a name's number of words (counted up to 255)
_NAME_FACTOR = tuple(1.0 + _SHORT_NAME_BONUS / (1 + words) for words in range(256))

_MIN_PREFIX = 2  # characters before a word is also matched as a prefix
_MIN_TYPO1 = 4  # ... before one typo is allowed (both the query word and the indexed word)
_MIN_TYPO2 = 8  # ... before two typos are allowed
_PREFIX_MATERIALISE = 4096  # prefix ranges larger than this are matched by tantivy's automaton
_TYPO_PREFIX_CAP = 1024  # most words a typo-in-a-prefix may expand to
_MIN_TYPO_PREFIX = 5  # a typo inside a prefix needs this many characters, before and after
_TERMS_PER_FIELD = 32  # a listed prefix range longer than this in one field is one automaton
_MAX_ALPHABET = 64  # letters used to generate substitutions/insertions
# A query whose words' tokens are held by more documents than this is not counted: its best are
# found without visiting every match (a word being typed, "co" over a million items)
_EARLY_STOP_FROM = 20_000
_FIRST_FETCH = 32
# candidates read at most for one query (each is a stored document to decode); beyond them,
# documents whose bound ties with the last one read are ranked by tantivy alone
_MOST_READ = 2048  # candidates read beyond the count asked for, at first
_MOST_WORDS = 1e4  # per word matched, in the "most words" fallback's tantivy score
# Tantivy's scores are 32-bit floats: a candidate left unread is let go when it could beat the
# last one kept by no more than this (relative), which is only rounding
_ROUNDING = 1e-5
_CACHE_SIZE = 32  # compiled queries kept (highlight() reuses the one search() compiled)
_WRITER_HEAP = 50_000_000  # bytes tantivy's writer may buffer before it writes a segment


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    score: float  # higher is more relevant; comparable within one query


@dataclass(frozen=True, slots=True)
class SearchTop:
    hits: list[SearchHit]  # the best, best first
    total: int | None  # how many documents match in all (None: many, not counted)


def _hit(
    doc_id: str,
    score: float,
    _new: Callable[[type], object] = object.__new__,
    _set_id: Callable[[object, str], None] = SearchHit.doc_id.__set__,  # type: ignore[attr-defined]
    _set_score: Callable[[object, float], None] = SearchHit.score.__set__,  # type: ignore[attr-defined]
) -> SearchHit:
    """``SearchHit(doc_id, score)`` at a third of the cost of the frozen dataclass's __init__.

    A broad query returns tens of thousands of hits; this sets the two slots directly.
    """
    hit = _new(SearchHit)
    _set_id(hit, doc_id)
    _set_score(hit, score)
    return hit  # type: ignore[return-value]


assert SearchHit.__slots__ == ("doc_id", "score"), "update _hit() with the new fields"


# --------------------------------------------------------------------------- text normalisation


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.category(c).startswith("M"))


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``; character by character, so spans map back."""
    if text.isascii():
        return text.lower()
    folded = _strip_marks(text).casefold()
    return folded if folded.isascii() else _strip_marks(folded)


_fold_char = lru_cache(maxsize=4096)(_fold)


def _gtin_key(text: str) -> str | None:
    """The vocabulary key of a GTIN written in any of its lengths (spaces allowed), else None."""
    digits = "".join(text.split())
    if digits.isascii() and digits.isdigit() and len(digits) in _GTIN_LENGTHS:
        return _GTIN_KEY + digits.zfill(14)
    return None


def tokenize(text: str) -> list[str]:
    """The normalised tokens of ``text`` (exposed for tests and callers that want to agree)."""
    return _WORD.findall(_fold(text))


def _field_tokens(code: int, text: str) -> list[str]:
    if code == _GTIN:
        key = _gtin_key(text)
        if key is not None:
            return [key]
    return _WORD.findall(_fold(text))


def _token_spans(code: int, text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) for every token of ``text``, with spans in the original text."""
    if code == _GTIN:
        key = _gtin_key(text)
        if key is not None:
            start = len(text) - len(text.lstrip())
            yield start, len(text.rstrip()), key
            return
    if text.isascii():
        for m in _WORD.finditer(text):
            yield m.start(), m.end(), m.group().lower()
        return
    # Fold character by character, remembering where each folded character came from.
    pieces: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        origin.extend([i] * len(folded))
    folded_text = "".join(pieces)
    for m in _WORD.finditer(folded_text):
        start = origin[m.start()]
        end = origin[m.end() - 1] + 1
        # Keep combining marks that follow the token inside it ("cafe\u0301").
        while end < len(text) and not pieces[end]:
            end += 1
        yield start, end, m.group()


def _has_letter(token: str) -> bool:
    return not token.isdecimal() and any(c.isalpha() for c in token)


# --------------------------------------------------------------------------- edit distance


def _edits1(word: str, alphabet: str) -> Iterator[str]:
    """Every string one delete, adjacent transposition, substitution or insertion from ``word``.

    Digits are never deleted, substituted, inserted or swapped with each other: a typo does not
    turn M8x40 into M8x50. ``alphabet`` must hold no digits.
    """
    n = len(word)
    for i in range(n):
        if not word[i].isdigit():
            yield word[:i] + word[i + 1 :]
    for i in range(n - 1):
        a, b = word[i], word[i + 1]
        if a != b and not (a.isdigit() and b.isdigit()):
            yield word[:i] + b + a + word[i + 2 :]
    for i in range(n):
        head, current, tail = word[:i], word[i], word[i + 1 :]
        if not current.isdigit():
            for c in alphabet:
                if c != current:
                    yield head + c + tail
    for i in range(n + 1):
        head, tail = word[:i], word[i:]
        for c in alphabet:
            yield head + c + tail


def _digits(token: str) -> str:
    return "".join(c for c in token if c.isdigit()) if not token.isalpha() else ""


def _deletes(word: str, depth: int) -> set[str]:
    """``word`` and every string obtained from it by deleting up to ``depth`` characters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment (restricted Damerau-Levenshtein) distance, capped at limit + 1."""
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        ai = a[i - 1]
        row_min = i
        for j in range(1, lb + 1):
            bj = b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ai != bj))
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            if value < row_min:
                row_min = value
        if row_min > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[lb], limit + 1)


def _prefix_quality(prefix_len: int, word_len: int) -> float:
    return _PREFIX_MIN + _PREFIX_SPAN * prefix_len / word_len


# --------------------------------------------------------------------------- compiled query


class _Term:
    """One query word: the tokens it matches, with their match quality."""

    __slots__ = ("est", "fields", "idf", "listed", "prefix", "qualities")

    def __init__(self) -> None:
        self.qualities: dict[str, float] = {}  # token -> match quality
        self.fields: dict[str, int] = {}  # token -> bits of the token fields holding it
        self.prefix: str | None = None  # set when a prefix range is too big to list
        self.listed: str | None = None  # set when a prefix range was listed in qualities
        self.est = 0  # documents holding its tokens, summed: how broad it is
        self.idf = 0.0

    def add(self, token: str, quality: float) -> None:
        if quality > self.qualities.get(token, 0.0):
            self.qualities[token] = quality


class _Compiled:
    __slots__ = ("active", "exact_ids", "hits", "lazy", "lazy_prefixes", "terms")

    def __init__(self, terms: list[_Term], exact_ids: tuple[tuple[str, ...], ...]) -> None:
        self.terms = terms
        # Token sequences that, equal to a document's SKU or GTIN tokens, make an exact id hit.
        self.exact_ids = exact_ids
        # A word that matches nothing at all cannot take part; the others still must all match.
        self.active = [j for j, term in enumerate(terms) if term.qualities or term.prefix]
        self.hits: dict[str, list[tuple[int, float]]] = {}
        for j, term in enumerate(terms):
            for token, quality in term.qualities.items():
                self.hits.setdefault(token, []).append((j, quality))
        self.lazy = [(j, term.prefix) for j, term in enumerate(terms) if term.prefix is not None]
        # all of them, for one `str.startswith` of a token, which most tokens fail
        self.lazy_prefixes = tuple(prefix for _, prefix in self.lazy)


def _order_field(order: str) -> str:
    return f"by_{order}"


def _schema(orders: Iterable[str]) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    # the tokens made by _field_tokens, space-separated: "whitespace" only splits them again
    for field in _TOKEN_FIELDS:
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field(_GTIN_FIELD, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(_ID_KEYS, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("texts", stored=True)  # the fields as given, for scores and marks
    builder.add_float_field(_FACTOR_FIELD, fast=True)
    for order in orders:  # a column of sort keys, to list matches in that order
        builder.add_text_field(
            _order_field(order), fast=True, tokenizer_name="raw", index_option="basic"
        )
    return builder.build()


def _native_threads() -> set[int] | None:
    """The ids of the threads of this process that Python did not start; None where the
    system does not list them (Linux's /proc does)."""
    try:
        running = {int(task) for task in os.listdir("/proc/self/task")}
    except OSError:
        return None
    return running - {thread.native_id for thread in threading.enumerate()}


def _id_key(code: int, tokens: Iterable[str]) -> str:
    return ("s" if code == _SKU else "g") + "\x1f" + "\x1f".join(tokens)


# tantivy multiplies a score by log2(2 + value) of the weight field: this value gives the factor
_FACTOR_VALUE = tuple(2.0**factor - 2.0 for factor in _NAME_FACTOR)


# --------------------------------------------------------------------------- the index


class SearchIndex:
    """Typo-tolerant full-text index over a few short fields per document, held by tantivy."""

    def __init__(self, orders: Iterable[str] = ()) -> None:
        """`orders`: names of the orders (other than relevance) matches can be listed in;
        each document then gives its sort key in each (`add`)."""
        self._orders = tuple(orders)
        self._schema = _schema(self._orders)
        self._threads_before = _native_threads() or set()  # see `threads_ended`
        self._index = tantivy.Index(self._schema)
        # Made at the first change and let go by `settle`: a writer runs threads, which a
        # forked process would not have (see `started`)
        self._writing: tantivy.IndexWriter | None = None
        self._searcher = self._index.searcher()
        self._committed = 0  # documents in the searcher
        # documents added (True) or removed (False) since the last commit
        self._unsaved: dict[str, bool] = {}
        self._count = 0
        # The words of names and free text (typos are only ever looked up here).
        self._words: set[str] = set()
        self._sorted: list[str] = []  # sorted words, for typos inside a prefix
        self._pending: list[str] = []  # words added since, sorted lazily
        self._pending_sorted = True
        # Symmetric deletes: each word under itself less up to one character (two for words
        # of 8+), so a typo is found by the few deletes of the query word instead of the
        # hundreds of strings one edit away from it
        self._typo_keys: dict[str, str | list[str]] = {}
        self._letters: Counter[str] = Counter()
        self._alphabet: str | None = None
        self._cache: dict[str, _Compiled] = {}
        self._terms: dict[tuple[str, bool], _Term] = {}  # by word and whether it is the last
        self._texts: dict[str, list[str]] = {}  # the texts of the last query's candidates

    @property
    def started(self) -> bool:
        """Whether the index has a writer at work (changes since it settled): it then runs
        threads of its own, so the process must not fork (the child would have the writer, not
        its threads). A settled index forks whole: a worker makes its own writer."""
        return self._writing is not None

    def threads_ended(self, seconds: float = _THREADS_END_SECONDS) -> bool:
        """Wait, up to `seconds`, for the threads tantivy still runs after the index settled
        to end: whether they did (True where the system cannot tell). Seen on Linux: its
        segment updater, merge and watch threads live on for a moment after `settle`; a
        process forked meanwhile gives a child holding whatever lock one of them held, which
        its first change then waits on for ever. Those are the threads that were not there
        when the index was made and that Python did not start."""
        deadline = time.monotonic() + seconds
        while (_native_threads() or set()) - self._threads_before:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)  # native threads ending signal nothing a process can wait on
        return True

    @property
    def _writer(self) -> tantivy.IndexWriter:
        if self._writing is None:
            self._writing = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        return self._writing

    # ------------------------------------------------------------------ mutation

    def __len__(self) -> int:
        return self._count

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._exists(doc_id)

    def add(
        self,
        doc_id: str,
        fields: Mapping[str, str | None],
        sort_keys: Mapping[str, str] | None = None,
    ) -> None:
        """Index (or re-index, replacing the old entry) one document.

        Field names used by the caller: 'name', 'sku', 'gtin', 'search' (free text); any other
        name is indexed like 'search'. Missing/None fields are skipped. `sort_keys`: the
        document's key in each of the index's orders, unique to it (compared as strings).
        """
        for order in self._orders:
            if sort_keys is None or order not in sort_keys:
                raise ValueError(f"{doc_id} has no sort key for the order {order!r}")
        self.remove(doc_id)
        doc = tantivy.Document()
        doc.add_text("id", doc_id)
        for order in self._orders:
            doc.add_text(_order_field(order), sort_keys[order])  # type: ignore[index]
        texts: list[str] = []
        name_words = 0
        for field, value in fields.items():
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            code = _FIELD_CODES.get(field, _TEXT)
            tokens = _field_tokens(code, text)
            if not tokens:
                continue
            texts += (field, text)
            if code == _GTIN and tokens[0].startswith(_GTIN_KEY):
                doc.add_text(_GTIN_FIELD, tokens[0][1:])
            else:
                doc.add_text(_TOKEN_FIELDS[code], " ".join(tokens))
            if code in (_SKU, _GTIN):
                doc.add_text(_ID_KEYS, _id_key(code, tokens))
            elif code == _NAME:
                name_words += len(tokens)
            if code in (_NAME, _TEXT):
                for token in tokens:
                    if token not in self._words:
                        self._new_word(token)
        doc.add_bytes("texts", json.dumps(texts).encode())
        doc.add_float(_FACTOR_FIELD, _FACTOR_VALUE[min(name_words, 255)])
        self._writer.add_document(doc)
        self._unsaved[doc_id] = True
        self._count += 1

    def remove(self, doc_id: str) -> None:
        """Forget a document; no error if it is not indexed."""
        self._cache.clear()
        self._terms.clear()
        self._texts.clear()
        if not self._exists(doc_id):
            return
        self._writer.delete_documents_by_term("id", doc_id)
        self._unsaved[doc_id] = False
        self._count -= 1

    def _exists(self, doc_id: str) -> bool:
        state = self._unsaved.get(doc_id)
        if state is not None:
            return state
        if not self._committed:
            return False
        query = tantivy.Query.term_query(self._schema, "id", doc_id)
        return bool(self._searcher.search(query, 1, count=False).hits)

    def _new_word(self, token: str) -> None:
        if not _has_letter(token):
            return
        self._words.add(token)
        self._pending.append(token)
        self._pending_sorted = False
        letters = [c for c in token if not c.isdigit()]
        if set(letters) - self._letters.keys():
            self._alphabet = None
        self._letters.update(letters)
        if len(token) >= _MIN_TYPO1:
            deletes = self._typo_keys
            for key in _deletes(token, 2 if len(token) >= _MIN_TYPO2 else 1):
                held = deletes.get(key)
                if held is None:
                    deletes[key] = token
                elif isinstance(held, str):
                    deletes[key] = [held, token]
                else:
                    held.append(token)

    def settle(self) -> None:
        """Make the changes made since the last query searchable now, so the next query does not
        wait for it (a million new items take a few seconds)."""
        self._sorted_lists()
        if self._unsaved:
            self._commit()
            # and let the segments those changes made be merged first: every query runs once
            # per segment (waiting consumes the writer)
            self._writer.wait_merging_threads()
            self._writing = None  # waiting consumed it: the next change makes another
            self._index.reload()
            self._searcher = self._index.searcher()

    def _commit(self) -> tantivy.Searcher:
        if self._unsaved:
            self._writer.commit()
            self._index.reload()
            self._searcher = self._index.searcher()
            self._committed = self._searcher.num_docs
            self._unsaved.clear()
        return self._searcher

    # ------------------------------------------------------------------ vocabulary look-ups

    def _sorted_lists(self) -> tuple[list[str], ...]:
        if self._pending:
            if len(self._pending) > 1024 + len(self._sorted) // 32:
                self._sorted.extend(self._pending)
                self._sorted.sort()
                self._pending = []
                self._pending_sorted = True
            elif not self._pending_sorted:
                self._pending.sort()
                self._pending_sorted = True
        if self._pending:
            return (self._sorted, self._pending)
        return (self._sorted,)

    def _alphabet_now(self) -> str:
        if self._alphabet is None:
            common = [c for c, _ in self._letters.most_common(_MAX_ALPHABET)]
            self._alphabet = "".join(sorted(common))
        return self._alphabet

    def _df(self, token: str) -> tuple[int, int]:
        """Documents holding ``token`` (in any field, counted once per field), and the bits of
        the token fields that hold it."""
        searcher = self._searcher
        if token.startswith(_GTIN_KEY):
            return searcher.doc_freq(_GTIN_FIELD, token[1:]), 0
        df = fields = 0
        for code, field in enumerate(_TOKEN_FIELDS):
            if found := searcher.doc_freq(field, token):
                df += found
                fields |= 1 << code
        return df, fields

    def _prefix_range(self, prefix: str) -> tuple[dict[str, tuple[int, int]], bool]:
        """{token: (documents, field bits)} of the indexed tokens starting with ``prefix``;
        True if there are more than are worth listing."""
        found: dict[str, tuple[int, int]] = {}
        for code, field in enumerate(_TOKEN_FIELDS):
            listed = self._searcher.terms_with_prefix(field, prefix, limit=_PREFIX_MATERIALISE + 1)
            if len(listed) > _PREFIX_MATERIALISE:
                return {}, True
            for token, count in listed:
                if count:
                    df, fields = found.get(token, (0, 0))
                    found[token] = (df + count, fields | 1 << code)
        return found, len(found) > _PREFIX_MATERIALISE

    # ------------------------------------------------------------------ compiling a query

    def _compile(self, query: str) -> _Compiled:
        compiled = self._cache.get(query)
        if compiled is not None:
            return compiled
        self._commit()
        words = tokenize(query)
        gtin = _gtin_key(query)
        if gtin is not None:
            words = [gtin[-len("".join(words)) :]]  # "4 006381 333931" as printed on a label
        terms = [self._word(word, i == len(words) - 1) for i, word in enumerate(words)]
        exact_ids: list[tuple[str, ...]] = []
        if words:
            exact_ids.append(tuple(words))
        if gtin is not None:
            exact_ids.append((gtin,))
        compiled = _Compiled(terms, tuple(exact_ids))
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[query] = compiled
        return compiled

    def _word(self, word: str, is_last: bool) -> _Term:
        """The word's term, made once while the index does not change: a query typed
        letter by letter has only its last word new each time."""
        term = self._terms.get((word, is_last))
        if term is None:
            if len(self._terms) >= _CACHE_SIZE * 8:
                self._terms.clear()
            term = self._terms[word, is_last] = self._term(word, is_last)
        return term

    def _term(self, word: str, is_last: bool) -> _Term:
        term = _Term()
        length = len(word)
        dfs: dict[str, tuple[int, int]] = {}
        dfs[word] = self._df(word)
        exact_df = dfs[word][0]
        if exact_df:
            term.add(word, _EXACT)
        if length in _GTIN_LENGTHS and word.isascii() and word.isdigit():
            key = _GTIN_KEY + word.zfill(14)
            dfs[key] = self._df(key)
            if dfs[key][0]:
                term.add(key, _EXACT)
        typos = length >= _MIN_TYPO1 and _has_letter(word)
        if typos:
            self._add_typos(term, word)
        if length >= _MIN_PREFIX and (is_last or (length >= 3 and not exact_df)):
            tokens, more = self._prefix_range(word)
            if more:
                term.prefix = word
            else:
                term.listed = word
                dfs.update(tokens)
                for token in tokens:
                    term.add(token, _prefix_quality(length, len(token)))
        if is_last and typos and length >= _MIN_TYPO_PREFIX:
            self._add_typo_prefixes(term, word)
        # Cost and IDF. The IDF belongs to the query word, taken from its best class of matches,
        # so that within one word exact > prefix > typo whatever the rarity of the variants.
        total = max(1, self._count)
        best = max(term.qualities.values(), default=0.0)
        floor = _EXACT if best >= _EXACT else _PREFIX_FLOOR if best >= _PREFIX_FLOOR else 0.0
        est = best_df = 0
        for token, quality in list(term.qualities.items()):
            known = dfs.get(token)
            if known is None:
                known = dfs[token] = self._df(token)
            df, term.fields[token] = known
            if not df:
                del term.qualities[token]  # only in documents removed since
                continue
            est += df
            if quality >= floor:
                best_df += df
        if term.prefix is not None:
            est += 4 * total  # unknown but large
            if best < _EXACT:
                best_df = total
        term.est = est
        term.idf = math.log1p(total / max(1, min(best_df, total)))
        return term

    def _add_typos(self, term: _Term, word: str) -> None:
        """Words one typo from ``word`` (4+ characters, both), or two (8+, both); a typo never
        changes a digit (the digits, in order, stay the same)."""
        two = len(word) >= _MIN_TYPO2
        candidates: set[str] = set()
        keys = self._typo_keys
        for key in _deletes(word, 2 if two else 1):
            held = keys.get(key)
            if held is None:
                continue
            if isinstance(held, str):
                candidates.add(held)
            else:
                candidates.update(held)
        digits = _digits(word)
        for token in candidates:
            if _digits(token) != digits:
                continue
            distance = _osa_distance(word, token, 2 if two else 1)
            if distance == 1:
                term.add(token, _TYPO1)
            elif distance == 2 and len(token) >= _MIN_TYPO2:
                term.add(token, _TYPO2)

    def _add_typo_prefixes(self, term: _Term, word: str) -> None:
        """Words that start with something one typo away from ``word`` (typing 'stianl')."""
        budget = _TYPO_PREFIX_CAP
        lists = self._sorted_lists()
        for variant in set(_edits1(word, self._alphabet_now())):
            if len(variant) < _MIN_TYPO_PREFIX:
                continue
            for tokens in lists:
                i = bisect_left(tokens, variant)
                n = len(tokens)
                while i < n and budget > 0:
                    token = tokens[i]
                    if not token.startswith(variant):
                        break
                    i += 1
                    if token != variant:
                        term.add(token, _TYPO_PREFIX)
                        budget -= 1
            if budget <= 0:
                return

    # ------------------------------------------------------------------ tantivy queries

    def _word_query(self, term: _Term, *, ranked: bool = True) -> tantivy.Query:
        """Every document holding one of the word's tokens, scored (when `ranked`) at least as
        high as the best of them would score it (exactly, when it holds one)."""
        query = tantivy.Query
        schema = self._schema
        parts: list[tantivy.Query] = []
        idf = term.idf
        fields = term.fields
        # One term query per token and field holding it (tantivy runs that several times
        # faster than a term set per field), except for a long listed prefix range in one
        # field ("200" over the SKU serials 200000-200999): that is one prefix automaton,
        # scored by the best of its tokens.
        per_field: list[list[tuple[str, float]]] = [[] for _ in _TOKEN_FIELDS]
        for token, quality in term.qualities.items():
            if token.startswith(_GTIN_KEY):
                found = query.term_query(schema, _GTIN_FIELD, token[1:])
                parts.append(query.const_score_query(found, quality * _FIELD_WEIGHT[_GTIN] * idf))
                continue
            bits = fields[token]
            for code in range(len(_TOKEN_FIELDS)):
                if bits >> code & 1:
                    per_field[code].append((token, quality))
        listed = term.listed
        for code, field in enumerate(_TOKEN_FIELDS):
            weight = _FIELD_WEIGHT[code] * idf
            held = per_field[code]
            if listed is not None and len(held) > _TERMS_PER_FIELD:
                ranged = [q for token, q in held if token.startswith(listed)]
                if len(ranged) > _TERMS_PER_FIELD:
                    found = query.regex_query(schema, field, re.escape(listed) + ".*")
                    parts.append(query.const_score_query(found, max(ranged) * weight))
                    held = [(token, q) for token, q in held if not token.startswith(listed)]
            for token, quality in held:
                found = query.term_query(schema, field, token)
                parts.append(query.const_score_query(found, quality * weight))
        if term.prefix is not None:
            most = _prefix_quality(len(term.prefix), len(term.prefix) + 1)
            for code, field in enumerate(_TOKEN_FIELDS):
                found = query.regex_query(schema, field, re.escape(term.prefix) + ".*")
                parts.append(query.const_score_query(found, most * _FIELD_WEIGHT[code] * idf))
        if len(parts) == 1:
            return parts[0]
        if not ranked:  # listed in another order: which documents, not how they score
            return query.boolean_query([(tantivy.Occur.Should, part) for part in parts])
        # The best part, which is what the word scores: a bound as tight as the score. A sum
        # of the parts (a boolean query) was a little faster to run, but "hex bolt" over
        # thousands of bolts whose name, SKU and text all say bolt gave them bounds far above
        # their scores: the candidates read ran out before the short names that rank first
        # were reached, and the page was wrong as well as slow (100 ms at a million items).
        return query.disjunction_max_query(parts)

    # ------------------------------------------------------------------ searching

    def search(self, query: str) -> list[SearchHit]:
        """Every matching document, best first (ties by doc_id). Blank query -> []."""
        scored, _ = self._scored(query, None)
        return _ranked(scored, None)

    def top(self, query: str, count: int) -> SearchTop:
        """The best `count` documents, in the order `search` gives them, and how many match
        in all: a page of results without reading every match (a two-letter prefix over a
        million items matches hundreds of thousands)."""
        scored, total = self._scored(query, max(0, count))
        return SearchTop(_ranked(scored, count) if count > 0 else [], total)

    def _word_queries(self, compiled: _Compiled, *, ranked: bool = True) -> list[tantivy.Query]:
        """One tantivy query per query word that matches something."""
        return [self._word_query(compiled.terms[j], ranked=ranked) for j in compiled.active]

    def in_order(
        self, query: str, order: str, start: int, count: int, *, descending: bool = False
    ) -> SearchTop | None:
        """The matches from `start` to `start + count` in one of the index's orders (by sort
        key), scored, and how many match in all: a page of a search listed by name without
        scoring every match. None when no document matches every word (`search` then finds
        those matching the most)."""
        compiled = self._compile(query)
        active = compiled.active
        if not active:
            return None
        every = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, word) for word in self._word_queries(compiled, ranked=False)]
        )
        searcher = self._searcher
        found = searcher.search(
            every,
            max(1, count),
            count=True,
            order_by_field=_order_field(order),
            offset=start,
            order=tantivy.Order.Desc if descending else tantivy.Order.Asc,
        )
        if not found.count:
            return None
        self._texts = texts_of = {}
        hits: list[SearchHit] = []
        for _, address in found.hits[:count]:
            doc_id, texts = _stored(searcher, address)
            texts_of[doc_id] = texts
            # tantivy matched it by the tokens the score counts: 0 only were they to disagree
            hits.append(SearchHit(doc_id, self._rescore(compiled, texts, len(active)) or 0.0))
        return SearchTop(hits, found.count)

    def _scored(self, query: str, count: int | None) -> tuple[dict[str, float], int | None]:
        """{doc_id: score} of at least the best `count` matches (None: all), and how many
        match in all when known."""
        compiled = self._compile(query)
        active = compiled.active
        if not active:
            return {}, 0
        terms = compiled.terms
        words = self._word_queries(compiled)
        query_type = tantivy.Query
        clauses = [(tantivy.Occur.Must, word) for word in words]
        keys = [_id_key(code, ids) for ids in compiled.exact_ids for code in (_SKU, _GTIN)]
        if keys:
            exact = query_type.boolean_query(
                [
                    (tantivy.Occur.Should, query_type.term_query(self._schema, _ID_KEYS, key))
                    for key in keys
                ]
            )
            clauses.append(
                (tantivy.Occur.Should, query_type.const_score_query(exact, _EXACT_ID_BONUS))
            )
        every = query_type.boolean_query(clauses)
        counted = len(active) > 1 or terms[active[0]].est < _EARLY_STOP_FROM
        scored, total = self._collect(every, compiled, len(active), count, counted, 0.0)
        if not scored and len(active) > 1:
            # Nobody matches every word: take the documents matching the most words.
            most_words = query_type.boolean_query(
                [
                    (
                        tantivy.Occur.Should,
                        query_type.boolean_query(
                            [
                                (
                                    tantivy.Occur.Should,
                                    query_type.const_score_query(word, _MOST_WORDS),
                                ),
                                (tantivy.Occur.Should, word),
                            ]
                        ),
                    )
                    for word in words
                ]
            )
            best = self._searcher.search(most_words, 1, count=False).hits
            if best:
                need = int(best[0][0] // _MOST_WORDS)
                scored, total = self._collect(
                    most_words, compiled, need, count, False, need * _MOST_WORDS
                )
        return scored, total

    def _collect(
        self,
        query: tantivy.Query,
        compiled: _Compiled,
        need: int,
        count: int | None,
        counted: bool,
        floor: float,
    ) -> tuple[dict[str, float], int | None]:
        """Candidates from tantivy, best bound first, scored exactly, until none left could
        beat the `count`-th best (None: all of them); with how many match, when known. With a
        `floor` (the "most words" query), only candidates scoring above it are read."""
        searcher = self._searcher
        weight = _FACTOR_FIELD if not floor else None
        scored: dict[str, float] = {}
        self._texts = texts_of = {}
        total: int | None = None
        offset = 0
        batch = 1024 if count is None else count + _FIRST_FETCH
        while True:
            first = offset == 0
            found = searcher.search(
                query, batch, count=counted and first, offset=offset, weight_by_field=weight
            )
            if counted and first:
                total = found.count
            hits = found.hits
            for bound, address in hits:
                if floor and bound < floor * (1 - _ROUNDING):
                    return scored, len(scored)  # fewer words from here on
                doc_id, texts = _stored(searcher, address)
                score = self._rescore(compiled, texts, need)
                if score is not None:
                    scored[doc_id] = score
                    texts_of[doc_id] = texts
            offset += len(hits)
            if len(hits) < batch:
                return scored, len(scored)  # every match was read
            if count is not None and offset >= _MOST_READ:
                return scored, total  # near-ties among the rest keep tantivy's order
            if count is not None and len(scored) >= count:
                last = hits[-1][0]
                if floor:
                    last = (last - floor) * _NAME_FACTOR[0] + _ROUNDING * floor
                least = heapq.nlargest(count, scored.values())[-1] if count else math.inf
                if least >= last * (1 - _ROUNDING):
                    return scored, total
            batch *= 2

    def _rescore(self, compiled: _Compiled, texts: list[str], need: int) -> float | None:
        """The document's exact score, from its texts; None if it matches fewer than `need`
        of the query's words."""
        terms = compiled.terms
        hits = compiled.hits
        lazy = compiled.lazy
        lazy_prefixes = compiled.lazy_prefixes
        best = [0.0] * len(terms)
        name_words = 0
        ids: list[tuple[str, ...]] = []
        for i in range(0, len(texts), 2):
            code = _FIELD_CODES.get(texts[i], _TEXT)
            tokens = _field_tokens(code, texts[i + 1])
            if code == _NAME:
                name_words += len(tokens)
            elif code in (_SKU, _GTIN):
                ids.append(tuple(tokens))
            weight = _FIELD_WEIGHT[code]
            # Most of a document's tokens match no query word: without prefixes too broad to
            # list, only the matching ones are looked at (found in one set operation).
            for token in tokens if lazy else hits.keys() & tokens:
                matches = hits.get(token)
                if matches is not None:
                    for j, quality in matches:
                        value = quality * weight
                        if value > best[j]:
                            best[j] = value
                if lazy and token.startswith(lazy_prefixes):
                    for j, prefix in lazy:
                        if token.startswith(prefix):
                            value = _prefix_quality(len(prefix), len(token)) * weight
                            if value > best[j]:
                                best[j] = value
        matched = 0
        score = 0.0
        for j in compiled.active:
            if best[j]:
                matched += 1
                score += best[j] * terms[j].idf
        if matched < need:
            return None
        score *= _NAME_FACTOR[min(name_words, 255)]
        if any(found in compiled.exact_ids for found in ids):
            score += _EXACT_ID_BONUS
        return score

    # ------------------------------------------------------------------ highlighting

    def highlight(self, doc_id: str, query: str) -> dict[str, str]:
        """{field: text with <mark>…</mark> around each matched token}, for matched fields only.

        The text is otherwise kept exactly as it was given (nothing is escaped).
        """
        compiled = self._compile(query)
        if not compiled.terms:
            return {}
        texts = self._texts.get(doc_id) or self._stored_texts(doc_id)
        out: dict[str, str] = {}
        hits = compiled.hits
        for i in range(0, len(texts), 2):
            field, text = texts[i], texts[i + 1]
            code = _FIELD_CODES.get(field, _TEXT)
            if not compiled.lazy and hits.keys().isdisjoint(_field_tokens(code, text)):
                continue  # no token of it matches: nothing to mark (most fields of a hit)
            spans: list[tuple[int, int]] = []
            for start, end, token in _token_spans(code, text):
                if _token_matches(compiled, token):
                    if spans and start < spans[-1][1]:
                        spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                    else:
                        spans.append((start, end))
            if spans:
                pieces: list[str] = []
                at = 0
                for start, end in spans:
                    pieces += (text[at:start], "<mark>", text[start:end], "</mark>")
                    at = end
                pieces.append(text[at:])
                out[field] = "".join(pieces)
        return out

    def _stored_texts(self, doc_id: str) -> list[str]:
        searcher = self._commit()
        query = tantivy.Query.term_query(self._schema, "id", doc_id)
        hits = searcher.search(query, 1, count=False).hits
        if not hits:
            return []
        return _stored(searcher, hits[0][1])[1]


def _stored(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> tuple[str, list[str]]:
    """A document's id and its fields as given (field, text, field, text...)."""
    doc = searcher.doc(address)
    texts: list[str] = json.loads(doc.get_first("texts"))
    return doc.get_first("id"), texts


def _token_matches(compiled: _Compiled, token: str) -> bool:
    return token in compiled.hits or token.startswith(compiled.lazy_prefixes)


def _ranked(scored: dict[str, float], count: int | None) -> list[SearchHit]:
    """The hits best first, ties by doc_id (the first `count` of them, None: all)."""
    if count is not None and count * 8 < len(scored):
        # Only the scores at or above the count-th best can be in the top: found among
        # the floats alone, then only those few are ranked.
        least = heapq.nlargest(count, scored.values())[-1]
        scored = {doc_id: score for doc_id, score in scored.items() if score >= least}
    # Two stable sorts instead of (score, id) tuples: far fewer objects for the GC to track.
    ranked = sorted(scored)
    ranked.sort(key=scored.__getitem__, reverse=True)
    return [_hit(doc_id, scored[doc_id]) for doc_id in ranked[:count]]
