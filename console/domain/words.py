"""Counts in words, as an operator reads them: "1 item", "3 items", "1,250 units"."""

from __future__ import annotations


def counted(count: int, word: str, plural: str | None = None) -> str:
    """`count` and the word, singular for exactly one; thousands grouped."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"
