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


def cause(error: OSError, path: Path) -> str:
    """Why a file operation on `path` failed, and what to do, as one clause: the cause
    named (no such file, permission denied, ...) rather than a generic "system error"."""
    code = error.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"the disk holding {path} is full; free some space there and try again"
    if code == errno.EROFS or (code in (errno.EACCES, errno.EPERM)
                               and read_only_filesystem(path)):
        return f"{path} is on a read-only file system; choose a place you can write to"
    if code in (errno.EACCES, errno.EPERM):
        return (f"permission to use {path} was denied; give your user access to it "
                "(chmod u+rw), or choose a place of your own")
    if code == errno.ENOENT:
        return f"{path} does not exist, nor does a folder on its way; check the path"
    if code == errno.EISDIR:
        return f"{path} is a folder, not a file; name a file instead"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"{path}, or a folder on its way, is a file, not a folder; check the path"
    if code == errno.ENAMETOOLONG:
        return f"the path {path} is too long; choose a shorter one"
    return f"{path} cannot be used ({error.strerror or error})"


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
