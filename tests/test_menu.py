"""The menu shown when `assistant` is started with no command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.cli.spoken_menu import choice_from_text, title_book
from assistant.script.library import load_library
from assistant.speech.commands.matcher import Transcript, Word, match
from assistant.testing.sounds import silence, spoken
from tests.conftest import read_events

EXERCISES = load_library()


@pytest.mark.parametrize(("typed", "expected"), [
    ("1", EXERCISES[0].id), ("eye-contact", "eye-contact"), ("Eye contact", "eye-contact"),
    (" 21 \n", EXERCISES[20].id),
])
def test_a_number_an_id_or_a_title_picks_an_exercise(typed: str, expected: str) -> None:
    chosen = choice_from_text(typed, EXERCISES)
    assert chosen is not None and chosen.id == expected


@pytest.mark.parametrize("typed", ["0", "25", "dance", ""])
def test_anything_else_picks_nothing(typed: str) -> None:
    assert choice_from_text(typed, EXERCISES) is None


def test_a_spoken_title_is_matched_whole_through_the_title_grammar() -> None:
    book = title_book(EXERCISES)
    said = Transcript(tuple(Word(w, 0.9) for w in ["eye", "contact"]))
    assert match(said, book, "guiding") == "eye-contact"
    longer = Transcript(tuple(Word(w, 0.9) for w in ["maybe", "eye", "contact"]))
    assert match(longer, book, "guiding") is None


def virtual_menu(tmp_path: Path, mic: np.ndarray, typed: str = "",
                 name: str = "run") -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """`assistant` with no command on the virtual clock, with no speech model."""
    mic_file, events = tmp_path / f"{name}-mic.wav", tmp_path / f"{name}.jsonl"
    soundfile.write(str(mic_file), mic, 16000)
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_VOSK_MODEL"}
    env["ASSISTANT_MODELS_DIR"] = str(tmp_path / "no-models")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--mic-file", str(mic_file), "--out-file",
         str(tmp_path / f"{name}.wav"), "--events", str(events)],
        input=typed, text=True, capture_output=True, timeout=120, env=env)
    assert "Traceback" not in result.stderr
    return result, read_events(events)


def said(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["type"] == "say_start"]


def test_silence_hears_the_list_twice_then_the_menu_waits_for_a_key(tmp_path: Path) -> None:
    result, events = virtual_menu(tmp_path, silence(1.0))
    assert result.returncode == 1 and "No practice was chosen" in result.stderr
    titles = [text for text in said(events) if text[0].isdigit()]
    assert titles == [f"{n}. {e.title}." for n, e in enumerate(EXERCISES, 1)] * 2
    assert said(events)[-1].startswith("I will wait for you to type")
    ends = [e["text"] for e in events if e["type"] == "say_end"]
    assert ends == said(events)  # each title is a say_start / say_end pair
    printed = result.stdout.splitlines()
    assert all(text in printed for text in said(events))  # everything spoken is printed
    assert sum("Voice commands are off" in text for text in said(events)) == 1


def test_speech_in_the_pause_after_the_third_title_starts_the_third_practice(
        tmp_path: Path) -> None:
    _, quiet = virtual_menu(tmp_path, silence(1.0), name="quiet")
    third = EXERCISES[2]
    after_third = next(e["t"] for e in quiet
                       if e["type"] == "say_end" and e["text"] == f"3. {third.title}.")
    mic = np.concatenate([silence(after_third + 0.4), spoken("yes"), silence(2.0)])
    result, events = virtual_menu(tmp_path, mic)
    assert result.returncode == 0, result.stderr
    choice = next(e for e in events if e["type"] == "menu_choice")
    assert choice["exercise"] == third.id and choice["by"] == "pause"
    assert not any(text.startswith("4. ") for text in said(events))
    assert f"{third.title}. Let us begin." in result.stdout.splitlines()
    start = next(e for e in events if e["type"] == "session_start")
    assert start["exercise"] == third.id and start["t"] > choice["t"]
    # the session's first words are the exercise's own, not the notice
    session_said = [e["text"] for e in events
                    if e["type"] == "say_start" and e["t"] >= start["t"]]
    assert session_said[0].startswith(third.title)
    assert not any("Voice commands are off" in text for text in session_said)


def test_a_typed_number_chooses_whatever_is_being_read(tmp_path: Path) -> None:
    result, events = virtual_menu(tmp_path, silence(1.0), typed="5\n")
    assert result.returncode == 0, result.stderr
    choice = next(e for e in events if e["type"] == "menu_choice")
    assert choice["exercise"] == EXERCISES[4].id and choice["by"] == "typed"


def test_without_a_sound_card_the_menu_is_typed_and_the_session_runs_in_text(
        tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    result = subprocess.run([sys.executable, "-m", "assistant"], input="7\nq\n", text=True,
                            capture_output=True, timeout=60, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. ") and "Using the typed menu." in result.stdout
    assert "type its number" in result.stdout
    chosen = EXERCISES[6]
    assert f"Starting {chosen.title}." in lines
    assert lines[-1] == "Session stopped."
