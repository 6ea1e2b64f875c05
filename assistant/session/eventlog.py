"""The event log: session events as JSON Lines, written line by line so nothing is lost.

The log holds the partners' names and what happened between them, so it is made
0600, and tightened to 0600 when it already exists. It is appended to: a log whose
last line was cut short gets its newline first, so every new line stands whole. A
write that fails (a full disk, `/dev/full`) is cut back to the last whole line and
said once; the session goes on without the log.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
from pathlib import Path

from assistant.base.errors import UserError
from assistant.session.events import Event
from assistant.system import fifo, private

FILE_MODE = 0o600


class EventLog:
    def __init__(self, path: Path, rate: int) -> None:
        self.rate, self.path = rate, path
        self.failed = False
        try:  # not blocking: a FIFO no program reads would wait for ever
            self._fd: int | None = fifo.open_unwaiting(
                path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        except OSError as error:
            reason = ("no program reads that FIFO" if error.errno == errno.ENXIO
                      else error.strerror)
            raise UserError(f"Cannot write the event log {path} ({reason}).") from None
        self._regular = stat.S_ISREG(os.fstat(self._fd).st_mode)
        self._size = 0
        if self._regular:  # never chmod or truncate a device such as /dev/full
            private.tighten(self._fd, FILE_MODE)
            self._size = os.fstat(self._fd).st_size
            if self._size and not self._ends_in_newline(path):
                self._append(b"\n")

    def _ends_in_newline(self, path: Path) -> bool:
        with contextlib.suppress(OSError), open(path, "rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"
        return True  # cannot tell: leave it as it is

    def write(self, event: Event) -> None:
        if self._fd is None or self.failed:
            return
        self._append((json.dumps(event.to_dict(self.rate), ensure_ascii=False) + "\n")
                     .encode("utf-8"))

    def _append(self, line: bytes) -> None:
        assert self._fd is not None
        done = 0
        try:
            while done < len(line):
                wrote = os.write(self._fd, line[done:])
                if not wrote:
                    raise OSError(28, os.strerror(28))
                done += wrote
        except OSError as error:
            self.failed = True
            if self._regular:  # the last line stays whole: nothing half-written is kept
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._size)
            print(f"assistant: The event log {self.path} could not be written further "
                  f"({error.strerror}); it keeps every line before this one, and the session "
                  "goes on without it.", file=sys.stderr)
            return
        self._size += done

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
