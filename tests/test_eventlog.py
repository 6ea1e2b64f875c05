"""The event log: private to its owner, appended line by line."""

from __future__ import annotations

import stat
from pathlib import Path

from assistant.session.eventlog import EventLog
from assistant.session.events import Event
from tests.conftest import read_events


def test_a_new_event_log_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    log = EventLog(path, 16_000)
    log.write(Event("step", 16_000, {"number": "1"}))
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_events(path) == [{"t": 1.0, "type": "step", "number": "1"}]


def test_an_existing_log_is_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    for second in (1, 2):
        log = EventLog(path, 16_000)
        log.write(Event("step", second * 16_000))
        log.close()
    assert [e["t"] for e in read_events(path)] == [1.0, 2.0]
