"""A terminal on standard input in single-key mode: a key acts as soon as it is pressed.

Someone with eyes closed and hands busy presses one key; waiting for Enter after it
would make them press two. While a session or the menu runs, the terminal on standard
input hands over each key at once, without echo (`system/keys.py`: cbreak through
termios, or msvcrt on Windows). Printed lines look as always, and Ctrl-C still
sends SIGINT. The saved settings come back on every way out: the block's
end, any exception (KeyboardInterrupt included, which every stopping signal becomes)
and, as a last resort, at exit. Piped input is left alone and read line by line.

The menu needs numbers of two digits and titles, so `TypedLines` gathers its keys up
to Enter and echoes them, as the terminal itself would in line mode.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import queue
import re
import sys
from collections.abc import Iterator
from typing import TextIO

from assistant.base.critical import deferred
from assistant.cli.lines import SKIPPED, too_long
from assistant.system import keys

_keyboard: keys.Keyboard | None = None  # the terminal to put back, while in single-key mode
_depth = 0  # nested blocks (the menu, then the session it starts) share one mode
_at_exit = False


def is_raw() -> bool:
    """Whether standard input is in single-key mode just now."""
    return _keyboard is not None


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
    global _keyboard
    keyboard, _keyboard = _keyboard, None
    if keyboard is not None:
        keyboard.restore()


def read_typed() -> bytes:
    """What was typed on standard input, waiting for it: each key as it is pressed in
    single-key mode, else whatever the terminal or pipe hands over; b"" at its end."""
    keyboard = _keyboard
    if keyboard is not None:
        return keyboard.read()
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # none, closed, or not a real file
        return b""
    return keys.read_descriptor(fd)


def _enter() -> None:
    global _keyboard, _at_exit
    fd = _terminal_fd()
    keyboard = None if fd is None else keys.keyboard(fd)
    if keyboard is None or not keyboard.save():
        return
    if not _at_exit:
        atexit.register(restore)
        _at_exit = True
    _keyboard = keyboard  # recorded first: whatever happens next, it can be undone
    if not keyboard.single_keys():
        restore()


def _terminal_fd() -> int | None:
    """Standard input's descriptor if it is a terminal that this process may set."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # none, closed, or not a real file
        return None
    if not os.isatty(fd):
        return None
    return fd if keys.in_foreground(fd) else None


_KEY = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)?|\r\n?|.", re.DOTALL)


def split_keys(text: str) -> list[str]:
    """The keys in what a read in single-key mode returned: Enter as "\\n" (whether the
    terminal sends CR or LF), an arrow or function key's escape sequence as one key."""
    return ["\n" if key[0] == "\r" else key for key in _KEY.findall(text)]


ENTER, ERASE, END = "\n", ("\x7f", "\b"), "\x04"


class TypedLines:
    """Whole typed lines from standard input's queue, for the menu.

    Piped input (and a terminal in line mode) comes in lines already. In single-key
    mode keys come one by one: they are gathered here up to Enter, Backspace takes one
    back, Ctrl-D on an empty line ends typing, and each is echoed as it is taken, so
    the user sees (or hears, through a screen reader) what they typed."""

    def __init__(self, source: queue.Queue[str | None], out: TextIO) -> None:
        self.source, self.out = source, out
        self._typed = ""  # the keys of a line not yet ended
        self._lines: collections.deque[str | None] = collections.deque()

    def get(self) -> str | None:
        """The next line, waiting as long as it takes; None where typing ended."""
        while not self._lines:
            self._take(self.source.get())
        return self._lines.popleft()

    def ready(self) -> list[str | None]:
        """The lines ended so far, without waiting."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._take(self.source.get_nowait())
        lines = list(self._lines)
        self._lines.clear()
        return lines

    def show(self, text: str) -> None:
        """Print a line of the program's own; a half-typed answer moves below it, so
        the two never share a line."""
        typed = self._typed if is_raw() else ""
        self.out.write(f"\n{text}\n{typed}" if typed else f"{text}\n")
        self.out.flush()

    def _take(self, item: str | None) -> None:
        if too_long(item):
            self.show(SKIPPED)
        elif item is None:
            if self._typed:
                self._lines.append(self._typed)
            self._typed = ""
            self._lines.append(None)
        elif item.endswith(ENTER):  # a whole line, or Enter
            self._echo(ENTER if item == ENTER else "")
            self._lines.append(self._typed + item)
            self._typed = ""
        elif item in ERASE:
            if self._typed:
                self._typed = self._typed[:-1]
                self._echo("\b \b")
        elif item == END and not self._typed:
            self._lines.append(None)
        elif item.isprintable():
            self._typed += item
            self._echo(item)

    def _echo(self, text: str) -> None:
        if text and is_raw():  # in line mode the terminal has echoed it already
            self.out.write(text)
            self.out.flush()
