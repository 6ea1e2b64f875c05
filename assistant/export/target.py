"""Where an export goes: checked before anything is rendered, written whole or not at all.

The file is written under a temporary name beside the target (created 0600: it
holds the partners' names), tagged there, and renamed over the target only when
whole, so a player never sees half a file and a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from assistant.base.errors import UserError
from assistant.base.paths import data_home
from assistant.journal.store import CLIPS, FILE_NAME

NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def check_target(path: Path, inputs: Iterable[Path] = ()) -> None:
    """One sentence if `path` cannot or must not be written; nothing is created."""
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"The folder {folder} does not exist; make it first, or choose "
                        "another.")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give the file's name, such as {path / 'x.opus'}.")
    real = path.resolve()
    home = data_home().resolve()
    if real == home / FILE_NAME or real.is_relative_to(home / CLIPS):
        what = "the journal" if real == home / FILE_NAME else "a kept recording"
        raise UserError(f"{path} is {what}; choose another file to write.")
    if any(real == Path(source).resolve() for source in inputs):
        raise UserError(f"{path} is one of the files this export reads; choose another "
                        "file to write.")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".assistant-probe-"):
            pass
    except OSError:
        raise UserError(f"The folder {folder} cannot be written to.") from None


@contextlib.contextmanager
def beside(path: Path, suffix: str) -> Iterator[tuple[Path, BinaryIO]]:
    """A private temporary file next to `path`, open to write and read, and gone after
    (unless renamed by then): an export's rendered samples, or the file before its rename."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    temporary = Path(name)
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
    with told_if_unwritten(path), beside(path, f".part{path.suffix}") as (temporary, file):
        file.write(data)
        file.flush()
        finish(temporary)
        publish(file, temporary, path)
