"""Sessions on the virtual clock for tests: commands at chosen times, a stand-in voice.

`ScriptedAudio` is a virtual run in which commands arrive at chosen session
times, and `ToneVoice` stands in for speech synthesis where only the session
logic is under test (a fake for pure logic, never for the real voice).
`measured_run` runs a command and measures its own peak memory.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from assistant.audio.cues import CueBank
from assistant.audio.io import T
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.virtual import VirtualAudio
from assistant.engine.runner import SessionRunner
from assistant.session.commands import Command
from assistant.session.events import Event
from assistant.session.machine import SessionMachine
from assistant.session.plan import PlannedStep
from assistant.testing.sounds import RATE


class ToneVoice:
    """A quiet tone lasting `seconds_per_char` per character of text."""

    def __init__(self, seconds_per_char: float = 0.01, rate: int = RATE) -> None:
        self.seconds_per_char, self.rate = seconds_per_char, rate

    def render(self, text: str) -> Samples:
        length = round(len(text) * self.seconds_per_char * self.rate)
        return np.full(length, 0.1, dtype=np.float32)

    def change_rate(self, words_per_minute: int) -> None:
        self.seconds_per_char *= 160 / (160 + words_per_minute)


class ScriptedAudio(VirtualAudio):
    """A virtual run where each (seconds, command) arrives at that session time."""

    def __init__(self, commands: Sequence[tuple[float, str]] = (), rate: int = RATE,
                 out_file: Path | None = None) -> None:
        super().__init__(rate, out_file)
        self.pending = sorted(((round(t * rate), Command.parse(name)) for t, name in commands),
                              key=lambda item: item[0], reverse=True)

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        if self.pending and (until is None or self.pending[-1][0] <= until):
            at, command = self.pending.pop()
            super().advance(at, inbox)
            return [cast(T, command)]
        return super().advance(until, inbox)


def run_plan(plan: Sequence[PlannedStep], commands: Sequence[tuple[float, str]] = (),
             voice: ToneVoice | None = None, out_file: Path | None = None) -> list[Event]:
    """Run a plan to its end on the virtual clock and return every event, in order."""
    events: list[Event] = []
    machine = SessionMachine(plan, RATE, "test", "Test", session="test-session")
    SessionRunner(machine, ScriptedAudio(commands, RATE, out_file), Mixer(RATE),
                  voice or ToneVoice(), CueBank(RATE), [events.append]).run()
    return events


_MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, file=open(os.environ["ASSISTANT_MEASURE_TO"], "w"))
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


@dataclass(frozen=True)
class Measured:
    status: int  # the exit status; 128 + N, or negative, for a signal
    stderr: str
    seconds: float
    megabytes: float  # peak resident memory of the child alone


def measured_run(args: Sequence[str], folder: Path, timeout: float = 60.0,
                 env: dict[str, str] | None = None) -> Measured:
    """Run a command and measure its own peak memory.

    Linux charges a child with its parent's peak when it execs, so the command runs
    under a small Python parent started for the purpose: a big test process would
    otherwise inflate every figure.
    """
    report = folder / "maxrss"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], stderr=subprocess.PIPE, timeout=timeout,
        env={**(env or os.environ), "ASSISTANT_MEASURE_TO": str(report)})
    seconds = time.perf_counter() - started
    kilobytes = int(report.read_text()) if report.exists() else 0
    return Measured(result.returncode, result.stderr.decode("utf-8", "replace"), seconds,
                    kilobytes / 1024)
