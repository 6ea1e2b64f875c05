"""Ctrl-C, SIGTERM, SIGHUP and SIGQUIT as one KeyboardInterrupt.

The command line ends a session on KeyboardInterrupt: `session_end` is logged, the
out-file finished and temporary files removed. Making SIGTERM (a service manager,
`kill`), SIGHUP (a closed terminal) and SIGQUIT (Ctrl-\\) raise it too gives them
the same clean end. Steps that must not be cut hold the signal back
(`base/critical.py`).
"""

from __future__ import annotations

import signal
from types import FrameType

from assistant.base.critical import deferred, interrupt

__all__ = ["STOPPING_SIGNALS", "default_signals", "deferred", "stop_on_signals"]

STOPPING_SIGNALS = tuple(getattr(signal, name)
                         for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")
                         if hasattr(signal, name))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    interrupt()


def stop_on_signals() -> None:
    """Route every stopping signal to KeyboardInterrupt (call from the main thread)."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, _interrupt)


def default_signals() -> None:
    """Signals end the process at once again, as they do by default, with no trace."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
