"""What a couple can ask of a session, as one typed value however it was asked.

A key, a typed word and a spoken phrase all become a `Command` at the edge;
the session machine never sees a bare string.
"""

from __future__ import annotations

from enum import Enum


class Command(str, Enum):
    DONE = "done"  # "I'm done", Enter: the floor passes on
    NEXT = "next"
    BACK = "back"
    REPEAT = "repeat"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"  # spoken: pauses at once; said again, ends the session
    QUIT = "quit"  # a key or a signal: ends at once
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    SOFTER = "softer"
    TIME = "time"
    WHERE = "where"
    HELP = "help"
    GOOD_STRETCH = "good"  # the closing check's answers, kept in the journal
    TOO_MUCH = "too_much"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, name: str) -> Command:
        try:
            return cls(name)
        except ValueError:
            raise ValueError(f"unknown command {name!r}") from None
