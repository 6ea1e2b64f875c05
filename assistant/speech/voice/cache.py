"""Rendered speech on disk: private, written atomically, checked, bounded in size.

Prompts hold the partners' names, so the folder is the user's alone (0700, files
0600). A file appears whole or not at all (written beside, then renamed), so a
crash never leaves half a prompt to be played later. Each file starts with a
checksum of its samples, its text and its voice: a file damaged on disk (NaN,
noise, zeros) or swapped with another prompt's fails it, is removed and rendered
again, so it is never played. When the folder outgrows its bound, the prompts
used least recently go first; a hit refreshes the file's time. A folder that
cannot be read or written is bypassed, saying so once: speech is rendered afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.audio.mixer import Samples
from assistant.base.errors import UserError
from assistant.base.paths import private_dir
from assistant.speech.voice.stored import PART_PREFIX, PART_SUFFIX, SUFFIX

FORMAT_VERSION = "3"  # bump when the way speech is rendered or stored changes
DEFAULT_LIMIT_BYTES = 300 * 1024 * 1024
CHECK_BYTES = 32  # a SHA-256 checksum, then the samples, as one array of bytes


@dataclass(frozen=True)
class CacheKey:
    """Everything a rendering depends on: two keys are equal only for equal samples."""

    engine: str  # "piper" or "espeak"
    voice: str  # the voice's identity (for Piper, its name and file size)
    rate: int  # words a minute
    sample_rate: int
    text: str

    def digest(self) -> str:
        parts = (FORMAT_VERSION, self.engine, self.voice, str(self.rate),
                 str(self.sample_rate), self.text)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def checksum(self, samples: bytes) -> bytes:
        """Binds the samples to this key: a file moved to another prompt's name fails."""
        return hashlib.sha256(self.digest().encode() + samples).digest()


def packed(key: CacheKey, samples: Samples) -> npt.NDArray[np.uint8]:
    data = np.asarray(samples, dtype=np.float32).tobytes()
    return np.frombuffer(key.checksum(data) + data, dtype=np.uint8)


def unpacked(key: CacheKey, stored: np.ndarray) -> Samples | None:
    """The samples, if the file is whole, finite and this key's own; else None."""
    if stored.dtype != np.uint8 or stored.ndim != 1 or len(stored) < CHECK_BYTES:
        return None
    raw = stored.tobytes()
    check, data = raw[:CHECK_BYTES], raw[CHECK_BYTES:]
    if len(data) % 4 or key.checksum(data) != check:
        return None
    samples = np.frombuffer(data, dtype=np.float32).copy()
    return samples if np.isfinite(samples).all() else None


class VoiceCache:
    def __init__(self, folder: Path, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> None:
        self.folder, self.limit_bytes = folder, limit_bytes
        self._private = False  # whether the folder has been made private yet
        self._bypassed = False  # the folder could not be used: said once, then left alone

    def get(self, key: CacheKey) -> Samples | None:
        if not self._usable():
            return None
        path = self._path(key)
        try:
            stored = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            stored = None
        samples = unpacked(key, stored) if isinstance(stored, np.ndarray) else None
        with contextlib.suppress(OSError):
            if samples is None:  # damaged, swapped or not a prompt: never played
                if path.is_file():
                    path.unlink()
            else:
                os.utime(path)  # recently used: kept longest
        return samples

    def has(self, key: CacheKey) -> bool:
        try:
            return self._usable() and self._path(key).is_file()
        except OSError:
            return False

    def put(self, key: CacheKey, samples: Samples) -> None:
        """Store atomically and privately; a cache that cannot be written is only slower."""
        if not self._usable():
            return
        try:
            private_dir(self.folder)  # each time: it may have been removed meanwhile
            self._private = True
            handle, temporary = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX,
                                                 dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as file:  # mkstemp makes it 0600
                    np.save(file, packed(key, samples), allow_pickle=False)
                os.replace(temporary, self._path(key))
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
            self.prune()
        except OSError:
            return

    def prune(self) -> None:
        """Drop the least recently used prompts until the folder is within its bound."""
        entries = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                status = path.stat()
                entries.append((status.st_mtime_ns, status.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            total -= size

    def clear(self) -> int:
        """Empty the cache; returns how many bytes were freed."""
        freed = 0
        try:
            if not self.folder.is_dir():
                return 0
            for path in self.folder.iterdir():
                if path.is_file() and (path.suffix == SUFFIX or path.name.endswith(PART_SUFFIX)):
                    with contextlib.suppress(FileNotFoundError):
                        freed += path.stat().st_size
                        path.unlink()
        except OSError as error:
            raise UserError(f"The speech cache {self.folder} cannot be emptied "
                            f"({error.strerror}); check its permissions, or remove it by "
                            "hand.") from None
        return freed

    def size_bytes(self) -> int:
        try:
            if not self.folder.is_dir():
                return 0
            return sum(p.stat().st_size for p in self.folder.glob(f"*{SUFFIX}"))
        except OSError:
            return 0

    def _usable(self) -> bool:
        """At first use, even a read, make the folder private (an older version may have
        left it looser) and check it can be listed and written; if not, say so once and
        go on without it."""
        if not self._private:
            self._private = True
            try:
                private_dir(self.folder)
                os.listdir(self.folder)
                if not os.access(self.folder, os.R_OK | os.W_OK | os.X_OK):
                    raise PermissionError(13, "Permission denied")
            except OSError as error:
                self._bypassed = True
                print(f"assistant: The speech cache {self.folder} cannot be used "
                      f"({error.strerror or error}), so speech is rendered afresh each time.",
                      file=sys.stderr)
        return not self._bypassed

    def _path(self, key: CacheKey) -> Path:
        return self.folder / f"{key.digest()}{SUFFIX}"
