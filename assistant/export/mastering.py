"""Loudness for listening on the move: -16 LUFS integrated, true peaks under -1 dBTP.

A session plays at -23 LUFS, the broadcast level; a phone outdoors needs more.
The gain that reaches the target would push speech peaks past full scale, so a
look-ahead limiter holds them down, and since a lossy codec's decoder overshoots
what it was given (Opus by up to 3 dB), the peak that counts is measured on the
decoded file, four times oversampled (BS.1770's true peak); the limit is lowered
and the file encoded again until it holds.

Every step is a pass over the rendered samples on disk, a block at a time (gain,
limiter, meters, encoder), so memory stays the same however long the file is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
import soundfile
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from tqdm import tqdm

from assistant.audio.codecs import Codec
from assistant.audio.encoded import Encoder
from assistant.export.formats import PEAK_LIMIT, TARGET_LOUDNESS
from assistant.export.meter import SILENT, LoudnessMeter, Meters
from assistant.export.spool import Spool

LOOK_AHEAD = 0.05  # seconds over which the limiter's gain falls and rises again
BLOCK_SECONDS = 10.0  # how much of the file a pass holds at a time
ATTEMPTS = 6
LEVEL_STEPS = 3  # each a full loudness measurement; the second usually lands within 0.5 LU
MAX_GAIN = 30.0  # dB: a near-silent file stays near silent
Float = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Mastered:
    loudness: float  # LUFS, measured on what a player decodes
    true_peak: float  # dBTP, likewise


def limited(samples: Float, ceiling: float, rate: int) -> Float:
    """Every sample held under `ceiling`: the gain falls smoothly ahead of each peak, for
    both channels alike, and never sits above what the peak needs."""
    window = max(1, round(LOOK_AHEAD * rate))
    peaks = np.abs(samples[:, 0])
    for channel in range(1, samples.shape[1]):  # column by column: a row-wise max is slow
        np.maximum(peaks, np.abs(samples[:, channel]), out=peaks)
    if not len(peaks) or peaks.max() < ceiling:
        return samples.astype(np.float32)  # nothing near the ceiling: the gain stays 1
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    # the lowest need within a window either side, then its mean over half that window:
    # each value averaged is at most the need at the centre, so no peak passes
    floor = minimum_filter1d(needed, size=2 * window + 1, mode="nearest")
    gain = uniform_filter1d(floor, size=window | 1, mode="nearest")
    gain = np.minimum(gain, needed)  # float rounding in the mean
    result: Float = (samples * gain[:, None]).astype(np.float32)
    return result


def shaped(spool: Spool, gain: float, ceiling: float) -> Iterator[Float]:
    """The spooled samples with `gain` (dB) and the limiter, a block at a time: each block
    limited with enough of its neighbours that it comes out as the whole file would."""
    window = max(1, round(LOOK_AHEAD * spool.rate))
    factor = np.float32(10 ** (min(gain, MAX_GAIN) / 20))
    for padded, middle in spool.blocks(round(BLOCK_SECONDS * spool.rate), 2 * window):
        yield limited(padded * factor, ceiling, spool.rate)[middle]


def master(spool: Spool, codec: Codec, out: IO[bytes], path: Path,
           target: float = TARGET_LOUDNESS, peak_limit: float = PEAK_LIMIT,
           progress: bool = False) -> Mastered:
    """Encode the spooled samples into `out` (open on `path`, to be tagged and renamed) at
    `target` LUFS with true peaks under `peak_limit` dBTP as decoded (or as near the target
    as those peaks allow: a file of short ticks may stay below)."""
    measured = spool.loudness.integrated()
    gain = target - measured if measured > SILENT else 0.0
    ceiling = peak_limit - codec.headroom  # the decoder's overshoot, foreseen
    for _ in range(ATTEMPTS):
        gain = _levelled(spool, gain, 10 ** (ceiling / 20), target)
        meters = _encode(spool, gain, 10 ** (ceiling / 20), codec, out, progress)
        if codec.lossy:
            meters = _decoded(path, spool)
        peak = meters.peak.true_peak()
        if peak < peak_limit - 0.05:
            break
        ceiling -= peak - peak_limit + 0.3
    return Mastered(meters.loudness.integrated(), peak)


def _levelled(spool: Spool, gain: float, ceiling: float, target: float) -> float:
    """The gain (dB) that brings the limited result to `target`, raised until it is met
    or limiting stops bringing it nearer."""
    previous = SILENT
    for _ in range(LEVEL_STEPS):
        meter = LoudnessMeter(spool.rate, spool.channels)
        for block in shaped(spool, gain, ceiling):
            meter.add(block)
        reached = meter.integrated()
        miss = target - reached
        if abs(miss) < 0.3 or reached <= SILENT or (miss > 0 and reached - previous < 0.3):
            break
        previous, gain = reached, min(gain + miss, MAX_GAIN)
    return gain


def _encode(spool: Spool, gain: float, ceiling: float, codec: Codec, out: IO[bytes],
            progress: bool) -> Meters:
    """Write the file afresh, and measure what was handed to the encoder."""
    out.seek(0)
    out.truncate()
    meters = Meters(spool.rate, spool.channels)
    with Encoder(out, spool.rate, spool.channels, codec) as encoder, \
            tqdm(total=round(spool.frames / spool.rate), desc=f"Encoding {codec.suffix}",
                 unit="s", leave=False, disable=None if progress else True) as bar:
        for block in shaped(spool, gain, ceiling):
            encoder.write(block)
            meters.add(block)
            bar.update(len(block) / spool.rate)
    out.flush()
    return meters


class _Sequential(soundfile.SoundFile):  # type: ignore[misc]
    """A file read from start to end. Told it can seek, soundfile seeks to where it already
    is after every read, which restarts an MP3 decoder (and has it complain on stderr)."""

    def seekable(self) -> bool:
        return False


def _decoded(path: Path, spool: Spool) -> Meters:
    """Loudness and true peak of the file as a player decodes it, up to the rendered
    length (a decoder may add a little at the end)."""
    meters = Meters(spool.rate, spool.channels)
    left = spool.frames
    with _Sequential(str(path)) as decoded:
        while left > 0:
            block = decoded.read(min(left, round(BLOCK_SECONDS * spool.rate)),
                                 dtype="float32", always_2d=True)
            if not len(block):
                break
            meters.add(block)
            left -= len(block)
    return meters
