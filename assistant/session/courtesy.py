"""Courtesy: nothing the assistant plays starts over a partner's voice.

A beat whose first sound falls due while someone is speaking, or a chime, a
warning or a spoken answer, waits here for the speaker's next pause, and at
most `HOLD_BOUND` seconds, so a partner who talks on is not left waiting for a
session that has gone silent. Pure bookkeeping on sample times.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.session.plan import Sound

HOLD_BOUND = 8.0  # seconds a sound waits for a speaking partner's pause, at most


@dataclass(frozen=True)
class Released:
    since: int  # when it first fell due
    sound: Sound | None  # None: the held beat's start


class Courtesy:
    def __init__(self, rate: int) -> None:
        self.bound = round(HOLD_BOUND * rate)
        self.voice_active = False  # the microphone hears someone (or may be about to)
        self.beat: tuple[int, int] | None = None  # (since, deadline) of a held beat start
        self.sounds: list[tuple[int, int, Sound]] = []  # (since, deadline, sound)

    def hold_beat(self, now: int) -> None:
        self.beat = (now, now + self.bound)

    def hold(self, sound: Sound, now: int) -> bool:
        """Keep `sound` for a pause if someone is speaking; False: play it now."""
        if self.voice_active:
            self.sounds.append((now, now + self.bound, sound))
        return self.voice_active

    @property
    def due(self) -> int | None:
        if self.beat is not None:
            return self.beat[1]
        return min((deadline for _, deadline, _ in self.sounds), default=None)

    def release(self, now: int, only_overdue: bool = False) -> list[Released]:
        """What may sound now: all at a pause, or only what has waited its bound."""
        if self.beat is not None:
            if only_overdue and now < self.beat[1]:
                return []
            since, self.beat = self.beat[0], None
            return [Released(since, None)]
        ready = [h for h in self.sounds if not only_overdue or h[1] <= now]
        self.sounds = [h for h in self.sounds if h not in ready]
        return [Released(since, sound) for since, _, sound in ready]

    def clear(self) -> None:
        self.beat, self.sounds = None, []
