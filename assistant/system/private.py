"""Files their owner alone may read, by what the system offers for it.

Where files have an owner's id (POSIX), modes do it: 0700 folders and 0600 files,
set on the open descriptor before its first byte. Windows has neither owner ids
nor modes that keep other users out; there a folder inside the user's own
profile is theirs alone, as its access list admits no one else. The assistant's
usual folders lie there; a home set elsewhere (`ASSISTANT_HOME` on a shared
drive) is allowed, and said once, so nobody believes it private when it may not be.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OWNER_MODES = hasattr(os, "getuid")  # modes keep other users out where files have owners


def tighten(descriptor: int, mode: int) -> None:
    """Give an open file `mode`, where modes are set on a descriptor (before Python 3.13,
    Windows sets none: a file made there is the folder's, and 0600 asks nothing more)."""
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, mode)


def owned(path: Path) -> bool:
    """Whether `path` is this user's. Without owner ids (Windows), a user's temporary and
    data folders are inside their own profile, so what is found there is theirs."""
    if not hasattr(os, "getuid"):
        return True
    return path.stat().st_uid == os.getuid()


def readable_by_others(home: Path, profile: Path, modes: bool | None = None) -> bool:
    """Whether what is kept in `home` may be read by other users of this computer:
    only where there are no owner modes, and `home` is outside the user's profile."""
    if OWNER_MODES if modes is None else modes:
        return False
    home, profile = Path(os.path.abspath(home)), Path(os.path.abspath(profile))
    return not home.is_relative_to(profile)


def shared_home_warning(home: Path, profile: Path, setting: str) -> str:
    return (f"assistant: {home} is outside your user folder {profile}, so other people who "
            "use this computer may be able to read what is kept there; to keep it yours, "
            f"set {setting} to a folder inside {profile}.")


_told = False


def warn_if_shared(home: Path, setting: str) -> bool:
    """Say once a process, on standard error, when `home` may be read by others; whether
    it was said now."""
    global _told
    if _told or OWNER_MODES:
        return False
    try:
        profile = Path.home()
    except RuntimeError:  # no profile to compare with
        return False
    if not readable_by_others(home, profile, modes=False):
        return False
    _told = True
    print(shared_home_warning(home, profile, setting), file=sys.stderr)
    return True
