"""What a new session takes from the journal, and the sink that keeps it there.

The journal is opened once per session: questions already asked are drawn last,
a practice the couple found too much is offered in a gentler form, each partner's
pauses kept from before set the patience of their floors, and the session is
written as it goes. If the journal cannot be read or written, the
session goes on without it, after one printed sentence that it will not be
remembered; a journal another version wrote is read, and the session not kept in it.
"""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from assistant.base.paths import data_home
from assistant.journal.keeper import SessionKeeper
from assistant.journal.opening import trouble
from assistant.journal.recorder import ClipRecorder
from assistant.journal.store import CLIPS, FILE_NAME, Journal, JournalError
from assistant.journal.today import too_much
from assistant.script.adapt import TOO_MUCH_NOTICE, gentler
from assistant.script.model import AskStep, Exercise, ReplayStep, TurnStep, each_step
from assistant.script.wordings import Visit, for_visit
from assistant.session.answers import spoken_list
from assistant.session.events import Event
from assistant.session.patience import SHARED
from assistant.session.plan import Names, deck_questions


@dataclass(frozen=True)
class Memory:
    exercise: Exercise  # as it will run: gentler after "too much"
    session: str  # a new id
    started: str  # the wall-clock start, ISO 8601
    notice: str = ""  # to say before the practice begins
    asked: dict[str, int] = field(default_factory=dict)
    keeper: SessionKeeper | None = None
    recorder: ClipRecorder | None = None
    kept: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    pauses: dict[str, list[float]] = field(default_factory=dict)  # by name; "both" shared

    @property
    def sinks(self) -> list[Callable[[Event], None]]:
        return [sink for sink in (self.keeper, self.recorder) if sink is not None]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def remember(exercise: Exercise, names: Names, rate: int, folder: Path | None = None,
             clock: Callable[[], datetime] = utc_now, err: TextIO | None = None,
             keep_recordings: bool = False) -> Memory:
    err = err or sys.stderr
    session, started = uuid.uuid4().hex, clock().isoformat(timespec="seconds")
    journal = None
    try:
        journal = Journal(folder or data_home())
        if journal.notice:
            print(f"assistant: {journal.notice}", file=err)
        return _recalled(journal, exercise, names, rate, folder, clock, err, keep_recordings,
                         session, started)
    except (JournalError, OSError, sqlite3.Error) as error:
        if journal is not None:
            journal.close()
        told = error if isinstance(error, JournalError) else trouble(
            error, Path(folder or data_home()) / FILE_NAME)
        print(f"assistant: {str(told).rstrip('.')}; this session goes on, but it will not be "
              "remembered.", file=err, flush=True)
        return Memory(for_visit(exercise, Visit()), session, started)


def _recalled(journal: Journal, exercise: Exercise, names: Names, rate: int,
              folder: Path | None, clock: Callable[[], datetime], err: TextIO,
              keep_recordings: bool, session: str, started: str) -> Memory:
    notices = []
    hard = too_much(journal.sessions(exercise.id, limit=ANSWERS))
    if hard:
        exercise = gentler(exercise)
        notices.append(TOO_MUCH_NOTICE)
    exercise = for_visit(exercise, Visit(journal.count(exercise.id), journal.count(), hard))
    recorder = None
    labels = kept_labels(exercise)
    if keep_recordings and labels and not journal.read_only:
        recorder = ClipRecorder(journal, (folder or data_home()) / CLIPS, rate, clock, err)
        notices.append(KEEPING.format(what=spoken_list([f"each {label}" for label in labels])))
    kept = {(source or exercise.id, label): [str(c.file) for c in
                                             journal.clips(source or exercise.id, label)
                                             if c.file.exists()]
            for source, label in replayed(exercise)}
    keeper = None if journal.read_only else SessionKeeper(
        journal, rate, clock, deck_questions(exercise, names), err)
    return Memory(exercise, session, started, " ".join(notices),
                  journal.asked_before(exercise.id), keeper, recorder, kept,
                  journal.pauses({names.a, names.b, SHARED}))


ANSWERS = 50  # sessions looked back through for the latest closing answer
KEEPING = ("As you asked, I will keep a recording of {what} in your private journal on "
           "this computer, so you can hear it again another time.")


def kept_labels(exercise: Exercise) -> list[str]:
    """The labels of the recordings this exercise keeps, in order, once each."""
    labels: list[str] = []
    for step in each_step(exercise.steps):
        label = step.keep if isinstance(step, TurnStep | AskStep) else ""
        if label and label not in labels:
            labels.append(label)
    return labels


def replayed(exercise: Exercise) -> list[tuple[str, str]]:
    """(exercise, label) of every replay step: what to look up in the journal."""
    return [(step.exercise, step.label) for step in each_step(exercise.steps)
            if isinstance(step, ReplayStep)]
