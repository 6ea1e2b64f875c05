"""One process at a time through a short read-change-write, on Linux, macOS and Windows.

The operating system's own lock on a lock file is used, chosen by what the system
has: `flock` where there is `fcntl`, a byte-range lock through `msvcrt` on
Windows. Either dies with the process that holds it, so no lock is ever left
stale, and the lock file itself is never deleted while in use (another process
may be waiting on it).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

WAIT_SECONDS = 10.0
POLL_SECONDS = 0.01
FILE_MODE = 0o600
_BUSY = {errno.EACCES, errno.EAGAIN, errno.EDEADLK}  # msvcrt's "locking violation" and kin


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than the wait."""


class _Flock:
    """POSIX: a whole-file lock on the open file, released when it is closed."""

    def __init__(self, fcntl: ModuleType) -> None:
        self.fcntl = fcntl

    def try_lock(self, descriptor: int) -> bool:
        try:
            self.fcntl.flock(descriptor, self.fcntl.LOCK_EX | self.fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(self, descriptor: int) -> None:
        self.fcntl.flock(descriptor, self.fcntl.LOCK_UN)


class _Locking:
    """Windows: the file's first byte locked; `msvcrt.locking` counts from the position."""

    def __init__(self, msvcrt: ModuleType) -> None:
        self.msvcrt = msvcrt

    def try_lock(self, descriptor: int) -> bool:
        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            self.msvcrt.locking(descriptor, self.msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in _BUSY:
                return False
            raise
        return True

    def unlock(self, descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        self.msvcrt.locking(descriptor, self.msvcrt.LK_UNLCK, 1)


def _system_lock() -> _Flock | _Locking:
    """The lock this system offers, found by what can be imported, not by its name."""
    for name, kind in (("fcntl", _Flock), ("msvcrt", _Locking)):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return kind(module)
    raise OSError(errno.ENOLCK, "this system offers no file lock")


@contextlib.contextmanager
def held(path: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of `path` (a file made 0600 if new) through the `with` block, waiting
    up to `wait` seconds for another process to let go; `LockTimeout` after that."""
    lock = _system_lock()
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        deadline = time.monotonic() + wait
        while not lock.try_lock(descriptor):
            if time.monotonic() >= deadline:
                raise LockTimeout(errno.ETIMEDOUT, "another process holds the lock", str(path))
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            lock.unlock(descriptor)
    finally:
        os.close(descriptor)
