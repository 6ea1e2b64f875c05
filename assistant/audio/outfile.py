"""A session's out-file in the format its suffix names, or nowhere at all for the null
device: the session still runs flat out on the virtual clock, and nothing is kept.

WAV has its own writer (`wavfile.py`). Any other format is encoded a block at a
time under a hidden name beside the file, 0600, and renamed to it when closed,
whatever the ending. A disk that fills up keeps what was encoded before it (each
of these formats plays up to where it breaks off): one sentence says so, and the
session goes on without it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Protocol

from assistant.audio.codecs import KNOWN, Codec, codec_for
from assistant.audio.encoded import Encoder
from assistant.audio.mixer import Samples
from assistant.audio.sidefiles import make_beside
from assistant.audio.wavfile import WavWriter
from assistant.base.errors import UserError, unopened


class OutFile(Protocol):
    def write(self, samples: Samples) -> None: ...

    def close(self) -> None: ...


def discards(path: Path) -> bool:
    """Whether `path` is the null device: what is written there is thrown away."""
    if str(path) == os.devnull:
        return True
    with contextlib.suppress(OSError, ValueError):
        return os.path.samefile(path, os.devnull)
    return False


def out_file_codec(path: Path) -> Codec | None:
    """The format an out-file is written in (None: discarded), or one sentence naming the
    suffixes there are."""
    if discards(path):
        return None
    codec = codec_for(path)
    if codec is None:
        raise UserError(f"--out-file {path.name} has no suffix a sound file can take; use "
                        f"one of {KNOWN}, or {os.devnull} to keep nothing.")
    return codec


def open_out_file(path: Path, rate: int, channels: int) -> OutFile | None:
    codec = out_file_codec(path)
    if codec is None:
        return None
    if codec.format == "WAV":
        return WavWriter(path, rate, channels)
    return EncodedWriter(path, rate, channels, codec)


class EncodedWriter:
    """An out-file in a compressed or lossless format, written beside and renamed on close."""

    def __init__(self, path: Path, rate: int, channels: int, codec: Codec) -> None:
        path = Path(path)  # a link there is replaced, never the file it names written
        self.path, self.rate = path, rate
        self.failed = False
        self.frames = 0
        try:
            handle, temporary = make_beside(path)  # 0600, and a short name of its own
        except OSError as error:
            problem = unopened(path, write=True)
            raise UserError(f"Cannot write the out-file: {problem}." if problem is not None
                            else f"Cannot write the out-file {path} ({error.strerror})."
                            ) from None
        self._temporary = temporary
        self._file = os.fdopen(handle, "w+b", buffering=0)  # a full disk is told at once
        try:
            self._encoder: Encoder | None = Encoder(self._file, rate, channels, codec)
        except OSError as error:
            self._file.close()
            self._temporary.unlink(missing_ok=True)
            raise UserError(f"Cannot write the out-file {path} "
                            f"({error.strerror or error}).") from None

    def write(self, samples: Samples) -> None:
        if self._encoder is None or self.failed:
            return
        try:
            self._encoder.write(samples)
        except OSError as error:
            self._stop(error)
            return
        self.frames += len(samples)

    def _stop(self, error: OSError) -> None:
        """Write no more, and say so once."""
        self.failed = True
        print(f"assistant: The out-file {self.path} could not be written further "
              f"({error.strerror or error}); it keeps about the first "
              f"{self.frames / self.rate:.0f} s, and the session goes on without it.",
              file=sys.stderr)

    def close(self) -> None:
        """Finish the file and give it its name (on every ending)."""
        if self._encoder is None:
            return
        encoder, self._encoder = self._encoder, None
        try:
            try:
                encoder.close()
            except OSError as error:
                if not self.failed:
                    self._stop(error)
            self._file.close()
            os.replace(self._temporary, self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                self._file.close()
            raise UserError(f"Cannot finish the out-file {self.path} "
                            f"({error.strerror}).") from None
