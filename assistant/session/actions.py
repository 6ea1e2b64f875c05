"""The actions the session machine asks of the outside world."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.session.events import Event
from assistant.session.plan import Sound


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
