"""Whether a folder's file system takes writes at all, so a refusal is named rightly.

POSIX says it in `statvfs`'s flags. Windows has no `statvfs`: there the volume
holding the folder is found (a drive, or a folder a volume is mounted on) and its
flags read. A system with neither cannot tell, and says no: the refusal is then
named as a permission, which is what the user sees.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any

from assistant.system import winapi

FILE_READ_ONLY_VOLUME = 0x00080000
_PATH_CHARS = 32_768  # the longest path Windows has


def read_only(folder: Path, kernel32: Any | None = None) -> bool:
    """Whether `folder` is on a read-only file system; OSError when it cannot be looked at
    (it does not exist, or is out of reach)."""
    if hasattr(os, "statvfs"):
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    os.stat(folder)
    api = kernel32 if kernel32 is not None else winapi.kernel32()
    if api is None:
        return False
    volume = ctypes.create_unicode_buffer(_PATH_CHARS)
    if not api.GetVolumePathNameW(str(folder), volume, _PATH_CHARS):
        return False
    flags = ctypes.c_ulong()
    if not api.GetVolumeInformationW(volume.value, None, 0, None, None,
                                     ctypes.pointer(flags), None, 0):
        return False
    return bool(flags.value & FILE_READ_ONLY_VOLUME)
