"""Ctrl-C, SIGTERM, and every other way a process is told to stop, as one KeyboardInterrupt.

The command line ends a session on KeyboardInterrupt: `session_end` is logged, the
out-file finished and temporary files removed. Making SIGTERM (a service manager,
`kill`), SIGHUP (a closed terminal), SIGQUIT (Ctrl-\\), SIGBREAK (Ctrl-Break) and a
Windows console closed raise it too gives them the same clean end; each is taken
where the system has it (`system/stops.py`). Steps that must not be cut hold the
signal back (`base/critical.py`).
"""

from __future__ import annotations

import _thread
import signal
from types import FrameType

from assistant.base.critical import deferred, interrupt
from assistant.system import stops

__all__ = ["STOPPING_SIGNALS", "default_signals", "deferred", "stop_on_signals"]

STOPPING_SIGNALS = stops.stopping_signals()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    interrupt()


def _stop_main() -> None:
    """From the console's own thread: the main thread stops as on SIGTERM."""
    _thread.interrupt_main(signal.SIGTERM)


def stop_on_signals() -> None:
    """Route every stopping signal to KeyboardInterrupt (call from the main thread)."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, _interrupt)
    stops.watch_console(_stop_main)


def default_signals() -> None:
    """Signals end the process at once again, as they do by default, with no trace."""
    for number in STOPPING_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    stops.unwatch_console()
