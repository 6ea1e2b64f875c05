"""`assistant forget`: the files the assistant made in its home deleted, by name, and no other.

The home may be a folder the user also keeps their own files in (`$ASSISTANT_HOME`
set to one), so nothing is deleted for its place or a loose pattern: only the
journal with SQLite's files beside it, the journals set aside or recovered, the
recordings the recorder names `SESSION-N.wav`, and every file of the couple's
profile, set-aside copies included.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from assistant.journal import couple
from assistant.journal.store import CLIPS, FILE_NAME

_STEM, _SUFFIX = re.escape(Path(FILE_NAME).stem), re.escape(Path(FILE_NAME).suffix)
JOURNAL_FILES = re.compile(  # journal.sqlite3, journal.damaged-STAMP[-N][.recovered].sqlite3
    rf"^{_STEM}(\.(damaged|unreadable)-[0-9][0-9-]*(\.recovered)?)?{_SUFFIX}"
    r"(-wal|-shm|-journal)?$")
RECORDINGS = re.compile(r"^[0-9a-f]{32}-[0-9]+\.(wav|part)$")  # a session's id, its count


def made_files(home: Path) -> list[Path]:
    """The assistant's own files in `home` and its recordings folder, to delete."""
    def matching(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
        try:
            return sorted(p for p in folder.iterdir() if pattern.match(p.name))
        except (FileNotFoundError, NotADirectoryError):
            return []
    ours = [*matching(home, JOURNAL_FILES), *matching(home, couple.FILES)]
    return ours + matching(home / CLIPS, RECORDINGS)


def forget(home: Path) -> list[Path]:
    """Delete the assistant's files; the files of the user's own left in the recordings
    folder (which then stays), if any."""
    for path in made_files(home):
        path.unlink(missing_ok=True)
    clips = home / CLIPS
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        left = sorted(clips.iterdir())
        if not left:
            clips.rmdir()
        return left
    return []
