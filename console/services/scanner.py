"""Which keys were a barcode scanner's: a scan stands alone, whatever was typed before it.

A scanner is a keyboard that types a whole label in one burst and ends it with Enter (or Tab,
or a key it was programmed to send). The console sees only keys and the time each arrived, so
a scan is told from a hand by timing, or exactly when the scanner sends a prefix:

* **By timing** (the default). Keys closer together than `BURST_GAP` are one burst; a hand
  cannot sustain that for `MIN_BURST` keys. At an end key that follows a burst at once, the
  scan is the burst, and with it the bursts before it that follow each other within `STALL`:
  over SSH a scan's keys arrive grouped in packets, a round trip apart, not evenly spaced. What
  was typed by hand before it (a pause no scanner makes) is not part of it, and its end key is
  the scan's, never the operator's Enter on a highlighted row or a question. Keys a hand types
  close together (or that a slow link delivers at once) may read as a scan; a screen then
  treats the text as a code that is looked up, never as a "yes".
  A scan whose first keys came as a burst of their own up to `HELD_UP` before the rest (a link
  that stalled, a console starved of CPU) is **cut**: its end alone may be another code, so it
  is refused whole and the operator scans again. Never a wrong count for a slow link.
* **Exactly**, with a prefix (and optionally a suffix) programmed into the scanner and named in
  the config file's `[scanner]` table: what arrives between them is the scan, whatever the
  timing; keys without the prefix are always typed.

A paste is never a scan: it resets the detector, so the Enter that follows it is typed.

Pure logic over key names, characters and arrival times: the UI feeds it and acts on its
verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from console.domain.scan import GS, LONGEST_SCAN, shown_scan

# Keys of one burst arrive closer than this. A scanner sends a key every 2-20 ms; a hand,
# even a quick one, 80-200 ms apart, with few pairs under 50 ms.
BURST_GAP = 0.05
# A burst must be this long to be a scanner's (a hand's rollover makes pairs, not runs).
MIN_BURST = 3
# Packets of one scan over SSH arrive this close (a round trip on a poor link); an operator
# takes longer than this to put the keyboard down and aim a scanner.
STALL = 0.25
# A scan's end key follows its last character within this (the same link's jitter).
END_GAP = 0.25
# A scan's keys held up longer than a round trip (a stalled link, a console starved of CPU)
# arrive as bursts up to this far apart; an operator who typed a burst by hand takes longer
# than this to aim a scanner. Measured: 600 scans at 5 ms a key on two cores both kept busy
# by other processes had 2 of them cut this way (tests/benchmarks/bench_pickpack.py).
HELD_UP = 2.0
# A scan is at least this long: no label is shorter.
MIN_SCAN = 4
# A run of keys is kept up to LONGEST_SCAN characters (longer than any label; the rest is a
# stuck key). A scan field keeps as much, so both hold the same characters.

DEFAULT_ENDS = frozenset({"enter", "ctrl+j", "tab"})
SETUP_KEYS = frozenset({"prefix", "suffix", "separators"})  # the config file's [scanner] table
GS_KEYS = frozenset({"ctrl+right_square_bracket", "ctrl+]"})


class Verdict(StrEnum):
    TYPED = "typed"  # an ordinary key: goes where it would go
    PREFIX = "prefix"  # the scanner's prefix: swallowed
    SCAN = "scan"  # the end of a scan: swallowed; the scan is `Detector.scanned`
    END = "end"  # an end key that ends no scan: the operator's own Enter (or Tab)


@dataclass(frozen=True)
class ScannerSetup:
    """How the site's scanners are programmed (the config file's `[scanner]` table)."""

    prefix: str | None = None  # a key name the scanner sends first ("f11", "ctrl+b" for STX)
    suffix: str | None = None  # a key name it sends last; without one Enter, LF or Tab
    separators: tuple[str, ...] = ()  # characters it sends for GS (FNC1), e.g. "~"

    @property
    def ends(self) -> frozenset[str]:
        return frozenset({self.suffix}) if self.suffix else DEFAULT_ENDS


def check_setup(
    prefix: object, suffix: object, separators: object
) -> tuple[ScannerSetup, list[str]]:
    """The setup from the config values, and what is wrong with them (each ignored, said)."""
    problems: list[str] = []

    def key_name(value: object, what: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            problems.append(f'[scanner] {what} must be a key name such as "f11" or "ctrl+b".')
            return None
        name = value.strip().lower()
        if len(name) == 1 or name in ("space", "escape"):
            problems.append(
                f"[scanner] {what} “{value}” is a key an operator types: use a function key or "
                'a ctrl key (STX is "ctrl+b", ETX "ctrl+c").'
            )
            return None
        return name

    chosen_prefix = key_name(prefix, "prefix")
    chosen_suffix = key_name(suffix, "suffix")
    if chosen_prefix and chosen_prefix == chosen_suffix:
        problems.append("[scanner] prefix and suffix must be different keys.")
        chosen_prefix = chosen_suffix = None
    chars: list[str] = []
    if separators is not None:
        values = [separators] if isinstance(separators, str) else separators
        if not isinstance(values, list | tuple) or not all(
            isinstance(v, str) and len(v) == 1 for v in values
        ):
            problems.append('[scanner] separators must be characters, e.g. ["~"].')
        else:
            chars = [v for v in values if v.isprintable() and not v.isalnum()]
            if len(chars) != len(values):
                problems.append(
                    "[scanner] separators must not be letters, digits or spaces: "
                    "they would break labels that contain them."
                )
    return ScannerSetup(chosen_prefix, chosen_suffix, tuple(chars)), problems


class Detector:
    """Fed every key the console receives, in order; says what each one is."""

    def __init__(self, setup: ScannerSetup | None = None) -> None:
        self.setup = setup or ScannerSetup()
        self._keys: list[tuple[str, float]] = []  # (character, arrival) since the last reset
        self._capturing = False  # between a prefix and its end (exact mode)
        self.scanned = ""  # the scan the last SCAN verdict ended
        self.cut = False  # whether that scan came in pieces (`HELD_UP`): to be refused
        self.entry = ""  # everything typed before the last end key (scan or not)
        self.last_key_at = float("-inf")  # when the last character arrived

    def reset(self) -> None:
        """Forget the keys so far: a paste, an edit, a screen change."""
        self._keys.clear()
        self._capturing = False

    def key(self, key: str, character: str | None, at: float) -> Verdict:
        setup = self.setup
        if setup.prefix and key == setup.prefix:
            self.reset()
            self._capturing = True
            return Verdict.PREFIX
        if key in setup.ends:
            return self._end(at)
        char = GS if key in GS_KEYS else character
        if char and (char == GS or char.isprintable()) and key not in DEFAULT_ENDS:
            if len(self._keys) < LONGEST_SCAN:
                self._keys.append((char, at))
            self.last_key_at = at
            return Verdict.TYPED
        if self._keys and at - self._keys[-1][1] <= BURST_GAP:
            return Verdict.TYPED  # a control character inside a burst: the label's noise
        self.reset()  # an arrow, a backspace, a function key: what follows is a new entry
        return Verdict.TYPED

    def _end(self, at: float) -> Verdict:
        keys, capturing = self._keys, self._capturing
        self._keys = []
        self._capturing = False
        self.entry = "".join(char for char, _ in keys)
        self.cut = False
        if self.setup.prefix:
            if not capturing or not keys:
                return Verdict.END
            self.scanned = self.entry
            return Verdict.SCAN
        start = scan_start(keys, at)
        if start is None:
            return Verdict.END
        head = cut_start(keys, start)
        self.cut = head is not None
        self.scanned = "".join(char for char, _ in keys[start if head is None else head :])
        return Verdict.SCAN


def scan_start(keys: list[tuple[str, float]], end_at: float) -> int | None:
    """Where the scan that `end_at` ends begins in `keys`, or None when it ends none."""
    if not keys or end_at - keys[-1][1] > END_GAP:
        return None
    start = _burst_start(keys, len(keys) - 1)
    if len(keys) - start < MIN_BURST:
        return None
    # earlier packets of the same scan: bursts (or single keys) a stall apart
    while start > 0 and keys[start][1] - keys[start - 1][1] <= STALL:
        start = _burst_start(keys, start - 1)
    return start if len(keys) - start >= MIN_SCAN else None


def cut_start(keys: list[tuple[str, float]], start: int) -> int | None:
    """Where the burst begins that came at scanner speed, no more than `HELD_UP` before the
    scan beginning at `start`: the label's first keys, held up. None when there is none."""
    if start == 0 or keys[start][1] - keys[start - 1][1] > HELD_UP:
        return None
    head = _burst_start(keys, start - 1)
    return head if start - head >= MIN_BURST else None


def cut_scan_said(scanned: str) -> str:
    """What the operator is told of a scan refused for coming in pieces."""
    # the verdict first: a 40-column line shows no more than that
    return (
        "Nothing done: the scan came in pieces (a slow link or a busy console). Scan the label "
        f"again. It read “{shown_scan(scanned)}”."
    )


def _burst_start(keys: list[tuple[str, float]], last: int) -> int:
    start = last
    while start > 0 and keys[start][1] - keys[start - 1][1] <= BURST_GAP:
        start -= 1
    return start


__all__ = [
    "BURST_GAP",
    "END_GAP",
    "HELD_UP",
    "LONGEST_SCAN",
    "MIN_SCAN",
    "SETUP_KEYS",
    "STALL",
    "Detector",
    "ScannerSetup",
    "Verdict",
    "check_setup",
    "cut_scan_said",
    "cut_start",
    "scan_start",
]
