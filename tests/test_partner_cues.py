"""Partnered breathing on the virtual clock: cues each partner can tell apart, placed left
and right, named in words and text, and every cue as loud as the voice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
import pytest
import soundfile

from assistant.audio.cues import CueBank
from assistant.audio.mixer import CEILING, Mixer
from assistant.cli.main import main
from assistant.script.standalone import breathing_session
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
from assistant.testing.harness import ScriptedAudio
from tests.conftest import read_events

RATE = 16_000
BANK = CueBank(RATE)


def loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770 by the reference meter, not the one the assistant levels with."""
    block = min(0.4, len(samples) / rate)
    return float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(
        np.asarray(samples, dtype=np.float64)))


def run(tmp_path: Path, *args: str) -> tuple[list[dict[str, Any]], np.ndarray]:
    out, log = tmp_path / "out.wav", tmp_path / "events.jsonl"
    assert main([*args, "--names", "Ana,Ben", "--out-file", str(out),
                 "--events", str(log)]) == 0
    audio, rate = soundfile.read(str(out), dtype="float32", always_2d=True)
    assert rate == RATE
    return read_events(log), audio


def span(event: dict[str, Any], events: list[dict[str, Any]]) -> tuple[int, int]:
    start = round(event["t"] * RATE)
    if event["type"] == "cue":
        return start, start + len(BANK.get(event["kind"]))
    end = next(e for e in events if e["type"] == "say_end" and e["t"] >= event["t"]
               and e["text"] == event["text"])
    return start, round(end["t"] * RATE)


def test_a_stereo_out_file_has_a_cues_on_the_left_and_b_cues_on_the_right(
        tmp_path: Path) -> None:
    events, audio = run(tmp_path, "breathe", "--mode", "alternating", "--cycles", "2",
                        "--stereo")
    assert audio.shape[1] == 2
    cues = [e for e in events if e["type"] == "cue" and e["kind"] not in ("bell",)]
    assert {e["partner"] for e in cues} == {"Ana", "Ben"}
    assert all(e["kind"].endswith("_b") == (e["partner"] == "Ben") for e in cues)
    begin = round(cues[0]["t"] * RATE)
    end = max(span(e, events)[1] for e in cues)
    expected = np.zeros((end - begin, 2), dtype=np.float32)
    for cue in cues:
        a, b = span(cue, events)
        expected[a - begin : b - begin, 0 if cue["partner"] == "Ana" else 1] += BANK.get(
            cue["kind"])
    # the left channel is exactly Ana's cues and the right exactly Ben's
    assert np.abs(audio[begin:end] - expected).max() < 2 / 32768


def test_a_mono_out_file_is_the_default_and_shared_cues_are_for_both(tmp_path: Path) -> None:
    events, audio = run(tmp_path, "breathe", "--cycles", "1")
    assert audio.shape[1] == 1
    assert {e["partner"] for e in events if e["type"] == "cue"} == {"both"}


def test_spoken_cue_words_name_the_partners(tmp_path: Path) -> None:
    events, _ = run(tmp_path, "breathe", "--mode", "alternating", "--cycles", "1", "--words",
                    "--pattern", "4-2-4")
    words = [e["text"] for e in events if e["type"] == "say_start" and "," in e["text"]
             and len(e["text"]) < 20]
    assert words == ["Ana in, Ben out", "Ana out, Ben in"]
    assert "hold" in [e["text"] for e in events if e["type"] == "say_start"]


@pytest.mark.parametrize("args", [
    ("breathe", "--pattern", "box", "--cycles", "2"),  # bell, in, hold, out
    ("walk", "--minutes", "0.2"),  # step
])
def test_each_kind_of_cue_is_within_3_db_of_the_speech(args: tuple[str, ...],
                                                       tmp_path: Path) -> None:
    events, audio = run(tmp_path, *args)
    mono = audio[:, 0]
    speech = [loudness(mono[slice(*span(e, events))], RATE) for e in events
              if e["type"] == "say_start"]
    voice = float(np.mean(speech))
    kinds: dict[str, list[float]] = {}
    for cue in (e for e in events if e["type"] == "cue"):
        kinds.setdefault(cue["kind"], []).append(loudness(mono[slice(*span(cue, events))],
                                                          RATE))
    assert len(kinds) >= 1
    for kind, levels in kinds.items():
        assert abs(float(np.mean(levels)) - voice) < 3.0, f"{kind}: {levels} against {voice}"


def test_partner_b_cues_are_as_loud_as_the_speech_too(tmp_path: Path) -> None:
    events, audio = run(tmp_path, "breathe", "--mode", "alternating", "--cycles", "2",
                        "--stereo")
    voice = float(np.mean([loudness(audio[slice(*span(e, events))], RATE) for e in events
                           if e["type"] == "say_start"]))
    for cue in (e for e in events if e["type"] == "cue" and e["partner"] == "Ben"):
        right = audio[slice(*span(cue, events)), 1]
        assert abs(loudness(right, RATE) - voice) < 3.0


def test_cue_volume_moves_the_cues_away_from_the_voice(tmp_path: Path) -> None:
    events, audio = run(tmp_path, "walk", "--minutes", "0.2", "--cue-volume", "-10")
    mono = audio[:, 0]
    voice = float(np.mean([loudness(mono[slice(*span(e, events))], RATE) for e in events
                           if e["type"] == "say_start"]))
    step = next(e for e in events if e["type"] == "cue" and e["kind"] == "step")
    assert loudness(mono[slice(*span(step, events))], RATE) - voice == pytest.approx(-10, abs=1)


def test_volume_scales_speech_and_cues_alike(tmp_path: Path) -> None:
    full, quiet = tmp_path / "full", tmp_path / "quiet"
    full.mkdir()
    quiet.mkdir()
    _, loud_audio = run(full, "breathe", "--cycles", "1")
    _, soft_audio = run(quiet, "breathe", "--cycles", "1", "--volume", "0.5")
    assert np.abs(soft_audio - 0.5 * loud_audio).max() < 3 / 32768


def test_at_the_highest_volume_no_sample_reaches_full_scale(tmp_path: Path) -> None:
    """Louder as far as it goes, with words spoken over the cues: the limiter holds."""
    exercise = breathing_session("box", cycles=2, mode="alternating", words=True)
    plan = build_plan(exercise, Names("Ana", "Ben"))
    voice = LevelledVoice(SystemVoice(VoiceSettings(), RATE), RATE)
    out = tmp_path / "loud.wav"
    mixer = Mixer(RATE, channels=2)
    louder = [(0.1 * n, "louder") for n in range(1, 10)]
    from assistant.engine.runner import SessionRunner

    SessionRunner(SessionMachine(plan, RATE), ScriptedAudio(louder, RATE, out), mixer, voice,
                  BANK).run()
    assert mixer.gain == 2.0
    audio, _ = soundfile.read(str(out), dtype="float32")
    assert np.abs(audio).max() <= CEILING + 1 / 32768 < 1.0
