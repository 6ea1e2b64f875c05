"""Session events and the actions the machine asks of the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.session.plan import Sound


@dataclass(frozen=True)
class Event:
    """One line of the event log: a type, the sample it happened at, and its fields."""

    type: str
    sample: int
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self, rate: int) -> dict[str, Any]:
        return {"t": round(self.sample / rate, 6), "type": self.type, **self.data}


@dataclass(frozen=True)
class Play:
    """Play `sound` starting at sample `at`; the player reports its end with `token`."""

    sound: Sound
    at: int
    token: int


@dataclass(frozen=True)
class StopSounds:
    """Cut whatever is playing and drop whatever is scheduled."""


@dataclass(frozen=True)
class DropSounds:
    """Forget sounds scheduled to start at `from_sample` or later (a retimed rhythm)."""

    from_sample: int


@dataclass(frozen=True)
class Adjust:
    """Change a setting of the output by one step: `volume` or speech `rate`, up or down."""

    setting: str
    up: bool


@dataclass(frozen=True)
class Record:
    event: Event


Action = Play | StopSounds | DropSounds | Adjust | Record
