"""The session machine alone on a virtual clock, for tests of its logic: no sound card,
no voice and no detector, only the times at which each would have told it something.

Every sound lasts a second. A partner's speech is heard where it is scheduled: the
voice at once, its start once the detector would be sure of it (0.3 s in, stamped
with its first sample), its end 0.2 s after the last word. Every action the machine
takes is kept, in order, with the time it was taken.
"""

from __future__ import annotations

from assistant.session.actions import Action, Play, Record, StopSounds
from assistant.session.events import Event
from assistant.session.machine import SessionMachine
from assistant.session.plan import Speech
from assistant.testing.sounds import RATE

SOUND_SECONDS = 1.0  # how long every sound lasts
CONFIRM_SECONDS = 0.3  # from a first word to the detector being sure of it
END_SECONDS = 0.2  # from a last word to the detector being sure it was the last


def s(seconds: float) -> int:
    return round(seconds * RATE)


class MachineDrive:
    def __init__(self, machine: SessionMachine) -> None:
        self.machine = machine
        self.sounds: list[tuple[int, int]] = []  # (end, token)
        self.speech: list[tuple[int, int, str, int]] = []  # (when, order, what, sample)
        self.log: list[tuple[int, Action]] = []
        self.now = 0
        self.take(machine.start(0))

    def say(self, start: float, seconds: float) -> None:
        """A partner speaks from `start` (session seconds) for `seconds`."""
        begin, end = s(start), s(start + seconds)
        self.speech += [(begin, 0, "voice", 0), (begin + s(CONFIRM_SECONDS), 1, "start", begin),
                        (end + s(END_SECONDS), 2, "end", end)]

    def until(self, seconds: float | None = None) -> None:
        """Run to session time `seconds`, or to the end."""
        stop = None if seconds is None else s(seconds)
        while not self.machine.finished:
            if stop is not None and self._next() > stop:
                self.now = stop
                return
            self._step()

    def until_next(self, kind: str) -> Event | None:
        """Run until the next event of `kind` is recorded (None: the session ended)."""
        seen = len(self.events(kind))
        while not self.machine.finished:
            self._step()
            if len(self.events(kind)) > seen:
                return self.events(kind)[seen]
        return None

    def _next(self) -> int:
        times = [t for t in (self.machine.next_due, *(e for e, _ in self.sounds),
                             *(w[0] for w in self.speech)) if t is not None]
        return min(times)

    def _step(self) -> None:
        """Everything due at the next time, one thing at a time."""
        machine, now = self.machine, self._next()
        self.now = now
        if self.speech and min(self.speech)[0] == now:
            when, order, what, sample = min(self.speech)
            self.speech.remove((when, order, what, sample))
            if what == "voice":
                self.take(machine.voice(True, now))
            elif what == "start":
                self.take(machine.speech_started(sample, now))
            else:
                self.take(machine.speech_ended(sample, now))
                self.take(machine.voice(False, now))
        elif self.sounds and min(self.sounds)[0] == now:
            end, token = min(self.sounds)
            self.sounds.remove((end, token))
            self.take(machine.sound_ended(token, now))
        else:
            self.take(machine.tick(now))

    def take(self, actions: list[Action]) -> None:
        for action in actions:
            self.log.append((self.now, action))
            if isinstance(action, Play):
                self.sounds.append((action.at + s(SOUND_SECONDS), action.token))
            elif isinstance(action, StopSounds):
                self.sounds = []

    def events(self, kind: str | None = None) -> list[Event]:
        """What the machine recorded (of one kind, if given)."""
        return [a.event for _, a in self.log if isinstance(a, Record)
                and (kind is None or a.event.type == kind)]

    def said(self) -> list[tuple[float, str]]:
        """Each spoken prompt: (session seconds it was to begin, its text)."""
        return [(a.at / RATE, a.sound.text) for _, a in self.log
                if isinstance(a, Play) and isinstance(a.sound, Speech)]
