"""The rendered session kept on disk, not in memory, and read back a block at a time.

An export renders once and is levelled and encoded in passes over what was
rendered; four hours of stereo at 16 kHz are 1.8 GB as float32, so the samples
go to a private temporary file as they are rendered (raw float32 frames: nothing
to parse, nothing lost), and each pass reads them back in blocks of a fixed size.
The loudness of what was rendered is measured on the way in, which saves a pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import numpy as np
import numpy.typing as npt

from assistant.export.meter import LoudnessMeter

Float = npt.NDArray[np.float32]
SAMPLE = np.dtype("<f4")


class Spool:
    """Frames written to `file` (open for reading and writing, empty) and read back."""

    def __init__(self, file: IO[bytes], rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self.frames = 0
        self.loudness = LoudnessMeter(rate, channels)  # of what was written, as it came
        self._file = file

    def write(self, samples: Float) -> None:
        """Append (frames,) or (frames, channels) samples; OSError if the disk refuses."""
        frames = samples.reshape(len(samples), self.channels)
        self._file.seek(0, 2)
        self._file.write(frames.astype(SAMPLE, copy=False).tobytes())
        self.frames += len(frames)
        self.loudness.add(frames)

    def read(self, start: int, stop: int) -> Float:
        """Frames `start` to `stop` (cut at the end), as (frames, channels)."""
        start, stop = max(0, start), min(stop, self.frames)
        if stop <= start:
            return np.zeros((0, self.channels), dtype=np.float32)
        self._file.seek(start * self.channels * SAMPLE.itemsize)
        data = self._file.read((stop - start) * self.channels * SAMPLE.itemsize)
        frames: Float = np.frombuffer(data, dtype=SAMPLE).reshape(-1, self.channels)
        return frames.astype(np.float32)

    def blocks(self, size: int, margin: int = 0) -> Iterator[tuple[Float, slice]]:
        """Every block of `size` frames, in order, with up to `margin` frames of its
        neighbours either side (none past the ends), and where the block lies in it."""
        for start in range(0, self.frames, size):
            stop = min(start + size, self.frames)
            padded = self.read(start - margin, stop + margin)
            before = start - max(0, start - margin)
            yield padded, slice(before, before + stop - start)
