"""A low-vision or seated version that changes what a practice asks goes by its own title:
spoken first, listed, named in `today` and the menu, and tagged in an exported file; the
journal still counts every version's sessions as one practice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mutagen
import pytest

from assistant.cli.main import main
from assistant.journal.store import Journal
from assistant.script.alternatives import for_needs
from assistant.script.library import find_exercise, load_library
from assistant.script.loader import ScriptError, load_exercise
from assistant.script.wordings import REMINDERS
from tests.conftest import read_events
from tests.needs_words import needs

ASSISTANT = [sys.executable, "-m", "assistant"]
# (practice, option, the title it goes by): each version that changes what is asked
ADAPTED = [("eye-contact", "--low-vision", "Foreheads together"),
           ("connection-journal", "--low-vision", "Spoken connection journal"),
           ("walk-in-sync", "--seated", "Keeping time together")]
# versions that only reword a line or two: the practice's own title is kept
KEPT = [("mindful-listening", "--low-vision"), ("balance-play", "--seated"),
        ("walk-in-sync", "--low-vision"), ("sustained-hug", "--seated")]


def needs_of(option: str) -> dict[str, bool]:
    return {"low_vision": option == "--low-vision", "seated": option == "--seated"}


@pytest.mark.parametrize(("low_vision", "seated"), [(True, False), (False, True), (True, True)])
def test_no_version_is_named_or_described_by_what_it_no_longer_asks(
        low_vision: bool, seated: bool) -> None:
    for exercise in load_library():
        version = for_needs(exercise, low_vision, seated)
        for text in (version.title, version.summary):
            assert not (low_vision and needs(text, "sight")), (exercise.id, text)
            assert not (seated and needs(text, "standing")), (exercise.id, text)


def test_only_a_version_that_changes_what_is_asked_is_renamed() -> None:
    for exercise_id, option, title in ADAPTED:
        exercise = find_exercise(exercise_id)
        assert for_needs(exercise, **needs_of(option)).title == title != exercise.title
        assert for_needs(exercise).title == exercise.title  # a sighted couple on their feet
    for exercise_id, option in KEPT:
        exercise = find_exercise(exercise_id)
        version = for_needs(exercise, **needs_of(option))
        assert version.steps != exercise.steps and version.title == exercise.title
    both = {e.id: e.title for e in (for_needs(e, True, True) for e in load_library())}
    assert both["walk-in-sync"] == "Keeping time together"  # the seated title, over both
    assert both["eye-contact"] == "Foreheads together"  # no seated version: the low-vision one


def session(tmp_path: Path, exercise: str, *options: str) -> list[dict[str, object]]:
    """A whole session on the virtual clock (no microphone); its events."""
    log = tmp_path / f"{Path(exercise).stem}-{len(list(tmp_path.glob('*.jsonl')))}.jsonl"
    assert main(["run", exercise, "--out-file", str(log.with_suffix(".wav")), "--events",
                 str(log), "--names", "Ana,Ben", "--seed", "2", *options]) == 0
    return read_events(log)


def opening(events: list[dict[str, object]]) -> str:
    return str(next(e["text"] for e in events if e["type"] == "say_start"))


@pytest.mark.parametrize(("exercise_id", "option", "title"), ADAPTED)
def test_the_adapted_title_is_spoken_first_and_the_journal_keeps_the_id(
        tmp_path: Path, exercise_id: str, option: str, title: str) -> None:
    events = session(tmp_path, exercise_id, option, "A")
    start = events[0]
    assert start["type"] == "session_start"
    assert (start["exercise"], start["title"]) == (exercise_id, title)
    assert opening(events).startswith(f"{title}. ")
    own = find_exercise(exercise_id).title
    assert not any(own in str(e.get("text", "")) for e in events)
    kept = Journal(Path(os.environ["ASSISTANT_HOME"])).sessions()
    assert [(s.exercise, s.title) for s in kept] == [(exercise_id, title)]


def test_every_version_of_a_practice_counts_as_the_same_practice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session(tmp_path, "eye-contact", "--low-vision", "B")
    sighted = opening(session(tmp_path, "eye-contact"))
    assert sighted.startswith("Eye contact. ")  # the second visit: a short reminder
    assert sighted.removeprefix("Eye contact. ") in REMINDERS
    assert Journal(Path(os.environ["ASSISTANT_HOME"])).count("eye-contact") == 2
    capsys.readouterr()
    assert main(["history"]) == 0  # each session under the title it was done by
    history = capsys.readouterr().out
    assert ", Eye contact, " in history and ", Foreheads together, " in history


@pytest.mark.parametrize(("exercise_id", "option"), KEPT[:1])
def test_a_version_that_changes_nothing_asked_keeps_the_title(
        tmp_path: Path, exercise_id: str, option: str) -> None:
    title = find_exercise(exercise_id).title
    events = session(tmp_path, exercise_id, option, "A")
    assert events[0]["title"] == title and opening(events).startswith(f"{title}. ")


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(["list"]) == 0
    return {line.split()[0]: line.split(" min  ", 1)[1]
            for line in capsys.readouterr().out.splitlines()}


def test_the_couples_profile_lists_and_suggests_each_practice_by_its_title(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert listed(capsys)["eye-contact"] == "Eye contact"
    assert main(["couple", "--low-vision", "A"]) == 0
    shown = listed(capsys)
    assert shown["eye-contact"] == "Foreheads together"
    assert shown["connection-journal"] == "Spoken connection journal"
    assert shown["walk-in-sync"] == "Walking in sync"
    assert shown["mindful-listening"] == "Mindful listening"
    assert main(["couple", "--low-vision", "none", "--seated", "B"]) == 0
    shown = listed(capsys)
    assert shown["walk-in-sync"] == "Keeping time together"
    assert shown["eye-contact"] == "Eye contact" and shown["balance-play"] == "Balance play"
    assert main(["today"]) == 0  # nothing done yet: the first physical practice is due
    assert "Due: Keeping time together (assistant run walk-in-sync)" in capsys.readouterr().out


def test_the_menu_reads_and_prints_the_titles_the_couple_goes_by(tmp_path: Path) -> None:
    """The typed menu, then a text session stopped at once (real time, about a second)."""
    events = tmp_path / "menu.jsonl"
    result = subprocess.run([*ASSISTANT, "--text", "--low-vision", "A", "--seated", "B",
                             "--events", str(events)], input="7\nq\n", text=True,
                            capture_output=True, timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    number = [e.id for e in load_library()].index("eye-contact") + 1
    assert f"{number}. Foreheads together (7 minutes)" in lines
    assert any(line.endswith(". Keeping time together (10 minutes)") for line in lines)
    assert any(line.endswith(". Spoken connection journal (17 minutes)") for line in lines)
    assert "Starting Foreheads together." in lines
    assert any("Due today: " in line and "Keeping time together" in line for line in lines)
    start = next(e for e in read_events(events) if e["type"] == "session_start")
    assert (start["exercise"], start["title"]) == ("eye-contact", "Foreheads together")


def test_a_text_session_prints_the_adapted_title_first(tmp_path: Path) -> None:
    """Runs in real time (about a second): the opening line, then 'q'."""
    process = subprocess.Popen([*ASSISTANT, "run", "walk-in-sync", "--text", "--seated", "A"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdin is not None
    first = process.stdout.readline()
    process.stdin.write("q\n")
    process.stdin.flush()
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in err
    assert first.startswith("Keeping time together. ")
    assert "Walking in sync" not in first + out


def test_an_export_is_tagged_and_chaptered_with_the_adapted_title(tmp_path: Path) -> None:
    assert main(["couple", "--low-vision", "B"]) == 0
    path = tmp_path / "practice.ogg"
    assert main(["export", "eye-contact", str(path), "--minutes", "4", "--mono",
                 "--seed", "1"]) == 0
    tags = mutagen.File(path).tags
    assert tags["TITLE"] == ["Foreheads together"]
    assert tags["CHAPTER001NAME"] == ["Welcome: Foreheads together"]
    assert "forehead" in tags["COMMENT"][0] and "eyes" not in tags["COMMENT"][0]
    # fitted as the version is done: its own steps are shortened too
    assert mutagen.File(path).info.length <= 4.5 * 60


SCRIPT = """
title = "Close"
minutes = 2
invitation = "An invitation: skip anything. A good stretch, or too much?"
{top}
[[steps]]
kind = "say"
text = "Look at each other."
[[low_vision]]
step = 1
text = "Rest your foreheads together."
"""


@pytest.mark.parametrize(("top", "field", "fragment"), [
    ('low_vision_title = "Close"', "low_vision_title", "the practice's own title"),
    ('seated_title = "Sitting close"', "seated_title", "[[seated]]"),
    ('seated_summary = "Sit close."', "seated_summary", "does not have"),
    ("low_vision_title = 3", "low_vision_title", "must be text"),
    ('low_vision_title = " "', "low_vision_title", ""),
    ('low_vision_title = "For {C}"', "low_vision_title", "unknown placeholder"),
    ('blind_title = "Foreheads"', "blind_title", "not a known field"),
])
def test_a_versions_title_is_checked_like_any_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], top: str, field: str,
        fragment: str) -> None:
    path = tmp_path / "close.toml"
    path.write_text(SCRIPT.format(top=top), encoding="utf-8")
    with pytest.raises(ScriptError) as caught:
        load_exercise(path)
    assert (caught.value.step, caught.value.field) == ("", field)
    assert fragment in caught.value.problem
    assert main(["run", str(path), "--text"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and field in err and "Traceback" not in err


def test_a_scripts_own_version_title_is_spoken(tmp_path: Path) -> None:
    path = tmp_path / "close.toml"
    path.write_text(SCRIPT.format(top='low_vision_title = "Foreheads close"'),
                    encoding="utf-8")
    exercise = load_exercise(path)
    assert for_needs(exercise, low_vision=True).title == "Foreheads close"
    assert for_needs(exercise, seated=True).title == "Close"  # no seated version
    events = session(tmp_path, str(path), "--low-vision", "both")
    assert events[0]["title"] == "Foreheads close"
    assert opening(events).startswith("Foreheads close. ")
