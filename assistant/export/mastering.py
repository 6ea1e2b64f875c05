"""Loudness for listening on the move: -16 LUFS integrated, true peaks under -1 dBTP.

A session plays at -23 LUFS, the broadcast level; a phone outdoors needs more.
The gain that reaches the target would push speech peaks past full scale, so a
look-ahead limiter holds them down, and since a lossy codec's decoder overshoots
what it was given (Opus by up to 3 dB), the peak that counts is measured on the
decoded file, four times oversampled (BS.1770's true peak); the limit is lowered
and the file encoded again until it holds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import soundfile
import soxr
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import sosfilt

from assistant.audio.loudness import k_weighting
from assistant.export.formats import PEAK_LIMIT, TARGET_LOUDNESS, Codec, encode

LOOK_AHEAD = 0.05  # seconds over which the limiter's gain falls and rises again
OVERSAMPLING = 4
ATTEMPTS = 6
LEVEL_STEPS = 3  # each a full loudness measurement; the second usually lands within 0.5 LU
MAX_GAIN = 30.0  # dB: a near-silent file stays near silent
SILENT = -70.0  # LUFS: BS.1770's absolute gate
RELATIVE_GATE = -10.0  # LU under the mean of what passes the absolute gate
Float = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Mastered:
    data: bytes  # the encoded file, whole
    loudness: float  # LUFS, measured on what a player decodes
    true_peak: float  # dBTP, likewise


def integrated(samples: Float, rate: int) -> float:
    """Integrated loudness (BS.1770-4) in LUFS, read a minute at a time so a long file
    needs no copy: K-weighting carried across the pieces, the mean square of each 100 ms,
    400 ms blocks overlapping by 75 %, the absolute and the relative gate."""
    step = rate // 10
    sections = k_weighting(rate)
    state = np.zeros((len(sections), 2, samples.shape[1]))
    energies = []
    for start in range(0, len(samples) - len(samples) % step, step * 600):
        piece = samples[start:start + step * 600].astype(np.float64)
        piece = piece[: len(piece) - len(piece) % step]
        weighted, state = sosfilt(sections, piece, axis=0, zi=state)
        energies.append(np.square(weighted).reshape(-1, step, samples.shape[1]).sum(axis=1))
    if sum(len(e) for e in energies) < 4:
        return SILENT  # shorter than one block: nothing an export makes
    steps = np.concatenate(energies).sum(axis=1)  # every channel weighted 1
    blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * step)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
        audible = blocks[levels >= SILENT]
        if not len(audible):
            return SILENT
        gate = -0.691 + 10 * np.log10(audible.mean()) + RELATIVE_GATE
        kept = blocks[(levels > gate) & (levels >= SILENT)]
        value = -0.691 + 10 * np.log10(kept.mean()) if len(kept) else SILENT
    return max(float(value), SILENT)


def true_peak(samples: Float, rate: int) -> float:
    """The highest peak between samples too, in dBTP, read a few seconds at a time."""
    stream = soxr.ResampleStream(rate, rate * OVERSAMPLING, samples.shape[1], dtype="float32")
    highest, chunk = 0.0, rate * 10
    for start in range(0, len(samples), chunk):
        part = samples[start:start + chunk]
        out = stream.resample_chunk(part, last=start + chunk >= len(samples))
        highest = max(highest, float(np.abs(out).max(initial=0.0)),
                      float(np.abs(part).max(initial=0.0)))
    return 20 * float(np.log10(max(highest, 1e-9)))


def limited(samples: Float, ceiling: float, rate: int) -> Float:
    """Every sample held under `ceiling`: the gain falls smoothly ahead of each peak, for
    both channels alike, and never sits above what the peak needs."""
    window = max(1, round(LOOK_AHEAD * rate))
    peaks = np.abs(samples).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    # the lowest need within a window either side, then its mean over half that window:
    # each value averaged is at most the need at the centre, so no peak passes
    floor = minimum_filter1d(needed, size=2 * window + 1, mode="nearest")
    gain = uniform_filter1d(floor, size=window | 1, mode="nearest")
    gain = np.minimum(gain, needed)  # float rounding in the mean
    result: Float = (samples * gain[:, None]).astype(np.float32)
    return result


def master(samples: Float, rate: int, codec: Codec, target: float = TARGET_LOUDNESS,
           peak_limit: float = PEAK_LIMIT, progress: bool = False) -> Mastered:
    """The file's bytes, at `target` LUFS with true peaks under `peak_limit` dBTP as decoded
    (or as near the target as those peaks allow: a file of short ticks may stay below)."""
    measured = integrated(samples, rate)
    gain = target - measured if measured > SILENT else 0.0
    ceiling = peak_limit - codec.headroom  # the decoder's overshoot, foreseen
    for _ in range(ATTEMPTS):
        gain, shaped, reached = _levelled(samples, rate, gain, 10 ** (ceiling / 20), target)
        buffer = io.BytesIO()
        encode(shaped, rate, codec, buffer, progress)
        decoded = _decoded(buffer.getvalue(), shaped) if codec.lossy else shaped
        peak = true_peak(decoded, rate)
        if peak < peak_limit - 0.05:
            break
        ceiling -= peak - peak_limit + 0.3
    return Mastered(buffer.getvalue(),
                    integrated(decoded, rate) if codec.lossy else reached, peak)


def _levelled(samples: Float, rate: int, gain: float, ceiling: float,
              target: float) -> tuple[float, Float, float]:
    """Gain (dB), the limited result and its loudness, raised until the target is met or
    limiting stops bringing it nearer."""
    previous = SILENT
    for _ in range(LEVEL_STEPS):
        shaped = limited(samples * np.float32(10 ** (min(gain, MAX_GAIN) / 20)), ceiling, rate)
        reached = integrated(shaped, rate)
        miss = target - reached
        if abs(miss) < 0.3 or reached <= SILENT or (miss > 0 and reached - previous < 0.3):
            break
        previous, gain = reached, min(gain + miss, MAX_GAIN)
    return gain, shaped, reached


def _decoded(data: bytes, like: Float) -> Float:
    samples, _ = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    result: Float = samples[: len(like)]
    return result
