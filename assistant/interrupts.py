"""Ctrl-C, SIGTERM and SIGHUP as one KeyboardInterrupt, which short critical steps may defer.

The command line ends a session on KeyboardInterrupt: `session_end` is logged, the
out-file finished and temporary files removed. Making SIGTERM (a service manager,
`kill`) and SIGHUP (a closed terminal) raise it too gives them the same clean end.
A few steps must not be cut in the middle, such as speech synthesis, whose engine
writes its file from its own thread and would find its folder gone: inside
`deferred()` a signal is remembered and raised as soon as the step is done.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

STOPPING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                         if hasattr(signal, name))
_depth = 0
_pending = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _pending
    if _depth:
        _pending = True
        return
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Route every stopping signal to KeyboardInterrupt (call from the main thread)."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, _interrupt)


def default_signals() -> None:
    """Signals end the process at once again, as they do by default, with no trace."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, signal.SIG_DFL)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold back a stopping signal until the block is done, then raise it."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending:
            _pending = False
            raise KeyboardInterrupt
