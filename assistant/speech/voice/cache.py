"""Rendered speech on disk: private, written atomically, bounded in size.

Prompts hold the partners' names, so the folder is the user's alone (0700, files
0600). A file appears whole or not at all (written beside, then renamed), so a
crash never leaves half a prompt to be played later. When the folder outgrows its
bound, the prompts used least recently go first; a hit refreshes the file's time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.mixer import Samples
from assistant.base.paths import private_dir

FORMAT_VERSION = "2"  # bump when the way speech is rendered or stored changes
DEFAULT_LIMIT_BYTES = 300 * 1024 * 1024
SUFFIX = ".npy"


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


class VoiceCache:
    def __init__(self, folder: Path, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> None:
        self.folder, self.limit_bytes = folder, limit_bytes
        self._private = False  # whether the folder has been made private yet

    def get(self, key: CacheKey) -> Samples | None:
        self._tighten_once()
        path = self._path(key)
        try:
            samples = np.load(path, allow_pickle=False)
            os.utime(path)  # recently used: kept longest
        except (OSError, ValueError, EOFError):
            return None
        return np.asarray(samples, dtype=np.float32)

    def has(self, key: CacheKey) -> bool:
        return self._path(key).is_file()

    def put(self, key: CacheKey, samples: Samples) -> None:
        """Store atomically and privately; a cache that cannot be written is only slower."""
        try:
            private_dir(self.folder)  # each time: it may have been removed meanwhile
            self._private = True
            handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as file:  # mkstemp makes it 0600
                    np.save(file, np.asarray(samples, dtype=np.float32), allow_pickle=False)
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
        if not self.folder.is_dir():
            return 0
        for path in self.folder.iterdir():
            if path.is_file() and (path.suffix == SUFFIX or path.name.endswith(".part")):
                with contextlib.suppress(FileNotFoundError):
                    freed += path.stat().st_size
                    path.unlink()
        return freed

    def size_bytes(self) -> int:
        if not self.folder.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.folder.glob(f"*{SUFFIX}"))

    def _tighten_once(self) -> None:
        """A folder an older version left looser is made private at its first use, even a
        read; one that cannot be changed is still read."""
        if not self._private:
            with contextlib.suppress(OSError):
                private_dir(self.folder)
            self._private = True

    def _path(self, key: CacheKey) -> Path:
        return self.folder / f"{key.digest()}{SUFFIX}"
