"""Untrusted text made safe to show: never markup, never control characters.

Every string that came from a backend (item names, bin codes, lot numbers, messages) passes
through here before it reaches a widget. Rich `Text` is built directly, so `[A1]`, `[/x]`, `[b`
and `[link=…]` are shown as written; control characters and escape sequences are removed so
data can never move the cursor, retitle the terminal or write the clipboard over SSH.
"""

from __future__ import annotations

import re

from rich.text import Text

# Whole escape sequences first (so their parameters do not survive as visible junk), then any
# remaining C0/C1 control, DEL, and the bidirectional overrides that can reorder what is shown.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST (title, clipboard, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
    r"|\x1b."  # any other two-byte escape
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"[\t\n\r]+")

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
MATCH_STYLE = "bold underline"


def clean(value: object) -> str:
    """A backend value as one safe line of text."""
    if value is None:
        return ""
    text = _ESCAPES.sub("", str(value))
    text = _WHITESPACE.sub(" ", text)
    return _CONTROLS.sub("", text)


def plain(value: object, style: str = "") -> Text:
    """Untrusted text as a renderable that is never parsed as markup."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis")


def marked(value: str | None, fallback: object = "") -> Text:
    """A search highlight (`<mark>…</mark>` around matches) as styled text; everything else
    literal. Without highlights, the fallback text plain."""
    if not value:
        return plain(fallback)
    text = Text(no_wrap=True, overflow="ellipsis")
    inside = False
    for part in re.split(r"(<mark>|</mark>)", value):
        if part == MARK_OPEN:
            inside = True
        elif part == MARK_CLOSE:
            inside = False
        elif part:
            text.append(clean(part), style=MATCH_STYLE if inside else "")
    return text


def typed_count(text: str) -> int | None:
    """A whole number of units as an operator types it (ASCII digits, at most nine), or None:
    "5x", "²", "-3" or a 30-digit number are no count."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    return int(text)
