"""Opening the journal's database, and telling damage from trouble.

Damage (SQLite's own check fails, or the file is not a database) is the one case
where a journal is set aside, renamed and made 0600, never deleted. Trouble (a
full disk, a lock held by another process, missing permission, a home that is a
file or cannot be made) leaves every file as it was and is told in one sentence
with the cause and the fix. A read-only open never writes, moves or deletes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError, cause, read_only_filesystem
from assistant.base.paths import FILE_MODE

WAIT_ENV = "ASSISTANT_JOURNAL_WAIT"  # seconds to wait for another process's lock
WAIT_SECONDS = 10.0
ASIDE = "damaged"
PENDING = re.compile(r"^journal\.(damaged|unreadable)-[0-9-]+\.sqlite3$")
RECOVERED = ".recovered"
FULL_BELOW = 256 * 1024  # bytes free under which a failed write is put down to a full disk
_LAYOUT = ("no such column", "no such table", "has no column named")  # another version's


class JournalError(UserError):
    """The journal cannot be used; the message names the cause and the fix."""


class Damaged(Exception):
    """The file is not a whole SQLite database: the one reason to set it aside."""


def wait_seconds() -> float:
    try:
        seconds = float(os.environ.get(WAIT_ENV, WAIT_SECONDS))
    except ValueError:
        return WAIT_SECONDS
    return seconds if 0.0 <= seconds <= 3600.0 else WAIT_SECONDS


def is_damage(error: sqlite3.Error) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    return (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
            or "malformed" in text or "not a database" in text)


def tolerant_text(data: bytes) -> str:
    """Stored text as a string even where it is not UTF-8, rather than an error that
    would keep every other row from being read."""
    return data.decode("utf-8", "replace")


def trouble(error: sqlite3.Error | OSError, path: Path) -> JournalError:
    """The one sentence for a journal that is whole but cannot be used now."""
    if isinstance(error, OSError):
        return JournalError(f"The journal cannot be used: {cause(error, path)}.")
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    folder = path.parent
    if name.startswith("SQLITE_FULL") or "disk is full" in text or _nearly_full(folder):
        return JournalError(f"The disk holding the journal {path} is full; free some space "
                            "there and try again.")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return JournalError(f"The journal {path} is held by another process (another session, "
                            "perhaps); let it finish, or end it, and try again.")
    if path.is_dir():
        return JournalError(f"The journal {path} is a folder, not a file; move it away and "
                            "try again.")
    if any(words in text for words in _LAYOUT):
        return JournalError(f"The journal {path} has a layout this version of the assistant "
                            f"does not know ({error}), as a newer version may leave it; it is "
                            "left as it is.")
    if read_only_filesystem(folder) and name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return JournalError(f"The journal {path} is on a read-only file system; set "
                            "ASSISTANT_HOME to a folder you can write to.")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return JournalError(f"The journal {path} cannot be opened: permission denied; give your "
                            "user access to it and its folder (chmod u+rw), or set "
                            "ASSISTANT_HOME to a folder of your own.")
    return JournalError(f"The journal {path} cannot be used now (SQLite says: {error}); it is "
                        "left as it is; try again, and if it keeps failing, check the disk "
                        "it is on.")


def _nearly_full(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        return shutil.disk_usage(folder).free < FULL_BELOW
    return False


def check_folder(folder: Path) -> None:
    """A home that names a file, or cannot be made where it is named, is told as such
    before anything else is tried (a missing home that can be made is a new journal)."""
    if folder.exists() and not folder.is_dir():
        raise JournalError(f"The assistant's folder {folder} is a file, not a folder; set "
                           "ASSISTANT_HOME to a folder (or unset it), or move the file away.")
    if folder.exists():
        return
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise JournalError(f"{parent} is a file, so the assistant's folder {folder} "
                                   "cannot be there; set ASSISTANT_HOME to a folder.")
            if read_only_filesystem(parent):
                raise JournalError(f"The assistant's folder {folder} cannot be made: "
                                   f"{parent} is on a read-only file system; set "
                                   "ASSISTANT_HOME to a folder you can write to.")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise JournalError(f"The assistant's folder {folder} cannot be made: "
                                   f"permission to write in {parent} was denied; set "
                                   "ASSISTANT_HOME to a folder you can write to.")
            return


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection that has read the schema, or Damaged, or a JournalError for trouble."""
    wait = wait_seconds()
    try:
        if read_only:
            db = _read_only(path, wait)
        else:
            db = sqlite3.connect(path, timeout=wait, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        db.text_factory = tolerant_text
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            check = db.execute("PRAGMA quick_check(1)").fetchone()
        except sqlite3.Error:
            db.close()
            raise
        if check != ("ok",):
            db.close()
            raise Damaged(str(check[0] if check else "no answer"))
    except sqlite3.Error as error:
        if is_damage(error):
            raise Damaged(str(error)) from None
        raise trouble(error, path) from None
    return db


def _read_only(path: Path, wait: float) -> sqlite3.Connection:
    """Read without writing: `mode=ro`; if even that cannot set up its shared memory (as on
    a full disk) and nothing waits in the write-ahead log, the file is read as it stands."""
    uri = f"file:{_quoted(path)}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=wait, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.Error as error:
        if is_damage(error) or getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
            raise
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)


def _quoted(path: Path) -> str:
    return str(path.absolute()).replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def set_aside(path: Path) -> Path:
    """Rename a damaged journal (and sqlite's files beside it) aside, readable by the user
    alone; never deleted, so `assistant journal recover` can save what it holds."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}.{ASIDE}-{stamp}{path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.stem}.{ASIDE}-{stamp}-{n}{path.suffix}")
    try:
        path.rename(aside)
    except OSError as error:
        raise JournalError(f"The journal {path} is damaged and cannot be set aside: "
                           f"{cause(error, path)}.") from None
    for extra in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            if extra:
                Path(f"{path}{extra}").rename(f"{aside}{extra}")
            os.chmod(f"{aside}{extra}", FILE_MODE)
    return aside


def pending(folder: Path) -> list[Path]:
    """Journals set aside as damaged whose contents have not been recovered yet."""
    try:
        return sorted(p for p in folder.iterdir() if PENDING.match(p.name))
    except OSError:
        return []


def pending_notice(folder: Path) -> str:
    found = pending(folder)
    if not found:
        return ""
    names = ", ".join(p.name for p in found)
    what = "A damaged journal was" if len(found) == 1 else "Damaged journals were"
    return (f"{what} set aside as {names} in {folder}; run 'assistant journal recover' to "
            "save what it holds.")
