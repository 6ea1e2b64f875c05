"""The event log: session events as JSON Lines, flushed line by line so nothing is lost."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO

from assistant.base.errors import UserError
from assistant.session.events import Event


class EventLog:
    def __init__(self, path: Path, rate: int) -> None:
        self.rate = rate
        try:
            # 0600: the log holds the partners' names and what happened between them
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._file: TextIO | None = os.fdopen(descriptor, "a", encoding="utf-8")
        except OSError as error:
            raise UserError(f"Cannot write the event log {path} ({error.strerror}).") from None

    def write(self, event: Event) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(event.to_dict(self.rate), ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
