#!/usr/bin/env python3
"""Cue timing, live: the assistant's pacer against a naive sleep-and-play pacer.

Both run 10 minutes of box breathing (a cue every 4 s) at the same time, each into
its own PulseAudio null sink, through sounddevice/PortAudio. Each sink's monitor
is recorded; the cue onsets are found by matched filtering against the known cue
waveforms; after removing the constant output latency (the mean offset over the
first minute), the deviation of each onset from the ideal 4-second grid is
printed, as is the drift between the first and the last minute.

Run: .venv/bin/python scripts/bench_cue_timing.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.signal import correlate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.audio.cues import CueBank  # noqa: E402
from assistant.testing.pulse import PulseServer  # noqa: E402

RATE = 16_000
PHASE_SECONDS = 4.0
BOX = ("in", "hold", "out", "hold")


def naive_pacer(minutes: float) -> None:
    """What a simple app does: play a cue, sleep the phase length, repeat."""
    import sounddevice as sd

    bank = CueBank(RATE)
    for n in range(round(minutes * 60 / PHASE_SECONDS)):
        sd.play(bank.get(BOX[n % 4]), RATE)
        time.sleep(PHASE_SECONDS)


def record(pulse: PulseServer, sink: str, path: Path) -> subprocess.Popen[bytes]:
    with path.open("wb") as file:
        return subprocess.Popen(
            ["parec", f"--device={sink}.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
             "--channels=1"], env=pulse.env, stdout=file, stderr=subprocess.DEVNULL)


def keep_running(pulse: PulseServer, sink: str) -> subprocess.Popen[bytes]:
    """A silent stream, so the sink (and so its monitor) never idles between cues."""
    return subprocess.Popen(
        ["pacat", "--playback", f"--device={sink}", "--raw", "--format=s16le",
         f"--rate={RATE}", "--channels=1", "/dev/zero"], env=pulse.env,
        stderr=subprocess.DEVNULL)


def first_match(audio: np.ndarray, template: np.ndarray) -> int:
    """The first place `template` fits `audio` (nearly) as well as anywhere: every cue of a
    kind is identical, so the best score recurs; FFT cross-correlation finds them all."""
    size = 1 << int(np.ceil(np.log2(len(audio) + len(template))))
    score = np.fft.irfft(np.fft.rfft(audio, size) * np.conj(np.fft.rfft(template, size)), size)
    score = score[: len(audio) - len(template)]
    first = int(np.flatnonzero(score >= 0.9 * score.max())[0])
    window = score[first : first + len(template)]
    return first + int(np.argmax(window))


def find_onsets(audio: np.ndarray, count: int) -> list[int]:
    """Each cue's first sample, by matched filtering around its expected place."""
    bank = CueBank(RATE)
    opening = audio[: 90 * RATE]  # the first breath comes after at most the spoken opening
    onsets: list[int] = []
    guess = first_match(opening, bank.get("in"))
    for n in range(count):
        template = bank.get(BOX[n % 4])
        lo = max(0, guess - RATE)
        hi = min(len(audio) - len(template), guess + RATE)
        if hi <= lo:
            break
        window = audio[lo : hi + len(template)]
        score = correlate(window, template, mode="valid", method="fft")
        best = lo + int(np.argmax(score))
        onsets.append(best)
        guess = best + round(PHASE_SECONDS * RATE)
    return onsets


def report(name: str, onsets: list[int]) -> dict[str, float]:
    ideal = np.arange(len(onsets)) * PHASE_SECONDS * RATE
    offset = (np.asarray(onsets) - ideal) / RATE * 1000  # ms
    per_minute = round(60 / PHASE_SECONDS)
    latency = offset[:per_minute].mean()
    deviation = np.abs(offset - latency)
    return {
        "cues": len(onsets),
        "max": float(deviation.max()),
        "p95": float(np.percentile(deviation, 95)),
        "drift": float(offset[-per_minute:].mean() - latency),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--keep", type=Path, help="keep the recordings in this folder")
    parser.add_argument("--naive-pacer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_pacer:
        naive_pacer(args.minutes)
        return

    with tempfile.TemporaryDirectory() as scratch, PulseServer(Path(scratch) / "pulse") as pulse:
        if args.keep:
            scratch = str(args.keep)
        pulse.pactl("load-module", "module-null-sink", "sink_name=naive", f"rate={RATE}",
                    "channels=1", "norewinds=1")
        folder = Path(scratch)
        helpers = [keep_running(pulse, "speaker"), keep_running(pulse, "naive"),
                   record(pulse, "speaker", folder / "ours.raw"),
                   record(pulse, "naive", folder / "naive.raw")]
        time.sleep(1.0)
        print(f"playing {args.minutes:g} minutes of box breathing, twice at once ...",
              flush=True)
        ours = subprocess.Popen(
            [sys.executable, "-m", "assistant", "breathe", "--pattern", "box", "--minutes",
             str(args.minutes), "--mono"],
            env={**pulse.env, "PULSE_SINK": "speaker"}, stdout=subprocess.DEVNULL)
        naive = subprocess.Popen(
            [sys.executable, __file__, "--naive-pacer", "--minutes", str(args.minutes)],
            env={**pulse.env, "PULSE_SINK": "naive"})
        ours.wait()
        naive.wait()
        time.sleep(1.0)
        for helper in helpers:
            helper.terminate()
            helper.wait()
        count = round(args.minutes * 60 / PHASE_SECONDS)
        results = {}
        for name in ("ours", "naive"):
            raw = np.fromfile(folder / f"{name}.raw", dtype=np.int16).astype(np.float32) / 32768
            results[name] = report(name, find_onsets(raw, count))

    print(f"\n{'':24}{'assistant pacer':>18}{'naive sleep+play':>18}")
    rows = [("cues found", "cues", "{:.0f}"), ("max deviation (ms)", "max", "{:.2f}"),
            ("95th percentile (ms)", "p95", "{:.2f}"),
            ("drift, last vs first minute (ms)", "drift", "{:+.2f}")]
    for label, key, form in rows:
        print(f"{label:24}{form.format(results['ours'][key]):>18}"
              f"{form.format(results['naive'][key]):>18}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
