"""Listening on the virtual clock: microphone files of real speech, pauses and noise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.cli import main
from assistant.testing import RATE, noise, silence, spoken
from tests.conftest import read_events

OPEN_TURN = """
title = "Listen"
minutes = 5
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, tell {B} about your day."
listener = "{B}, just listen."
seconds = 90
open = true
"""
TIMED_TURN = OPEN_TURN.replace("seconds = 90\nopen = true", "seconds = 20\nopen = false")
PHRASES = ["This morning I walked to the bakery", "and the sun was already warm",
           "I kept thinking about our trip", "and how much I want to go back"]


def session(tmp_path: Path, script: str, mic: np.ndarray, *extra: str,
            name: str = "run") -> list[dict[str, Any]]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "s.toml").write_text(script, encoding="utf-8")
    soundfile.write(str(folder / "mic.wav"), mic, RATE)
    log = folder / "events.jsonl"
    assert main(["run", str(folder / "s.toml"), "--mic-file", str(folder / "mic.wav"),
                 "--out-file", str(folder / "out.wav"), "--events", str(log),
                 "--names", "Ana,Ben", *extra]) == 0
    return read_events(log)


def turn_start(tmp_path: Path, script: str) -> float:
    """When the turn opens: everything before it is the same whatever the mic hears."""
    events = session(tmp_path, script, silence(0.1), name="probe")
    return float(next(e["t"] for e in events if e["type"] == "turn_start"))


def only(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def test_an_open_turn_ends_after_the_patience_and_not_during_pauses(tmp_path: Path) -> None:
    start = turn_start(tmp_path, OPEN_TURN)
    parts = [silence(start + 1.0)]
    for phrase, pause in zip(PHRASES, (0.4, 0.8, 1.5, 0.0), strict=True):
        parts += [spoken(phrase), silence(pause)]
    speech_end = sum(len(p) for p in parts) / RATE
    events = session(tmp_path, OPEN_TURN, np.concatenate([*parts, silence(6.0)]))
    ends = only(events, "turn_end")
    assert len(ends) == 1 and ends[0]["reason"] == "silence" and ends[0]["partner"] == "Ana"
    assert ends[0]["t"] == pytest.approx(speech_end + 2.0, abs=0.04)
    assert len(only(events, "speech_start")) >= 1
    assert only(events, "speech_end")[-1]["t"] == pytest.approx(speech_end, abs=0.04)


def test_patience_is_a_session_option(tmp_path: Path) -> None:
    start = turn_start(tmp_path, OPEN_TURN)
    speech = spoken(PHRASES[0])
    mic = np.concatenate([silence(start + 1.0), speech, silence(8.0)])
    events = session(tmp_path, OPEN_TURN, mic, "--patience", "4")
    end = only(events, "turn_end")[0]
    assert end["t"] == pytest.approx(start + 1.0 + len(speech) / RATE + 4.0, abs=0.04)


def test_a_timed_turn_ends_politely_at_the_first_pause_after_its_limit(tmp_path: Path) -> None:
    start = turn_start(tmp_path, TIMED_TURN)
    parts = [silence(start + 1.0)]
    while sum(len(p) for p in parts) / RATE < start + 23.0:  # talks on past the 20 s limit
        parts += [spoken(PHRASES[len(parts) % 4]), silence(0.12)]
    pause_at = sum(len(p) for p in parts) / RATE - 0.12
    events = session(tmp_path, TIMED_TURN, np.concatenate([*parts, silence(5.0)]))
    end = only(events, "turn_end")[0]
    assert end["reason"] == "time"
    assert start + 20.0 < end["t"] < pause_at + 0.5, "not cut off mid-sentence"
    assert end["t"] >= pause_at
    bell = next(e for e in only(events, "cue") if e["kind"] == "bell")
    assert bell["t"] == pytest.approx(end["t"], abs=0.01)


def test_nobody_speaking_gets_one_reprompt_then_the_turn_moves_on(tmp_path: Path) -> None:
    start = turn_start(tmp_path, OPEN_TURN)
    events = session(tmp_path, OPEN_TURN, silence(1.0))
    reprompts = [e for e in only(events, "say_start") if "take your time" in e["text"]]
    assert len(reprompts) == 1 and reprompts[0]["t"] == pytest.approx(start + 15.0, abs=0.01)
    end = only(events, "turn_end")[0]
    assert end["reason"] == "no_response"
    assert end["t"] == pytest.approx(start + 30.0, abs=0.01)
    assert events[-1]["reason"] == "completed"


@pytest.mark.parametrize("kind", ["white", "pink", "hum"])
def test_noise_alone_never_starts_speech(kind: str, tmp_path: Path) -> None:
    events = session(tmp_path, OPEN_TURN, noise(kind, 60.0, level=0.05))
    assert only(events, "speech_start") == []
    assert only(events, "turn_end")[0]["reason"] == "no_response"


def test_the_assistants_own_voice_in_the_microphone_does_not_start_a_turn(
        tmp_path: Path) -> None:
    # first run: what the assistant plays (its prompt, then the re-prompt) ...
    session(tmp_path, OPEN_TURN, silence(1.0), name="speaker")
    own_voice, _ = soundfile.read(str(tmp_path / "speaker" / "out.wav"), dtype="float32")
    # ... comes straight back into the microphone
    events = session(tmp_path, OPEN_TURN, own_voice, name="echo")
    assert only(events, "speech_start") == []
    assert only(events, "turn_end")[0]["reason"] == "no_response"
    # with --headphones the microphone is trusted, and the same echo is heard as speech
    events = session(tmp_path, OPEN_TURN, own_voice, "--headphones", name="headphones")
    assert only(events, "speech_start")


def test_the_mute_after_own_sound_covers_the_reported_output_latency(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A speaker that plays 0.8 s late (Bluetooth) sends the echo back that late."""
    from assistant.audio.virtual import VirtualAudio

    session(tmp_path, OPEN_TURN, silence(1.0), name="speaker")
    own_voice, _ = soundfile.read(str(tmp_path / "speaker" / "out.wav"), dtype="float32")
    late_echo = np.concatenate([silence(0.8), own_voice])
    # the fixed 0.3 s tail alone lets the end of the late echo through as "speech" ...
    assert only(session(tmp_path, OPEN_TURN, late_echo, name="tail"), "speech_start")
    # ... the stream's reported latency added to it keeps the assistant from hearing itself
    monkeypatch.setattr(VirtualAudio, "output_latency", round(0.8 * RATE))
    events = session(tmp_path, OPEN_TURN, late_echo, name="latency")
    assert only(events, "speech_start") == []
