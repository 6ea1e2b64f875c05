"""The journal store: one sqlite database in the assistant's own private folder.

Every write is a transaction in WAL mode, so a session killed at any moment
leaves a journal that opens, and two sessions at once wait for each other
rather than corrupt it. A session is written as stopped when it begins and
marked completed only when it completes. Only a damaged file is set aside, under
a new name, never deleted (`opening.py` tells damage from trouble). A journal another
version wrote is only read (`layout.py`), and every row read becomes a typed record or
is left out, counted (`records.py`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from assistant.base.paths import FILE_MODE, private_dir, private_file
from assistant.journal.layout import SCHEMA, copied, foreign, mark, readable
from assistant.journal.opening import (
    Damaged,
    JournalError,
    check_folder,
    connect,
    is_damage,
    pending_notice,
    set_aside,
    tolerant_text,
    trouble,
)
from assistant.journal.pauses import keep_pauses, kept_pauses
from assistant.journal.records import (
    ClipRecord,
    SessionRecord,
    clip_record,
    inside,
    session_record,
)
from assistant.journal.salvage import COLUMNS, salvage

__all__ = ["CLIPS", "FILE_NAME", "SCHEMA", "ClipRecord", "Journal", "JournalError", "SessionRecord"]

FILE_NAME = "journal.sqlite3"
CLIPS = "clips"  # the folder of kept recordings, beside the database
Record = TypeVar("Record")


def _names(table: str) -> str:
    return ", ".join(COLUMNS[table])


class Journal:
    """The journal, opened to write (a session, delete, keep) or only to read (history,
    today, list, play, export: nothing is created, moved or rewritten then)."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.folder, self.read_only = folder, read_only
        self.path = folder / FILE_NAME
        self.damaged = False  # read-only over a damaged file: what could be read is shown
        self.newer = ""  # why this version only reads it: another version's layout
        self._left_out: set[tuple[str, int]] = set()  # rows no record could be made of
        check_folder(folder)
        self._db = self._open_read() if read_only else self._open_write()
        notices = [pending_notice(folder)] if folder.is_dir() else []
        if self.damaged:
            notices.insert(0, f"The journal {self.path} is damaged, so only what can still be "
                              "read is shown; run 'assistant journal recover' to save it.")
        if self.newer:
            notices.insert(0, f"The journal {self.path} {self.newer}, so this version only "
                              "reads it: sessions go on without being kept in it, and what "
                              "it holds is still shown; update the assistant to keep them.")
        self.notice = " ".join(n for n in notices if n)

    @property
    def left_out(self) -> int:
        """How many rows read so far could not be made into a record."""
        return len(self._left_out)

    def _open_read(self) -> sqlite3.Connection:
        if not self.path.exists():
            return self._empty()
        try:
            db = connect(self.path, read_only=True)
        except Damaged:
            self.damaged = True
            return self._in_memory(salvage(self.path, thorough=False).rows)
        try:
            self.newer = self.newer or foreign(db) or ""
            if readable(db):
                return db
            with contextlib.closing(db):  # a first session cut short, or another layout
                return copied(db)
        except sqlite3.Error as error:
            db.close()
            raise trouble(error, self.path) from None

    def _in_memory(self, rows: dict[str, list[tuple[Any, ...]]]) -> sqlite3.Connection:
        db = self._empty()
        for table, found in rows.items():
            holes = ", ".join("?" * len(COLUMNS[table]))
            db.executemany(f"INSERT OR IGNORE INTO {table} ({_names(table)}) VALUES ({holes})",
                           found)
        return db

    def _empty(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.text_factory = tolerant_text
        db.executescript(SCHEMA)
        return db

    def _open_write(self, again: bool = True) -> sqlite3.Connection:
        try:
            private_dir(self.folder)
            if not self.path.exists():  # created private: it holds the partners' names
                private_file(self.path, "ab").close()
        except OSError as error:
            raise trouble(error, self.path if self.folder.is_dir() else self.folder) from None
        try:
            if self._foreign():  # another version's: read, and nothing written, not even
                self.read_only = True  # the checkpoint a writer's close makes
                return self._open_read()
            db = connect(self.path, read_only=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # no fsync per write: never a late cue
                db.executescript(SCHEMA)
                mark(db)
                db.execute("BEGIN IMMEDIATE")  # a lock another process holds is told now
                db.execute("COMMIT")
            except sqlite3.Error as error:
                db.close()
                if is_damage(error):
                    raise Damaged(str(error)) from None
                raise trouble(error, self.path) from None
        except Damaged:
            if not again:
                raise JournalError(f"The journal {self.path} is damaged again as soon as it is "
                                   "made; check the disk, then try again.") from None
            set_aside(self.path)
            return self._open_write(again=False)
        for extra in ("", "-wal", "-shm"):  # sqlite's own files, and one an older version made
            with contextlib.suppress(OSError):
                os.chmod(f"{self.path}{extra}", FILE_MODE)
        return db

    def _foreign(self) -> bool:
        """Whether another version's layout is here, seen by reading alone; damage and
        trouble are left for the open that writes to tell."""
        try:
            with contextlib.closing(connect(self.path, read_only=True)) as db:
                self.newer = foreign(db) or ""
        except (Damaged, JournalError, sqlite3.Error):
            return False
        return bool(self.newer)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise JournalError(f"The journal {self.path} "
                               f"{self.newer or 'is open only to read'}, so nothing in it "
                               "was changed.")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def take(self, rows: dict[str, list[tuple[Any, ...]]]) -> tuple[int, int]:
        """Rows saved from a damaged journal, added where not already here: (sessions,
        recordings) added. A recording keeps its number unless another has it now."""
        sessions = clips = 0
        with self._write() as db:
            added = set()
            for row in rows.get("sessions", []):
                cursor = db.execute(f"INSERT OR IGNORE INTO sessions ({_names('sessions')}) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
                if cursor.rowcount > 0:
                    added.add(row[0])
            sessions = len(added)
            db.executemany("INSERT INTO asked VALUES (?, ?, ?)",
                           [row for row in rows.get("asked", []) if row[0] in added])
            for row in rows.get("clips", []):
                if db.execute("SELECT 1 FROM clips WHERE file = ?", (row[5],)).fetchone():
                    continue
                taken = db.execute("SELECT 1 FROM clips WHERE id = ?", (row[0],)).fetchone()
                db.execute(f"INSERT INTO clips ({_names('clips')}) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?)", (None if taken else row[0], *row[1:]))
                clips += 1
        return sessions, clips

    # -- sessions ---------------------------------------------------------------------

    def begin(self, session: str, exercise: str, title: str, started: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sessions (id, exercise, title, started) VALUES (?, ?, ?, ?)",
                       (session, exercise, title, started.isoformat(timespec="seconds")))

    def progress(self, session: str, steps: int, seconds: float) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET steps = max(steps, ?), seconds = ? WHERE id = ?",
                       (steps, seconds, session))

    def finish(self, session: str, outcome: str, seconds: float,
               pauses: Mapping[str, Iterable[float]] | None = None) -> None:
        """The outcome, and each partner's latest pauses, in one transaction."""
        with self._write() as db:
            db.execute("UPDATE sessions SET outcome = ?, seconds = ? WHERE id = ?",
                       (outcome, seconds, session))
            keep_pauses(db, pauses or {})

    def pauses(self, partners: Collection[str] | None = None) -> dict[str, list[float]]:
        return kept_pauses(self._db, partners)

    def closing(self, session: str, answer: str) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET closing = ? WHERE id = ?", (answer, session))

    def sessions(self, exercise: str | None = None, limit: int = 50) -> list[SessionRecord]:
        """The latest sessions first (those with a time that is not text last)."""
        where, args = ("WHERE exercise = ?", (exercise,)) if exercise else ("", ())
        rows = self._db.execute(
            f"SELECT rowid, {_names('sessions')} FROM sessions {where} "
            "ORDER BY typeof(started) = 'text' DESC, started DESC, rowid DESC", args)
        return self._records("sessions", rows, session_record, limit)

    def _records(self, table: str, rows: Iterable[tuple[Any, ...]],
                 record: Callable[[tuple[Any, ...]], Record | None],
                 limit: int | None = None) -> list[Record]:
        """Up to `limit` records made of `rows`, each led by its rowid; a row no record can
        be made of is left out, and counted."""
        found: list[Record] = []
        for rowid, *values in rows:
            if limit is not None and len(found) >= limit:
                break
            made = record(tuple(values))
            if made is None:
                self._left_out.add((table, rowid))
            else:
                found.append(made)
        return found

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
        return {question: count for question, count in rows if isinstance(question, str)}

    # -- clips ------------------------------------------------------------------------

    def add_clip(self, session: str, exercise: str, label: str, partner: str, file: Path,
                 seconds: float, made: datetime) -> int:
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO clips (session, exercise, label, partner, file, seconds, made) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session, exercise, label, partner, self._stored(file), seconds,
                 made.isoformat(timespec="seconds")))
            return int(cursor.lastrowid or 0)

    def clips(self, exercise: str | None = None, label: str | None = None) -> list[ClipRecord]:
        """Clips, the latest first: only those whose file is in the recordings folder."""
        rows = self._db.execute(
            f"SELECT rowid, {_names('clips')} FROM clips "
            "WHERE (? IS NULL OR exercise = ?) AND (? IS NULL OR label = ?) "
            "ORDER BY made DESC, id DESC", (exercise, exercise, label, label))
        return self._records("clips", rows, lambda row: clip_record(row, self.folder, CLIPS))

    def found(self) -> list[Path]:
        """Recordings in the clips folder that no row names (kept while the journal could
        not be written, or named only by a journal since lost): still the couple's own."""
        named = {c.file.name for c in self.clips()}
        try:
            return sorted(p for p in (self.folder / CLIPS).glob("*.wav") if p.name not in named
                          and inside(self.folder, CLIPS, f"{CLIPS}/{p.name}") is not None)
        except OSError:
            return []

    def _stored(self, file: Path) -> str:
        """A recording's path as kept: relative to the journal's folder when inside it, so
        the journal can move with its folder and a folder's name never has to be text."""
        try:
            return str(file.relative_to(self.folder))
        except ValueError:
            return str(file)

    def delete_clip(self, clip: int) -> ClipRecord | None:
        found = [c for c in self.clips() if c.id == clip]
        if not found:
            return None
        with self._write() as db:
            db.execute("DELETE FROM clips WHERE id = ?", (clip,))
        with contextlib.suppress(FileNotFoundError):
            found[0].file.unlink()
        return found[0]
