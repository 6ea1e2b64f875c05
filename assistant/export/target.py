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
from collections.abc import Callable, Iterable
from pathlib import Path

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


def write_atomically(path: Path, data: bytes, finish: Callable[[Path], None]) -> None:
    """Write `data` beside `path`, let `finish` work on it (tags), then rename it over."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.",
                                    suffix=f".part{path.suffix}")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        finish(temporary)
        os.replace(temporary, path)
    except OSError as error:
        if error.errno in NO_ROOM:
            raise UserError(f"There is no room left to write {path}; nothing was "
                            "written.") from None
        raise UserError(f"{path} could not be written ({error.strerror or error}); "
                        "nothing was written.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
