"""Listening on the virtual clock: microphone files of real speech, pauses and noise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.cli.main import main
from assistant.testing.sounds import RATE, noise, silence, spoken
from tests.conftest import first_visit, read_events

SHARE = """
title = "Listen"
minutes = 5
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, tell {B} about your day."
listener = "{B}, just listen."
seconds = 90
"""
SHORT_SHARE = SHARE.replace("seconds = 90", "seconds = 20")
ANSWER = SHARE.replace("seconds = 90", 'seconds = 30\nfloor = "answer"')
TALK = SHARE.replace('partner = "A"', 'partner = "both"').replace(
    'listener = "{B}, just listen."\n', "").replace("seconds = 90", "seconds = 120")
ACTIVITY = TALK.replace("seconds = 120", 'seconds = 40\nfloor = "activity"')
QUIET = SHARE.split("[[steps]]")[0] + """[[steps]]
kind = "silence"
prompt = "Hold each other."
seconds = 40
chime_every = 10
"""
PHRASES = ["This morning I walked to the bakery", "and the sun was already warm",
           "I kept thinking about our trip", "and how much I want to go back"]


def session(tmp_path: Path, script: str, mic: np.ndarray, *extra: str,
            name: str = "run") -> list[dict[str, Any]]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "s.toml").write_text(script, encoding="utf-8")
    soundfile.write(str(folder / "mic.wav"), mic, RATE)
    log = folder / "events.jsonl"
    with first_visit(folder):  # the probe and the run open alike
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


def test_a_share_keeps_thinking_pauses_and_passes_on_after_the_patience(
        tmp_path: Path) -> None:
    start = turn_start(tmp_path, SHARE)
    parts = [silence(start + 1.0)]
    for phrase, pause in zip(PHRASES, (0.4, 2.5, 4.8, 0.0), strict=True):
        parts += [spoken(phrase), silence(pause)]
    speech_end = sum(len(p) for p in parts) / RATE
    events = session(tmp_path, SHARE, np.concatenate([*parts, silence(8.0)]))
    ends = only(events, "turn_end")
    assert len(ends) == 1 and ends[0]["reason"] == "silence" and ends[0]["partner"] == "Ana"
    assert ends[0]["floor"] == "share"
    assert ends[0]["t"] == pytest.approx(speech_end + 6.0, abs=0.04)
    assert len(only(events, "speech_start")) >= 1
    assert only(events, "speech_end")[-1]["t"] == pytest.approx(speech_end, abs=0.04)


def test_patience_is_a_session_option(tmp_path: Path) -> None:
    start = turn_start(tmp_path, SHARE)
    speech = spoken(PHRASES[0])
    mic = np.concatenate([silence(start + 1.0), speech, silence(8.0)])
    events = session(tmp_path, SHARE, mic, "--patience", "4")
    end = only(events, "turn_end")[0]
    assert end["t"] == pytest.approx(start + 1.0 + len(speech) / RATE + 4.0, abs=0.04)


def test_a_timed_turn_ends_politely_at_the_first_pause_after_its_limit(tmp_path: Path) -> None:
    start = turn_start(tmp_path, SHORT_SHARE)
    parts = [silence(start + 1.0)]
    while sum(len(p) for p in parts) / RATE < start + 23.0:  # talks on past the 20 s limit
        parts += [spoken(PHRASES[len(parts) % 4]), silence(0.12)]
    pause_at = sum(len(p) for p in parts) / RATE - 0.12
    events = session(tmp_path, SHORT_SHARE, np.concatenate([*parts, silence(5.0)]))
    end = only(events, "turn_end")[0]
    assert end["reason"] == "time"
    assert start + 20.0 < end["t"] < pause_at + 0.5, "not cut off mid-sentence"
    assert end["t"] >= pause_at
    bell = next(e for e in only(events, "cue") if e["kind"] == "bell")
    assert bell["t"] == pytest.approx(end["t"], abs=0.01)


def test_nobody_speaking_gets_one_reprompt_and_a_minute_of_floor(tmp_path: Path) -> None:
    start = turn_start(tmp_path, SHARE)
    events = session(tmp_path, SHARE, silence(1.0))
    reprompts = [e for e in only(events, "say_start") if "take your time" in e["text"]]
    assert len(reprompts) == 1 and reprompts[0]["t"] == pytest.approx(start + 20.0, abs=0.01)
    end = only(events, "turn_end")[0]
    assert end["reason"] == "no_response"
    assert end["t"] == pytest.approx(start + 60.0, abs=0.01)
    assert events[-1]["reason"] == "completed"


def test_a_partner_who_thinks_for_forty_seconds_keeps_the_floor(tmp_path: Path) -> None:
    start = turn_start(tmp_path, SHARE)
    speech = spoken(PHRASES[0])
    mic = np.concatenate([silence(start + 40.0), speech, silence(8.0)])
    events = session(tmp_path, SHARE, mic)
    end = only(events, "turn_end")[0]
    assert end["reason"] == "silence"
    assert end["t"] == pytest.approx(start + 40.0 + len(speech) / RATE + 6.0, abs=0.04)


def test_an_answer_passes_on_after_a_short_silence(tmp_path: Path) -> None:
    start = turn_start(tmp_path, ANSWER)
    speech = spoken(PHRASES[0])
    mic = np.concatenate([silence(start + 1.0), speech, silence(5.0)])
    events = session(tmp_path, ANSWER, mic)
    end = only(events, "turn_end")[0]
    assert end["reason"] == "silence" and end["floor"] == "answer"
    assert end["t"] == pytest.approx(start + 1.0 + len(speech) / RATE + 2.5, abs=0.04)


def test_a_talk_outlasts_one_partner_thinking_and_ends_on_a_shared_silence(
        tmp_path: Path) -> None:
    start = turn_start(tmp_path, TALK)
    first, second = spoken(PHRASES[0]), spoken(PHRASES[1], voice="en-us+f3")
    mic = np.concatenate([silence(start + 1.0), first, silence(9.0), second, silence(15.0)])
    events = session(tmp_path, TALK, mic)
    end = only(events, "turn_end")[0]
    assert end["partner"] == "both" and end["reason"] == "silence"
    last_word = start + 10.0 + (len(first) + len(second)) / RATE
    heard_until = only(events, "speech_end")[-1]["t"]
    assert heard_until == pytest.approx(last_word, abs=0.15)
    assert end["t"] == pytest.approx(heard_until + 12.0, abs=0.001)


def test_an_activity_runs_its_full_length_through_silence_and_laughter(
        tmp_path: Path) -> None:
    start = turn_start(tmp_path, ACTIVITY)
    laugh = spoken("ha ha ha, that tickles", voice="en-us+f3")
    mic = np.concatenate([silence(start + 25.0), laugh, silence(30.0)])
    events = session(tmp_path, ACTIVITY, mic)
    end = only(events, "turn_end")[0]
    assert end["reason"] == "time" and end["t"] == pytest.approx(start + 40.0, abs=0.001)
    assert not [e for e in only(events, "say_start") if "take your time" in e["text"]]


def test_a_chime_due_while_a_partner_speaks_waits_for_their_pause(tmp_path: Path) -> None:
    start = next(e["t"] for e in session(tmp_path, QUIET, silence(0.1), name="probe")
                 if e["type"] == "cue")  # the bell that opens the quiet phase
    talk = np.concatenate([spoken(PHRASES[0]), silence(0.1), spoken(PHRASES[1])])
    began = start + 8.0  # speaking across the first chime, due at 10 s
    mic = np.concatenate([silence(began), talk, silence(40.0)])
    events = session(tmp_path, QUIET, mic)
    chimes = [e["t"] for e in only(events, "cue") if e["kind"] == "chime"]
    spoke_until = only(events, "speech_end")[0]["t"]
    assert began + len(talk) / RATE - 0.05 < spoke_until
    assert spoke_until < chimes[0] < spoke_until + 0.5, "the chime waited for the pause"
    assert chimes[1:] == pytest.approx([start + 20.0, start + 30.0], abs=0.001)
    waited = only(events, "waited")[0]
    assert waited["seconds"] == pytest.approx(chimes[0] - start - 10.0, abs=0.01)


@pytest.mark.parametrize("kind", ["white", "pink", "hum"])
def test_noise_alone_never_starts_speech(kind: str, tmp_path: Path) -> None:
    events = session(tmp_path, SHARE, noise(kind, 60.0, level=0.05))
    assert only(events, "speech_start") == []
    assert only(events, "turn_end")[0]["reason"] == "no_response"


def test_the_assistants_own_voice_in_the_microphone_does_not_start_a_turn(
        tmp_path: Path) -> None:
    # first run: what the assistant plays (its prompt, then the re-prompt) ...
    session(tmp_path, SHARE, silence(1.0), name="speaker")
    own_voice, _ = soundfile.read(str(tmp_path / "speaker" / "out.wav"), dtype="float32")
    # ... comes straight back into the microphone
    events = session(tmp_path, SHARE, own_voice, name="echo")
    assert only(events, "speech_start") == []
    assert only(events, "turn_end")[0]["reason"] == "no_response"
    # with --headphones the microphone is trusted, and the same echo is heard as speech
    events = session(tmp_path, SHARE, own_voice, "--headphones", name="headphones")
    assert only(events, "speech_start")


def test_the_mute_after_own_sound_covers_the_reported_output_latency(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A speaker that plays 0.8 s late (Bluetooth) sends the echo back that late."""
    from assistant.audio.virtual import VirtualAudio

    def late_echo(name: str) -> np.ndarray:
        """What the speaker played in a session with nobody speaking, 0.8 s late."""
        session(tmp_path, SHARE, silence(1.0), name=name)
        own_voice, _ = soundfile.read(str(tmp_path / name / "out.wav"), dtype="float32")
        return np.concatenate([silence(0.8), own_voice])

    # the fixed 0.3 s tail alone lets the end of the late echo through as "speech" ...
    assert only(session(tmp_path, SHARE, late_echo("speaker"), name="tail"), "speech_start")
    # ... the stream's reported latency added to it keeps the assistant from hearing itself
    # (the session then waits out its own late sound, so its echo is recorded anew)
    monkeypatch.setattr(VirtualAudio, "output_latency", round(0.8 * RATE))
    events = session(tmp_path, SHARE, late_echo("late-speaker"), name="latency")
    assert only(events, "speech_start") == []
