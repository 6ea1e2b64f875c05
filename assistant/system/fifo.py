"""Opening a path to write without waiting on a FIFO that no program reads.

On POSIX a FIFO's open waits for a reader, for ever if none comes; opened without
blocking, it fails at once (ENXIO) instead, and the descriptor is made blocking
again for the writes. Windows keeps no FIFOs among files (its named pipes live
apart, under \\\\.\\pipe\\), so a plain open is all there is to do.
"""

from __future__ import annotations

import os
from pathlib import Path


def open_unwaiting(path: Path, flags: int, mode: int) -> int:
    """`os.open(path, flags, mode)` that never waits for a FIFO's reader; the descriptor
    blocks on writes, as any other does."""
    if not hasattr(os, "O_NONBLOCK"):
        return os.open(path, flags, mode)
    descriptor = os.open(path, flags | os.O_NONBLOCK, mode)
    try:
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor
