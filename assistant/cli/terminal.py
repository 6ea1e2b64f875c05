"""A terminal on standard input in single-key mode: a key acts as soon as it is pressed.

Someone with eyes closed and hands busy presses one key; waiting for Enter after it
would make them press two. While a session or the menu runs, the terminal on standard
input leaves line editing and echo (cbreak): the kernel hands over each key at once.
Output processing stays on, so printed lines look as always, and so does ISIG, so
Ctrl-C still sends SIGINT. The saved settings come back on every way out: the block's
end, any exception (KeyboardInterrupt included, which every stopping signal becomes)
and, as a last resort, at exit. Piped input is left alone and read line by line.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
import termios
from collections.abc import Iterator
from typing import Any

from assistant.base.critical import deferred

_saved: list[Any] | None = None  # the settings to put back, while in single-key mode
_fd = -1
_depth = 0  # nested blocks (the menu, then the session it starts) share one mode
_at_exit = False


def is_raw() -> bool:
    """Whether standard input is in single-key mode just now."""
    return _saved is not None


@contextlib.contextmanager
def keys_at_once() -> Iterator[bool]:
    """Single-key mode for the block, when standard input is a terminal in the foreground;
    yields whether it is on. Nested blocks keep the outer block's mode."""
    global _depth
    _depth += 1
    try:
        if _depth == 1:
            with deferred():  # a signal here must not leave the mode set but unrecorded
                _enter()
        yield is_raw()
    finally:
        _depth -= 1
        if not _depth:
            with deferred():
                restore()


def restore() -> None:
    """Put the saved settings back (again harmless; a terminal already gone is fine)."""
    global _saved
    saved, _saved = _saved, None
    if saved is not None:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(_fd, termios.TCSANOW, saved)


def _enter() -> None:
    global _saved, _fd, _at_exit
    fd = _terminal_fd()
    if fd is None:
        return
    try:
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError):
        return
    if not _at_exit:
        atexit.register(restore)
        _at_exit = True
    _fd, _saved = fd, saved  # recorded first: whatever happens next, it can be undone
    try:
        termios.tcsetattr(fd, termios.TCSANOW, single_key_mode(saved))
    except (termios.error, OSError):
        restore()


def single_key_mode(attrs: list[Any]) -> list[Any]:
    """`attrs` without line editing and echo, one key a read; signals and output as set."""
    mode = [*attrs[:6], list(attrs[6])]
    mode[3] = (mode[3] & ~(termios.ICANON | termios.ECHO)) | termios.ISIG
    mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
    return mode


def _terminal_fd() -> int | None:
    """Standard input's descriptor if it is a terminal that this process may set: a job
    in the background would be stopped (SIGTTOU) for touching it."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # none, closed, or not a real file
        return None
    if not os.isatty(fd):
        return None
    try:
        return fd if os.tcgetpgrp(fd) == os.getpgrp() else None
    except OSError:  # not this process's controlling terminal: no job control applies
        return fd


_KEY = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)?|\r\n?|.", re.DOTALL)


def split_keys(text: str) -> list[str]:
    """The keys in what a read in single-key mode returned: Enter as "\\n" (whether the
    terminal sends CR or LF), an arrow or function key's escape sequence as one key."""
    return ["\n" if key[0] == "\r" else key for key in _KEY.findall(text)]
