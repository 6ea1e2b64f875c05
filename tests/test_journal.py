"""The private journal: sessions, closing checks, kept recordings, replay, and safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.cli.main import main
from assistant.journal.memory import remember
from assistant.journal.store import FILE_NAME, Journal
from assistant.journal.today import due
from assistant.script.adapt import TOO_MUCH_NOTICE
from assistant.script.library import find_exercise
from assistant.script.model import Exercise, RepeatStep, TurnStep
from assistant.session.plan import Names
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import read_events

KEEP = """
title = "Keep"
minutes = 2
invitation = "Only if you like."
[[steps]]
kind = "replay"
label = "agreed change"
intro = "Last time you agreed:"
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, say the change."
listener = "{B}, listen."
seconds = 20
keep = "agreed change"
"""
DECK = """
title = "Deck"
minutes = 2
invitation = "Only if you like."
[decks]
light = ["One?", "Two?", "Three?", "Four?"]
[[steps]]
kind = "ask"
deck = "light"
count = 2
seconds = 3
"""
T0 = datetime(2026, 11, 21, 20, 0, tzinfo=timezone.utc)


def run(tmp_path: Path, script: str, mic: np.ndarray, name: str, *extra: str
        ) -> list[dict[str, Any]]:
    (tmp_path / "s.toml").write_text(script, encoding="utf-8")
    soundfile.write(str(tmp_path / f"{name}.wav"), mic, RATE)
    log = tmp_path / f"{name}.jsonl"
    assert main(["run", str(tmp_path / "s.toml"), "--mic-file", str(tmp_path / f"{name}.wav"),
                 "--out-file", str(tmp_path / f"{name}-out.wav"), "--events", str(log),
                 *extra]) == 0
    return read_events(log)


def home() -> Path:
    return Path(os.environ["ASSISTANT_HOME"])


def test_an_agreement_kept_in_one_session_is_played_in_the_next_sample_for_sample(
        tmp_path: Path) -> None:
    said = spoken("We agreed to walk together every Sunday")
    talking = np.concatenate([silence(2.0), *[np.concatenate([said, silence(1.0)])] * 20])
    first = run(tmp_path, KEEP, talking, "one", "--keep-recordings")
    assert not [e for e in first if e["type"] == "play_start"]  # nothing kept before
    clip_file = next(home().glob("clips/*.wav"))
    clip, rate = soundfile.read(str(clip_file), dtype="float32")
    assert rate == RATE and len(clip) == pytest.approx(20 * RATE, abs=512)
    second = run(tmp_path, KEEP, silence(1.0), "two", "--keep-recordings")
    play = next(e for e in second if e["type"] == "play_start")
    assert play["file"] == str(clip_file) and play["label"] == "agreed change"
    out, _ = soundfile.read(str(tmp_path / "two-out.wav"), dtype="float32")
    at = round(play["t"] * RATE)
    np.testing.assert_array_equal(out[at: at + len(clip)], clip)
    assert np.abs(clip).max() > 0.1, "the recording holds the partner's words"
    end = next(e for e in second if e["type"] == "play_end")
    assert round(end["t"] * RATE) == at + len(clip)


def test_without_the_flag_nothing_from_the_microphone_is_written(tmp_path: Path) -> None:
    said = spoken("We agreed to walk together every Sunday")
    run(tmp_path, KEEP, np.concatenate([silence(6.0), said, silence(30)]), "one")
    written = [p for p in home().rglob("*") if p.is_file()
               and "cache" not in p.relative_to(home()).parts]
    assert written and all(p.name.startswith(FILE_NAME) for p in written), written
    assert Journal(home()).clips() == []


def test_the_journal_is_private(tmp_path: Path) -> None:
    said = spoken("We agreed to walk together every Sunday")
    run(tmp_path, KEEP, np.concatenate([silence(6.0), said, silence(30)]), "one",
        "--keep-recordings")
    assert stat.S_IMODE(home().stat().st_mode) == 0o700
    assert stat.S_IMODE((home() / "clips").stat().st_mode) == 0o700
    for path in [home() / FILE_NAME, *home().glob("clips/*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_deck_questions_not_yet_asked_come_first_across_sessions(tmp_path: Path) -> None:
    asked = []
    for n in range(2):
        events = run(tmp_path, DECK, silence(0.5), f"s{n}", "--seed", "3")
        asked += [e["text"] for e in events if e["type"] == "say_start" and "?" in e["text"]]
    assert sorted(asked) == ["Four?", "One?", "Three?", "Two?"]


def test_too_much_is_kept_and_the_next_session_offers_a_gentler_way(tmp_path: Path) -> None:
    exercise = find_exercise("daily-check-in")
    journal = Journal(home())
    journal.begin("s1", exercise.id, exercise.title, T0)
    journal.closing("s1", "too much")
    memory = remember(exercise, Names(), RATE, clock=lambda: T0)
    assert memory.notice == TOO_MUCH_NOTICE and "therapist" in memory.notice
    before, after = turns(exercise), turns(memory.exercise)
    assert after and all(a.seconds < b.seconds or b.seconds <= 30 for a, b in
                         zip(after, before, strict=True))


def turns(exercise: Exercise) -> list[TurnStep]:
    steps = [inner for step in exercise.steps
             for inner in (step.steps if isinstance(step, RepeatStep) else (step,))]
    return [step for step in steps if isinstance(step, TurnStep)]


def test_too_much_holds_until_the_couple_answers_otherwise() -> None:
    """A session left without a closing answer says nothing of how it felt."""
    exercise = find_exercise("daily-check-in")
    journal = Journal(home())
    for n, answer in enumerate(("too much", None, "good stretch")):
        journal.begin(f"s{n}", exercise.id, exercise.title, T0 + timedelta(days=n))
        if answer:
            journal.closing(f"s{n}", answer)
        gentler = remember(exercise, Names(), RATE, clock=lambda: T0).notice
        assert (gentler == TOO_MUCH_NOTICE) == (n < 2), n


def test_the_closing_answer_is_kept_from_a_session(tmp_path: Path) -> None:
    from assistant.journal.keeper import SessionKeeper
    from assistant.session.plan import build_plan
    from assistant.testing.harness import run_plan
    from assistant.testing.sounds import RATE as R

    journal = Journal(home())
    exercise = find_exercise(str(write(tmp_path, DECK)))
    events = run_plan(build_plan(exercise, Names()), [(2.0, "too_much")])
    keeper = SessionKeeper(journal, R, lambda: T0)
    for event in events:
        keeper(event)
    record = journal.sessions()[0]
    assert record.closing == "too much" and record.outcome == "completed"


def write(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "deck.toml"
    path.write_text(script, encoding="utf-8")
    return path


def test_forget_deletes_everything_only_when_confirmed(tmp_path: Path) -> None:
    said = spoken("We agreed to walk together every Sunday")
    run(tmp_path, KEEP, np.concatenate([silence(6.0), said, silence(30)]), "one",
        "--keep-recordings")
    if (home() / "cache").is_symlink():  # the run's shared speech: not this home's to forget
        (home() / "cache").unlink()
    assistant = [sys.executable, "-m", "assistant", "forget"]
    kept = subprocess.run(assistant, input="no\n", capture_output=True, text=True, timeout=60)
    assert kept.returncode == 1 and (home() / FILE_NAME).exists()
    gone = subprocess.run(assistant, input="yes\n", capture_output=True, text=True, timeout=60)
    assert gone.returncode == 0
    assert not (home() / FILE_NAME).exists() and not list(home().glob("clips/*"))


def test_a_session_killed_mid_way_is_kept_as_stopped(tmp_path: Path) -> None:
    """Real time, a few seconds: a text-mode session is killed with SIGKILL."""
    session = subprocess.Popen([sys.executable, "-m", "assistant", "run", "eye-contact",
                                "--text"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert session.stdout is not None
    deadline = time.monotonic() + 30
    while "Eye contact" not in session.stdout.readline():
        assert time.monotonic() < deadline
    session.stdin.write("n\n") if session.stdin else None
    if session.stdin:
        session.stdin.flush()
    time.sleep(1.0)
    session.send_signal(signal.SIGKILL)
    session.wait(timeout=10)
    record = Journal(home()).sessions()[0]
    assert record.exercise == "eye-contact" and record.outcome == "stopped"
    assert record.steps >= 1


def test_a_damaged_journal_is_set_aside_never_deleted(tmp_path: Path) -> None:
    home().mkdir(exist_ok=True)
    (home() / FILE_NAME).write_bytes(b"not a database at all " * 100)
    journal = Journal(home())
    assert "set aside as journal.damaged-" in journal.notice and "recover" in journal.notice
    aside = list(home().glob("journal.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"not a database")
    assert stat.S_IMODE(aside[0].stat().st_mode) == 0o600
    journal.begin("s1", "x", "X", T0)
    assert [s.id for s in journal.sessions()] == ["s1"]


WRITER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from assistant.journal.store import Journal
journal = Journal(Path(sys.argv[1]))
for n in range(100):
    journal.begin(f"{sys.argv[2]}-{n}", "x", "X", datetime.now(timezone.utc))
    journal.progress(f"{sys.argv[2]}-{n}", 1, 1.0)
    journal.finish(f"{sys.argv[2]}-{n}", "completed", 2.0)
"""


def test_two_sessions_writing_at_once_do_not_corrupt_the_journal(tmp_path: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(home()), name])
               for name in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    journal = Journal(home())
    assert len(journal.sessions(limit=1000)) == 200
    with sqlite3.connect(home() / FILE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize(("days", "expected"), [
    (0, ["walk-in-sync"]),
    (8, ["daily-check-in", "weekly-reflection", "walk-in-sync"]),
])
def test_today_suggests_what_is_due(days: int, expected: list[str]) -> None:
    journal = Journal(home())
    for n, exercise in enumerate(("daily-check-in", "weekly-reflection")):
        journal.begin(f"s{n}", exercise, exercise, T0)
    now = T0 + timedelta(days=days, hours=1)
    assert due(journal.sessions(limit=100), now) == expected


def test_a_saved_choice_keeps_recordings_without_the_flag(tmp_path: Path) -> None:
    assert main(["journal", "keep", "on"]) == 0
    said = spoken("We agreed to walk together every Sunday")
    talking = np.concatenate([silence(2.0), *[np.concatenate([said, silence(1.0)])] * 20])
    events = run(tmp_path, KEEP, talking, "one")
    assert any("keep a recording of each agreed change" in e["text"]
               for e in events if e["type"] == "say_start")
    assert len(Journal(home()).clips()) == 1
    assert stat.S_IMODE((home() / "preferences.json").stat().st_mode) == 0o600


def test_the_typed_menu_says_what_is_due() -> None:
    result = subprocess.run([sys.executable, "-m", "assistant", "--text"], input="1\nq\n",
                            capture_output=True, text=True, timeout=60)
    assert "Due today: Daily check-in, Weekly reflection and" in result.stdout


def test_today_and_history_answer_from_the_journal(tmp_path: Path) -> None:
    journal = Journal(home())
    journal.begin("s1", "daily-check-in", "Daily check-in", datetime.now(timezone.utc))
    journal.closing("s1", "good stretch")
    journal.finish("s1", "completed", 540.0)
    run_cli = [sys.executable, "-m", "assistant"]
    today = subprocess.run([*run_cli, "today"], capture_output=True, text=True, timeout=60)
    assert "Daily check-in" not in today.stdout and "Weekly reflection" in today.stdout
    history = subprocess.run([*run_cli, "history"], capture_output=True, text=True, timeout=60)
    assert history.stdout.strip().endswith("Daily check-in, 9 minutes, completed, good stretch")


def test_the_next_weekly_reflection_opens_with_last_weeks_agreement(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def weekly(name: str, mic: np.ndarray) -> list[dict[str, Any]]:
        soundfile.write(str(tmp_path / f"{name}.wav"), mic, RATE)
        log = tmp_path / f"{name}.jsonl"
        assert main(["run", "weekly-reflection", "--mic-file", str(tmp_path / f"{name}.wav"),
                     "--out-file", str(tmp_path / f"{name}-out.wav"), "--events", str(log),
                     "--keep-recordings", "--seed", "1"]) == 0
        return read_events(log)

    kept = home()
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "probe-home"))
    probe = weekly("probe", silence(1.0))
    agreeing = next(e["t"] for e in probe if e["type"] == "turn_start"
                    and e.get("keep") == "agreed change")
    monkeypatch.setenv("ASSISTANT_HOME", str(kept))
    said = spoken("We agreed that I will cook on Tuesday and you will call your mother")
    first = weekly("first", np.concatenate([silence(agreeing + 2.0), said, silence(5.0)]))
    assert not [e for e in first if e["type"] == "play_start"]
    clips = Journal(kept).clips("weekly-reflection", "agreed change")
    assert len(clips) == 1
    clip, _ = soundfile.read(str(clips[0].file), dtype="float32")

    second = weekly("second", silence(1.0))
    said_first = [e for e in second if e["type"] == "say_start"][:4]
    assert said_first[0]["text"].startswith("Weekly reflection.")  # the exercise speaks first
    assert any(e["text"] == "Last week you agreed:" for e in said_first)
    play = next(e for e in second if e["type"] == "play_start")
    assert play["label"] == "agreed change" and play["file"] == str(clips[0].file)
    out, _ = soundfile.read(str(tmp_path / "second-out.wav"), dtype="float32")
    at = round(play["t"] * RATE)
    np.testing.assert_array_equal(out[at: at + len(clip)], clip)
    assert np.abs(clip).max() > 0.1
