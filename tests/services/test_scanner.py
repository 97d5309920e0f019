"""The scanner detector: which keys were a scanner's, from key names and arrival times alone.

Timings are those of real input: a scanner sends a key every 2-20 ms; over SSH its keys arrive
in packets a round trip apart (up to a quarter second on a poor link, the first key often alone
when the client holds the rest for the acknowledgement); a hand types 80-250 ms apart, and
takes well over half a second to put the keyboard down and aim a scanner."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from console.services.scanner import (
    BURST_GAP,
    HELD_UP,
    STALL,
    Detector,
    ScannerSetup,
    Verdict,
    check_setup,
)

Keys = list[tuple[str, str | None, float]]


def keys(text: str, start: float, gap: float) -> Keys:
    return [(char, char, start + n * gap) for n, char in enumerate(text)]


def feed(detector: Detector, sequence: Keys) -> list[Verdict]:
    return [detector.key(name, char, at) for name, char, at in sequence]


def ends_as(detector: Detector, sequence: Keys, end_at: float, end: str = "enter") -> str | None:
    """What the end key says after `sequence`: the scan, or None for the operator's own."""
    feed(detector, sequence)
    verdict = detector.key(end, None, end_at)
    return detector.scanned if verdict is Verdict.SCAN else None


def test_a_scanner_burst_is_a_scan() -> None:
    burst = keys("4006381333931", 0.0, 0.004)
    assert ends_as(Detector(), burst, burst[-1][2] + 0.004) == "4006381333931"


def test_a_hand_is_never_a_scan() -> None:
    typed = keys("gloves", 0.0, 0.12)
    assert ends_as(Detector(), typed, typed[-1][2] + 0.15) is None


def test_what_a_hand_typed_before_a_scan_is_not_part_of_it() -> None:
    typed = keys("oat", 0.0, 0.15)
    burst = keys("4006381333931", typed[-1][2] + 0.9, 0.004)
    assert ends_as(Detector(), typed + burst, burst[-1][2] + 0.004) == "4006381333931"


def test_a_scan_whose_first_keys_were_held_up_is_cut_whole() -> None:
    """A link that stalled (or a console starved of CPU) for 0.4 s inside a label: the end alone
    reads as a scan of its own, and may be another code. The whole run is the scan, marked cut,
    for the console to refuse."""
    label = "]C101040063813339310ABC"
    head = keys(label[:9], 0.0, 0.005)
    tail = keys(label[9:], head[-1][2] + 0.4, 0.005)
    detector = Detector()
    assert ends_as(detector, head + tail, tail[-1][2] + 0.005) == label
    assert detector.cut


def test_a_burst_long_before_a_scan_does_not_cut_it() -> None:
    """Keys that came at once (a paste typed by the terminal, a hand bunched by a link) well
    before the operator aimed the scanner: the scan is its own, whole."""
    bunched = keys("bolt", 0.0, 0.002)
    burst = keys("4006381333931", bunched[-1][2] + HELD_UP + 0.5, 0.004)
    detector = Detector()
    assert ends_as(detector, bunched + burst, burst[-1][2] + 0.004) == "4006381333931"
    assert not detector.cut


def test_a_scan_after_the_end_of_a_cut_one_stands_alone() -> None:
    detector = Detector()
    head = keys("]C10104", 0.0, 0.005)
    tail = keys("006381333931", 0.5, 0.005)
    ends_as(detector, head + tail, 0.6)
    assert detector.cut
    assert ends_as(detector, keys("4006381333931", 0.7, 0.005), 0.8) == "4006381333931"
    assert not detector.cut


def test_a_burst_followed_by_a_late_enter_is_typed() -> None:
    """Keys of a paste typed by the terminal, then Enter pressed by the operator later."""
    burst = keys("gloves", 0.0, 0.002)
    assert ends_as(Detector(), burst, burst[-1][2] + 1.0) is None


def test_a_scan_split_in_packets_over_ssh_is_one_scan() -> None:
    first = keys("0", 0.0, 0.0)  # sent alone; the rest waits a round trip
    second = keys("1000360002", 0.18, 0.0)
    third = keys("91452", 0.36, 0.0)
    assert ends_as(Detector(), first + second + third, 0.36) == "0100036000291452"


def test_two_quick_keys_of_a_hand_are_not_a_scan() -> None:
    rollover = keys("+5", 0.0, 0.03)
    assert ends_as(Detector(), rollover, 0.1) is None


def test_a_backspace_starts_a_new_entry() -> None:
    detector = Detector()
    feed(detector, keys("4006381", 0.0, 0.004))
    detector.key("backspace", None, 0.5)
    assert ends_as(detector, keys("33", 0.6, 0.1), 0.85) is None


def test_a_control_character_inside_a_burst_is_the_label_s_noise() -> None:
    detector = Detector()
    first = keys("ABC", 0.0, 0.004)
    feed(detector, first)
    detector.key("ctrl+g", "\x07", 0.013)
    rest = keys("DEF", 0.016, 0.004)
    assert ends_as(detector, rest, 0.03) == "ABCDEF"


def test_a_paste_resets() -> None:
    detector = Detector()
    feed(detector, keys("gloves", 0.0, 0.002))
    detector.reset()
    assert detector.key("enter", None, 0.02) is Verdict.END


def test_gs_is_part_of_a_scan() -> None:
    detector = Detector()
    burst = [*keys("10AB", 0.0, 0.004), ("ctrl+right_square_bracket", "\x1d", 0.016)]
    burst += keys("17261231", 0.02, 0.004)
    assert ends_as(detector, burst, 0.06) == "10AB\x1d17261231"


def test_tab_and_lf_end_a_scan_too() -> None:
    for end in ("tab", "ctrl+j"):
        assert ends_as(Detector(), keys("A-01-01", 0.0, 0.004), 0.03, end) == "A-01-01"


# -- exact detection: a prefix (and a suffix) programmed into the scanner --------------------


def test_with_a_prefix_only_what_follows_it_is_a_scan_whatever_the_timing() -> None:
    detector = Detector(ScannerSetup(prefix="f11"))
    assert detector.key("f11", None, 0.0) is Verdict.PREFIX
    assert ends_as(detector, keys("SLOW", 0.2, 0.3), 2.0) == "SLOW"
    # a burst without the prefix is typed
    assert ends_as(detector, keys("4006381333931", 3.0, 0.002), 3.03) is None


def test_with_a_suffix_enter_is_never_a_scan_s_end() -> None:
    detector = Detector(ScannerSetup(prefix="f11", suffix="f12"))
    detector.key("f11", None, 0.0)
    feed(detector, keys("ABC", 0.01, 0.002))
    assert detector.key("enter", None, 0.02) is Verdict.TYPED  # an Enter inside the label
    assert detector.key("f12", None, 0.03) is Verdict.SCAN


def test_setup_problems_are_said_and_ignored() -> None:
    setup, problems = check_setup("a", "f12", None)
    assert setup.prefix is None and setup.suffix == "f12"
    assert "is a key an operator types" in problems[0]
    setup, problems = check_setup("f11", "f11", None)
    assert (setup.prefix, setup.suffix) == (None, None) and "different" in problems[0]
    setup, problems = check_setup(None, None, ["~", "A"])
    assert setup.separators == ("~",) and "letters" in problems[0]
    setup, problems = check_setup(None, None, "~~")
    assert setup.separators == () and "characters" in problems[0]
    assert check_setup("ctrl+b", "ctrl+c", ["~"]) == (ScannerSetup("ctrl+b", "ctrl+c", ("~",)), [])


# -- properties over many timings ----------------------------------------------------------

LABEL = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=4, max_size=60
)


@st.composite
def scans_over_ssh(draw: st.DrawFn, start: float) -> Keys:
    """A label as a scanner sends it, cut into packets that arrive up to a stall apart."""
    label = draw(LABEL)
    sequence: Keys = []
    at = start
    for index, char in enumerate(label):
        # the last packet holds a few keys at least: the scanner's burst and its end
        may_break = 0 < index < len(label) - 2
        if index:
            packet_break = may_break and draw(st.booleans()) and draw(st.booleans())
            at += draw(st.floats(0.0, STALL * 0.96 if packet_break else BURST_GAP * 0.9))
        sequence.append((char, char, at))
    return sequence


@settings(max_examples=300, deadline=None)
@given(
    typed=st.text(alphabet="abcdefghij+-=0123456789", max_size=8),
    hand_gap=st.floats(0.09, 0.4),
    pause=st.floats(0.5, 5.0),
    data=st.data(),
)
def test_a_scan_after_any_typing_is_exactly_the_scan(
    typed: str, hand_gap: float, pause: float, data: st.DataObject
) -> None:
    by_hand = keys(typed, 0.0, hand_gap)
    start = (by_hand[-1][2] if by_hand else 0.0) + pause
    scanned = data.draw(scans_over_ssh(start))
    end_at = scanned[-1][2] + data.draw(st.floats(0.0, 0.2))
    label = "".join(char for _, char, _ in scanned)
    detector = Detector()
    assert ends_as(detector, by_hand + scanned, end_at) == label
    assert not detector.cut


@settings(max_examples=300, deadline=None)
@given(
    typed=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789+-= ", min_size=1, max_size=30),
    gaps=st.lists(st.floats(0.06, 0.5), min_size=30, max_size=30),
    enter_after=st.floats(0.05, 2.0),
)
def test_a_hand_at_hand_speed_is_always_typed(
    typed: str, gaps: list[float], enter_after: float
) -> None:
    sequence: Keys = []
    at = 0.0
    for char, gap in zip(typed, gaps, strict=False):
        at += gap
        sequence.append((char, char, at))
    assert ends_as(Detector(), sequence, at + enter_after) is None
