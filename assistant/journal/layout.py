"""The journal's layout, and whether this version may write to a journal it finds.

The layout is marked with SQLite's `user_version`. A journal marked with a later
number, or with a table that lacks a column this version reads or writes (a layout
it does not know, as a later version may leave), is recognised before anything is
written to it: this version then only reads it, what it can, and changes nothing.
"""

from __future__ import annotations

import sqlite3

from assistant.journal.pauses import PAUSES
from assistant.journal.salvage import COLUMNS

VERSION = 1  # the layout this version writes; journals before the mark read as 0
PAUSE_COLUMNS = ("partner", "heard", "seconds")
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
""" + PAUSES  # a table added later: IF NOT EXISTS adds it to an older journal


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The columns `table` has; none when there is no such table."""
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}


def readable(db: sqlite3.Connection) -> bool:
    """Whether every table this version reads is there with its columns (the pauses
    aside: a journal without them gives the defaults)."""
    return all(set(names) <= columns(db, table) for table, names in COLUMNS.items())


def foreign(db: sqlite3.Connection) -> str | None:
    """Why this version must not write to the journal, as a phrase after "The journal
    PATH"; None when it may."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if isinstance(version, int) and version > VERSION:
        return (f"was written by a newer version of the assistant (its layout {version}, "
                f"this version's {VERSION})")
    for table, names in _tables().items():
        have = columns(db, table)
        missing = [name for name in names if name not in have]
        if have and missing:
            return (f"has a layout this version of the assistant does not know (its {table} "
                    f"table has no column {missing[0]}), as a newer version may leave it")
    return None


def mark(db: sqlite3.Connection) -> None:
    """Mark a journal this version writes with its layout (inside no transaction)."""
    if db.execute("PRAGMA user_version").fetchone()[0] < VERSION:
        db.execute(f"PRAGMA user_version = {VERSION}")


def _tables() -> dict[str, tuple[str, ...]]:
    return {**COLUMNS, "pauses": PAUSE_COLUMNS}


def copied(db: sqlite3.Connection) -> sqlite3.Connection:
    """What `db` holds in this version's columns (one it lacks as NULL), in memory and
    without constraints: a journal of another layout, read as untrusted as any."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    copy.text_factory = db.text_factory
    for table, names in _tables().items():
        copy.execute(f"CREATE TABLE {table} ({', '.join(names)})")
        have = columns(db, table)
        if have:
            picked = ", ".join(name if name in have else "NULL" for name in names)
            copy.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})",
                             db.execute(f"SELECT {picked} FROM {table}"))
    return copy
