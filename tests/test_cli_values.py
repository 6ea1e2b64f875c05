"""What a user types at the command line: numbers out of range, an exercise named like a
file in the current folder, and the keys a typed session teaches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import values
from assistant.cli.main import main
from assistant.script.adapt import TOO_MUCH_NOTICE
from assistant.script.library import load_library
from assistant.script.wordings import REMINDERS, SAFETY, Visit, for_visit
from assistant.session.plan import Names, Speech, build_plan
from assistant.session.typed import typed_plan
from assistant.speech.voice.rendering import MAX_RATE, MIN_RATE, VoiceSettings
from tests.conftest import read_events

ASSISTANT = [sys.executable, "-m", "assistant"]
ODD = ("nan", "inf", "-inf", "1e30", "abc")
EXPORT = ["export", "walk-in-sync", "w.opus"]
# (command, option, a value just outside, the range its sentence gives)
OPTIONS = [
    ([], "--rate", "79", "of words a minute from 80 to 400"),  # the menu's
    (["run", "eye-contact"], "--patience", "0.4", "0.5 to 30 seconds of quiet"),
    (["run", "eye-contact"], "--rate", "0", "80 to 400"),
    (["breathe"], "--volume", "1.5", "0 to 1"),
    (["walk"], "--cue-volume", "-21", "-20 to 6 decibels"),
    (["breathe"], "--seed", "-1", "0 to 4294967295"),
    (["breathe"], "--minutes", "0", "more than 0 and up to 120 minutes"),
    (["breathe"], "--cycles", "0", "1 to 10000"),
    (["breathe"], "--from-bpm", "0.5", "1 to 30 breaths a minute"),
    (["breathe"], "--to-bpm", "31", "1 to 30 breaths a minute"),
    (["walk"], "--spm", "29", "30 to 200 steps a minute"),
    (["walk"], "--to-spm", "201", "30 to 200 steps a minute"),
    (["walk"], "--minutes", "-5", "more than 0 and up to 120 minutes"),
    (["check"], "--seconds", "1e9", "1 to 60 seconds"),
    (EXPORT, "--minutes", "-1", "more than 0 and up to 240 minutes"),
    (EXPORT, "--rate", "0", "80 to 400"),
    (EXPORT, "--cue-volume", "7", "-20 to 6 decibels"),
    (EXPORT, "--seed", "4294967296", "0 to 4294967295"),
    (["export", "--week", "week"], "--days", "0", "of days from 1 to 31"),
    (["export", "--week", "week"], "--minutes", "0", "more than 0 and up to 240"),
    (["export", "breathe", "b.opus"], "--minutes", "0", "more than 0 and up to 240"),
    (["export", "breathe", "b.opus"], "--cycles", "-3", "1 to 10000"),
    (["export", "breathe", "b.opus"], "--from-bpm", "0", "1 to 30"),
    (["export", "breathe", "b.opus"], "--to-bpm", "0", "1 to 30"),
    (["export", "walk", "w.opus"], "--spm", "0", "30 to 200"),
    (["export", "walk", "w.opus"], "--to-spm", "1e9", "30 to 200"),
]


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one sentence `argv` gets, with exit status 2 and nothing written."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 1 and lines[0].startswith("assistant: "), err
    return lines[0]


@pytest.mark.parametrize(("command", "option", "outside", "allowed"), OPTIONS,
                         ids=[f"{' '.join(c[:1]) or 'menu'} {o}" for c, o, _, _ in OPTIONS])
def test_a_number_out_of_range_gets_one_sentence_naming_the_range(
        command: list[str], option: str, outside: str, allowed: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for value in (*ODD, outside):
        sentence = refused([*command, f"{option}={value}"], capsys)
        assert sentence.startswith(f"assistant: {option} takes ") and allowed in sentence
    assert not any(tmp_path.iterdir())  # nothing rendered, nothing written


def test_export_loudness_keeps_its_own_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for value in ("nan", "inf", "-inf", "1e30", "0"):
        assert "-30 to -10 LUFS" in refused([*EXPORT, f"--loudness={value}"], capsys)


def test_the_range_s_own_ends_and_plain_forms_are_taken() -> None:
    assert values.PACER_MINUTES("120") == 120.0 and values.PACER_MINUTES("0.05") == 0.05
    assert values.PRACTICE_MINUTES("240") == 240.0
    assert values.SECONDS("1") == 1.0 and values.SECONDS(" 60 ") == 60.0
    assert values.RATE("80") == 80 and values.RATE("400") == 400
    assert values.SEED("0") == 0 and values.SEED(str(2**32 - 1)) == 2**32 - 1
    assert values.VOLUME("0") == 0.0 and values.CYCLES("10_000") == 10_000


def test_the_rate_offered_before_the_voice_loads_is_the_voice_s() -> None:
    assert VoiceSettings.rate == values.DEFAULT_RATE
    assert values.RATE_RANGE == (MIN_RATE, MAX_RATE)


# -- an exercise id and a file of the same name ------------------------------------------


def typed_session(folder: Path, *argv: str, keys: str = "q\n") -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*ASSISTANT, *argv, "--text"], input=keys, capture_output=True,
                            text=True, timeout=120, cwd=folder)
    assert "Traceback" not in result.stderr
    return result


def test_a_file_named_like_an_exercise_does_not_replace_it(tmp_path: Path) -> None:
    (tmp_path / "daily-check-in").write_text("notes\n")
    result = typed_session(tmp_path, "run", "daily-check-in")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Daily check-in. ")


def test_a_file_named_as_a_path_is_read_as_a_script(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "daily-check-in").write_text("notes\n")
    assert "malformed" in refused(["run", "./daily-check-in", "--text"], capsys)
    assert "no exercise file at daily-check-in.toml" in refused(
        ["run", "daily-check-in.toml", "--text"], capsys)


def test_a_name_no_exercise_has_is_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "mine").write_text('title = "Mine"\nminutes = 5\ninvitation = "Welcome."\n'
                                   '[[steps]]\nkind = "say"\ntext = "Hello."\n')
    result = typed_session(tmp_path, "run", "mine")
    assert result.returncode == 0 and result.stdout.startswith("Mine. Welcome.")


# -- the keys a typed session teaches ----------------------------------------------------


def test_a_typed_session_teaches_keys_not_words(tmp_path: Path) -> None:
    opening = typed_session(tmp_path, "run", "daily-check-in").stdout.splitlines()[0]
    assert "To skip a part, just press s." in opening
    assert "press p, everything pauses" in opening and "q to stop" in opening
    assert not any(f"say {word}" in opening for word in ("skip", "stop", "continue"))


def test_the_keys_it_names_do_what_it_says(tmp_path: Path) -> None:
    lines = typed_session(tmp_path, "breathe", "--cycles", "1",
                          keys="p\np\ns\nq\n").stdout.splitlines()
    assert "press p again to go on, or q to stop" in lines[0]
    assert lines[1:3] == ["Paused. Press p to resume.", "Resuming."]
    assert "Skipping." in lines and lines[-1] == "Session stopped."


def test_a_voice_session_still_says_the_spoken_commands(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    assert main(["breathe", "--cycles", "1", "--out-file", str(tmp_path / "b.wav"),
                 "--events", str(log)]) == 0
    said = [e["text"] for e in read_events(log) if e["type"] == "say_start"]
    assert said[0].endswith(SAFETY)


@pytest.mark.parametrize("visit", [Visit(), Visit(times=2, sessions=2),
                                   Visit(times=1, sessions=1, too_much=True)],
                         ids=["first", "later", "after too much"])
def test_no_typed_prompt_asks_to_say_a_command(visit: Visit) -> None:
    for exercise in load_library():
        plan = build_plan(for_visit(exercise, visit), Names(), notice=TOO_MUCH_NOTICE)
        said = [sound.text for step in typed_plan(plan) for beat in step.beats
                for _, sound in beat.sounds if isinstance(sound, Speech)]
        text = " ".join(said)
        assert "say skip" not in text.lower() and SAFETY not in text, exercise.id
        assert not any(reminder in text for reminder in REMINDERS), exercise.id
        assert "Press s to leave out any part, or p to pause." in text
