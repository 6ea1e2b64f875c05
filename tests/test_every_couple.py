"""Every couple: low-vision and seated versions, a couple remembered, safety taught,
and openings and closings that are familiar without being rote."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import soundfile

from assistant.cli.main import main
from assistant.journal.couple import COUPLE
from assistant.journal.store import Journal
from assistant.script.alternatives import for_needs
from assistant.script.library import find_exercise, load_library
from assistant.script.loader import ScriptError, load_exercise
from assistant.script.model import AskStep, Exercise, SayStep, each_step
from assistant.script.wordings import CLOSINGS, HOLDING_BACK, REMINDERS, Visit, for_visit
from assistant.testing.sounds import RATE, silence
from tests.conftest import read_events
from tests.needs_words import needs

VISITS = (Visit(), Visit(1, 1), Visit(2, 5), Visit(3, 9, too_much=True))
FIELDS = ("text", "prompt", "listener", "handover", "closing", "intro", "none")


def texts(exercise: Exercise) -> list[str]:
    """Everything a session of `exercise` can say: every deck question included."""
    said = [exercise.invitation]
    for step in each_step(exercise.steps):
        said += [value for name in FIELDS if (value := getattr(step, name, ""))]
        if isinstance(step, AskStep):
            said += step.questions
    return said


def versions(exercise: Exercise, low_vision: bool, seated: bool) -> list[Exercise]:
    return [for_visit(for_needs(exercise, low_vision, seated), visit) for visit in VISITS]


def test_the_checker_flags_what_needs_sight_or_standing_and_spares_figures() -> None:
    assert needs("Open your eyes and look at each other.", "sight")
    assert needs("Write a note on paper, then read it aloud.", "sight")
    assert needs("Stand on one foot.", "standing") and needs("Walk side by side.", "standing")
    assert not needs("I look forward to this. Let's see how it feels.", "sight")
    assert not needs("What does a good Sunday look like for you?", "sight")
    assert not needs("Sit close, and hold hands.", "standing")


@pytest.mark.parametrize("seated", [False, True])
def test_with_low_vision_nothing_in_any_session_needs_sight(seated: bool) -> None:
    for exercise in load_library():
        for version in versions(exercise, True, seated):
            found = [s for text in texts(version) for s in needs(text, "sight")]
            assert found == [], (exercise.id, found)


@pytest.mark.parametrize("low_vision", [False, True])
def test_for_a_seated_partner_nothing_asks_to_stand_balance_or_walk(low_vision: bool) -> None:
    for exercise in load_library():
        for version in versions(exercise, low_vision, True):
            found = [s for text in texts(version) for s in needs(text, "standing")]
            assert found == [], (exercise.id, found)


def test_a_sighted_couple_keeps_eye_contact() -> None:
    exercise = for_needs(find_exercise("eye-contact"))
    sight = [s for text in texts(exercise) for s in needs(text, "sight")]
    assert any("each other's eyes" in s for s in sight)
    blind = for_needs(find_exercise("eye-contact"), low_vision=True)
    assert any("forehead" in text for text in texts(blind))


def test_every_version_of_a_lean_back_warns_of_a_fall() -> None:
    leans = 0
    for exercise in load_library():
        for low_vision in (False, True):
            for seated in (False, True):
                for text in texts(for_needs(exercise, low_vision, seated)):
                    if "lean back" in text.lower():
                        leans += 1
                        assert "fall" in text, (exercise.id, text)
    assert leans >= 4


def test_the_alternatives_are_practices_of_their_own() -> None:
    said = {(e, n): " ".join(texts(for_needs(find_exercise(e), *need)))
            for e in ("mirror-play", "mindful-listening", "walk-in-sync", "connection-journal")
            for n, need in (("lv", (True, False)), ("seated", (False, True)))}
    assert "palms" in said["mirror-play", "lv"] and "by ear" in said["mirror-play", "lv"]
    assert "soft mm" in said["mindful-listening", "lv"]
    assert "elbow" in said["walk-in-sync", "lv"] and "safe" in said["walk-in-sync", "lv"]
    assert "sit side by side" in said["walk-in-sync", "seated"]
    assert "private journal" in said["connection-journal", "lv"]


def test_every_opening_teaches_stop_and_continue_and_the_repeat_is_short() -> None:
    for exercise in load_library():
        for visit in VISITS:
            opening = for_visit(exercise, visit).invitation.lower()
            assert all(word in opening for word in ("skip", "stop", "continue")), exercise.id
            if visit.times and not visit.too_much:
                assert opening in (r.lower() for r in REMINDERS)
    assert all(len(reminder.split()) <= 13 for reminder in REMINDERS)  # about 5 s at 160 wpm


def test_reminders_and_closings_are_never_the_same_twice_in_a_row() -> None:
    exercise = find_exercise("daily-check-in")
    heard = [for_visit(exercise, Visit(n, n)) for n in range(1, 9)]
    for before, after in itertools.pairwise(heard):
        assert before.invitation != after.invitation
        assert before.steps[-1] != after.steps[-1]
        assert isinstance(after.steps[-1], SayStep) and after.steps[-1].text in CLOSINGS


def test_after_too_much_the_closing_asks_gently_what_holds_them_back() -> None:
    exercise = find_exercise("sustained-hug")
    steps = for_visit(exercise, Visit(2, 4, too_much=True)).steps
    assert steps[-2] == HOLDING_BACK and "holding you back" in HOLDING_BACK.questions[0]
    assert "skip" in HOLDING_BACK.questions[0]
    assert HOLDING_BACK not in for_visit(exercise, Visit(2, 4)).steps


def test_safety_is_taught_where_it_matters() -> None:
    touch = " ".join(texts(find_exercise("playful-touch")))
    first = find_exercise("playful-touch").steps[0]
    assert isinstance(first, SayStep) and "afraid" in first.text and "therapist" in first.text
    assert "includes the word stop" in touch and "Say continue" in touch
    assert "Laughing is not a yes" in touch and "ask" in touch
    assert "laugh, squirm" not in touch
    senses = " ".join(texts(find_exercise("senses")))
    assert "allergies" in senses and "open hand" in senses


SCRIPT = """
title = "Close"
minutes = 2
invitation = "An invitation: skip anything. A good stretch, or too much?"
[[steps]]
kind = "say"
text = "{A} and {B}, look at each other."
[[steps]]
kind = "repeat"
[[steps.steps]]
kind = "turn"
partner = "A"
prompt = "{A}, say one word."
listener = "{B}, watch."
seconds = 3
[[low_vision]]
step = 1
text = "{A} and {B}, rest your foreheads together."
[[low_vision]]
step = "2.1"
listener = "{B}, listen, with a hand on {A}'s."
[[seated]]
step = 1
text = "{A} and {B}, sit close."
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "close.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_version_may_change_one_prompt_or_a_whole_step(tmp_path: Path) -> None:
    exercise = load_exercise(write(tmp_path, SCRIPT))
    blind = for_needs(exercise, low_vision=True)
    assert blind.steps[0] == SayStep("{A} and {B}, rest your foreheads together.")
    turn = each_step(blind.steps)[1]
    assert turn.listener == "{B}, listen, with a hand on {A}'s."  # type: ignore[union-attr]
    assert turn.prompt == "{A}, say one word."  # type: ignore[union-attr]
    both = for_needs(exercise, low_vision=True, seated=True)
    assert both.steps[0] == SayStep("{A} and {B}, sit close.")  # the seated one, over both
    assert for_needs(exercise) == exercise


@pytest.mark.parametrize(("table", "step", "field", "fragment"), [
    ("[[low_vision]]\nstep = 9\ntext = \"x\"", "9", "low_vision[1].step", "no such step"),
    ("[[seated]]\nstep = \"2.4\"\ntext = \"x\"", "2.4", "seated[1].step", "no such step"),
    ("[[seated]]\nstep = 2\ntext = \"x\"", "2", "seated[1].step", "repeat"),
    ("[[low_vision]]\nstep = 1\ncolour = \"x\"", "1 (low_vision)", "colour", "not a known"),
    ("[[low_vision]]\ntext = \"x\"", "", "low_vision[1].step", "must name the step"),
])
def test_a_version_of_a_step_that_is_not_there_is_refused(
        tmp_path: Path, table: str, step: str, field: str, fragment: str) -> None:
    text = SCRIPT.split("[[low_vision]]")[0] + table + "\n"
    with pytest.raises(ScriptError) as caught:
        load_exercise(write(tmp_path, text))
    error = caught.value
    assert (error.step, error.field) == (step, field) and fragment in error.problem
    assert "close.toml" in str(error)


def run(tmp_path: Path, name: str, *extra: str) -> list[str]:
    """A whole virtual session of SCRIPT; what it said."""
    soundfile.write(str(tmp_path / "quiet.wav"), silence(0.5), RATE)
    log = tmp_path / f"{name}.jsonl"
    assert main(["run", str(tmp_path / "close.toml"), "--mic-file", str(tmp_path / "quiet.wav"),
                 "--out-file", str(tmp_path / f"{name}.wav"), "--events", str(log),
                 *extra]) == 0
    return [e["text"] for e in read_events(log) if e["type"] == "say_start"]


def test_names_and_needs_are_remembered_across_sessions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, SCRIPT)
    assert main(["couple", "--names", "Ana,Ben", "--low-vision", "ben"]) == 0
    assert "Ana (A) and Ben (B); low vision: Ben" in capsys.readouterr().out
    first = run(tmp_path, "one")
    assert "Ana and Ben, rest your foreheads together." in first
    assert "Ben, listen, with a hand on Ana's." in " ".join(first)
    assert any("stop" in line and "continue" in line for line in first[:1])
    second = run(tmp_path, "two")
    assert second[0].removeprefix("Close. ") in REMINDERS  # the short reminder
    assert "Ana and Ben, rest your foreheads together." in second
    once = run(tmp_path, "three", "--low-vision", "none", "--seated", "A")
    assert "Ana and Ben, sit close." in once and "Ben, watch." in " ".join(once)
    assert main(["couple"]) == 0
    assert "low vision: Ben; staying seated: nobody" in capsys.readouterr().out
    assert first[-1] in CLOSINGS and second[-1] in CLOSINGS and first[-1] != second[-1]


@pytest.mark.parametrize("argv", [["couple", "--low-vision", "Zed"],
                                  ["couple", "--seated", "C"],
                                  ["run", "eye-contact", "--text", "--seated", "Zed"],
                                  ["run", "eye-contact", "--text", "--low-vision", "Sam,Alex"]])
def test_an_unknown_partner_is_one_sentence_naming_those_known(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and "Alex (A) and Sam (B)" in message
    assert "Traceback" not in message


def test_a_damaged_profile_is_set_aside_and_defaults_are_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = Path(__import__("os").environ["ASSISTANT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / COUPLE).write_text('{"names": ["Ana"], "low_vision": 3}')
    assert main(["couple"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Alex (A) and Sam (B)")
    assert captured.err.count("\n") == 1 and "could not be read" in captured.err
    (aside,) = home.glob("couple.unreadable-*.json")
    assert not (home / COUPLE).exists() and aside.stat().st_mode & 0o077 == 0


def test_today_names_the_couple_and_suggests_something_gentler_after_too_much(
        capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import datetime, timezone

    assert main(["couple", "--names", "Ana,Ben", "--seated", "Ana"]) == 0
    journal = Journal(Path(__import__("os").environ["ASSISTANT_HOME"]))
    journal.begin("s1", "balance-play", "Balance play", datetime.now(timezone.utc))
    journal.closing("s1", "too much")
    capsys.readouterr()
    assert main(["today"]) == 0
    out = capsys.readouterr().out
    assert "For Ana (A) and Ben (B)" in out and "staying seated: Ana" in out
    assert "Balance play felt like too much" in out and "assistant run breathe-in-sync" in out


def test_forget_deletes_the_couple_too() -> None:
    assert main(["couple", "--names", "Ana,Ben"]) == 0
    home = Path(__import__("os").environ["ASSISTANT_HOME"])
    assert json.loads((home / COUPLE).read_text())["names"] == ["Ana", "Ben"]
    assert (home / COUPLE).stat().st_mode & 0o077 == 0
    (home / COUPLE).write_text('{"names": ["Ana", "Ben"], "seated": 3}')
    assert main(["couple", "--names", "Ana,Ben"]) == 0  # the damaged one set aside first
    assert len(list(home.glob("couple.*"))) == 3  # the profile, its copy and its lock
    if (home / "cache").is_symlink():  # the run's shared speech: not this home's to forget
        (home / "cache").unlink()
    assert main(["forget", "--yes"]) == 0
    assert not list(home.glob("couple*"))

