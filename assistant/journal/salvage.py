"""Saving what a damaged journal still holds.

SQLite's own `.recover` (the `sqlite3` command, when installed) rebuilds every page
it can read into a fresh database; without it, or when it fails, rows are read one by
one by rowid, skipping any that sit on a damaged page. Either way each row is checked
for the shape the journal writes before it is taken.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.journal.opening import tolerant_text

COLUMNS = {
    "sessions": ("id", "exercise", "title", "started", "seconds", "outcome", "steps",
                 "closing"),
    "asked": ("session", "exercise", "question"),
    "clips": ("id", "session", "exercise", "label", "partner", "file", "seconds", "made"),
}
PROBE_PAST = 1000  # rowids tried past the last readable one, for rows beyond a bad page
RECOVER_SECONDS = 60.0


@dataclass
class Salvage:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    how: str = "row by row"


def read_rows(db: sqlite3.Connection, table: str) -> Iterator[tuple[Any, ...]]:
    """Every row of `table` that can be read and has the journal's shape, by rowid."""
    columns = ", ".join(COLUMNS[table])
    try:
        top = int(db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
    except sqlite3.Error:
        top = 0
    try:
        whole = db.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    except sqlite3.Error:
        whole = None  # a damaged page on the way: read each rowid on its own
    if whole is not None:
        yield from (row for row in whole if well_formed(table, row))
        return
    rowid, misses = 0, 0
    while rowid < top or misses < PROBE_PAST:
        rowid += 1
        try:
            row = db.execute(f"SELECT {columns} FROM {table} WHERE rowid = ?",
                             (rowid,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            misses += 1
            continue
        misses = 0
        if well_formed(table, row):
            yield row


def well_formed(table: str, row: tuple[Any, ...]) -> bool:
    """A row as the journal writes it: text where text goes, numbers, parseable times."""
    try:
        if table == "sessions":
            return (all(isinstance(v, str) and v for v in row[:4])
                    and isinstance(row[4], int | float) and row[5] in ("completed", "stopped")
                    and isinstance(row[6], int) and (row[7] is None or isinstance(row[7], str))
                    and datetime.fromisoformat(row[3]) is not None)
        if table == "asked":
            return all(isinstance(v, str) and v for v in row)
        return (isinstance(row[0], int) and all(isinstance(v, str) and v for v in row[1:6])
                and isinstance(row[6], int | float) and isinstance(row[7], str)
                and datetime.fromisoformat(row[7]) is not None)
    except (ValueError, TypeError, IndexError):
        return False


def salvage(path: Path, thorough: bool = True) -> Salvage:
    """What `path` holds that can be read: row by row, and (when `thorough`) with what
    `.recover` rebuilds added, each row once."""
    result = Salvage({table: [] for table in COLUMNS})
    with contextlib.suppress(sqlite3.Error), contextlib.closing(
            sqlite3.connect(f"file:{path.absolute()}?mode=ro", uri=True)) as db:
        db.text_factory = tolerant_text
        for table in COLUMNS:
            result.rows[table] = list(read_rows(db, table))
    recovered = _with_sqlite_recover(path) if thorough else None
    if recovered is not None:  # what either way could read, each row once
        result.how = recovered.how
        for table, rows in recovered.rows.items():
            result.rows[table] = list(dict.fromkeys([*rows, *result.rows[table]]))
    return result


def _with_sqlite_recover(path: Path) -> Salvage | None:
    program = shutil.which("sqlite3")
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="assistant-recover-") as folder:
        copy = Path(folder) / "damaged.sqlite3"
        try:  # a copy, so nothing is ever written beside the damaged file
            for extra in ("", "-wal"):
                if Path(f"{path}{extra}").exists():
                    shutil.copyfile(f"{path}{extra}", f"{copy}{extra}")
            script = subprocess.run([program, str(copy), ".recover"], capture_output=True,
                                    timeout=RECOVER_SECONDS, check=False)
            rebuilt = sqlite3.connect(Path(folder) / "rebuilt.sqlite3")
        except (OSError, subprocess.SubprocessError, sqlite3.Error):
            return None
        with contextlib.closing(rebuilt):
            rebuilt.text_factory = tolerant_text
            try:
                rebuilt.executescript(script.stdout.decode("utf-8", "replace"))
            except sqlite3.Error:
                return None
            result = Salvage(how="with SQLite's own recovery")
            for table in COLUMNS:
                result.rows[table] = list(read_rows(rebuilt, table))
        return result
