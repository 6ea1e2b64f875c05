"""Keeping recordings, only when the couple asks: the microphone during marked floors.

An event sink and a microphone tap: a floor whose step names a `keep` label is
recorded from its start to its end (a floor handed back, from then on as a clip
of its own: the first is kept already), written as a private WAV file (0600,
written beside and renamed, so a file is whole or absent), and entered in the
journal. Without `--keep-recordings` this object does not exist, and nothing
from the microphone is ever written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import numpy as np
import soundfile

from assistant.audio.mixer import Samples
from assistant.base.errors import cause
from assistant.base.paths import private_dir, private_file
from assistant.journal.opening import trouble
from assistant.journal.store import Journal
from assistant.session.events import (
    Event,
    FloorRepaired,
    SessionEnd,
    SessionStart,
    TurnEnd,
    TurnStart,
)

MIN_SECONDS = 1.0  # shorter than this holds nothing worth keeping


class ClipRecorder:
    def __init__(self, journal: Journal, folder: Path, rate: int,
                 clock: Callable[[], datetime], err: TextIO | None = None) -> None:
        self.journal, self.folder, self.rate, self.clock = journal, folder, rate, clock
        self.err = err or sys.stderr
        self.session = self.exercise = ""
        self._label = self._partner = ""
        self._from: int | None = None
        self._windows: list[Samples] = []
        self._count = 0

    def hear(self, start: int, window: Samples) -> None:
        if self._from is not None and start >= self._from:
            self._windows.append(window.copy())

    def __call__(self, event: Event) -> None:
        if isinstance(event, SessionStart):
            self.session, self.exercise = event.session, event.exercise
        elif isinstance(event, TurnStart) and event.keep:
            self._label, self._partner, self._from = event.keep, event.partner, event.sample
            self._windows = []
        elif isinstance(event, FloorRepaired) and event.keep:  # what they went on to say
            self._label, self._partner = event.keep, event.partner or "both"
            self._from, self._windows = event.sample, []
        elif isinstance(event, TurnEnd | SessionEnd) and self._from is not None:
            self._keep()

    def _keep(self) -> None:
        self._from = None
        audio = np.concatenate(self._windows) if self._windows else np.zeros(0, np.float32)
        self._windows = []
        if len(audio) < MIN_SECONDS * self.rate:
            return
        self._count += 1
        path = self.folder / f"{self.session}-{self._count}.wav"
        part = path.with_suffix(".part")
        try:
            private_dir(self.folder)
            with private_file(part, "wb") as file:
                soundfile.write(file, audio, self.rate, subtype="PCM_16", format="WAV")
            os.replace(part, path)
        except (OSError, RuntimeError) as error:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            told = cause(error, path) if isinstance(error, OSError) else str(error)
            print(f"assistant: a recording could not be kept: {told}; the session goes on.",
                  file=self.err, flush=True)
            return
        try:
            self.journal.add_clip(self.session, self.exercise, self._label, self._partner,
                                  path, round(len(audio) / self.rate, 3), self.clock())
        except sqlite3.Error as error:  # the file stays: 'journal list' shows it as found
            told = str(trouble(error, self.journal.path)).rstrip(".")
            print(f"assistant: the recording {path.name} is kept, but not entered in the "
                  f"journal ({told}); 'assistant journal list' shows it as found.",
                  file=self.err, flush=True)
