"""Half duplex: the microphone rests while the assistant sounds, so a partner who
begins under a bell is not heard until it has rung out. Nothing new is said until
the microphone has listened a moment, and then not over them. On the virtual clock,
through the CLI, a microphone file standing in for the partner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import heard_session

SCRIPT = """
title = "Over the bell"
minutes = 2
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, say what made you smile today."
listener = "{B}, listen."
seconds = 8
[[steps]]
kind = "say"
text = "The end."
"""


def session(tmp_path: Path, mic: np.ndarray, monkeypatch: pytest.MonkeyPatch,
            home: str) -> list[dict[str, Any]]:
    """One session in a home of its own: each a first visit, with the same opening."""
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / home))
    return heard_session(SCRIPT, mic, tmp_path, "--no-echo-cancel")


def test_a_partner_who_began_under_the_bell_is_not_talked_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = session(tmp_path, silence(1.0), monkeypatch, "quiet")
    ended = next(e["t"] for e in quiet if e["type"] == "turn_end")
    # she goes on just as her time runs out, over the bell and past it
    talk = np.concatenate([spoken("and one more thing about the garden"), silence(0.3),
                           spoken("we should plant the roses together this spring")])
    begins = ended + 0.02  # as the bell rings
    finishes = begins + len(talk) / RATE
    events = session(tmp_path, np.concatenate([silence(begins), talk, silence(12.0)]),
                     monkeypatch, "spoken")
    bell = next(e for e in events if e["type"] == "cue" and e["kind"] == "bell")
    assert bell["t"] == ended  # she had not yet been heard: the floor's time was up
    thanks = next(e for e in events if e["type"] == "say_start" and e["t"] > bell["t"])
    assert finishes > bell["t"] + 2.5, "the test speaks past the bell"
    assert thanks["t"] >= finishes, "the thanks waited for her to finish"
    assert thanks["t"] - finishes < 2.0, "and not much longer"
    assert events[-1]["reason"] == "completed"
