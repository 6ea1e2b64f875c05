"""Temporary files beside a file being written, and the names a file system takes.

A file the assistant writes (an out-file, an export, its spool) is made whole under a
temporary name beside its own and renamed at the end. The temporary name is short
whatever the target's (at most 40 bytes of it, a random part and `.assistant.part` or
`.assistant.spool`), so it fits wherever the target's name fits, and it is the
assistant's own: a run killed outright (`kill -9`, a power cut) leaves it behind, and
the next one to write beside it removes it once it is a day old. Only a regular file
of the user's own with exactly that form of name is ever removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from pathlib import Path

PREFIX_BYTES = 40  # of the target's name, so the temporary is recognisably its
TAG = ".assistant"
PART, SPOOL = ".part", ".spool"
STALE_SECONDS = 24 * 3600
LONGEST = 1 + PREFIX_BYTES + 1 + 16 + len(TAG + SPOOL)  # bytes of a temporary name
NAME_MAX, PATH_MAX = 255, 4096  # where the system cannot tell
OURS = re.compile(rb"\A\.[^/]{0,%d}\.[A-Za-z0-9_]{6,16}%s(?:%s|%s)\Z" % (
    PREFIX_BYTES, re.escape(TAG.encode()), re.escape(PART.encode()),
    re.escape(SPOOL.encode())), re.DOTALL)


def short_prefix(name: str) -> str:
    """The first whole characters of `name` that fit in `PREFIX_BYTES` bytes."""
    kept, size = [], 0
    for char in name:
        size += len(os.fsencode(char))
        if size > PREFIX_BYTES:
            break
        kept.append(char)
    return "".join(kept)


def is_ours(name: str) -> bool:
    """Whether `name` has the form of a temporary name the assistant gives."""
    return OURS.match(os.fsencode(name)) is not None


def is_stale(info: os.stat_result, now: float, uid: int | None) -> bool:
    """A regular file (not a link, not a folder), of `uid`'s own, untouched for a day."""
    mine = uid is None or info.st_uid == uid
    return stat.S_ISREG(info.st_mode) and mine and now - info.st_mtime > STALE_SECONDS


def sweep(folder: Path) -> list[str]:
    """Remove the stale temporary files of the assistant's own in `folder`; their names."""
    now, uid = time.time(), os.getuid() if hasattr(os, "getuid") else None
    swept = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not is_ours(entry.name):
                continue
            with contextlib.suppress(OSError):
                if is_stale(entry.stat(follow_symlinks=False), now, uid):
                    os.unlink(entry.path)
                    swept.append(entry.name)
    return swept


def make_beside(path: Path, kind: str = PART) -> tuple[int, Path]:
    """A new private (0600) file beside `path`, open to read and write, after a sweep of
    what killed runs left there: its descriptor and path. OSError if it cannot be made."""
    sweep(path.parent)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{short_prefix(path.name)}.",
                                    suffix=f"{TAG}{kind}")
    return handle, Path(name)


def _limit(folder: Path, name: str, default: int) -> int:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return int(os.pathconf(folder, name))
    return default


def unnameable(path: Path, temporary: bool = True) -> str | None:
    """Why no file can be made at `path` whatever its folder holds (a name or a path too
    long for the system, with room for a temporary name beside it), or None."""
    name = os.fsencode(path.name)
    folder = path.parent
    name_max = _limit(folder, "PC_NAME_MAX", NAME_MAX)
    if len(name) > name_max:
        return (f"its name is {len(name)} bytes, more than the {name_max} a file's name can "
                "have there; choose a shorter name")
    path_max = _limit(folder, "PC_PATH_MAX", PATH_MAX)
    longest = max(len(name), LONGEST if temporary else 0)
    whole = len(os.fsencode(os.path.abspath(folder))) + 1 + longest
    if whole >= path_max:
        beside = ", or that of the temporary file written beside it," if temporary else ""
        return (f"its path{beside} is longer than the {path_max:,} bytes a path can have; "
                "choose a folder nearer the top")
    return None
