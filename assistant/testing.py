"""A reusable harness for running sessions on the virtual clock in tests.

`ScriptedAudio` is a virtual run in which commands arrive at chosen session
times, and `ToneVoice` stands in for speech synthesis where only the session
logic is under test (a fake for pure logic, never for the real voice).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.audio.cues import CueBank
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.virtual import VirtualAudio
from assistant.runner import SessionRunner
from assistant.session.events import Event
from assistant.session.machine import SessionMachine
from assistant.session.plan import PlannedStep

RATE = 16_000


class ToneVoice:
    """A quiet tone lasting `seconds_per_char` per character of text."""

    def __init__(self, seconds_per_char: float = 0.01, rate: int = RATE) -> None:
        self.seconds_per_char, self.rate = seconds_per_char, rate

    def render(self, text: str) -> Samples:
        length = round(len(text) * self.seconds_per_char * self.rate)
        return np.full(length, 0.1, dtype=np.float32)


class ScriptedAudio(VirtualAudio):
    """A virtual run where each (seconds, command) arrives at that session time."""

    def __init__(self, commands: Sequence[tuple[float, str]] = (), rate: int = RATE,
                 out_file: Path | None = None) -> None:
        super().__init__(rate, out_file)
        self.pending = sorted(((round(t * rate), name) for t, name in commands), reverse=True)

    def advance(self, until: int | None, inbox: queue.Queue[str]) -> list[str]:
        if self.pending and (until is None or self.pending[-1][0] <= until):
            at, name = self.pending.pop()
            super().advance(at, inbox)
            return [name]
        return super().advance(until, inbox)


def run_plan(plan: Sequence[PlannedStep], commands: Sequence[tuple[float, str]] = (),
             voice: ToneVoice | None = None, out_file: Path | None = None) -> list[Event]:
    """Run a plan to its end on the virtual clock and return every event, in order."""
    events: list[Event] = []
    machine = SessionMachine(plan, RATE, "test", "Test")
    SessionRunner(machine, ScriptedAudio(commands, RATE, out_file), Mixer(RATE),
                  voice or ToneVoice(), CueBank(RATE), [events.append]).run()
    return events
