"""Standard input's keys one at a time, by what the system offers: termios or msvcrt.

A POSIX terminal is put in cbreak mode: no line editing, no echo, one key a read;
output processing and ISIG stay on, so printed lines look as always and Ctrl-C
still sends SIGINT. Its settings are noted first and put back after.

A Windows console is read through `msvcrt.getwch`, which takes one key as it is
pressed, without echo, and leaves the console's own mode as it was, so there is
nothing to put back; Ctrl-C is not read by it and still reaches the process as
SIGINT. Its keys are given as a POSIX terminal gives them, so the rest of the
assistant reads one kind: an arrow or function key (a prefix and a scan code
there) as its escape sequence, Enter as CR, and Ctrl-Z, Windows' end of typing,
as Ctrl-D.

A system with neither reads lines, as from a pipe.
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import Any, Protocol

_CHUNK = 4096
_PREFIXES = ("\x00", "\xe0")  # getwch's first half of a special key
_SPECIAL = {"H": "\x1b[A", "P": "\x1b[B", "M": "\x1b[C", "K": "\x1b[D", "G": "\x1b[H",
            "O": "\x1b[F", "R": "\x1b[2~", "S": "\x1b[3~", "I": "\x1b[5~", "Q": "\x1b[6~",
            ";": "\x1bOP", "<": "\x1bOQ", "=": "\x1bOR", ">": "\x1bOS"}
_CTRL_Z, _CTRL_D = "\x1a", "\x04"


class Keyboard(Protocol):
    """Standard input in single-key mode."""

    def save(self) -> bool:
        """Note the settings to put back; False where there is no terminal to set."""

    def single_keys(self) -> bool:
        """Each key alone from now on; False where the terminal refused."""

    def restore(self) -> None:
        """The noted settings back (harmless again, and on a terminal that is gone)."""

    def read(self) -> bytes:
        """What was typed, as UTF-8, waiting for at least one key; b"" at the end."""


class TermiosKeyboard:
    """A POSIX terminal in cbreak mode."""

    def __init__(self, fd: int, termios: ModuleType) -> None:
        self.fd, self.termios = fd, termios
        self._saved: list[Any] | None = None

    def save(self) -> bool:
        try:
            self._saved = self.termios.tcgetattr(self.fd)
        except (self.termios.error, OSError):
            return False
        return True

    def single_keys(self) -> bool:
        assert self._saved is not None
        try:
            self.termios.tcsetattr(self.fd, self.termios.TCSANOW,
                                   single_key_mode(self._saved, self.termios))
        except (self.termios.error, OSError):
            return False
        return True

    def restore(self) -> None:
        saved, self._saved = self._saved, None
        if saved is not None:
            with contextlib.suppress(self.termios.error, OSError):
                self.termios.tcsetattr(self.fd, self.termios.TCSANOW, saved)

    def read(self) -> bytes:
        return read_descriptor(self.fd)


def single_key_mode(attrs: list[Any], termios: ModuleType) -> list[Any]:
    """`attrs` without line editing and echo, one key a read; signals and output as set."""
    mode = [*attrs[:6], list(attrs[6])]
    mode[3] = (mode[3] & ~(termios.ICANON | termios.ECHO)) | termios.ISIG
    mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
    return mode


class ConsoleKeyboard:
    """A Windows console, read key by key through msvcrt."""

    def __init__(self, msvcrt: ModuleType) -> None:
        self.msvcrt = msvcrt

    def save(self) -> bool:
        return True  # getwch changes nothing in the console: there is nothing to note

    def single_keys(self) -> bool:
        return True

    def restore(self) -> None:
        pass

    def read(self) -> bytes:
        """The key pressed, and every key already waiting behind it (a paste comes whole)."""
        keys = [self._key()]
        while self.msvcrt.kbhit():
            keys.append(self._key())
        # a character beyond the BMP comes as two UTF-16 halves, one a call
        typed = "".join(keys).encode("utf-16-le", "surrogatepass")
        return typed.decode("utf-16-le", "replace").encode("utf-8")

    def _key(self) -> str:
        key: str = self.msvcrt.getwch()
        if key in _PREFIXES:
            code: str = self.msvcrt.getwch()
            return _SPECIAL.get(code, f"\x1b[{ord(code)}~")
        return _CTRL_D if key == _CTRL_Z else key


def read_descriptor(fd: int) -> bytes:
    """What a read of `fd` gives; b"" where it is closed or not a real file."""
    try:
        return os.read(fd, _CHUNK)
    except (OSError, ValueError):
        return b""


def keyboard(fd: int) -> Keyboard | None:
    """Single keys for the terminal on `fd`, by what the system has; None where it has
    no way to give them (lines are then read as they come)."""
    try:
        import termios
    except ImportError:
        pass
    else:
        return TermiosKeyboard(fd, termios)
    try:
        import msvcrt
    except ImportError:
        return None
    return ConsoleKeyboard(msvcrt)


def in_foreground(fd: int) -> bool:
    """Whether this process may set the terminal on `fd`: a POSIX job in the background
    would be stopped (SIGTTOU) for touching it. Windows has no job control: a console's
    processes all read its keys."""
    if not (hasattr(os, "tcgetpgrp") and hasattr(os, "getpgrp")):
        return True
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:  # not this process's controlling terminal: no job control applies
        return True
