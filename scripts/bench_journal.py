"""The journal after a year: its size, and how quickly `today` and `history` answer.

365 daily sessions are written through the same keeper a session uses (one
transaction per event, as it happens), each with a closing check and two deck
questions; with `--keep-recordings` figures, each also keeps one 30-second
recording (16 kHz, 16-bit). Then `assistant today` and `assistant history` are
timed as a user runs them, in a fresh process (median of 5). Last, the opening
check's cost, and a page of the year's journal is overwritten with garbage:
`history` over it, and `journal recover`, are timed, with the sessions saved.

    .venv/bin/python scripts/bench_journal.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant.journal.keeper import SessionKeeper  # noqa: E402
from assistant.journal.recorder import ClipRecorder  # noqa: E402
from assistant.journal.store import Journal  # noqa: E402
from assistant.session.events import (  # noqa: E402
    ClosingCheck,
    Event,
    SayStart,
    SessionEnd,
    SessionStart,
    StepStarted,
    TurnEnd,
    TurnStart,
)

RATE = 16_000
DAYS = 365


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def year(folder: Path, recordings: bool) -> None:
    journal = Journal(folder)
    start = datetime(2026, 1, 1, 20, 0, tzinfo=timezone.utc)
    room = (np.random.default_rng(0).standard_normal(512) * 0.05).astype(np.float32)
    for day in range(DAYS):
        when = start + timedelta(days=day)
        clock = at(when)
        keeper = SessionKeeper(journal, RATE, clock,
                               {"What made you smile?": "What made you smile?"})
        recorder = ClipRecorder(journal, folder / "clips", RATE, clock)
        sinks: list[Callable[[Event], None]] = [keeper, recorder] if recordings else [keeper]
        events: list[Event] = [SessionStart(
            sample=0, exercise="daily-check-in", title="Daily check-in", steps=8,
            session=f"day-{day}", started=when.isoformat())]
        events += [StepStarted(sample=k * RATE * 60, number=str(k), kind="turn", round=1,
                               index=k) for k in range(8)]
        events += [SayStart(sample=2 * RATE, text="What made you smile?"),
                   TurnStart(sample=3 * RATE, partner="Ana", floor="share", seconds=30,
                             keep="memory")]
        for event in events:
            for sink in sinks:
                sink(event)
        if recordings:
            for k in range(30 * RATE // 512):
                recorder.hear(3 * RATE + k * 512, room)
        closing: list[Event] = [
            TurnEnd(sample=33 * RATE, partner="Ana", floor="share", reason="time"),
            ClosingCheck(sample=500 * RATE, answer="good stretch"),
            SessionEnd(sample=540 * RATE, reason="completed")]
        for event in closing:
            for sink in sinks:
                sink(event)
    journal.close()


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def timed(folder: Path, *command: str) -> float:
    env = {**os.environ, "ASSISTANT_HOME": str(folder)}
    times = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", *command], env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def opening(folder: Path) -> float:
    """Opening the journal read-only, with SQLite's quick check, in milliseconds."""
    times = []
    for _ in range(20):
        began = time.perf_counter()
        Journal(folder, read_only=True).close()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def damaged(folder: Path) -> None:
    path = folder / "journal.sqlite3"
    data = bytearray(path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle:middle + 4096] = np.random.default_rng(1).bytes(4096)
    path.write_bytes(bytes(data))
    print(f"  one page of the journal overwritten: assistant history "
          f"{timed(folder, 'history'):.2f} s")
    env = {**os.environ, "ASSISTANT_HOME": str(folder)}
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "assistant", "journal", "recover"],
                            env=env, check=True, capture_output=True, text=True)
    print(f"  assistant journal recover: {time.perf_counter() - began:.2f} s; "
          f"{result.stdout.strip().split(';')[0]} of {DAYS}")


def main() -> None:
    baseline = timed(Path(tempfile.mkdtemp()), "--help")
    print(f"python start-up and imports ('assistant --help'): {baseline:.2f} s")
    for recordings in (False, True):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            began = time.perf_counter()
            year(folder, recordings)
            written = time.perf_counter() - began
            label = "with a 30 s recording a day" if recordings else "without recordings"
            print(f"{DAYS} daily sessions {label}: {size(folder) / 1e6:.1f} MB "
                  f"(written in {written:.1f} s)")
            for command in ("today", "history"):
                print(f"  assistant {command}: {timed(folder, command):.2f} s")
            if not recordings:
                print(f"  opening it read-only, with its quick check: {opening(folder):.1f} ms")
                damaged(folder)


if __name__ == "__main__":
    main()
