"""A journal row as a typed record, or None: every stored value is read as untrusted.

The journal is a file: another version may have written it, a backup restored it, a
hand edited it. So each value is checked where a row becomes a record: text where text
goes, times with a UTC offset between 1970 and 2999 (a time without one cannot be placed,
and the edges of `datetime` overflow as soon as a zone is applied), lengths that are
finite and plausible. A value that cannot be used is unknown (None); a row that means
nothing without it (no practice named, a recording whose file is not in the recordings
folder) is left out, and the caller counts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

EARLIEST = datetime(1970, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)
LONGEST_TIME = 64  # characters of a stored time: an ISO 8601 one is 25
MAX_SECONDS = 7 * 24 * 3600.0  # a session or a recording longer than a week is not one
MAX_STEPS = 1_000_000
MAX_ID = 2**63 - 1  # SQLite's largest integer
OUTCOMES = ("completed", "stopped")
CLOSINGS = ("good stretch", "too much")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SessionRecord:
    id: str
    exercise: str
    title: str
    started: datetime | None  # None: the journal's time cannot be read
    seconds: float | None  # None: the journal's length cannot be read
    outcome: str  # completed, stopped, or unknown
    steps: int
    closing: str | None  # "good stretch", "too much", or None


@dataclass(frozen=True)
class ClipRecord:
    id: int
    session: str
    exercise: str
    label: str  # what it holds, such as "agreed change" or "memory"
    partner: str
    file: Path  # always inside the home's recordings folder
    seconds: float | None
    made: datetime | None


def moment(value: object) -> datetime | None:
    """A stored time, when it is text in ISO 8601 with an offset, within range."""
    if not isinstance(value, str) or len(value) > LONGEST_TIME:
        return None
    try:
        when = datetime.fromisoformat(value)
        if when.utcoffset() is None or not EARLIEST <= when <= LATEST:
            return None
    except (ValueError, OverflowError):
        return None
    return when


def length(value: object) -> float | None:
    """A stored length in seconds, when it is a finite number from 0 to a week."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and 0 <= value <= MAX_SECONDS else None


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value.strip() else default


def session_record(row: tuple[object, ...]) -> SessionRecord | None:
    """(id, exercise, title, started, seconds, outcome, steps, closing) as a record;
    None when it names no practice."""
    if len(row) != 8:
        return None
    ident, exercise, title, started, seconds, outcome, steps, closing = row
    if not isinstance(exercise, str) or not exercise.strip():
        return None
    counted = steps if isinstance(steps, int) and not isinstance(steps, bool) \
        and 0 <= steps <= MAX_STEPS else 0
    return SessionRecord(
        id=_text(ident, ""), exercise=exercise, title=_text(title, exercise),
        started=moment(started), seconds=length(seconds),
        outcome=outcome if isinstance(outcome, str) and outcome in OUTCOMES else UNKNOWN,
        steps=counted,
        closing=closing if isinstance(closing, str) and closing in CLOSINGS else None)


def clip_record(row: tuple[object, ...], home: Path, clips: str) -> ClipRecord | None:
    """(id, session, exercise, label, partner, file, seconds, made) as a record; None
    when its number is not one or its file is not inside `home`/`clips`."""
    if len(row) != 8:
        return None
    ident, session, exercise, label, partner, file, seconds, made = row
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    path = inside(home, clips, file)
    if path is None:
        return None
    return ClipRecord(ident, _text(session, ""), _text(exercise, UNKNOWN),
                      _text(label, UNKNOWN), _text(partner, UNKNOWN), path,
                      length(seconds), moment(made))


def inside(home: Path, clips: str, stored: object) -> Path | None:
    """`home`/`stored` when it is in the recordings folder once every link is followed
    (and that folder is itself inside `home`): the only files a recording may be."""
    if not isinstance(stored, str) or not stored or "\0" in stored:
        return None
    try:
        folder = (home / clips).resolve()
        if folder != home.resolve() / clips:
            return None
        path = home / stored
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return path if real != folder and real.is_relative_to(folder) else None
