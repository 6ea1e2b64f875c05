#!/usr/bin/env python3
"""Cue loudness against the voice, and how far apart the two partners' cues sit.

Runs short sessions on the virtual clock into WAV files (box breathing together,
alternating breathing in stereo, walking, and a quiet phase with chimes), then
measures every logged prompt and cue in the file with ITU-R BS.1770 (pyloudnorm,
the reference meter, not the assistant's own):
the table gives, per cue kind, its mean loudness minus the mean loudness of the
speech in the same run. Then the spectral centroid (power-weighted mean
frequency) of each partner's breath cue, and the distance between them in
octaves.

Run: .venv/bin/python scripts/bench_loudness.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyloudnorm
import soundfile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.audio.cues import CueBank, synthesise  # noqa: E402
from assistant.cli.main import main  # noqa: E402

RATE = 16_000
QUIET = """
title = "Quiet"
minutes = 3
invitation = "Only if you like."
[[steps]]
kind = "silence"
prompt = "Rest together, and listen for the chimes."
seconds = 40
chime_every = 10
closing = "Gently come back."
"""
RUNS: dict[str, list[str]] = {
    "box breathing": ["breathe", "--pattern", "box", "--cycles", "3"],
    "alternating, stereo": ["breathe", "--mode", "alternating", "--cycles", "3", "--stereo"],
    "walking": ["walk", "--minutes", "0.5"],
    "quiet phase": ["run", "QUIET"],
}
Audio = npt.NDArray[np.float32]


def loudness(samples: Audio, rate: int) -> float:
    """BS.1770 loudness by pyloudnorm, the reference meter (not the assistant's own)."""
    block = min(0.4, len(samples) / rate)
    return float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(
        np.asarray(samples, dtype=np.float64)))


def run(folder: Path, args: list[str]) -> tuple[list[dict[str, Any]], Audio]:
    out, log = folder / "out.wav", folder / "events.jsonl"
    script = folder / "quiet.toml"
    script.write_text(QUIET, encoding="utf-8")
    args = [str(script) if a == "QUIET" else a for a in args]
    if main([*args, "--names", "Ana,Ben", "--out-file", str(out), "--events", str(log)]):
        raise SystemExit(f"the run {args} failed")
    audio, _ = soundfile.read(str(out), dtype="float32", always_2d=True)
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return events, audio


Measured = tuple[float, float, dict[str, list[float]], dict[str, float]]


def measure(events: list[dict[str, Any]], audio: Audio) -> Measured:
    """Speech loudness and peak; each cue kind's loudnesses and highest peak."""
    bank = CueBank(RATE)
    ends = [e for e in events if e["type"] == "say_end"]
    speech, speech_peak = [], 0.0
    for start in (e for e in events if e["type"] == "say_start"):
        end = next(e for e in ends if e["t"] >= start["t"] and e["text"] == start["text"])
        segment = audio[round(start["t"] * RATE) : round(end["t"] * RATE)]
        speech.append(loudness(segment, RATE))
        speech_peak = max(speech_peak, float(np.abs(segment).max()))
    kinds: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    for cue in (e for e in events if e["type"] == "cue"):
        a = round(cue["t"] * RATE)
        segment = audio[a : a + len(bank.get(cue["kind"]))]
        if audio.shape[1] == 2 and cue["partner"] != "both":  # only the partner's side
            segment = segment[:, 1 if cue["kind"].endswith("_b") else 0]
        kinds.setdefault(cue["kind"], []).append(loudness(segment, RATE))
        peaks[cue["kind"]] = max(peaks.get(cue["kind"], 0.0), float(np.abs(segment).max()))
    return float(np.mean(speech)), speech_peak, kinds, peaks


def _db(value: float) -> str:
    return f"{round(value, 2) + 0.0:+.2f}"  # + 0.0: never print -0.00


def centroid(signal: Audio) -> float:
    power = np.abs(np.fft.rfft(signal)) ** 2
    return float((power * np.fft.rfftfreq(len(signal), 1 / RATE)).sum() / power.sum())


def main_bench() -> None:
    print("| run | speech (LUFS) | cue | cues measured | cue minus speech (dB), mean | "
          "range | peak minus speech peak (dB) |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, args in RUNS.items():
            place = Path(folder) / name.replace(" ", "-").replace(",", "")
            place.mkdir()
            voice, voice_peak, kinds, peaks = measure(*run(place, args))
            for kind, levels in sorted(kinds.items()):
                apart = [level - voice for level in levels]
                peak = 20 * np.log10(peaks[kind] / voice_peak)
                print(f"| {name} | {voice:.2f} | {kind} | {len(levels)} | "
                      f"{_db(float(np.mean(apart)))} | {_db(min(apart))} to {_db(max(apart))} "
                      f"| {_db(float(peak))} |")
    print()
    print("| cue | partner A centroid (Hz) | partner B centroid (Hz) | apart (octaves) |")
    print("|---|---|---|---|")
    for kind in ("in", "out", "hold"):
        a, b = centroid(synthesise(kind, RATE)), centroid(synthesise(f"{kind}_b", RATE))
        print(f"| {kind} | {a:.0f} | {b:.0f} | {np.log2(a / b):.2f} |")


if __name__ == "__main__":
    main_bench()
