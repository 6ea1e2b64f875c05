"""An export's memory does not grow with its length: an hour takes what five minutes take.

Each export runs as `assistant export` in a child process of its own, and its
high-water resident memory is read from that child alone (wait4). An hour of
mono at 16 kHz is 230 MB as float32, so an export that held it would pass the
bound by far. The passes that make this so, a block at a time, give what the
whole signal at once gives: the same loudness, the same limited samples.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile

from assistant.export.mastering import limited, shaped
from assistant.export.meter import LoudnessMeter, PeakMeter
from assistant.export.spool import Spool

ARGS = ["--mono", "--names", "Ana,Ben", "--seed", "1"]
SLACK = 1.2  # an hour's peak against five minutes'


def peak_rss(args: list[str]) -> int:
    """The child's high-water resident memory, in bytes."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "assistant", "export", *args],
                                 stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        errors.seek(0)
        assert os.waitstatus_to_exitcode(status) == 0, errors.read().decode()
    return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="wait4 reports a child's own memory")
def test_an_hour_long_export_peaks_within_a_fifth_of_a_five_minute_ones(tmp_path: Path) -> None:
    # the prompts rendered first, so neither measured export pays for speech synthesis
    peak_rss(["breathe", str(tmp_path / "warm.wav"), "--cycles", "1", *ARGS])
    short = peak_rss(["breathe", str(tmp_path / "short.wav"), "--minutes", "5", *ARGS])
    long = peak_rss(["breathe", str(tmp_path / "long.wav"), "--minutes", "60", *ARGS])
    hour = soundfile.info(str(tmp_path / "long.wav"))
    assert hour.duration > 60 * 60 and hour.channels == 1
    assert long <= SLACK * short, f"{long / 2**20:.0f} MB against {short / 2**20:.0f} MB"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.wav", "short.wav", "warm.wav"]


RATE = 16_000


def speech_like(seconds: float, channels: int) -> np.ndarray:
    """Noise in syllables with pauses, quiet stretches and a few loud peaks."""
    rng = np.random.default_rng(5)
    t = np.arange(round(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 2.3 * t), 0, None) * (np.sin(2 * np.pi * 0.1 * t) > -0.5)
    signal = 0.1 * rng.standard_normal((len(t), channels)) * envelope[:, None]
    signal[rng.integers(0, len(t), 20)] = 0.95  # clicks for the limiter
    return signal.astype(np.float32)


@pytest.mark.parametrize("channels", [1, 2])
def test_the_streaming_meter_agrees_with_pyloudnorm_whatever_the_blocks(channels: int) -> None:
    signal = speech_like(37.3, channels)
    meter, peak = LoudnessMeter(RATE, channels), PeakMeter(RATE, channels)
    for start in range(0, len(signal), 1_234):  # blocks that cut the 100 ms steps anywhere
        meter.add(signal[start:start + 1_234])
        peak.add(signal[start:start + 1_234])
    reference = pyloudnorm.Meter(RATE).integrated_loudness(signal.astype(np.float64))
    assert meter.integrated() == pytest.approx(reference, abs=0.05)
    assert peak.true_peak() >= 20 * np.log10(0.95) - 1e-3  # the clicks, at least


def test_the_limiter_block_by_block_gives_the_samples_it_gives_the_whole(
        tmp_path: Path) -> None:
    signal = speech_like(25.7, 2)
    with (tmp_path / "spool").open("w+b") as file:
        spool = Spool(file, RATE, 2)
        for start in range(0, len(signal), RATE):
            spool.write(signal[start:start + RATE])
        assert spool.frames == len(signal)
        assert spool.loudness.integrated() == pytest.approx(
            pyloudnorm.Meter(RATE).integrated_loudness(signal.astype(np.float64)), abs=0.05)
        blocks = np.concatenate(list(shaped(spool, 6.0, 0.5)))
    whole = limited(signal * np.float32(10 ** (6.0 / 20)), 0.5, RATE)
    assert np.abs(whole).max() <= 0.5 < np.abs(signal * 2).max()
    np.testing.assert_allclose(blocks, whole, atol=1e-7)
