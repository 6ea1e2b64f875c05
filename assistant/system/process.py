"""Whether a process still runs, asked without touching it.

On POSIX signal 0 asks just that. On Windows `os.kill(pid, 0)` would send the
console's Ctrl-C (signal 0 is CTRL_C_EVENT there), so the Windows API is asked
instead: a process that cannot be opened for a query is gone, unless access was
denied (another user's, or a protected one: it runs); an opened one runs while
its exit code reads STILL_ACTIVE.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from typing import Any

from assistant.system import winapi

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
STILL_ACTIVE = 259
ERROR_ACCESS_DENIED = 5


def alive(pid: int, kernel32: Any | None = None,
          last_error: Callable[[], int] = winapi.last_error) -> bool:
    """Whether process `pid` runs; in doubt, that it does (its files are then kept)."""
    api = kernel32 if kernel32 is not None else winapi.kernel32()
    if api is not None:
        return _alive_by_handle(pid, api, last_error)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it runs
        return True
    return True


def _alive_by_handle(pid: int, kernel32: Any, last_error: Callable[[], int]) -> bool:
    handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return bool(last_error() == ERROR_ACCESS_DENIED)
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.pointer(code)):
            return True
        return code.value == STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
