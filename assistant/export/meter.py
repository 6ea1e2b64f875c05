"""Integrated loudness and true peak of a signal that comes a block at a time.

A long export is never whole in memory, so it is measured as it streams past:
BS.1770-4's K-weighting runs with its filter state carried from block to block,
and only the mean square of each 100 ms is kept (a 4-hour file keeps 144,000
numbers), from which the 400 ms gating blocks, overlapping by 75 %, and the
absolute and relative gates are worked out at the end. The true peak is the
highest sample after four-times oversampling (soxr, also as a stream).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr
from scipy.signal import sosfilt

from assistant.audio.loudness import k_weighting

SILENT = -70.0  # LUFS: BS.1770's absolute gate
RELATIVE_GATE = -10.0  # LU under the mean of what passes the absolute gate
OVERSAMPLING = 4
Float = npt.NDArray[np.float32]


class LoudnessMeter:
    """Integrated loudness (BS.1770-4) of (frames, channels) blocks, every channel
    weighted 1, as pyloudnorm measures the whole signal."""

    def __init__(self, rate: int, channels: int) -> None:
        self.step = rate // 10
        self._sections = k_weighting(rate)
        self._state = np.zeros((len(self._sections), 2, channels))
        self._pending = np.zeros((0, channels))  # weighted samples short of a whole 100 ms
        self._energies = np.zeros(1024)  # a sum of squares per 100 ms, doubled as it fills
        self._steps = 0

    def add(self, block: Float) -> None:
        weighted, self._state = sosfilt(self._sections, block.astype(np.float64), axis=0,
                                        zi=self._state)
        joined = np.concatenate([self._pending, weighted]) if len(self._pending) else weighted
        whole = len(joined) - len(joined) % self.step
        if whole:
            squares = np.square(joined[:whole]).reshape(-1, self.step, joined.shape[1])
            energies = squares.sum(axis=(1, 2))
            if self._steps + len(energies) > len(self._energies):
                grown = np.zeros(2 * (self._steps + len(energies)))
                grown[:self._steps] = self._energies[:self._steps]
                self._energies = grown
            self._energies[self._steps:self._steps + len(energies)] = energies
            self._steps += len(energies)
        self._pending = joined[whole:]

    def integrated(self) -> float:
        steps = self._energies[:self._steps]
        if len(steps) < 4:
            return SILENT  # shorter than one block: nothing an export makes
        blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * self.step)
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10 * np.log10(blocks)
            audible = blocks[levels >= SILENT]
            if not len(audible):
                return SILENT
            gate = -0.691 + 10 * np.log10(audible.mean()) + RELATIVE_GATE
            kept = blocks[(levels > gate) & (levels >= SILENT)]
            value = -0.691 + 10 * np.log10(kept.mean()) if len(kept) else SILENT
        return max(float(value), SILENT)


class PeakMeter:
    """The highest peak between samples too, in dBTP, of blocks as they come."""

    def __init__(self, rate: int, channels: int) -> None:
        self.channels = channels
        self._stream = soxr.ResampleStream(rate, rate * OVERSAMPLING, channels,
                                           dtype="float32")
        self._highest = 0.0
        self._flushed = False

    def add(self, block: Float, last: bool = False) -> None:
        out = self._stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32),
                                          last=last)
        for part in (out, block):  # the largest magnitude, without a copy of abs()
            self._highest = max(self._highest, float(part.max(initial=0.0)),
                                -float(part.min(initial=0.0)))
        self._flushed = last

    def true_peak(self) -> float:
        """dBTP of all that was added (the resampler's tail flushed first)."""
        if not self._flushed:
            self.add(np.zeros((0, self.channels), dtype=np.float32), last=True)
        return 20 * float(np.log10(max(self._highest, 1e-9)))


class Meters:
    """Loudness and true peak together, for one pass over a signal."""

    def __init__(self, rate: int, channels: int) -> None:
        self.loudness = LoudnessMeter(rate, channels)
        self.peak = PeakMeter(rate, channels)

    def add(self, block: Float) -> None:
        self.loudness.add(block)
        self.peak.add(block)
