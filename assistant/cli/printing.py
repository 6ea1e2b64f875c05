"""Standard output for the commands whose answer is what they print (today, history, ...).

A failure to write it is the output's, never a file's: it must not be told as trouble
with the assistant's home (a user told "the disk holding your home is full" may delete
what they meant to keep). So writes go through a watch that turns any error into
`Unprinted`, which is no `OSError`, so no command's own file handling takes it for its
own. A reader that has gone (`| head`) ends the command quietly, with the status of a
command ended by SIGPIPE, as the main command line does; standard output full or
unusable is said in one sentence, with exit status 2, as every failure told in a
sentence. Either way descriptor 1 then points at the null device, so Python's final
flush has nothing left to fail on.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
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


def told(unprinted: Unprinted) -> int:
    """Say why nothing more could be printed (unless the reader has gone); the status."""
    _silenced()
    code = unprinted.error.errno
    if isinstance(unprinted.error, BrokenPipeError) or code == errno.EPIPE:
        return BROKEN_PIPE
    if code in (errno.ENOSPC, errno.EDQUOT):
        why = "standard output is full"
    else:
        why = f"standard output is closed or cannot be written ({_reason(unprinted.error)})"
    with contextlib.suppress(OSError, ValueError):
        print(f"assistant: Could not print the answer: {why}; print it to the terminal, "
              "or to a file on a disk with room.", file=sys.stderr)
    return UNPRINTED


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _silenced() -> None:
    """Descriptor 1 on the null device: what is still buffered goes nowhere at exit."""
    with contextlib.suppress(OSError, ValueError):
        descriptor = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(descriptor, sys.stdout.fileno())
        finally:
            os.close(descriptor)
