"""What a service has to tell the operator, for the screen to show on its message line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Tone(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for the operator. `ring`: the operator must look up (the bell sounds)."""

    text: str
    tone: Tone = Tone.INFO
    ring: bool = False

    @classmethod
    def alert(cls, text: str, tone: Tone = Tone.ERROR) -> Notice:
        return cls(text, tone, ring=True)


Tell = Callable[[Notice], None]


def ignore(notice: Notice) -> None:
    """For callers that show nothing (benchmarks, scripts)."""
