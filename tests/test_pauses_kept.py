"""Each partner's pauses kept in the journal from one session to the next: heard, kept
with the session's outcome, read back by name, and ignored when no pause could be so."""

from __future__ import annotations

import io
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.cli.main import main
from assistant.journal.keeper import SessionKeeper
from assistant.journal.memory import remember
from assistant.journal.store import FILE_NAME, SCHEMA, Journal
from assistant.script.library import find_exercise
from assistant.session.commands import Command
from assistant.session.events import Event, SessionStart
from assistant.session.floor import FloorSettings
from assistant.session.machine import SessionMachine
from assistant.session.patience import SHARED, PatienceRules
from assistant.session.plan import Names, build_plan
from assistant.testing.drive import MachineDrive
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import first_visit, heard_session

T0 = datetime(2024, 5, 1, 19, 0, tzinfo=timezone.utc)
HEADER = 'title = "Turns"\nminutes = 10\ninvitation = "Only if you like."\n'
TURN = ('[[steps]]\nkind = "turn"\npartner = "{who}"\nprompt = "{{{who}}}, go on."\n'
        'listener = "Listen."\nseconds = 90\n')
SHARE = HEADER + TURN.format(who="A")
PHRASES = ["This morning I walked to the bakery", "and the sun was already warm",
           "I kept thinking about our trip", "and how much I want to go back",
           "so let us plan it soon"]


def home() -> Path:
    return Path(os.environ["ASSISTANT_HOME"])


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "turns.toml"
    path.write_text(text, encoding="utf-8")
    return path


def drive(machine: SessionMachine, speech_after_turn: Sequence[tuple[float, float]] = (),
          quit_after: float | None = None) -> list[Event]:
    """Run `machine` on the virtual clock: at the first turn_start, speech of (start, end)
    seconds after it; QUIT `quit_after` seconds after the start, if given."""
    run = MachineDrive(machine)
    first = run.until_next("turn_start")
    if first is not None:
        for start, end in speech_after_turn:
            run.say(first.sample / RATE + start, end - start)
    if quit_after is not None:
        run.until(quit_after)
        run.take(machine.command(Command.QUIT, run.now))
    run.until()
    return run.events()


def machine_of(path: Path, names: Names, pauses: Mapping[str, Sequence[float]],
               settings: FloorSettings | None = None) -> SessionMachine:
    plan = build_plan(find_exercise(str(path)), names)
    return SessionMachine(plan, RATE, "turns", "Turns", True, settings, session="s1",
                          pauses=pauses)


def patience_of(events: Sequence[Event]) -> list[Any]:
    return [e.data["patience"] for e in events if e.type == "turn_start"]


def test_pauses_heard_are_kept_with_a_stop_and_set_the_next_patience(tmp_path: Path) -> None:
    path = script(tmp_path, SHARE)
    utterances = [(1.0 + 3.2 * n, 3.0 + 3.2 * n) for n in range(5)]  # 1.2 s pauses
    events = drive(machine_of(path, Names("Ana", "Ben"), {}), utterances, quit_after=18.0)
    keeper = SessionKeeper(Journal(home()), RATE, lambda: T0)
    for event in events:
        keeper(event)
    record = Journal(home()).sessions()[0]
    assert record.outcome == "stopped"
    assert Journal(home()).pauses() == {"Ana": pytest.approx([1.2] * 4)}

    memory = remember(find_exercise(str(path)), Names("Ana", "Ben"), RATE, clock=lambda: T0)
    assert memory.pauses == {"Ana": pytest.approx([1.2] * 4)}
    again = drive(machine_of(path, Names("Ana", "Ben"), memory.pauses))
    assert patience_of(again) == [3.0]  # q90 1.2 s + 1 s margin, at least the floor of 3 s


def test_pauses_follow_the_names_and_only_the_latest_are_kept() -> None:
    journal = Journal(home())
    keep = SessionKeeper(journal, RATE, lambda: T0)
    keep(SessionStart(sample=0, exercise="x", title="X", steps=1, session="s1"))
    keep(Event.from_dict({"t": 60, "type": "session_end", "reason": "completed", "pauses": {
        "Ana": [1.0] * 50, SHARED: [2.0] * 6}}, RATE))
    exercise = find_exercise("daily-check-in")
    cleo = remember(exercise, Names("Cleo", "Ben"), RATE, clock=lambda: T0)
    assert cleo.pauses == {SHARED: [2.0] * 6}  # Ana's are hers, not the new partner A's
    keep = SessionKeeper(Journal(home()), RATE, lambda: T0)
    keep(SessionStart(sample=0, exercise="x", title="X", steps=1, session="s2"))
    keep(Event.from_dict({"t": 60, "type": "session_end", "reason": "stopped",
                          "pauses": {"Cleo": [3.0] * 5}}, RATE))
    ana = remember(exercise, Names("Ana", "Ben"), RATE, clock=lambda: T0)
    assert ana.pauses == {"Ana": [1.0] * 40, SHARED: [2.0] * 6}
    assert len(ana.pauses["Ana"]) == PatienceRules().remembered
    assert Journal(home()).pauses({"Cleo"}) == {"Cleo": [3.0] * 5}


def test_a_step_patience_and_the_option_still_fix_it(tmp_path: Path) -> None:
    path = script(tmp_path, SHARE + TURN.format(who="A") + "patience = 9\n")
    known = {"Ana": [1.0] * 6}
    assert patience_of(drive(machine_of(path, Names("Ana", "Ben"), known))) == [3.0, 9.0]
    fixed = FloorSettings(share_patience=7.0, adaptive=False)
    assert patience_of(drive(machine_of(path, Names("Ana", "Ben"), known, fixed))) == [7.0, 9.0]


def test_tampered_rows_are_ignored_and_the_default_holds(tmp_path: Path) -> None:
    Journal(home()).close()
    with sqlite3.connect(home() / FILE_NAME) as db:
        db.executemany("INSERT INTO pauses (partner, heard, seconds) VALUES (?, ?, ?)", [
            ("Ana", 0, 400.0), ("Ana", 1, -1.0), ("Ana", 2, "NaN"), ("Ana", 3, "abc"),
            ("Ana", 4, b"\x01\x02"), ("Ana", 5, "1e999"), ("Ana", 6, 0.1), (7, 0, 1.0)])
        with pytest.raises(sqlite3.IntegrityError):  # sqlite stores NaN as NULL: refused
            db.execute("INSERT INTO pauses VALUES ('Ana', 9, ?)", (float("nan"),))
    memory = remember(find_exercise("daily-check-in"), Names("Ana", "Ben"), RATE,
                      clock=lambda: T0)
    assert memory.pauses == {"Ana": [400.0, -1.0, 0.1]}  # numbers; the pause book judges
    machine = machine_of(script(tmp_path, SHARE), Names("Ana", "Ben"), memory.pauses)
    assert machine.pauses.kept() == {}
    assert patience_of(drive(machine)) == [6.0]


def test_an_older_journal_gains_the_table_and_keeps_its_sessions() -> None:
    home().mkdir(exist_ok=True)
    with sqlite3.connect(home() / FILE_NAME) as db:
        db.executescript(SCHEMA.split("CREATE TABLE IF NOT EXISTS pauses")[0])
        db.execute("INSERT INTO sessions (id, exercise, title, started) VALUES "
                   "('old', 'x', 'X', '2024-04-01T19:00:00+00:00')")
    assert Journal(home(), read_only=True).pauses() == {}  # read-only: nothing is changed
    journal = Journal(home())
    journal.finish("old", "completed", 60.0, {"Ana": [1.5, 2.5]})
    assert Journal(home()).pauses() == {"Ana": [1.5, 2.5]}
    assert [s.id for s in Journal(home()).sessions()] == ["old"]


def test_forget_forgets_the_pauses() -> None:
    Journal(home()).finish("none", "completed", 1.0, {"Ana": [1.0] * 5})
    assert Journal(home()).pauses() == {"Ana": [1.0] * 5}
    if (home() / "cache").is_symlink():  # the run's shared speech: not this home's to forget
        (home() / "cache").unlink()
    assert main(["forget", "--yes"]) == 0
    memory = remember(find_exercise("daily-check-in"), Names("Ana", "Ben"), RATE,
                      clock=lambda: T0)
    assert memory.pauses == {}


def test_a_journal_that_cannot_be_used_leaves_the_defaults(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the journal's folder should be")
    memory = remember(find_exercise("daily-check-in"), Names("Ana", "Ben"), RATE, blocked,
                      clock=lambda: T0, err=io.StringIO())
    assert memory.keeper is None and memory.pauses == {}


def test_a_session_run_learns_and_the_next_run_starts_from_it(tmp_path: Path) -> None:
    """Two runs from the command line, real speech heard by Silero on the virtual clock."""
    path = script(tmp_path, SHARE)
    probe = tmp_path / "probe"
    probe.mkdir()
    with first_visit(probe):  # a first visit says what the first run will say
        starts = run(path, silence(0.1), probe)
    start = next(e["t"] for e in starts if e["type"] == "turn_start")
    parts = [silence(start + 1.0)]
    for phrase in PHRASES:
        parts += [spoken(phrase), silence(1.2)]
    first = run(path, np.concatenate([*parts, silence(8.0)]), tmp_path / "first")
    assert [e["patience"] for e in first if e["type"] == "turn_start"] == [6.0]
    kept = Journal(home()).pauses()
    assert list(kept) == ["Ana"] and len(kept["Ana"]) == 4, kept
    assert all(0.8 < s < 2.0 for s in kept["Ana"]), kept
    assert first[-1]["pauses"] == kept
    second = run(path, silence(0.5), tmp_path / "second")
    assert [e["patience"] for e in second if e["type"] == "turn_start"] == [3.0]
    fixed = run(path, silence(0.5), tmp_path / "fixed", "--patience", "7")
    assert [e["patience"] for e in fixed if e["type"] == "turn_start"] == [7.0]


def run(path: Path, mic: np.ndarray, folder: Path, *extra: str) -> list[dict[str, Any]]:
    return heard_session(path, mic, folder, "--out-file", str(folder / "out.wav"), *extra)
