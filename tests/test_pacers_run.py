"""Breathing and walking pacers on the virtual clock: every cue exactly where it belongs."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.audio.cues import CueBank
from assistant.cli.main import main
from assistant.pacing.patterns import PRESETS
from tests.conftest import read_events

RATE = 16_000
RHYTHM = {"in", "out", "hold", "in_b", "out_b", "hold_b", "step"}


def run(tmp_path: Path, *args: str) -> tuple[list[dict[str, Any]], np.ndarray]:
    out, log = tmp_path / "out.wav", tmp_path / "events.jsonl"
    assert main([*args, "--out-file", str(out), "--events", str(log)]) == 0
    audio, rate = soundfile.read(str(out), dtype="float32")
    assert rate == RATE
    return read_events(log), audio


def rhythm_cues(events: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(round(e["t"] * RATE), e["kind"]) for e in events
            if e["type"] == "cue" and e["kind"] in RHYTHM]


def assert_audio_is_exactly_these_cues(audio: np.ndarray, cues: list[tuple[int, str]],
                                       end: int) -> None:
    """Rebuild the rhythm from the cue bank at the logged samples; it must match the file."""
    bank = CueBank(RATE)
    begin = cues[0][0]
    expected = np.zeros(end - begin, dtype=np.float32)
    for at, kind in cues:
        sound = bank.get(kind)[: end - at]
        expected[at - begin : at - begin + len(sound)] += sound
    assert np.abs(audio[begin:end] - expected).max() < 2 / 32768
    assert abs(audio[begin - 1]) < 1 / 32768, "silence right before the first cue"


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset_puts_every_cue_on_its_exact_sample(preset: str, tmp_path: Path) -> None:
    events, audio = run(tmp_path, "breathe", "--pattern", preset, "--cycles", "3")
    cues = rhythm_cues(events)
    start = cues[0][0]
    pattern = PRESETS[preset]
    onsets = itertools.accumulate(
        (length for _ in range(3) for _, length in pattern.phases), initial=0.0)
    kinds = [kind for _ in range(3) for kind, _ in pattern.phases]
    assert cues == [(start + round(t * RATE), kind) for t, kind in zip(onsets, kinds,
                                                                        strict=False)]
    closing_bell = next(round(e["t"] * RATE) for e in events
                        if e["type"] == "cue" and e["kind"] == "bell")
    assert closing_bell == start + round(3 * pattern.cycle_seconds * RATE)
    assert_audio_is_exactly_these_cues(audio, cues, closing_bell)


def test_alternating_partners_are_anti_phased_and_in_different_registers(
        tmp_path: Path) -> None:
    events, audio = run(tmp_path, "breathe", "--pattern", "equal", "--cycles", "2",
                        "--mode", "alternating", "--names", "Ana,Ben")
    cues = rhythm_cues(events)
    by_sample: dict[int, set[str]] = {}
    for at, kind in cues:
        by_sample.setdefault(at, set()).add(kind)
    phases = [by_sample[at] for at in sorted(by_sample)]
    assert phases == [{"in", "out_b"}, {"out", "in_b"}] * 2
    assert_audio_is_exactly_these_cues(audio, cues, cues[-1][0] + 4 * RATE)
    spoken = " ".join(e["text"] for e in events if e["type"] == "say_start")
    assert "Ana, follow the high, clear tones" in spoken


def test_a_slowing_run_reaches_the_target_rate_on_schedule(tmp_path: Path) -> None:
    events, _ = run(tmp_path, "breathe", "--pattern", "coherent", "--minutes", "4",
                    "--from-bpm", "6", "--to-bpm", "5")
    starts = [at for at, kind in rhythm_cues(events) if kind == "in"]
    lengths = [(b - a) / RATE for a, b in itertools.pairwise(starts)]
    assert lengths[0] == pytest.approx(10.0, abs=1e-4)
    assert lengths[-1] == pytest.approx(12.0, abs=0.2)
    assert all(b >= a for a, b in itertools.pairwise(lengths))
    ramp_end = 240 - 12
    for at, length in zip(starts, lengths, strict=False):
        t = (at - starts[0]) / RATE
        assert length == pytest.approx(60 / (6 - min(t / ramp_end, 1)), abs=1e-4)


def test_the_walking_pacer_ticks_at_the_step_rate(tmp_path: Path) -> None:
    events, audio = run(tmp_path, "walk", "--spm", "120", "--minutes", "0.5")
    cues = rhythm_cues(events)
    assert len(cues) == 60
    assert [b - a for (a, _), (b, _) in itertools.pairwise(cues)] == [RATE // 2] * 59
    assert_audio_is_exactly_these_cues(audio, cues, cues[-1][0] + RATE // 2)


def test_spoken_words_land_on_the_cues(tmp_path: Path) -> None:
    events, _ = run(tmp_path, "breathe", "--pattern", "box", "--cycles", "1", "--words")
    cue_times = [round(e["t"] * RATE) for e in events if e["type"] == "cue"
                 and e["kind"] in RHYTHM]
    words = [(round(e["t"] * RATE), e["text"]) for e in events
             if e["type"] == "say_start" and e["text"] in ("in", "hold", "out")]
    assert [w for _, w in words] == ["in", "hold", "out", "hold"]
    assert [at for at, _ in words] == cue_times


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["breathe", "--pattern", "4-x-8"], "IN-HOLD-OUT-HOLD"),
        (["breathe", "--pattern", "triangle"], "IN-HOLD-OUT-HOLD"),
        (["breathe", "--pattern", "0-0-0-0"], "IN-HOLD-OUT-HOLD"),
        (["breathe", "--pattern=-4-4"], "IN-HOLD-OUT-HOLD"),
        (["breathe", "--pattern", "0.1-0.1"], "IN-HOLD-OUT-HOLD"),
        (["breathe", "--from-bpm", "200"], "breaths a minute"),
        (["breathe", "--to-bpm", "0"], "breaths a minute"),
        (["breathe", "--cycles", "0"], "--cycles"),
        (["breathe", "--minutes", "-3"], "--minutes"),
        (["walk", "--spm", "0"], "steps a minute"),
        (["walk", "--spm", "500"], "steps a minute"),
        (["walk", "--to-spm", "5"], "steps a minute"),
    ],
)
def test_bad_patterns_and_rates_get_one_sentence(args: list[str], fragment: str) -> None:
    result = subprocess.run([sys.executable, "-m", "assistant", *args, "--text"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
