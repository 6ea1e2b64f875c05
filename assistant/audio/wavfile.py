"""WAV files in and out: any rate or channel count in, session-rate mono or stereo out.

A file read is a regular file with a rate a microphone has, read in blocks of a
bounded number of samples whatever its header claims, so memory stays flat. A
file written appears under its name only when finished: it is written beside it,
0600, its header kept true after every block, and renamed at the end, whatever
the ending. A disk that fills up keeps the WAV whole up to the last block.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import wave
from pathlib import Path

import numpy as np
import soundfile
import soxr

from assistant.audio.mixer import Samples
from assistant.audio.sidefiles import make_beside
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


READ_SAMPLES = 1 << 16  # samples read from the file at a time: memory stays flat however long
RATE_RANGE = (8_000, 192_000)  # the rates microphones record at, in hertz


def regular_file(path: Path, what: str) -> None:
    """Refuse a FIFO, device or folder: opening one to read can wait for ever."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        problem = unopened(path)
        raise UserError(f"The {what} cannot be read: {problem}." if problem is not None else
                        f"The {what} {path} cannot be opened ({error.strerror}).") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder, not a WAV file" if stat.S_ISDIR(mode)
                else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file")
        raise UserError(f"The {what} {path} is {kind}; give a WAV file.")


class WavReader:
    """A WAV file of any rate and channels, streamed as mono float32 at `rate`.

    A long microphone file (an hour of 48 kHz stereo is 1.4 GB as float32) is read
    block by block and resampled as a stream, so memory does not grow with its length.
    """

    def __init__(self, path: Path, rate: int, what: str = "audio file") -> None:
        self.path, self.what = path, what
        regular_file(path, what)
        try:
            self._file: soundfile.SoundFile | None = soundfile.SoundFile(os.fsencode(path))
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            problem = unopened(path)
            if problem is not None:
                raise UserError(f"The {what} cannot be read: {problem}.") from None
            raise UserError(f"The {what} {path} is not a readable WAV file ({error}).") from None
        file_rate = self._file.samplerate
        low, high = RATE_RANGE
        if not low <= file_rate <= high:
            self.close()
            raise UserError(f"The {what} {path} declares {file_rate} Hz; a recording takes "
                            f"{low:,} to {high:,} Hz.")
        self._frames = max(1, READ_SAMPLES // self._file.channels)
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
        chunks = [self.read(READ_SAMPLES)]
        while not self.ended:
            chunks.append(self.read(READ_SAMPLES))
        return np.concatenate(chunks)

    def _next_chunk(self) -> Samples:
        assert self._file is not None
        try:
            data = self._file.read(self._frames, dtype="float32", always_2d=True)
        except (soundfile.LibsndfileError, RuntimeError, OSError) as error:
            raise UserError(f"The {self.what} {self.path} cannot be read to its end "
                            f"({error}).") from None
        last = len(data) < self._frames
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


class _WholeWrites(io.FileIO):
    """A file whose write either writes everything or raises (a full disk, say)."""

    def write(self, data: object) -> int:
        view = memoryview(data).cast("B")  # type: ignore[arg-type]
        done = 0
        while done < len(view):
            wrote = super().write(view[done:])
            if not wrote:
                raise OSError(28, os.strerror(28))
            done += wrote
        return done


class WavWriter:
    """16-bit WAV, written block by block so a long session never sits in memory.

    Written to a hidden file beside `path` and renamed to it on close. If a write fails
    (a full disk), the file is cut back to the last whole block, with a true header,
    one sentence says so, and later blocks are dropped: the session goes on.
    """

    def __init__(self, path: Path, rate: int, channels: int = 1) -> None:
        path = Path(path)  # a link there is replaced, never the file it names written
        self.path, self.channels = path, channels
        self.failed = False
        self.frames = 0  # written and kept
        self.rate = rate
        try:
            handle, temporary = make_beside(path)  # 0600, and a short name of its own
        except OSError as error:
            problem = unopened(path, write=True)
            raise UserError(f"Cannot write the out-file: {problem}." if problem is not None
                            else f"Cannot write the out-file {path} ({error.strerror})."
                            ) from None
        self._temporary = temporary
        self._raw = _WholeWrites(handle, "wb", closefd=True)
        self._wave: wave.Wave_write | None = wave.open(self._raw, "wb")  # noqa: SIM115
        self._wave.setnchannels(channels)
        self._wave.setsampwidth(2)
        self._wave.setframerate(rate)
        try:
            self._wave.writeframes(b"")  # the header, at once: a full disk is told now
        except OSError as error:
            self._discard()
            raise UserError(f"Cannot write the out-file {path} ({error.strerror}).") from None
        self._good = self._raw.tell()

    def write(self, samples: Samples) -> None:
        if self._wave is None or self.failed:
            return
        # scaled as libsndfile reads and writes (2^15, clipped), so a WAV read back as
        # float and written again keeps every sample
        pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32768.0),
                      -32768, 32767).astype("<i2").tobytes()
        try:
            self._wave.writeframes(pcm)  # the header is brought up to date each time
        except OSError as error:
            self._cut_back(error)
            return
        self._good = self._raw.tell()
        self.frames += len(samples)

    def _cut_back(self, error: OSError) -> None:
        """Keep the WAV whole up to the last block written, and say so once."""
        self.failed = True
        with contextlib.suppress(OSError):
            self._raw.truncate(self._good)  # the header already tells this length
        print(f"assistant: The out-file {self.path} could not be written further "
              f"({error.strerror}); it keeps the first {self.frames / self.rate:.1f} s, "
              "and the session goes on without it.", file=sys.stderr)

    def close(self) -> None:
        """Finish the file and give it its name (on every ending)."""
        if self._wave is None:
            return
        wav, self._wave = self._wave, None
        try:
            wav.close()  # writes nothing: the header already tells what was kept
            self._raw.close()
            os.replace(self._temporary, self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                self._raw.close()
            raise UserError(f"Cannot finish the out-file {self.path} "
                            f"({error.strerror}).") from None

    def _discard(self) -> None:
        wav, self._wave = self._wave, None
        with contextlib.suppress(OSError, ValueError):
            if wav is not None:
                wav.close()  # else, collected, it would try its header again
        with contextlib.suppress(OSError):
            self._raw.close()
        with contextlib.suppress(OSError):
            self._temporary.unlink()
