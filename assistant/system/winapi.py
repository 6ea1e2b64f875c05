"""The Windows API, where there is one: kernel32 through ctypes, loaded once.

Found by what ctypes offers (`WinDLL` exists on Windows alone), so elsewhere every
caller takes its other branch. The functions used are given their C types here:
a handle is pointer-sized, and an untyped call would cut it to an int.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any


@functools.cache
def kernel32() -> Any | None:
    """kernel32.dll with its last error kept per call, or None where there is no Windows API."""
    load = getattr(ctypes, "WinDLL", None)
    if load is None:
        return None
    api = load("kernel32", use_last_error=True)
    handle, dword, boolean = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
    api.OpenProcess.argtypes = [dword, boolean, dword]
    api.OpenProcess.restype = handle
    api.GetExitCodeProcess.argtypes = [handle, ctypes.POINTER(dword)]
    api.GetExitCodeProcess.restype = boolean
    api.CloseHandle.argtypes = [handle]
    api.CloseHandle.restype = boolean
    api.SetConsoleCtrlHandler.argtypes = [ctypes.c_void_p, boolean]
    api.SetConsoleCtrlHandler.restype = boolean
    api.GetVolumePathNameW.argtypes = [ctypes.c_wchar_p, ctypes.c_wchar_p, dword]
    api.GetVolumePathNameW.restype = boolean
    api.GetVolumeInformationW.argtypes = [
        ctypes.c_wchar_p, ctypes.c_wchar_p, dword, ctypes.POINTER(dword),
        ctypes.POINTER(dword), ctypes.POINTER(dword), ctypes.c_wchar_p, dword]
    api.GetVolumeInformationW.restype = boolean
    return api


def last_error() -> int:
    """The error code of the last kernel32 call on this thread (0 where there is none)."""
    get = getattr(ctypes, "get_last_error", None)
    return int(get()) if get is not None else 0
