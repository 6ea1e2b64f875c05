"""Where an export goes: checked before anything is rendered, written whole or not at all.

A file already there (or a link) is never replaced unless asked (`--force`), and then
the name itself is replaced, never the file a link names; a name no file can have is
refused before rendering. The file is written under a short temporary name beside the
target (created 0600: it holds the partners' names; see `audio/sidefiles.py`), tagged
there, and renamed over the target only when whole, so a player never sees half a
file and a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from assistant.audio.sidefiles import PART, make_beside, unnameable
from assistant.base.errors import UserError
from assistant.base.paths import as_text, data_home
from assistant.journal.store import CLIPS, FILE_NAME
from assistant.script.text import escaped, shown

NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def check_target(path: Path, inputs: Iterable[Path] = (), force: bool = False) -> None:
    """One sentence if `path` cannot or must not be written (a file already there, unless
    `force`). Nothing is written; what a run killed a day ago left beside it is swept."""
    folder = path.parent
    _nameable(path)
    if not os.path.isdir(folder):
        raise UserError(f"The folder {folder} does not exist; make it first, or choose "
                        "another.")
    if os.path.isdir(path):
        raise UserError(f"{path} is a folder; give the file's name, such as {path / 'x.opus'}.")
    real = Path(os.path.realpath(path))  # a loop of links is no error here
    home = Path(os.path.realpath(data_home()))
    if real == home / FILE_NAME or real.is_relative_to(home / CLIPS):
        what = "the journal" if real == home / FILE_NAME else "a kept recording"
        raise UserError(f"{path} is {what}; choose another file to write.")
    if any(real == Path(os.path.realpath(source)) for source in inputs):
        raise UserError(f"{path} is one of the files this export reads; choose another "
                        "file to write.")
    if not force and os.path.lexists(path):
        raise UserError(f"{_shown(path)} already exists, and an export replaces a file only "
                        "when asked: add --force to replace it, or choose another name.")
    try:
        handle, probe = make_beside(path)
    except OSError:
        raise UserError(f"The folder {folder} cannot be written to.") from None
    os.close(handle)
    probe.unlink()


def check_new(folder: Path, paths: Sequence[Path], force: bool) -> None:
    """Refuse, in one sentence, a week whose files are already there (any of them, even
    one an earlier export wrote: a file's maker cannot be told by looking at it)."""
    for path in paths:
        _nameable(path)
    there = [path.name for path in paths if os.path.lexists(path)]
    if force or not there:
        return
    more = f" and {len(there) - 1} more" if len(there) > 1 else ""
    raise UserError(f"{_shown(folder)} already holds {escaped(as_text(there[0]))}{more}, and "
                    "an export replaces no file, not even one an earlier export wrote, "
                    f"unless asked: add --force to replace {'them' if more else 'it'}, or "
                    "choose another folder.")


def _nameable(path: Path) -> None:
    problem = unnameable(path)
    if problem is not None:
        raise UserError(f"{_shown(Path(path.name), 40)} cannot be written: {problem}.")


def _shown(path: Path, limit: int = 1000) -> str:
    return shown(as_text(str(path)), limit)


@contextlib.contextmanager
def beside(path: Path, kind: str = PART) -> Iterator[tuple[Path, BinaryIO]]:
    """A private temporary file next to `path`, open to write and read, and gone after
    (unless renamed by then): an export's rendered samples, or the file before its rename."""
    handle, temporary = make_beside(path, kind)
    try:
        with os.fdopen(handle, "w+b") as file:
            yield temporary, file
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def told_if_unwritten(path: Path) -> Iterator[None]:
    """A failure to write what becomes `path` (a full disk, say) said in one sentence."""
    try:
        yield
    except OSError as error:
        if error.errno in NO_ROOM:
            raise UserError(f"There is no room left to write {path}; nothing was "
                            "written.") from None
        raise UserError(f"{path} could not be written ({error.strerror or error}); "
                        "nothing was written.") from None


def publish(file: BinaryIO, temporary: Path, path: Path) -> None:
    """The whole file, on disk, under its name."""
    file.flush()
    os.fsync(file.fileno())
    os.replace(temporary, path)


def write_atomically(path: Path, data: bytes, finish: Callable[[Path], None]) -> None:
    """Write `data` beside `path`, let `finish` work on it (tags), then rename it over."""
    with told_if_unwritten(path), beside(path) as (temporary, file):
        file.write(data)
        file.flush()
        finish(temporary)
        publish(file, temporary, path)
