"""Typo-tolerant item search for the in-memory warehouse (pure standard library).

How it works, in short:

* **Tokens.** Text is case-folded, NFKD-decomposed with combining marks dropped, and split on
  anything that is not a letter or digit, so ``"Édition M8x40, 50-pack"`` gives ``édition`` ->
  ``edition``, ``m8x40``, ``50``, ``pack``. A GTIN field of 8/12/13/14 digits is indexed as one
  key holding its 14-digit zero-padded form, so every GTIN length finds every other.
* **Vocabulary.** Each distinct token gets an integer id. Per token there is a posting list of
  entries ``doc_number << 4 | mask of the fields holding it`` (a plain ``int`` while only one
  document has the token, then a sorted ``array('I')``), and per document a forward list of
  ``token_id << 2 | field`` codes. There are no per-document dictionaries, so 100,000 items stay
  small.
* **Matching a query word.** Exact; prefix (the last word while typing, or any word of 3+
  characters that is not itself in the vocabulary), found by bisecting a sorted copy of the
  vocabulary; and typos: Damerau-Levenshtein distance 1 when both words have 4+ characters (all
  single edits of the query word are looked up in the vocabulary), distance 2 when both have 8+
  (symmetric-delete dictionary of the long words only), and distance 1 against a prefix for the
  last word (5+ characters). Typos are only matched against words from the name and the
  free-text ``search`` field, never against codes (SKU, GTIN), and a typo never changes a digit
  (M8x40 does not match M8x50, 1234 does not match 1243).
* **Finding documents.** Every query word must match (AND); the words are intersected rarest
  first as sets of document numbers, and once few candidates are left the remaining words are
  checked on the candidates' forward lists instead of on long posting lists. If no document
  matches every word, the documents matching the largest number of words are returned.
* **Score.** Per query word: match quality (exact 1 > prefix 0.75-0.9 > typo 0.6 > typo in a
  prefix 0.5 > two typos 0.45) x field weight (name and GTIN 1, SKU 0.9, free text 0.6) x the
  word's IDF, summed over the query words, with a small bonus for short names; an exact SKU or
  GTIN gets a bonus that puts it above everything else. Ties are broken by document id.
"""

from __future__ import annotations

import heapq
import math
import re
import sys
import unicodedata
from array import array
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["SearchHit", "SearchIndex", "SearchTop", "tokenize"]

_WORD = re.compile(r"[^\W_]+")
_GTIN_LENGTHS = frozenset({8, 12, 13, 14})
# Prefix of the vocabulary key of a normalised GTIN: no query word can start with it, so typing
# "00" never expands to every padded GTIN.
_GTIN_KEY = "\x00"

# Field codes, stored in the two low bits of each forward-list entry.
_NAME, _SKU, _GTIN, _TEXT = 0, 1, 2, 3
_FIELD_CODES = {"name": _NAME, "sku": _SKU, "gtin": _GTIN, "search": _TEXT}
_FIELD_WEIGHT = (1.0, 0.9, 1.0, 0.6)
# Posting entries are ``doc_number << 4 | mask`` of the fields holding the token in that document.
_MASK_BITS = 4
_MASK = (1 << _MASK_BITS) - 1
_MASK_WEIGHT = tuple(
    max((w for f, w in enumerate(_FIELD_WEIGHT) if mask >> f & 1), default=0.0)
    for mask in range(1 << _MASK_BITS)
)
_SKU_BIT, _GTIN_BIT = 1 << _SKU, 1 << _GTIN
_ID_FIELDS = _SKU_BIT | _GTIN_BIT

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
# that factor by a name's number of words (counted up to 255, as `_name_words` keeps them)
_NAME_FACTOR = tuple(1.0 + _SHORT_NAME_BONUS / (1 + words) for words in range(256))

_MIN_PREFIX = 2  # characters before a word is also matched as a prefix
_MIN_TYPO1 = 4  # ... before one typo is allowed (both the query word and the indexed word)
_MIN_TYPO2 = 8  # ... before two typos are allowed
_PREFIX_MATERIALISE = 4096  # prefix ranges larger than this are checked per document instead
_TYPO_PREFIX_CAP = 1024  # most words a typo-in-a-prefix may expand to
_MIN_TYPO_PREFIX = 5  # a typo inside a prefix needs this many characters, before and after
_FORWARD_COST = 16  # posting entries worth one candidate's forward-list check
_MAX_ALPHABET = 64  # letters used to generate substitutions/insertions
# A one-word query whose matches hold more posting entries than this is scored best word
# first, stopping early (its count of matches is then not known)
_EARLY_STOP_FROM = 20_000
_CACHE_SIZE = 32  # compiled queries kept (highlight() reuses the one search() compiled)


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
    """One query word: the vocabulary tokens it matches, with their match quality."""

    __slots__ = ("est", "idf", "prefix", "qualities")

    def __init__(self) -> None:
        self.qualities: dict[int, float] = {}  # token id -> match quality
        self.prefix: str | None = None  # set when a prefix range is too big to list
        self.est = 0  # sum of posting lengths: the cost of listing its documents
        self.idf = 0.0

    def add(self, tid: int, quality: float) -> None:
        if quality > self.qualities.get(tid, 0.0):
            self.qualities[tid] = quality


class _Compiled:
    __slots__ = ("exact_ids", "hits", "lazy", "terms")

    def __init__(self, terms: list[_Term], exact_ids: tuple[tuple[int, ...], ...]) -> None:
        self.terms = terms
        # Token-id sequences that, equal to a document's SKU or GTIN tokens, make an exact id hit.
        self.exact_ids = exact_ids
        self.hits: dict[int, list[tuple[int, float]]] = {}
        for j, term in enumerate(terms):
            for tid, quality in term.qualities.items():
                self.hits.setdefault(tid, []).append((j, quality))
        self.lazy = [(j, term.prefix) for j, term in enumerate(terms) if term.prefix is not None]


# --------------------------------------------------------------------------- the index


class SearchIndex:
    """In-memory, typo-tolerant full-text index over a few short fields per document."""

    def __init__(self) -> None:
        # Vocabulary: token <-> id, posting list per id, typo-eligibility per id.
        self._vocab: dict[str, int] = {}
        self._tokens: list[str] = []
        self._postings: list[int | array | None] = []
        self._wordlike = bytearray()  # 1: seen in a name/free-text field and has a letter
        # per token, for a bound on the score it can give (kept wide on removal, so still a
        # bound): the fields it has been in, and the fewest name words of a name holding it
        self._token_fields = bytearray()
        self._token_fewest_words = bytearray()
        self._sorted: list[str] = []  # sorted vocabulary, for prefixes
        self._pending: list[str] = []  # tokens added since, sorted lazily
        self._pending_sorted = True
        self._long_deletes: dict[str, int | list[int]] = {}  # symmetric deletes, words >= 8
        self._letters: Counter[str] = Counter()
        self._alphabet: str | None = None
        # Documents: number <-> id, forward list, name length and original texts per number.
        self._doc_nums: dict[str, int] = {}
        self._doc_ids: list[str | None] = []
        self._forward: list[array | None] = []
        self._name_words = bytearray()
        self._sku_tokens = bytearray()  # tokens in each document's SKU (an exact SKU has them all)
        self._texts: list[tuple[str, ...] | None] = []
        self._free: list[int] = []
        self._cache: dict[str, _Compiled] = {}

    # ------------------------------------------------------------------ mutation

    def __len__(self) -> int:
        return len(self._doc_nums)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._doc_nums

    def add(self, doc_id: str, fields: Mapping[str, str | None]) -> None:
        """Index (or re-index, replacing the old entry) one document.

        Field names used by the caller: 'name', 'sku', 'gtin', 'search' (free text); any other
        name is indexed like 'search'. Missing/None fields are skipped.
        """
        if doc_id in self._doc_nums:
            self.remove(doc_id)
        self._cache.clear()
        if self._free:
            num = self._free.pop()
        else:
            num = len(self._doc_ids)
            self._doc_ids.append(None)
            self._forward.append(None)
            self._texts.append(None)
            self._name_words.append(0)
            self._sku_tokens.append(0)
        forward = array("I")
        texts: list[str] = []
        masks: dict[int, int] = {}
        vocab = self._vocab
        name_words = sku_tokens = 0
        for field, value in fields.items():
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            code = _FIELD_CODES.get(field, _TEXT)
            tokens = _field_tokens(code, text)
            if not tokens:
                continue
            texts.append(sys.intern(field))
            texts.append(text)
            wordlike = code in (_NAME, _TEXT)
            if code == _NAME:
                name_words += len(tokens)
            elif code == _SKU:
                sku_tokens += len(tokens)
            bit = 1 << code
            for token in tokens:
                tid = vocab.get(token)
                if tid is None:
                    tid = self._new_token(token)
                if wordlike and not self._wordlike[tid]:
                    self._make_wordlike(tid, token)
                forward.append(tid << 2 | code)
                masks[tid] = masks.get(tid, 0) | bit
        words = min(name_words, 255)
        token_fields, fewest = self._token_fields, self._token_fewest_words
        for tid, mask in masks.items():
            self._posting_add(tid, num << _MASK_BITS | mask)
            token_fields[tid] |= mask
            if words < fewest[tid]:
                fewest[tid] = words
        self._doc_nums[doc_id] = num
        self._doc_ids[num] = doc_id
        self._forward[num] = forward
        self._name_words[num] = min(name_words, 255)
        self._sku_tokens[num] = min(sku_tokens, 255)
        self._texts[num] = tuple(texts)

    def remove(self, doc_id: str) -> None:
        """Forget a document; no error if it is not indexed."""
        num = self._doc_nums.pop(doc_id, None)
        if num is None:
            return
        self._cache.clear()
        forward = self._forward[num]
        if forward is not None:
            for tid in {code >> 2 for code in forward}:
                self._posting_remove(tid, num)
        self._doc_ids[num] = None
        self._forward[num] = None
        self._texts[num] = None
        self._free.append(num)

    def _new_token(self, token: str) -> int:
        tid = len(self._tokens)
        token = sys.intern(token)
        self._vocab[token] = tid
        self._tokens.append(token)
        self._postings.append(None)
        self._wordlike.append(0)
        self._token_fields.append(0)
        self._token_fewest_words.append(255)
        self._pending.append(token)
        self._pending_sorted = False
        return tid

    def _make_wordlike(self, tid: int, token: str) -> None:
        if not _has_letter(token):
            return
        self._wordlike[tid] = 1
        letters = [c for c in token if not c.isdigit()]
        new_letters = set(letters) - self._letters.keys()
        self._letters.update(letters)
        if new_letters:
            self._alphabet = None
        if len(token) >= _MIN_TYPO2:
            deletes = self._long_deletes
            for key in _deletes(token, 2):
                held = deletes.get(key)
                if held is None:
                    deletes[key] = tid
                elif isinstance(held, int):
                    deletes[key] = [held, tid]
                else:
                    held.append(tid)

    def _posting_add(self, tid: int, entry: int) -> None:
        posting = self._postings[tid]
        if posting is None:
            self._postings[tid] = entry
        elif isinstance(posting, int):
            pair = (posting, entry) if posting < entry else (entry, posting)
            self._postings[tid] = array("I", pair)
        elif posting[-1] < entry:
            posting.append(entry)
        else:
            insort(posting, entry)

    def _posting_remove(self, tid: int, num: int) -> None:
        posting = self._postings[tid]
        if posting is None:
            return
        if isinstance(posting, int):
            if posting >> _MASK_BITS == num:
                self._postings[tid] = None
            return
        i = bisect_left(posting, num << _MASK_BITS)
        if i < len(posting) and posting[i] >> _MASK_BITS == num:
            del posting[i]
            if len(posting) == 1:
                self._postings[tid] = posting[0]

    def _df(self, tid: int) -> int:
        posting = self._postings[tid]
        if posting is None:
            return 0
        if isinstance(posting, int):
            return 1
        return len(posting)

    # ------------------------------------------------------------------ vocabulary look-ups

    def settle(self) -> None:
        """Sort the words added since the last query now, so the next query does not wait
        for it (a million items' vocabulary takes about a second)."""
        self._sorted_lists()

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

    def _prefix_range(self, prefix: str, limit: int) -> tuple[list[str], bool]:
        """Up to ``limit`` vocabulary tokens starting with ``prefix``; True if there were more."""
        found: list[str] = []
        for tokens in self._sorted_lists():
            i = bisect_left(tokens, prefix)
            n = len(tokens)
            while i < n:
                token = tokens[i]
                if not token.startswith(prefix):
                    break
                if len(found) >= limit:
                    return found, True
                found.append(token)
                i += 1
        return found, False

    def _alphabet_now(self) -> str:
        if self._alphabet is None:
            common = [c for c, _ in self._letters.most_common(_MAX_ALPHABET)]
            self._alphabet = "".join(sorted(common))
        return self._alphabet

    # ------------------------------------------------------------------ compiling a query

    def _compile(self, query: str) -> _Compiled:
        compiled = self._cache.get(query)
        if compiled is not None:
            return compiled
        words = tokenize(query)
        gtin = _gtin_key(query)
        if gtin is not None:
            words = [gtin[-len("".join(words)) :]]  # "4 006381 333931" as printed on a label
        terms = [self._term(word, i == len(words) - 1) for i, word in enumerate(words)]
        exact_ids: list[tuple[int, ...]] = []
        tids = tuple(self._vocab.get(word, -1) for word in words)
        if words and -1 not in tids:
            exact_ids.append(tids)
        if gtin is not None and gtin in self._vocab:
            exact_ids.append((self._vocab[gtin],))
        compiled = _Compiled(terms, tuple(exact_ids))
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[query] = compiled
        return compiled

    def _term(self, word: str, is_last: bool) -> _Term:
        term = _Term()
        vocab = self._vocab
        wordlike = self._wordlike
        length = len(word)
        tid = vocab.get(word)
        exact_df = self._df(tid) if tid is not None else 0
        if exact_df:
            term.add(tid, _EXACT)
        if length in _GTIN_LENGTHS and word.isascii() and word.isdigit():
            key = vocab.get(_GTIN_KEY + word.zfill(14))
            if key is not None:
                term.add(key, _EXACT)
        typos = length >= _MIN_TYPO1 and _has_letter(word)
        if typos:
            alphabet = self._alphabet_now()
            alphabet += "".join(sorted({c for c in word if not c.isdigit()} - set(alphabet)))
            for variant in _edits1(word, alphabet):
                found = vocab.get(variant)
                if found is not None and wordlike[found] and len(variant) >= _MIN_TYPO1:
                    term.add(found, _TYPO1)
            if length >= _MIN_TYPO2:
                self._add_two_typos(term, word)
        if length >= _MIN_PREFIX and (is_last or (length >= 3 and not exact_df)):
            tokens, more = self._prefix_range(word, _PREFIX_MATERIALISE)
            if more:
                term.prefix = word
            else:
                for token in tokens:
                    term.add(vocab[token], _prefix_quality(length, len(token)))
        if is_last and typos and length >= _MIN_TYPO_PREFIX:
            self._add_typo_prefixes(term, word)
        # Cost and IDF. The IDF belongs to the query word, taken from its best class of matches,
        # so that within one word exact > prefix > typo whatever the rarity of the variants.
        total = max(1, len(self._doc_nums))
        best = max(term.qualities.values(), default=0.0)
        floor = _EXACT if best >= _EXACT else _PREFIX_FLOOR if best >= _PREFIX_FLOOR else 0.0
        est = best_df = 0
        for found, quality in term.qualities.items():
            df = self._df(found)
            est += df
            if quality >= floor:
                best_df += df
        if term.prefix is not None:
            est += 4 * total  # unknown but large: list it last
            if best < _EXACT:
                best_df = total
        term.est = est
        term.idf = math.log1p(total / max(1, min(best_df, total)))
        return term

    def _add_two_typos(self, term: _Term, word: str) -> None:
        candidates: set[int] = set()
        deletes = self._long_deletes
        for key in _deletes(word, 2):
            held = deletes.get(key)
            if held is None:
                continue
            if isinstance(held, int):
                candidates.add(held)
            else:
                candidates.update(held)
        tokens = self._tokens
        digits = _digits(word)
        for tid in candidates:
            if tid in term.qualities or _digits(tokens[tid]) != digits:
                continue
            distance = _osa_distance(word, tokens[tid], 2)
            if distance == 1:
                term.add(tid, _TYPO1)
            elif distance == 2:
                term.add(tid, _TYPO2)

    def _add_typo_prefixes(self, term: _Term, word: str) -> None:
        """Words that start with something one typo away from ``word`` (typing 'stianl')."""
        vocab = self._vocab
        wordlike = self._wordlike
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
                    tid = vocab[token]
                    if wordlike[tid] and token != variant:
                        term.add(tid, _TYPO_PREFIX)
                        budget -= 1
            if budget <= 0:
                return

    def _term_tids(self, term: _Term) -> Iterable[tuple[int, float]]:
        """(token id, quality) of everything ``term`` matches, listing a large prefix range too."""
        if term.prefix is None:
            return term.qualities.items()
        out = dict(term.qualities)
        prefix_len = len(term.prefix)
        vocab = self._vocab
        for token in self._prefix_range(term.prefix, sys.maxsize)[0]:
            tid = vocab[token]
            quality = _prefix_quality(prefix_len, len(token))
            if quality > out.get(tid, 0.0):
                out[tid] = quality
        return out.items()

    # ------------------------------------------------------------------ searching

    def _term_docs(self, term: _Term) -> set[int]:
        postings = self._postings
        docs: set[int] = set()
        for tid, _ in self._term_tids(term):
            posting = postings[tid]
            if posting is None:
                continue
            if isinstance(posting, int):
                docs.add(posting >> _MASK_BITS)
            else:
                docs.update([entry >> _MASK_BITS for entry in posting])
        return docs

    def search(self, query: str) -> list[SearchHit]:
        """Every matching document, best first (ties by doc_id). Blank query -> []."""
        scored = self._scored(query)
        # Two stable sorts instead of (score, id) tuples: far fewer objects for the GC to track.
        ranked = sorted(scored)
        ranked.sort(key=scored.__getitem__, reverse=True)
        return [_hit(doc_id, scored[doc_id]) for doc_id in ranked]

    def top(self, query: str, count: int) -> SearchTop:
        """The best `count` documents, in the order `search` gives them, and how many match
        in all: a page of results without sorting every match (a two-letter prefix over a
        million items matches hundreds of thousands)."""
        total: int | None
        early = self._top_of_one_word(query, count) if count > 0 else None
        if early is not None:
            scored, counted = early
            total = len(scored) if counted else None
        else:
            scored = self._scored(query)
            total = len(scored)
        if count <= 0:
            return SearchTop([], total)
        if count * 8 < len(scored):
            # Only the scores at or above the count-th best can be in the top: found among
            # the floats alone, then only those few are ranked.
            least = heapq.nlargest(count, scored.values())[-1]
            scored = {doc_id: score for doc_id, score in scored.items() if score >= least}
        ranked = sorted(scored)
        ranked.sort(key=scored.__getitem__, reverse=True)
        return SearchTop([_hit(doc_id, scored[doc_id]) for doc_id in ranked[:count]], total)

    def _top_of_one_word(self, query: str, count: int) -> tuple[dict[str, float], bool] | None:
        """The best of a one-word query whose matches are many (a word being typed: "co"
        over a million items), scoring its vocabulary words best match first and stopping once
        no later one can reach the best `count`; None when the whole scoring is cheap anyway
        (the count of every match is then known too). True with the scores when every
        match was scored after all."""
        compiled = self._compile(query)
        active = [j for j, term in enumerate(compiled.terms) if term.qualities or term.prefix]
        if len(active) != 1 or compiled.terms[active[0]].est < _EARLY_STOP_FROM:
            return None
        term = compiled.terms[active[0]]
        idf = term.idf
        postings = self._postings
        name_words = self._name_words
        token_fields, fewest = self._token_fields, self._token_fewest_words
        best: dict[int, float] = {}

        def ceiling(tid: int, quality: float) -> float:
            """The most a document can score by this token: its quality in the best field it
            is in, with the bonus of the shortest name holding it."""
            weight = _MASK_WEIGHT[token_fields[tid]]
            return quality * weight * idf * _NAME_FACTOR[fewest[tid]]

        ranked = sorted(
            ((ceiling(tid, quality), tid, quality) for tid, quality in self._term_tids(term)),
            reverse=True,
        )
        counted = True  # every word scored: the matches are all here
        for i, (most, tid, quality) in enumerate(ranked):
            if len(best) >= count and i & (i - 1) == 0:  # after 1, 2, 4, 8… words
                scores = [
                    value * idf * _NAME_FACTOR[name_words[num]] for num, value in best.items()
                ]
                if heapq.nlargest(count, scores)[-1] > most:
                    counted = False
                    break  # strictly better than anything left: ties cannot reorder
            _keep_best(best, postings[tid], quality, None)
        doc_ids = self._doc_ids
        out: dict[str, float] = {
            doc_ids[num]: value * idf * _NAME_FACTOR[name_words[num]]  # type: ignore[misc]
            for num, value in best.items()
        }
        # An exact SKU or GTIN sits above everything, even when its word was not reached; and
        # one reached by another word first holds a partial score: both are scored whole.
        if exact := self._exact_id_docs(compiled):
            out |= self._score_forward(compiled, exact, active, need=1)
        return out, counted

    def _scored(self, query: str) -> dict[str, float]:
        """{doc_id: score} of every matching document."""
        compiled = self._compile(query)
        # A word that matches nothing at all cannot take part; the others still must all match.
        terms = compiled.terms
        active = [j for j, term in enumerate(terms) if term.qualities or term.prefix]
        if not active:
            return {}
        order = sorted(active, key=lambda j: terms[j].est)
        candidates: set[int] | None = None
        if len(order) > 1:
            for j in order:
                term = terms[j]
                if candidates is not None and len(candidates) * 32 < term.est:
                    break  # cheaper to check the remaining words on the candidates themselves
                docs = self._term_docs(term)
                candidates = docs if candidates is None else candidates & docs
                if not candidates:
                    break
        scored: dict[str, float]
        if candidates is not None and not candidates:
            scored = {}
        else:
            scored = self._score(compiled, candidates, active, need=len(active))
        if not scored and len(active) > 1:
            # Nobody matches every word: take the documents matching the most words.
            counts: Counter[int] = Counter()
            for j in active:
                counts.update(self._term_docs(terms[j]))
            if counts:
                most = max(counts.values())
                docs = {num for num, count in counts.items() if count == most}
                scored = self._score(compiled, docs, active, need=most)
        return scored

    def _score(
        self, compiled: _Compiled, docs: set[int] | None, active: list[int], need: int
    ) -> dict[str, float]:
        """{doc_id: score} of the documents in ``docs`` (None: any) matching ``need`` words."""
        terms = compiled.terms
        cost = sum(terms[j].est for j in active)
        if docs is not None and len(docs) * _FORWARD_COST < cost:
            return self._score_forward(compiled, docs, active, need)
        return self._score_postings(compiled, docs, active, need)

    def _score_postings(
        self, compiled: _Compiled, docs: set[int] | None, active: list[int], need: int
    ) -> dict[str, float]:
        """Score by walking the posting lists: best when many documents match."""
        postings = self._postings
        totals: dict[int, float] = {}
        counts: dict[int, int] = {}
        for j in active:
            term = compiled.terms[j]
            best: dict[int, float] = {}
            for tid, quality in self._term_tids(term):
                _keep_best(best, postings[tid], quality, docs)
            idf = term.idf
            if len(active) == 1:
                totals = {num: value * idf for num, value in best.items()}
                break
            for num, value in best.items():
                totals[num] = totals.get(num, 0.0) + value * idf
                counts[num] = counts.get(num, 0) + 1
        name_words = self._name_words
        doc_ids = self._doc_ids
        out: dict[str, float] = {}
        for num, total in totals.items():
            if counts and counts[num] < need:
                continue
            out[doc_ids[num]] = total * _NAME_FACTOR[name_words[num]]  # type: ignore[index]
        for num in self._exact_id_docs(compiled):
            doc_id = doc_ids[num]
            if doc_id in out:
                out[doc_id] += _EXACT_ID_BONUS  # type: ignore[index]
        return out

    def _exact_id_docs(self, compiled: _Compiled) -> set[int]:
        """Documents whose SKU or GTIN is exactly the query."""
        found: set[int] = set()
        postings = self._postings
        for ids in compiled.exact_ids:
            rarest = min(ids, key=self._df)
            posting = postings[rarest]
            if posting is None:
                continue
            width = len(ids)
            sku_tokens = self._sku_tokens
            for entry in (posting,) if isinstance(posting, int) else posting:
                # a SKU of another length cannot be this one (a GTIN field is rarely shared)
                if entry & _GTIN_BIT or (
                    entry & _SKU_BIT and sku_tokens[entry >> _MASK_BITS] == width
                ):
                    num = entry >> _MASK_BITS
                    if _is_exact_id(self._forward[num], (ids,)):
                        found.add(num)
        return found

    def _score_forward(
        self, compiled: _Compiled, docs: set[int], active: list[int], need: int
    ) -> dict[str, float]:
        """Score by reading each candidate's forward list: best for few candidates."""
        terms = compiled.terms
        hits = compiled.hits
        lazy = compiled.lazy
        idfs = [term.idf for term in terms]
        exact_ids = compiled.exact_ids
        tokens = self._tokens
        forward_of = self._forward
        doc_ids = self._doc_ids
        weights = _FIELD_WEIGHT
        width = len(terms)
        out: dict[str, float] = {}
        for num in docs:
            forward = forward_of[num]
            if forward is None:
                continue
            best = [0.0] * width
            name_words = 0
            id_like = False
            for code in forward:
                field = code & 3
                if field == _NAME:
                    name_words += 1
                matches = hits.get(code >> 2)
                if matches is not None:
                    weight = weights[field]
                    if field in (_SKU, _GTIN):
                        id_like = True
                    for j, quality in matches:
                        value = quality * weight
                        if value > best[j]:
                            best[j] = value
                if lazy:
                    token = tokens[code >> 2]
                    for j, prefix in lazy:
                        if token.startswith(prefix):
                            value = _prefix_quality(len(prefix), len(token)) * weights[field]
                            if value > best[j]:
                                best[j] = value
            matched = 0
            score = 0.0
            for j in active:
                if best[j]:
                    matched += 1
                    score += best[j] * idfs[j]
            if matched < need:
                continue
            score *= _NAME_FACTOR[min(name_words, 255)]
            if id_like and exact_ids and _is_exact_id(forward, exact_ids):
                score += _EXACT_ID_BONUS
            out[doc_ids[num]] = score  # type: ignore[index]
        return out

    # ------------------------------------------------------------------ highlighting

    def highlight(self, doc_id: str, query: str) -> dict[str, str]:
        """{field: text with <mark>…</mark> around each matched token}, for matched fields only.

        The text is otherwise kept exactly as it was given (nothing is escaped).
        """
        num = self._doc_nums.get(doc_id)
        if num is None:
            return {}
        compiled = self._compile(query)
        if not compiled.terms:
            return {}
        texts = self._texts[num] or ()
        out: dict[str, str] = {}
        for i in range(0, len(texts), 2):
            field, text = texts[i], texts[i + 1]
            code = _FIELD_CODES.get(field, _TEXT)
            spans: list[tuple[int, int]] = []
            for start, end, token in _token_spans(code, text):
                if self._token_matches(compiled, token):
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

    def _token_matches(self, compiled: _Compiled, token: str) -> bool:
        tid = self._vocab.get(token)
        if tid is not None and tid in compiled.hits:
            return True
        return any(token.startswith(prefix) for _, prefix in compiled.lazy)


def _keep_best(
    best: dict[int, float], posting: int | array | None, quality: float, docs: set[int] | None
) -> None:
    """Each document of `posting` (those in `docs`, when given) at its best: the token's match
    quality times the weight of the best field it is in there."""
    if posting is None:
        return
    weighted = [quality * weight for weight in _MASK_WEIGHT]
    get = best.get
    entries = (posting,) if isinstance(posting, int) else posting
    if docs is None:
        for entry in entries:
            num = entry >> _MASK_BITS
            value = weighted[entry & _MASK]
            if value > get(num, 0.0):
                best[num] = value
    else:
        for entry in entries:
            num = entry >> _MASK_BITS
            if num in docs:
                value = weighted[entry & _MASK]
                if value > get(num, 0.0):
                    best[num] = value


def _is_exact_id(forward: array | None, exact_ids: tuple[tuple[int, ...], ...]) -> bool:
    """Whether the document's SKU or GTIN tokens are exactly one of ``exact_ids``."""
    if forward is None:
        return False
    sku = tuple(code >> 2 for code in forward if code & 3 == _SKU)
    gtin = tuple(code >> 2 for code in forward if code & 3 == _GTIN)
    return any(ids in (sku, gtin) for ids in exact_ids)
