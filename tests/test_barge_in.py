"""Yielding to a partner who speaks over a prompt, on the virtual clock, through the CLI.

With headphones the microphone hears partners while the assistant speaks, as it does
with echo cancellation; a microphone file stands in for the partner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assistant.engine.barge import rest_of
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import heard_session

PROMPT = ("Welcome to this short practice. Sit comfortably and let your shoulders drop. "
          "In a moment each of you will have a turn to speak. Take your time with it.")
SCRIPT = f"""
title = "Yielding"
minutes = 3
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "{PROMPT}"
pause = 4
[[steps]]
kind = "say"
text = "The end."
"""


def session(tmp_path: Path, mic: np.ndarray) -> list[dict[str, Any]]:
    return heard_session(SCRIPT, mic, tmp_path, "--headphones")


def prompt_start(events: list[dict[str, Any]]) -> float:
    return float(next(e["t"] for e in events if e["type"] == "say_start"
                      and e["text"] == PROMPT))


def test_the_rest_starts_at_the_sentence_under_way() -> None:
    assert rest_of(PROMPT, 0.0) == PROMPT
    assert rest_of(PROMPT, 0.45).startswith("Sit comfortably")
    assert rest_of(PROMPT, 0.99) == "Take your time with it."
    assert rest_of("One sentence only", 0.7) == "One sentence only"


def test_a_partner_who_goes_on_speaking_stops_the_prompt_which_resumes_after_them(
        tmp_path: Path) -> None:
    # the invitation comes first; find where the long prompt starts, then speak over it
    quiet = session(tmp_path, silence(1.0))
    start = prompt_start(quiet)
    talk = spoken("I would love a quiet morning with you this weekend, really I would")
    over = start + 3.0
    events = session(tmp_path, np.concatenate([silence(over), talk, silence(20.0)]))
    barge = next(e for e in events if e["type"] == "barge_in")
    assert over - 0.032 <= barge["first_word"] / RATE <= over + 0.3  # to a window
    assert barge["t"] - over <= 0.4, "ducked at once"
    cut = next(e for e in events if e["type"] == "say_end" and e.get("cut"))
    assert cut["text"] == PROMPT and cut["t"] < over + len(talk) / RATE
    resumed = next(e for e in events if e["type"] == "say_start" and e["t"] > cut["t"])
    assert resumed["t"] >= over + len(talk) / RATE, "after their pause"
    assert resumed["text"] != PROMPT and PROMPT.endswith(resumed["text"])
    assert events[-1]["reason"] == "completed"


def test_a_short_laugh_only_ducks_the_voice(tmp_path: Path) -> None:
    start = prompt_start(session(tmp_path, silence(1.0)))
    laugh = spoken("ha ha")
    assert len(laugh) / RATE < 0.9
    over = start + 3.0
    events = session(tmp_path, np.concatenate([silence(over), laugh, silence(20.0)]))
    assert [e for e in events if e["type"] == "barge_in"]
    assert [e for e in events if e["type"] == "duck_end"]
    assert not [e for e in events if e["type"] == "say_end" and e.get("cut")]
    assert [e["text"] for e in events if e["type"] == "say_start"].count(PROMPT) == 1
