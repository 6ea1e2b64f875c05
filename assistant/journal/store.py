"""The journal store: one sqlite database in the assistant's own private folder.

Every write is a transaction in WAL mode, so a session killed at any moment
leaves a journal that opens, and two sessions at once wait for each other
rather than corrupt it. A session is written as stopped when it begins and
marked completed only when it completes. A file that is not a readable
database is set aside under a new name, never deleted.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.base.paths import FILE_MODE, private_dir, private_file

FILE_NAME = "journal.sqlite3"
CLIPS = "clips"  # the folder of kept recordings, beside the database
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    exercise TEXT NOT NULL,
    title TEXT NOT NULL,
    started TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT 'stopped',
    steps INTEGER NOT NULL DEFAULT 0,
    closing TEXT
);
CREATE TABLE IF NOT EXISTS asked (
    session TEXT NOT NULL,
    exercise TEXT NOT NULL,
    question TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,
    exercise TEXT NOT NULL,
    label TEXT NOT NULL,
    partner TEXT NOT NULL,
    file TEXT NOT NULL,
    seconds REAL NOT NULL,
    made TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_exercise ON sessions (exercise, started);
CREATE INDEX IF NOT EXISTS asked_by_exercise ON asked (exercise);
CREATE INDEX IF NOT EXISTS clips_by_label ON clips (exercise, label, made);
"""


class JournalError(Exception):
    """The journal cannot be used; the message is one plain sentence."""


@dataclass(frozen=True)
class SessionRecord:
    id: str
    exercise: str
    title: str
    started: datetime
    seconds: float
    outcome: str  # completed or stopped
    steps: int
    closing: str | None  # "good stretch", "too much", or None


@dataclass(frozen=True)
class ClipRecord:
    id: int
    session: str
    exercise: str
    label: str  # what it holds, such as "agreed change" or "memory"
    partner: str
    file: Path
    seconds: float
    made: datetime


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = private_dir(folder)
        self.path = folder / FILE_NAME
        self.notice = ""  # one sentence to tell the user, if something was set aside
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError:
            aside = self._set_aside()
            self.notice = (f"The journal {self.path} could not be read, so it was kept as "
                           f"{aside.name} and a new one was started.")
            self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():  # created private: it holds the partners' names
            private_file(self.path, "ab").close()
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("PRAGMA synchronous=NORMAL")  # no fsync per write: never a late cue
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM sessions").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        except sqlite3.Error as error:
            db.close()
            raise JournalError(f"The journal {self.path} cannot be used ({error}).") from None
        for extra in ("", "-wal", "-shm"):  # sqlite's own files, and one an older version made
            with contextlib.suppress(OSError):
                os.chmod(f"{self.path}{extra}", FILE_MODE)
        return db

    def _set_aside(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}{self.path.suffix}")
        self.path.rename(aside)
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{extra}").rename(f"{aside}{extra}")
        return aside

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # -- sessions ---------------------------------------------------------------------

    def begin(self, session: str, exercise: str, title: str, started: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sessions (id, exercise, title, started) VALUES (?, ?, ?, ?)",
                       (session, exercise, title, started.isoformat(timespec="seconds")))

    def progress(self, session: str, steps: int, seconds: float) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET steps = max(steps, ?), seconds = ? WHERE id = ?",
                       (steps, seconds, session))

    def finish(self, session: str, outcome: str, seconds: float) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET outcome = ?, seconds = ? WHERE id = ?",
                       (outcome, seconds, session))

    def closing(self, session: str, answer: str) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET closing = ? WHERE id = ?", (answer, session))

    def sessions(self, exercise: str | None = None, limit: int = 50) -> list[SessionRecord]:
        """The latest sessions first."""
        where, args = ("WHERE exercise = ?", (exercise,)) if exercise else ("", ())
        rows = self._db.execute(
            f"SELECT id, exercise, title, started, seconds, outcome, steps, closing "
            f"FROM sessions {where} ORDER BY started DESC, rowid DESC LIMIT ?",
            (*args, limit)).fetchall()
        return [SessionRecord(r[0], r[1], r[2], datetime.fromisoformat(r[3]), *r[4:])
                for r in rows]

    def count(self, exercise: str | None = None) -> int:
        """How many sessions there have been, of one practice or of all."""
        row = self._db.execute("SELECT count(*) FROM sessions WHERE ? IS NULL OR exercise = ?",
                               (exercise, exercise)).fetchone()
        return int(row[0])

    # -- questions asked --------------------------------------------------------------

    def asked(self, session: str, exercise: str, question: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO asked VALUES (?, ?, ?)", (session, exercise, question))

    def asked_before(self, exercise: str) -> dict[str, int]:
        """Each question asked in `exercise`, with how many times."""
        rows = self._db.execute(
            "SELECT question, count(*) FROM asked WHERE exercise = ? GROUP BY question",
            (exercise,)).fetchall()
        return {question: count for question, count in rows}

    # -- clips ------------------------------------------------------------------------

    def add_clip(self, session: str, exercise: str, label: str, partner: str, file: Path,
                 seconds: float, made: datetime) -> int:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO clips (session, exercise, label, partner, file, seconds, made) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session, exercise, label, partner, str(file), seconds,
                 made.isoformat(timespec="seconds")))
            return int(cursor.lastrowid or 0)

    def clips(self, exercise: str | None = None, label: str | None = None) -> list[ClipRecord]:
        """Clips, the latest first."""
        rows = self._db.execute(
            "SELECT id, session, exercise, label, partner, file, seconds, made FROM clips "
            "WHERE (? IS NULL OR exercise = ?) AND (? IS NULL OR label = ?) "
            "ORDER BY made DESC, id DESC", (exercise, exercise, label, label)).fetchall()
        return [ClipRecord(r[0], r[1], r[2], r[3], r[4], Path(r[5]), r[6],
                           datetime.fromisoformat(r[7])) for r in rows]

    def delete_clip(self, clip: int) -> ClipRecord | None:
        found = [c for c in self.clips() if c.id == clip]
        if not found:
            return None
        with self._write() as db:
            db.execute("DELETE FROM clips WHERE id = ?", (clip,))
        with contextlib.suppress(FileNotFoundError):
            found[0].file.unlink()
        return found[0]
