"""Temporary folders that never outlive the process that made them, even after a crash.

Each folder's name carries the id of the process that made it. It is removed when
its work is done; whatever is still there when the process ends (a signal that
came mid-rendering, on a thread that is not waited for) is removed on the way out;
and folders left by a process that no longer runs (killed with -9, a power cut)
are removed by the next one that makes a folder of the same kind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.system import private, process

_made: set[Path] = set()
_swept: set[str] = set()


def sweep(prefix: str, folder: Path | None = None) -> int:
    """Remove `prefix`-PID-* folders whose process has ended; returns how many."""
    removed = 0
    where = folder or Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for path in where.glob(f"{prefix}-*-*"):
            pid = path.name[len(prefix) + 1:].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not process.alive(int(pid)) \
                    and path.is_dir() and private.owned(path):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private temporary folder, removed after use or at the latest at exit."""
    if prefix not in _swept:
        _swept.add(prefix)
        sweep(prefix)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-"))
    _made.add(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        _made.discard(path)


@atexit.register
def _remove_left() -> None:
    for path in list(_made):
        shutil.rmtree(path, ignore_errors=True)
