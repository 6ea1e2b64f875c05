"""Keep the C libraries' own diagnostics off the user's terminal.

PortAudio, ALSA and espeak-ng write straight to file descriptor 2, under
Python's feet, and a screen reader reads every such line aloud. While a command
runs, descriptor 2 points at /dev/null and `sys.stderr` (our own one-sentence
messages) writes to a copy of the real terminal, so only our words get through.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator


def _real_stderr() -> bool:
    """Whether sys.stderr is file descriptor 2 itself (a test's capture is not)."""
    try:
        return sys.stderr.fileno() == 2
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return False


@contextlib.contextmanager
def library_lines_hidden(hide: bool = True) -> Iterator[None]:
    """Send what C libraries print to descriptor 2 to /dev/null; ours still shows."""
    if not hide or not _real_stderr():
        yield
        return
    sys.stderr.flush()
    terminal = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    ours, sys.stderr = sys.stderr, open(  # noqa: SIM115 - closed below
        os.dup(terminal), "w", buffering=1, encoding=sys.stderr.encoding,
        errors="backslashreplace")
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = ours
        os.dup2(terminal, 2)
        os.close(terminal)
