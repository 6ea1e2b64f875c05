"""The menu shown when `assistant` is started with no command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.menu import choice_from_text, menu_text, title_book
from assistant.session.library import load_library
from assistant.speech.commands import Transcript, Word, match

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


def test_the_menu_names_examples() -> None:
    assert EXERCISES[0].title in menu_text(EXERCISES)


def test_without_a_sound_card_the_menu_is_typed_and_the_session_runs_in_text(
        tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    result = subprocess.run([sys.executable, "-m", "assistant"], input="7\nq\n", text=True,
                            capture_output=True, timeout=60, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. ") and "Using the typed menu." in result.stdout
    chosen = EXERCISES[6]
    assert f"Starting {chosen.title}." in lines
    assert lines[-1] == "Session stopped."
