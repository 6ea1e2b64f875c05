"""The event log: session events as JSON Lines, flushed line by line so nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from assistant.errors import UserError
from assistant.session.events import Event


class EventLog:
    def __init__(self, path: Path, rate: int) -> None:
        self.rate = rate
        try:
            self._file: TextIO | None = path.open("a", encoding="utf-8")
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
