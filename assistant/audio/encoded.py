"""Sound encoded block by block into an open file, so a long recording never sits in memory.

libsndfile writes through Python callbacks here, and an exception cannot cross
its C code: a failed write (a full disk) is kept, the encoder told all went well,
and the error raised after the call, so it comes out as the OSError it was. A
stopping signal is held back while libsndfile runs for the same reason, and
raised once the block is written.
Everything is written a second at a time: libsndfile's Vorbis encoder crashes on
one long write.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import IO

import numpy as np
import numpy.typing as npt
import soundfile

from assistant.audio.codecs import Codec
from assistant.base.critical import deferred

WRITE_SECONDS = 1.0


class _Guarded:
    """A binary file for libsndfile's callbacks whose failures wait to be raised."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.error: OSError | None = None
        self._whole = 0  # where the last whole write ended: an encoder writes a frame at once

    def write(self, data: bytes) -> int:
        view, done = memoryview(data), 0
        while self.error is None and done < len(view):
            try:
                wrote = self.file.write(view[done:])  # an unbuffered file may write less
            except (OSError, ValueError) as error:  # ValueError: the file was closed
                self.error = error if isinstance(error, OSError) else OSError(str(error))
                break
            if not wrote:
                self.error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            done += wrote or 0
        if self.error is None:
            self._whole = max(self._whole, self.file.tell())
        elif done:  # a frame cut short: a decoder would lose its way in it
            with contextlib.suppress(OSError):
                self.file.truncate(self._whole)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        try:
            return self.file.read(size)
        except (OSError, ValueError) as error:
            self.error = self.error or OSError(str(error))
            return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return self.file.seek(offset, whence)
        except (OSError, ValueError) as error:
            self.error = self.error or OSError(str(error))
            return 0

    def tell(self) -> int:
        try:
            return self.file.tell()
        except (OSError, ValueError) as error:
            self.error = self.error or OSError(str(error))
            return 0

    def check(self) -> None:
        if self.error is not None:
            raise self.error


class Encoder:
    """`codec` written into `file` (open for reading and writing, at its start) as blocks
    of (frames, channels) float samples come; OSError when the file cannot take them."""

    def __init__(self, file: IO[bytes], rate: int, channels: int, codec: Codec) -> None:
        self.rate, self.channels = rate, channels
        self._sink = _Guarded(file)
        try:
            with deferred():
                self._out = soundfile.SoundFile(self._sink, "w", rate, channels,
                                                codec.subtype, format=codec.format,
                                                **codec.settings(channels))
        except (soundfile.LibsndfileError, RuntimeError) as error:
            self._sink.check()  # the file's own failure, rather than libsndfile's words
            raise OSError(f"the encoder could not start ({error})") from None
        self._sink.check()

    def write(self, samples: npt.NDArray[np.float32]) -> None:
        block = round(WRITE_SECONDS * self.rate)
        shaped = samples.reshape(len(samples), self.channels)
        clean = np.nan_to_num(shaped, nan=0.0, posinf=0.0, neginf=0.0)  # NaN stops LAME dead
        for start in range(0, len(clean), block):
            with deferred():
                self._out.write(clean[start:start + block])
            self._sink.check()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Closed on every ending; after a failure, whatever closing meets goes unsaid."""
        if kind is None:
            self.close()
        else:
            with contextlib.suppress(OSError):
                self.close()

    def close(self) -> None:
        """Flush the encoder and finish the header; the file itself stays open."""
        if not self._out.closed:
            with deferred():
                self._out.close()
        self._sink.check()
