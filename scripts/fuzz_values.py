"""Fuzz surface of journal values: one stored value of every wrong kind, as a user meets it.

Black-box: the template home's journal is changed by hand (its one session given a
time, a length or a text no session has, the journal marked as a newer version's or
a column renamed, a recording row naming a file outside the recordings folder), and
closed, so the change is whole in the file; then the commands are run: `history`,
`today`, `journal list`, a session, and `journal delete` for the recording rows. A
read-only command, and any command on another version's journal, must leave the
journal's bytes as they were; `journal delete` must leave every file outside the
recordings folder.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_surfaces import SESSION, Setup, home_of
from fuzz_trial import Trial

LOOSE = """
ALTER TABLE sessions RENAME TO strict;
CREATE TABLE sessions (id, exercise, title, started, seconds, outcome, steps, closing);
INSERT INTO sessions SELECT * FROM strict;
DROP TABLE strict;
"""  # without the journal's own constraints, so any value can be stored
NOT_UTF8 = b"Breathing \xff\xfe"  # stored as text

# (column, value, local time zone): the zone is where the value overflows, if anywhere
VALUES: dict[str, tuple[str, object, str]] = {
    "started a number": ("started", 12345, "UTC"),
    "started words": ("started", "yesterday", "UTC"),
    "started null": ("started", None, "UTC"),
    "started a blob": ("started", b"\x00\xff", "UTC"),
    "started without an offset": ("started", "2026-11-01T20:00:00", "UTC"),
    "started in year 1": ("started", "0001-01-01T00:00:00+00:00", "America/New_York"),
    "started in year 9999": ("started", "9999-12-31T23:59:59+00:00", "Asia/Tokyo"),
    "seconds null": ("seconds", None, "UTC"),
    "seconds words": ("seconds", "long", "UTC"),
    "seconds infinite": ("seconds", float("inf"), "UTC"),
    "title not UTF-8": ("title", NOT_UTF8, "UTC"),
    "title with terminal escapes": ("title", "\x1b[2J\x1b]0;owned\x07\u202e", "UTC"),
    "exercise a blob": ("exercise", b"\x01", "UTC"),
    "closing too much": ("closing", "too much", "UTC"),
}
COMMANDS = (["history"], ["today"], ["journal", "list"], [*SESSION, "--out-file", "CASE/o.wav"])
READ_ONLY = ("history", "today", "journal")


def _value_case(column: str, value: object, zone: str, command: list[str]) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        with contextlib.closing(sqlite3.connect(home / "journal.sqlite3")) as db, db:
            db.executescript(LOOSE)
            cast = "CAST(? AS TEXT)" if value == NOT_UTF8 else "?"
            db.execute(f"UPDATE sessions SET {column} = {cast}", (value,))
        args = [part.replace("CASE", str(case)) for part in command]
        guarded = [home / "journal.sqlite3"] if command[0] in READ_ONLY else []
        return Trial(args, {**env, "TZ": zone}, guarded=guarded)
    return setup


def _layout_case(change: str, command: list[str]) -> Setup:
    """A journal another version wrote: only read, never written, by every command."""
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        with contextlib.closing(sqlite3.connect(home / "journal.sqlite3")) as db, db:
            db.execute(change)
        args = [part.replace("CASE", str(case)) for part in command]
        return Trial(args, env, guarded=[home / "journal.sqlite3"])
    return setup


def _outside_case(stored: str, command: list[str]) -> Setup:
    """A recording row that names a file outside the recordings folder."""
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        precious = case / "precious.wav"
        precious.write_bytes(b"the user's own")
        (home / "couple.json").write_text('{"names": ["Ana", "Ben"]}')
        (home / "clips" / "link.wav").symlink_to(home / "couple.json")
        named = str(precious) if stored == "ABSOLUTE" else stored
        with contextlib.closing(sqlite3.connect(home / "journal.sqlite3")) as db, db:
            db.execute("INSERT INTO clips (id, session, exercise, label, partner, file, "
                       "seconds, made) VALUES (1, 'x', 'x', 'memory', 'A', ?, 2.0, "
                       "'2026-01-01T00:00:00+00:00')", (named,))
        return Trial(command, env, guarded=[precious, home / "couple.json"])
    return setup


VALUE_CASES: dict[str, Setup] = {
    **{f"{label}: {' '.join(command[:2])}": _value_case(*VALUES[label], command)
       for label in VALUES for command in COMMANDS},
    **{f"{label}: {' '.join(command[:2])}": _layout_case(change, command)
       for label, change in (("a newer version's journal", "PRAGMA user_version = 9"),
                             ("a renamed column", "ALTER TABLE sessions RENAME COLUMN "
                                                  "title TO name"))
       for command in COMMANDS},
    **{f"a recording at {stored}: {' '.join(command)}": _outside_case(stored, command)
       for stored in ("couple.json", "clips/../couple.json", "ABSOLUTE", "clips/link.wav")
       for command in (["journal", "delete", "1"], ["journal", "delete", "link.wav"],
                       ["journal", "list"])},
}
