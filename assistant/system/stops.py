"""The ways a process is told to stop, on each system, so each can end a session cleanly.

Signals: SIGINT (Ctrl-C) and SIGTERM everywhere; SIGBREAK (Ctrl-Break) on
Windows; SIGHUP (a closed terminal) and SIGQUIT (Ctrl-\\) on POSIX. Each is
taken where the `signal` module has it.

A Windows console closed, a log-off or a shut-down are no signals: the system
calls a console control handler on a thread of its own, and ends the process
once the handler returns (or after about five seconds). The handler set here
asks the main thread to stop, as SIGTERM would, and then waits until the process
is on its way out, so the clean end is not cut off. Ctrl-C and Ctrl-Break are
passed on to the C runtime's handler, which makes them SIGINT and SIGBREAK.
"""

from __future__ import annotations

import atexit
import ctypes
import signal
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from assistant.system import winapi

SIGNAL_NAMES = ("SIGINT", "SIGTERM", "SIGBREAK", "SIGHUP", "SIGQUIT")
CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT = 2, 5, 6
ENDINGS = frozenset({CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT})

# BOOL WINAPI HandlerRoutine(DWORD); elsewhere only a stand-in console calls it
_HANDLER = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)(ctypes.c_int, ctypes.c_ulong)

exiting = threading.Event()  # set as late as possible on the way out
atexit.register(exiting.set)  # registered first, so it runs after the others


def stopping_signals(signals: ModuleType = signal) -> tuple[int, ...]:
    """The stopping signals this system has, Ctrl-C's first."""
    return tuple(getattr(signals, name) for name in SIGNAL_NAMES if hasattr(signals, name))


class ConsoleWatch:
    """A console control handler that turns the console's ending into `stop()`."""

    def __init__(self, kernel32: Any, stop: Callable[[], None],
                 ended: threading.Event = exiting) -> None:
        self.kernel32, self.stop, self.ended = kernel32, stop, ended
        self.handler = _HANDLER(self._on_event)  # held: Windows calls it while it is set
        self.installed = bool(kernel32.SetConsoleCtrlHandler(self.handler, True))

    def _on_event(self, event: int) -> int:
        if event not in ENDINGS:
            return 0  # the next handler's: Ctrl-C and Ctrl-Break become signals there
        self.stop()
        self.ended.wait()  # returning would let Windows end the process at once
        return 1

    def remove(self) -> None:
        if self.installed:
            self.kernel32.SetConsoleCtrlHandler(self.handler, False)
            self.installed = False


_watch: ConsoleWatch | None = None


def watch_console(stop: Callable[[], None], kernel32: Any | None = None) -> bool:
    """Call `stop()` when the console is closed (or the user logs off, or the system shuts
    down), where there is a Windows console; whether it is watched now."""
    global _watch
    if _watch is None:
        api = kernel32 if kernel32 is not None else winapi.kernel32()
        if api is None:
            return False
        _watch = ConsoleWatch(api, stop)
    return _watch.installed


def unwatch_console() -> None:
    """The console's ending ends the process at once again, as it does by default."""
    global _watch
    watch, _watch = _watch, None
    if watch is not None:
        watch.remove()
