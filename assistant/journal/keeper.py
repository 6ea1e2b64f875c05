"""Keeping a session in the journal as it happens: an event sink.

Each write is its own transaction, so whatever happens to the process, the
journal holds the session up to its latest step. A journal that fails mid-way
is reported once and the session goes on without it.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TextIO

from assistant.journal.opening import trouble
from assistant.journal.store import Journal
from assistant.session.events import (
    ClosingCheck,
    Event,
    SayStart,
    SessionEnd,
    SessionStart,
    StepStarted,
)


class SessionKeeper:
    def __init__(self, journal: Journal, rate: int, clock: Callable[[], datetime],
                 questions: Mapping[str, str] | None = None, err: TextIO | None = None) -> None:
        self.journal, self.rate, self.clock = journal, rate, clock
        self.questions = dict(questions or {})  # deck questions as spoken → as written
        self.err = err or sys.stderr
        self.session = self.exercise = ""
        self._broken = False

    def __call__(self, event: Event) -> None:
        if self._broken:
            return
        try:
            self._keep(event)
        except sqlite3.Error as error:
            self._broken = True
            told = str(trouble(error, self.journal.path)).rstrip(".")
            print(f"assistant: {told}; the session goes on, but from here it will not be "
                  "remembered.", file=self.err, flush=True)

    def _keep(self, event: Event) -> None:
        seconds = round(event.sample / self.rate, 3)
        if isinstance(event, SessionStart):
            self.session, self.exercise = event.session, event.exercise
            self.journal.begin(event.session, event.exercise, event.title, self.clock())
        elif not self.session:
            return
        elif isinstance(event, StepStarted):
            self.journal.progress(self.session, event.index + 1, seconds)
        elif isinstance(event, SayStart) and event.text in self.questions:
            self.journal.asked(self.session, self.exercise, self.questions[event.text])
        elif isinstance(event, ClosingCheck):
            self.journal.closing(self.session, event.answer)
        elif isinstance(event, SessionEnd):
            self.journal.finish(self.session, event.reason, seconds, event.pauses)
