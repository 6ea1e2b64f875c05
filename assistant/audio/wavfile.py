"""WAV files in and out: any rate or channel count in, session-rate mono or stereo out."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile
import soxr

from assistant.audio.mixer import Samples
from assistant.base.errors import UserError, unopened


def to_mono(data: np.ndarray) -> Samples:
    mono = data.mean(axis=1) if data.ndim == 2 else data
    return np.asarray(mono, dtype=np.float32)


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    if from_rate == to_rate:
        return samples
    return np.asarray(soxr.resample(samples, from_rate, to_rate, quality="HQ"), dtype=np.float32)


def read_wav(path: Path, rate: int, what: str = "audio file") -> Samples:
    """The whole file as mono float32 at `rate`, or a UserError naming the file."""
    reader = WavReader(path, rate, what)
    try:
        return reader.read_all()
    finally:
        reader.close()


READ_FRAMES = 1 << 16  # frames read from the file at a time: memory stays flat however long


class WavReader:
    """A WAV file of any rate and channels, streamed as mono float32 at `rate`.

    A long microphone file (an hour of 48 kHz stereo is 1.4 GB as float32) is read
    block by block and resampled as a stream, so memory does not grow with its length.
    """

    def __init__(self, path: Path, rate: int, what: str = "audio file") -> None:
        self.path, self.what = path, what
        try:
            self._file: soundfile.SoundFile | None = soundfile.SoundFile(os.fsencode(path))
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            problem = unopened(path)
            if problem is not None:
                raise UserError(f"The {what} cannot be read: {problem}.") from None
            raise UserError(f"The {what} {path} is not a readable WAV file ({error}).") from None
        file_rate = self._file.samplerate
        self._resampler = (soxr.ResampleStream(file_rate, rate, 1, dtype="float32",
                                               quality="HQ") if file_rate != rate else None)
        self._pending = np.zeros(0, dtype=np.float32)

    @property
    def ended(self) -> bool:
        return self._file is None and not len(self._pending)

    def read(self, frames: int) -> Samples:
        """Up to `frames` samples; fewer only at the end of the file."""
        chunks, have = [self._pending], len(self._pending)
        while have < frames and self._file is not None:
            chunk = self._next_chunk()
            chunks.append(chunk)
            have += len(chunk)
        joined = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
        self._pending = joined[frames:]
        return joined[:frames]

    def read_all(self) -> Samples:
        chunks = [self.read(READ_FRAMES)]
        while not self.ended:
            chunks.append(self.read(READ_FRAMES))
        return np.concatenate(chunks)

    def _next_chunk(self) -> Samples:
        assert self._file is not None
        try:
            data = self._file.read(READ_FRAMES, dtype="float32", always_2d=True)
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            raise UserError(f"The {self.what} {self.path} cannot be read to its end "
                            f"({error}).") from None
        last = len(data) < READ_FRAMES
        mono = to_mono(data)
        if last:
            self.close()
        if self._resampler is None:
            return mono
        return np.asarray(self._resampler.resample_chunk(mono, last=last), dtype=np.float32)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class WavWriter:
    """16-bit WAV, written block by block so a long session never sits in memory."""

    def __init__(self, path: Path, rate: int, channels: int = 1) -> None:
        try:
            self._file = soundfile.SoundFile(os.fsencode(path), "w", samplerate=rate,
                                             channels=channels, subtype="PCM_16", format="WAV")
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            problem = unopened(path, write=True)
            if problem is not None:
                raise UserError(f"Cannot write the out-file: {problem}.") from None
            raise UserError(f"Cannot write the out-file {path} ({error}).") from None

    def write(self, samples: Samples) -> None:
        self._file.write(samples)

    def close(self) -> None:
        self._file.close()
