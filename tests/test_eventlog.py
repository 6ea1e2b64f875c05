"""The event log: private to its owner, appended line by line."""

from __future__ import annotations

import stat
from pathlib import Path

from assistant.session.eventlog import EventLog
from assistant.session.events import Event, SessionEnd, StepStarted
from tests.conftest import read_events


def test_a_new_event_log_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    log = EventLog(path, 16_000)
    log.write(StepStarted(sample=16_000, number="1", kind="say", round=1, index=1))
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_events(path) == [{"t": 1.0, "type": "step", "number": "1", "kind": "say",
                                  "round": 1, "index": 1}]


def test_a_log_line_reads_back_as_the_event_written(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    written = [StepStarted(sample=16_000, number="2.1", kind="turn", round=2, index=5),
               SessionEnd(sample=48_000, reason="stopped")]
    log = EventLog(path, 16_000)
    for event in written:
        log.write(event)
    log.close()
    assert [Event.from_dict(line, 16_000) for line in read_events(path)] == written


def test_an_existing_log_is_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    for second in (1, 2):
        log = EventLog(path, 16_000)
        log.write(SessionEnd(sample=second * 16_000, reason="completed"))
        log.close()
    assert [e["t"] for e in read_events(path)] == [1.0, 2.0]
