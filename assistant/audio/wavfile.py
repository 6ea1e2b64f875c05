"""WAV files in and out: any rate or channel count in, session-rate mono or stereo out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile
import soxr

from assistant.audio.mixer import Samples
from assistant.errors import UserError


def to_mono(data: np.ndarray) -> Samples:
    mono = data.mean(axis=1) if data.ndim == 2 else data
    return np.asarray(mono, dtype=np.float32)


def resample(samples: Samples, from_rate: int, to_rate: int) -> Samples:
    if from_rate == to_rate:
        return samples
    return np.asarray(soxr.resample(samples, from_rate, to_rate, quality="HQ"), dtype=np.float32)


def read_wav(path: Path, rate: int, what: str = "audio file") -> Samples:
    """The whole file as mono float32 at `rate`, or a UserError naming the file."""
    try:
        data, file_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
        raise UserError(f"The {what} {path} is not a readable WAV file ({error}).") from None
    return resample(to_mono(data), file_rate, rate)


class WavWriter:
    """16-bit WAV, written block by block so a long session never sits in memory."""

    def __init__(self, path: Path, rate: int, channels: int = 1) -> None:
        try:
            self._file = soundfile.SoundFile(str(path), "w", samplerate=rate, channels=channels,
                                             subtype="PCM_16", format="WAV")
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            raise UserError(f"Cannot write the out-file {path} ({error}).") from None

    def write(self, samples: Samples) -> None:
        self._file.write(samples)

    def close(self) -> None:
        self._file.close()
