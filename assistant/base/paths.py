"""Where the assistant keeps its files: one data folder and one cache folder per user.

`$ASSISTANT_HOME`, when set, holds both (tests and portable installs use it);
otherwise the platform's usual places are used. What is kept there holds the
partners' names and voices, so it is the user's alone: every folder the
assistant makes or uses there is 0700 and every file it writes 0600, made so by
`private_dir` and `private_file`, including folders an older version left looser.
Folders that are not the assistant's own (the user's home, /tmp) are never changed.
Where modes keep no one out (Windows), the folders' place does (`system/private.py`).

A home that can never be used (a name too long for its file system, a path too long
for the files kept in it, a link that loops, a file where the folder should be) is
found before any command starts (`unusable_home`): a command is refused in one
sentence, and a session runs in a private folder of its own that is removed when it
ends (`stand_in_home`), so it is not remembered.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from platformdirs import user_cache_dir, user_data_dir

from assistant.base.errors import cause, limits, longest_name
from assistant.base.scratch import scratch_folder
from assistant.system import private

ENV_HOME = "ASSISTANT_HOME"
APP = "assistant"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
ROOM = 128  # bytes below the home its own deepest file needs (cache/checked-models/SHA-256)


def as_text(text: str) -> str:
    """Text as a person wrote it, from an argument or file name Python decoded in a C
    locale: the bytes it kept as surrogates are read as UTF-8, and what is not UTF-8 is
    replaced, so no name or id ever fails to be printed, spoken or stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "replace").decode("utf-8")
    return text


def data_home() -> Path:
    """Downloaded voices and other lasting data."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME])
    return Path(user_data_dir(APP))


def cache_home() -> Path:
    """Things that can be made again, such as rendered speech."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]) / "cache"
    return Path(user_cache_dir(APP))


def unusable_home() -> str | None:
    """Why the assistant's folder can never be used, as a sentence without its full
    stop; None when it can be, or can be made (trouble of the moment, such as a full
    disk, is told where it happens)."""
    home = _absolute(data_home())
    error = _home_error(home)
    if error is None:
        return None
    setting = " (ASSISTANT_HOME)" if os.environ.get(ENV_HOME) else ""
    return f"The assistant's folder{setting} cannot be used: {cause(error, home)}"


def _home_error(home: Path) -> OSError | None:
    try:
        info = os.stat(home)
    except OSError as error:
        if error.errno != errno.ENOENT:
            return error  # too long, a loop, a file on the way, permission denied
    else:
        if not stat.S_ISDIR(info.st_mode):
            return NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(home))
    # a part of it that is missing hides a name too long after it; and a home just
    # short enough fails only at its deepest file
    name_max, path_max = limits(home)
    if longest_name(home) > name_max or len(os.fsencode(home)) + ROOM > path_max:
        return OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(home))
    return None


@contextlib.contextmanager
def stand_in_home() -> Iterator[Path]:
    """A private folder as the assistant's home for the block, removed after it: what a
    session keeps there (its journal, its rendered speech) is not remembered."""
    before = os.environ.get(ENV_HOME)
    with scratch_folder("assistant-home") as folder:
        os.environ[ENV_HOME] = str(folder)
        try:
            yield folder
        finally:
            if before is None:
                os.environ.pop(ENV_HOME, None)
            else:
                os.environ[ENV_HOME] = before


def _absolute(path: Path) -> Path:
    """Absolute without resolving links: `$ASSISTANT_HOME/cache` stays inside the home
    even when it is a link to a folder elsewhere."""
    return Path(os.path.abspath(path))


def own_root(path: Path) -> Path | None:
    """The outermost of the assistant's own folders that holds `path`, if any.

    Those are `$ASSISTANT_HOME` and the platform's data and cache folders; the latter
    count even with `$ASSISTANT_HOME` set, as speech models may still be kept there."""
    roots = [Path(user_data_dir(APP)), Path(user_cache_dir(APP))]
    if os.environ.get(ENV_HOME):
        roots.append(Path(os.environ[ENV_HOME]))
    path = _absolute(path)
    holding = [root for root in map(_absolute, roots) if path.is_relative_to(root)]
    return min(holding, key=lambda root: len(root.parts), default=None)


def _shared(folder: Path) -> bool:
    """Folders never made private, even when `$ASSISTANT_HOME` names one by mistake."""
    return folder in {Path(folder.anchor), _absolute(Path.home()),
                      _absolute(Path(tempfile.gettempdir()))}


def private_dir(path: Path) -> Path:
    """Make `path` and the folders it needs, private where they are the assistant's own.

    From the assistant's own folder that holds `path` down to `path`, each folder is
    made 0700, or tightened to 0700 if it exists looser (left by an older version).
    Folders above it are made as `mkdir -p` would and never changed. A `path` outside
    the assistant's folders is made 0700 if new and left alone if it exists."""
    target = _absolute(path)
    root = own_root(target)
    if root is not None:
        private.warn_if_shared(root, ENV_HOME)
    top = root or target
    top.parent.mkdir(parents=True, exist_ok=True)
    below = target.relative_to(top)
    for folder in (top / part for part in [*reversed(below.parents), below]):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            if root is None or _shared(folder):
                continue
        if (folder.stat().st_mode & 0o777) != FOLDER_MODE:
            os.chmod(folder, FOLDER_MODE)  # made under a wider umask, or left looser
    return path


def private_tree(folder: Path) -> None:
    """Every folder 0700 and file 0600 under `folder`, for files another tool made with
    the umask's modes (an unpacked archive); a folder not the assistant's own is left alone."""
    if own_root(folder) is None:
        return
    for parent, folders, files in os.walk(folder):
        for name in folders:
            os.chmod(Path(parent) / name, FOLDER_MODE)
        for name in files:
            os.chmod(Path(parent) / name, FILE_MODE)
    os.chmod(folder, FOLDER_MODE)


def private_file(path: Path, mode: str = "w", encoding: str | None = None) -> IO[Any]:
    """Open `path` to write ("w", "wb", or "ab" to keep what is there), 0600 before its
    first byte, whatever the umask, and tightened if an older version left it looser."""
    if mode not in ("w", "wb", "ab"):
        raise ValueError(f"private_file writes only: {mode!r}")
    keep = os.O_APPEND if mode == "ab" else os.O_TRUNC
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | keep, FILE_MODE)
    try:
        private.tighten(descriptor, FILE_MODE)
        return os.fdopen(descriptor, mode, encoding=encoding)
    except BaseException:
        os.close(descriptor)
        raise
