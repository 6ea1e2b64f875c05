"""Standard output: a command's answer, or what a session shows.

For the commands whose answer is what they print (today, history, list, ...), a
failure to write it is the output's, never a file's: it must not be told as trouble
with the assistant's home (a user told "the disk holding your home is full" may delete
what they meant to keep). So writes go through a watch that turns any error into
`Unprinted`, which is no `OSError`, so no command's own file handling takes it for its
own. A reader that has gone (`| head`) ends the command quietly, with the status of a
command ended by SIGPIPE, as the main command line does; standard output full or
unusable is said in one sentence, with exit status 2, as every failure told in a
sentence. Either way descriptor 1 then points at the null device, so Python's final
flush has nothing left to fail on.

A session is different: what it prints only follows what is heard, so output that fails
loses those lines and nothing else (`forgiving`); the session goes on, and says once,
on standard error, that its lines are not shown (unless the reader simply went away).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO, cast

BROKEN_PIPE = 141  # as the main command line: a command ended by SIGPIPE
UNPRINTED = 2


class Unprinted(Exception):
    """Standard output could not be written; `error` says why."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Watched:
    """Standard output whose failures are raised as `Unprinted`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            raise Unprinted(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise Unprinted(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def watched() -> Iterator[None]:
    """Standard output watched, and flushed before the block ends (also when argparse
    ends it with its help), so a failure is raised here, not at the process's exit."""
    before = sys.stdout
    sys.stdout = cast(TextIO, _Watched(before))
    try:
        yield
        sys.stdout.flush()
    except SystemExit:
        sys.stdout.flush()
        raise
    finally:
        sys.stdout = before


class _Forgiving:
    """Standard output that, once writing fails, says so once and then writes nowhere."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._failed = threading.Lock()  # the session's thread and the keys' may both fail

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as error:  # ValueError: a stream closed under us
            self._give_up(error)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError) as error:
            self._give_up(error)

    def isatty(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            return self._stream.isatty()
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _give_up(self, error: Exception) -> None:
        if not self._failed.acquire(blocking=False):
            return  # said already, or being said on the other thread
        _silenced(self._stream)
        self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        if isinstance(error, OSError) and not _gone(error):
            with contextlib.suppress(OSError, ValueError):
                print(f"assistant: {_why(error)[:1].upper()}{_why(error)[1:]}, so this "
                      "session's lines are not shown; it goes on.", file=sys.stderr, flush=True)


@contextlib.contextmanager
def forgiving() -> Iterator[None]:
    """Standard output closed, full or gone never stops what runs in the block."""
    before = sys.stdout
    stream = before if before is not None else open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stdout = cast(TextIO, _Forgiving(stream))
    try:
        yield
        sys.stdout.flush()  # so nothing is left to fail at exit
    finally:
        sys.stdout = before


def told(unprinted: Unprinted) -> int:
    """Say why nothing more could be printed (unless the reader has gone); the status."""
    _silenced(sys.stdout)
    if _gone(unprinted.error):
        return BROKEN_PIPE
    with contextlib.suppress(OSError, ValueError):
        print(f"assistant: Could not print the answer: {_why(unprinted.error)}; print it to "
              "the terminal, or to a file on a disk with room.", file=sys.stderr)
    return UNPRINTED


def settled(status: int) -> int:
    """`status`, once what is still buffered for standard output is written; if it cannot
    be, the status and sentence of a failed print (Python's own flush at exit would
    print a traceback-like complaint and change the status to 120)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as error:
        return told(Unprinted(error))
    except Unprinted as unprinted:
        return told(unprinted)
    except ValueError:  # closed by the command itself: nothing is left to write
        pass
    return status


def _gone(error: OSError) -> bool:
    """Whether the reader went away (`| head`): not a failure worth a word."""
    return isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE


def _why(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "standard output is full"
    reason = error.strerror or str(error) or type(error).__name__
    return f"standard output is closed or cannot be written ({reason})"


def _silenced(stream: TextIO | None) -> None:
    """The stream's descriptor (1) on the null device: what is still buffered goes
    nowhere at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        descriptor = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(descriptor, stream.fileno())  # type: ignore[union-attr]
        finally:
            os.close(descriptor)
