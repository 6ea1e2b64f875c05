"""The journal read as untrusted: any value it holds, a journal another version wrote, a
recording row naming any file, and text with terminal escapes, each met as a user meets
them, from the command line; and "too much" said of a pacer or a couple's own script."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import soundfile

from assistant.cli.journal import main as journal_main
from assistant.cli.main import main
from assistant.export.practice import week
from assistant.journal.memory import remember
from assistant.journal.store import CLIPS, FILE_NAME, Journal
from assistant.journal.today import due_line
from assistant.script.library import find_exercise
from assistant.script.model import BreatheStep, PaceStep
from assistant.script.standalone import breathing_session, walking_session
from assistant.session.plan import Names
from assistant.testing.sounds import RATE, silence

ASSISTANT = [sys.executable, "-m", "assistant"]
NOW = datetime.now(timezone.utc)
SCRIPT = """
title = "Short"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, say one thing."
listener = "{B}, listen."
seconds = 3
"""
NOT_UTF8 = "text that is not UTF-8"
LOOSE = """
ALTER TABLE sessions RENAME TO strict;
CREATE TABLE sessions (id, exercise, title, started, seconds, outcome, steps, closing);
INSERT INTO sessions SELECT * FROM strict;
DROP TABLE strict;
"""  # a table without the journal's own constraints, as another program may leave it


def home() -> Path:
    return Path(os.environ["ASSISTANT_HOME"])


def cli(*args: str, typed: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    return subprocess.run([*ASSISTANT, *args], input=typed, capture_output=True, text=True,
                          timeout=60, env=env)


def one_line(said: str) -> str:
    assert "Traceback" not in said and len(said.strip().splitlines()) == 1, said
    return said.strip()


def kept(exercise: str, title: str, closing: str | None = None, when: datetime = NOW,
         name: str = "s1") -> None:
    journal = Journal(home())
    journal.begin(name, exercise, title, when)
    if closing:
        journal.closing(name, closing)
    journal.finish(name, "completed", 300.0)
    journal.close()


def recorded(label: str, partner: str, exercise: str = "daily-check-in") -> Path:
    """A kept recording of session s1, in the journal and in the recordings folder."""
    clips = home() / CLIPS
    clips.mkdir()
    soundfile.write(str(clips / "s1-1.wav"), silence(1.5), RATE)
    journal = Journal(home())
    journal.add_clip("s1", exercise, label, partner, clips / "s1-1.wav", 1.5, NOW)
    journal.close()
    return clips


@contextlib.contextmanager
def edited() -> Iterator[sqlite3.Connection]:
    """The journal changed by hand and closed, so the change is whole in the file before
    anything else reads it (an open connection would fold it in later, when collected)."""
    with contextlib.closing(sqlite3.connect(home() / FILE_NAME)) as db, db:
        yield db


def tampered(sql: str, *values: object) -> None:
    with edited() as db:
        db.executescript(LOOSE)
        db.execute(sql, values)


def session(tmp_path: Path) -> int:
    """A short session on the virtual clock, its files outside the assistant's home."""
    (tmp_path / "s.toml").write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(tmp_path / "mic.wav"), silence(8.0), RATE)
    return main(["run", str(tmp_path / "s.toml"), "--mic-file", str(tmp_path / "mic.wav"),
                 "--out-file", str(tmp_path / "out.wav")])


@pytest.fixture
def zone(request: pytest.FixtureRequest) -> Iterator[None]:
    """A local time zone where the edges of `datetime` overflow as soon as it is applied."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = saved
    time.tzset()


# -- "too much" said of a pacer or of a couple's own script --------------------------------


def test_too_much_in_a_pacer_is_kept_and_today_and_the_menu_still_answer(
        tmp_path: Path) -> None:
    """Real time, a few seconds: the closing answer typed in a text-mode pacer."""
    pacer = subprocess.Popen([*ASSISTANT, "breathe", "--text", "--minutes", "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert pacer.stdin is not None and pacer.stdout is not None
    assert "Breathing, coherent" in pacer.stdout.readline()
    pacer.stdin.write("t\n")
    pacer.stdin.flush()
    while "Thank you for saying so" not in (line := pacer.stdout.readline()):
        assert line, "the closing answer was never taken"
    out, err = pacer.communicate("q\n", timeout=30)
    assert pacer.returncode == 0 and "Traceback" not in err and "Session stopped." in out

    today = cli("today")
    assert today.returncode == 0 and today.stderr == ""
    assert ("Last time, Breathing, coherent felt like too much, so 'assistant breathe' will "
            "be shorter and steadier.") in today.stdout
    assert "Due: Daily check-in" in today.stdout
    menu = cli("--text")  # nothing typed: the menu says what is due, then gives up
    assert "There is no exercise" not in menu.stderr and "Traceback" not in menu.stderr
    assert "Breathing, coherent felt like too much" in menu.stdout
    assert menu.returncode == 1 and "No practice was chosen" in one_line(menu.stderr)

    gentler = remember(breathing_session("box", minutes=4, to_bpm=4), Names(), RATE)
    step = gentler.exercise.steps[0]
    assert isinstance(step, BreatheStep) and gentler.notice.startswith("Last time")
    assert (step.pattern, step.seconds, step.from_bpm, step.to_bpm) == ("4-4", 120.0, None,
                                                                        None)


def test_a_walk_found_too_much_is_walked_slower_and_steadier_next_time(
        capsys: pytest.CaptureFixture[str]) -> None:
    kept("walk", "Walking together", "too much")
    assert journal_main(["today"]) == 0
    assert "Walking together felt like too much, so 'assistant walk' will be shorter and " \
           "steadier." in capsys.readouterr().out
    memory = remember(walking_session(100, 10, to_spm=120), Names(), RATE)
    step = memory.exercise.steps[0]
    assert isinstance(step, PaceStep) and (step.spm, step.to_spm, step.seconds) == (
        90.0, None, 300.0)


def test_a_script_found_too_much_and_since_gone_is_named_by_its_title(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept("our-evening", "Our evening ritual", "too much")  # run from a file no longer there
    assert journal_main(["today"]) == 0
    said = capsys.readouterr()
    assert said.err == ""
    assert ("Last time, Our evening ritual felt like too much. Something gentler today: "
            "Breathing in sync (assistant run breathe-in-sync).") in said.out
    assert due_line().startswith("Last time, Our evening ritual felt like too much.")
    assert session(tmp_path) == 0  # and a library practice goes on as ever


# -- any value in the journal --------------------------------------------------------------


VALUES = [
    ("started", 12345, "UTC"), ("started", "yesterday", "UTC"), ("started", None, "UTC"),
    ("started", b"\x00\xff", "UTC"), ("started", "2026-11-01T20:00:00", "UTC"),
    ("started", "0001-01-01T00:00:00+00:00", "America/New_York"),
    ("started", "9999-12-31T23:59:59+00:00", "Asia/Tokyo"),
    ("seconds", None, "UTC"), ("seconds", "long", "UTC"), ("seconds", float("inf"), "UTC"),
    ("seconds", -5.0, "UTC"), ("title", b"\xff\xfe", "UTC"), ("title", NOT_UTF8, "UTC"),
    ("outcome", 7, "UTC"),
    ("steps", "many", "UTC"), ("closing", 3.5, "UTC"),
]


@pytest.mark.parametrize(("column", "value", "zone"), VALUES, indirect=["zone"],
                         ids=[f"{c}={v!r}@{z}" for c, v, z in VALUES])
def test_one_value_out_of_range_stops_nothing(column: str, value: object, zone: None,
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in", when=NOW - timedelta(days=1), name="good")
    kept("weekly-reflection", "Weekly reflection", "good stretch", name="odd")
    if value == NOT_UTF8:  # text, but not UTF-8
        tampered(f"UPDATE sessions SET {column} = CAST(? AS TEXT) WHERE id = 'odd'", b"W\xff")
    else:
        tampered(f"UPDATE sessions SET {column} = ? WHERE id = 'odd'", value)
    for verb in (["history"], ["today"], ["journal", "list"]):
        assert journal_main(verb) == 0, verb
    shown = capsys.readouterr()
    assert "Daily check-in, 5 minutes, completed" in shown.out  # the other session is whole
    if column == "started":
        assert "time unknown, Weekly reflection, 5 minutes, completed" in shown.out
    if column == "seconds":
        assert "Weekly reflection, length unknown, completed, good stretch" in shown.out
    if column == "title" and isinstance(value, bytes):  # not text: named by its practice
        assert ", weekly-reflection, 5 minutes, completed, good stretch" in shown.out
    if column == "outcome":
        assert "Weekly reflection, 5 minutes, outcome unknown, good stretch" in shown.out
    if column == "closing":
        assert "Weekly reflection, 5 minutes, completed\n" in shown.out
    assert due_line().startswith("Due today: Daily check-in")
    assert week(Journal(home(), read_only=True).sessions(limit=10_000), NOW.astimezone())
    assert remember(find_exercise("weekly-reflection"), Names(), RATE).keeper is not None
    assert session(tmp_path) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_row_that_names_no_practice_is_left_out_in_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in", name="good")
    kept("weekly-reflection", "Weekly reflection", name="odd")
    tampered("UPDATE sessions SET exercise = ? WHERE id = 'odd'", b"\x01")
    assert journal_main(["history"]) == 0
    shown = capsys.readouterr()
    assert "Daily check-in" in shown.out and "Weekly reflection" not in shown.out
    assert one_line(shown.err) == ("assistant: 1 entry of the journal could not be read and "
                                   "is left out.")


def test_history_limit_and_recording_numbers_take_plain_digits_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in")
    clips = recorded("memory", "A")
    for verb in (["journal", "play", "\u00b2"], ["journal", "delete", "\u00b3"],
                 ["journal", "delete", "\uff11"], ["history", "--limit", "1" + "0" * 20],
                 ["history", "--limit", "0"], ["history", "--limit", "\u00b2"],
                 ["history", "--limit", "-3"], ["journal", "delete", "9" * 30]):
        assert journal_main(verb) == 2, verb
        said = one_line(capsys.readouterr().err)
        assert said.startswith("assistant: ") and said.endswith("."), said
    assert (clips / "s1-1.wav").exists()
    assert journal_main(["history", "--limit", "1"]) == 0


# -- a journal another version wrote --------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_journal_from_a_newer_version_is_only_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in", "good stretch")
    recorded("memory", "A")
    with edited() as db:
        db.execute("PRAGMA user_version = 9")
    before = digest(home() / FILE_NAME)
    assert journal_main(["history"]) == 0
    shown = capsys.readouterr()
    assert "Daily check-in, 5 minutes, completed, good stretch" in shown.out
    assert "was written by a newer version" in one_line(shown.err)
    assert session(tmp_path) == 0
    said = capsys.readouterr().err
    assert "newer version" in said and "only reads it" in said and "Traceback" not in said
    assert journal_main(["journal", "delete", "1"]) == 2
    assert "so this version changes nothing in it" in one_line(capsys.readouterr().err)
    assert (home() / CLIPS / "s1-1.wav").exists() and digest(home() / FILE_NAME) == before
    assert [s.id for s in Journal(home(), read_only=True).sessions()] == ["s1"]


def test_a_renamed_column_is_named_as_such_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in")
    with edited() as db:
        db.execute("ALTER TABLE sessions RENAME COLUMN title TO name")
    before = digest(home() / FILE_NAME)
    assert session(tmp_path) == 0
    said = one_line(capsys.readouterr().err)
    assert "is a folder" not in said
    assert "its sessions table has no column title" in said and "only reads it" in said
    assert journal_main(["history"]) == 0
    assert "daily-check-in, 5 minutes, completed" in capsys.readouterr().out
    assert digest(home() / FILE_NAME) == before


def test_an_unknown_database_error_is_told_truly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home().mkdir(exist_ok=True)
    with edited() as db:  # the columns, without rowids
        db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, exercise, title, started, "
                   "seconds, outcome, steps, closing) WITHOUT ROWID")
    assert session(tmp_path) == 0
    said = one_line(capsys.readouterr().err)
    assert f"{home() / FILE_NAME} has a layout this version" in said
    assert "is a folder" not in said and "will not be remembered" in said


# -- recordings only inside the recordings folder ------------------------------------------


@pytest.mark.parametrize("named", ["couple.json", "clips/../couple.json", "ABSOLUTE",
                                   "clips/link.wav", "LINKED_FOLDER"])
def test_delete_removes_only_files_inside_the_recordings_folder(
        named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in")
    (home() / "couple.json").write_text('{"names": ["Ana", "Ben"]}')
    outside = tmp_path / "precious.wav"
    outside.write_bytes(b"not the assistant's")
    (home() / CLIPS).mkdir()
    (home() / CLIPS / "link.wav").symlink_to(home() / "couple.json")
    if named == "LINKED_FOLDER":  # the recordings folder itself a link to elsewhere
        (home() / CLIPS / "link.wav").unlink()
        (home() / CLIPS).rmdir()
        (home() / CLIPS).symlink_to(tmp_path, target_is_directory=True)
        named = "clips/precious.wav"
    stored = str(outside) if named == "ABSOLUTE" else named
    Journal(home()).close()
    with edited() as db:
        db.execute("INSERT INTO clips (id, session, exercise, label, partner, file, seconds, "
                   "made) VALUES (1, 's1', 'x', 'memory', 'A', ?, 2.0, ?)",
                   (stored, NOW.isoformat()))
    assert journal_main(["journal", "delete", "1"]) == 2
    assert "No recording 1" in one_line(capsys.readouterr().err)
    assert journal_main(["journal", "delete", "link.wav"]) == 2
    assert (home() / "couple.json").read_text().startswith('{"names"')
    assert outside.read_bytes() == b"not the assistant's"
    assert journal_main(["journal", "list"]) == 0
    listed = capsys.readouterr()
    assert "couple" not in listed.out and "precious" not in listed.out
    assert "1 entry of the journal could not be read" in listed.err


# -- text from the journal never reaches the terminal raw ----------------------------------


def test_escape_sequences_kept_in_the_journal_are_printed_escaped() -> None:
    hostile = "Daily\x1b[2J\x1b]0;owned\x07 check-in\u202e"
    kept("daily-check-in", hostile, "too much")
    clips = recorded("memory\x1b[8m", "A\r", hostile)
    soundfile.write(str(clips / "\x1b[31mred.wav"), silence(1.5), RATE)
    shown = [cli("history"), cli("today"), cli("journal", "list"), cli("--text")]
    for result in shown:
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\u202e" not in result.stdout and "\r" not in result.stdout
        assert "Traceback" not in result.stderr
    assert "Daily\\x1b[2J\\x1b]0;owned\\x07 check-in\\u202e" in shown[0].stdout
    assert "Daily\\x1b[2J" in shown[1].stdout and "Daily\\x1b[2J" in shown[3].stdout
    assert "memory\\x1b[8m, A\\r" in shown[2].stdout
    assert "found: \\x1b[31mred.wav" in shown[2].stdout


# -- read-only commands move nothing -------------------------------------------------------


def state(folder: Path) -> dict[str, str]:
    """Each file's digest by name, SQLite's shared-memory companions aside."""
    return {p.name: digest(p) for p in folder.iterdir()
            if p.is_file() and not p.name.endswith(("-shm", "-wal"))}


@pytest.mark.parametrize("journal", ["damaged", "newer", "odd values", "no tables"])
def test_read_only_commands_move_nothing(journal: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    kept("daily-check-in", "Daily check-in")
    if journal == "damaged":
        (home() / FILE_NAME).write_bytes(b"not a database at all " * 100)
    elif journal == "newer":
        with edited() as db:
            db.execute("PRAGMA user_version = 2")
    elif journal == "odd values":
        tampered("UPDATE sessions SET started = NULL, seconds = 'x'")
    else:
        (home() / FILE_NAME).write_bytes(b"")
    (home() / "couple.json").write_text("{not json")
    before = state(home())
    for verb in (["history"], ["today"], ["journal", "list"]):
        assert journal_main(verb) == 0, verb
    assert "Traceback" not in capsys.readouterr().err
    assert state(home()) == before
