"""The one error type the command line turns into a plain sentence and an exit status,
and the causes of failed file operations named as a user can act on them."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from assistant.system import volumes


class DeviceLost(Exception):
    """The sound device stopped in the middle of a session."""


class UserError(Exception):
    """Something the user can fix; the message says what and how, in one sentence."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.exit_status = exit_status


def read_only_filesystem(path: Path) -> bool:
    """Whether `path` (or the nearest folder above it that exists) is on a read-only mount."""
    for folder in (path, *path.parents):
        try:
            return volumes.read_only(folder)
        except OSError:
            continue
    return False


NAME_MAX, PATH_MAX = 255, 4096  # bytes, where the system cannot say (Linux's own limits)
SHOWN = 160  # characters of a path shown whole; a longer one is cut in the middle


def limits(path: Path) -> tuple[int, int]:
    """The longest name and path, in bytes, the file system holding `path` (or the
    nearest folder above it that exists) takes."""
    if not hasattr(os, "pathconf"):  # Windows: no such question to ask
        return NAME_MAX, PATH_MAX
    for folder in (path, *path.parents):
        try:
            return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
        except (OSError, ValueError):
            continue
    return NAME_MAX, PATH_MAX


def longest_name(path: Path) -> int:
    """The bytes of the longest name in `path`."""
    return max((len(os.fsencode(part)) for part in path.parts), default=0)


def shown(path: Path) -> str:
    """`path` as a sentence can hold it: a very long one keeps its start and its end."""
    text = str(path)
    if len(text) <= SHOWN:
        return text
    half = SHOWN // 2 - 10
    return f"{text[:half]}...{text[-half:]} (a path of {len(text):,} characters)"


def cause(error: OSError, path: Path) -> str:
    """Why a file operation on `path` failed, and what to do, as one clause: the cause
    named (no such file, permission denied, ...) rather than a generic "system error"."""
    code, where = error.errno, shown(path)
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"the disk holding {where} is full; free some space there and try again"
    if code == errno.EROFS or (code in (errno.EACCES, errno.EPERM)
                               and read_only_filesystem(path)):
        return f"{where} is on a read-only file system; choose a place you can write to"
    if code in (errno.EACCES, errno.EPERM):
        return (f"permission to use {where} was denied; give your user access to it "
                "(chmod u+rw), or choose a place of your own")
    if code == errno.ENOENT:
        return f"{where} does not exist, nor does a folder on its way; check the path"
    if code == errno.EISDIR:
        return f"{where} is a folder, not a file; name a file instead"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"{where}, or a folder on its way, is a file, not a folder; check the path"
    if code == errno.ENAMETOOLONG:
        return _too_long(path, where)
    if code == errno.ELOOP:
        return (f"{where}, or a link on its way, is a symbolic link that leads round in a "
                "loop; point it at a folder, or choose another path")
    return f"{where} cannot be used ({error.strerror or error})"


def _too_long(path: Path, where: str) -> str:
    name_max, path_max = limits(path)
    longest = longest_name(path)
    if longest > name_max:
        return (f"a name in the path {where} is longer than its file system allows "
                f"({longest} bytes; at most {name_max}); choose a shorter one")
    return (f"the path {where} is longer than the system allows (at most {path_max} bytes, "
            "with the files kept in it); choose a shorter one")


def unopened(path: Path, write: bool = False) -> str | None:
    """Why `path` cannot be opened to read (or to write), found without changing anything,
    as `cause` words it; None when the file system is not the reason (such as a file
    a library cannot parse), so a message never has to say only "system error"."""
    try:
        if write:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
            folder = path.parent if str(path.parent) else Path(".")
            os.stat(folder)
            if not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(folder))
            if read_only_filesystem(folder):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            if not os.access(folder, os.W_OK | os.X_OK) or (
                    path.exists() and not os.access(path, os.W_OK)):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
        else:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
            with open(path, "rb"):
                pass
    except OSError as error:
        return cause(error, path)
    return None
