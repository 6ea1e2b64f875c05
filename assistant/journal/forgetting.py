"""`assistant forget`: the files the assistant made deleted, by name, and no other.

The home may be a folder the user also keeps their own files in (`$ASSISTANT_HOME`
set to one), so nothing is deleted for its place or a loose pattern: only the
journal with SQLite's files beside it, the journals set aside or recovered, the
recordings the recorder names `SESSION-N.wav`, every file of the couple's profile
(set-aside copies included), the saved choices (`preferences.json`), and the rendered
speech, which speaks the partners' names: the cache's prompts and the files it was
writing, named as `speech/voice/stored.py` names them.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from assistant.journal import couple
from assistant.journal.preferences import PREFERENCES
from assistant.journal.store import CLIPS, FILE_NAME

_STEM, _SUFFIX = re.escape(Path(FILE_NAME).stem), re.escape(Path(FILE_NAME).suffix)
JOURNAL_FILES = re.compile(  # journal.sqlite3, journal.damaged-STAMP[-N][.recovered].sqlite3
    rf"^{_STEM}(\.(damaged|unreadable)-[0-9][0-9-]*(\.recovered)?)?{_SUFFIX}"
    r"(-wal|-shm|-journal)?$")
RECORDINGS = re.compile(r"^[0-9a-f]{32}-[0-9]+\.(wav|part)$")  # a session's id, its count
CHOICES = re.compile(  # the saved choices, and the file they are written through
    rf"^{re.escape(Path(PREFERENCES).stem)}(\.json|\.part)$")


def _matching(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    try:  # a folder is never one of the assistant's files, whatever its name
        return sorted(p for p in folder.iterdir()
                      if pattern.match(p.name) and (p.is_symlink() or not p.is_dir()))
    except (FileNotFoundError, NotADirectoryError):
        return []


def made_files(home: Path) -> list[Path]:
    """The assistant's own files in `home` and its recordings folder, to delete."""
    ours = [*_matching(home, JOURNAL_FILES), *_matching(home, couple.FILES),
            *_matching(home, CHOICES)]
    return ours + _matching(home / CLIPS, RECORDINGS)


def speech_folder() -> Path:
    """The speech cache's folder (loaded here, not above: `--help` loads no speech module)."""
    from assistant.speech.voice.stored import speech_folder as folder

    return folder()


def cached_speech(folder: Path) -> list[Path]:
    """The rendered prompts (and prompts being written) in the speech cache `folder`."""
    from assistant.speech.voice.stored import ENTRIES

    return _matching(folder, ENTRIES)


def forget(home: Path, speech: Path) -> list[Path]:
    """Delete the assistant's files in `home` and its rendered speech in `speech`; the
    files of the user's own left in the recordings folder (which then stays), if any."""
    failed: OSError | None = None
    for path in [*made_files(home), *cached_speech(speech)]:
        try:  # one that cannot go keeps none of the others back
            path.unlink(missing_ok=True)
        except OSError as error:
            failed = failed or error
    if failed is not None:
        raise failed
    with contextlib.suppress(OSError):  # the cache's own folder, when nothing else is in it
        speech.rmdir()
    clips = home / CLIPS
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        left = sorted(clips.iterdir())
        if not left:
            clips.rmdir()
        return left
    return []
