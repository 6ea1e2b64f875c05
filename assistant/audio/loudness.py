"""Perceived loudness (ITU-R BS.1770, through pyloudnorm), so cues and speech match.

Peaks say little about how loud a sound seems: a steady tone with a low peak
can sound as loud as speech whose peaks are far higher. Every sound the session
plays is brought to one loudness instead, with a ceiling on its peaks, so
"louder" has room to work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
from platformdirs import user_cache_dir

SPEECH_LOUDNESS = -23.0  # LUFS (the EBU R128 level): every prompt, and by default every cue
PEAK_CEILING = 0.7  # no sound is placed with a higher peak; the mixer limits the rest
BLOCK_SECONDS = 0.4  # BS.1770's gating block; a shorter sound is measured as one block
SILENT = -70.0  # BS.1770's absolute gate: anything quieter counts as silence


def loudness(samples: npt.NDArray[np.floating], rate: int) -> float:
    """Integrated loudness in LUFS of a mono (n,) or multichannel (n, channels) signal."""
    data = np.asarray(samples, dtype=np.float64)
    if len(data) < 2 or not np.any(data):
        return SILENT
    import pyloudnorm  # here, not above: it brings in scipy, which commands without sound skip

    block = min(BLOCK_SECONDS, len(data) / rate)
    value = float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(data))
    return max(value, SILENT) if np.isfinite(value) else SILENT


class _Measured:
    """Loudness already measured, on disk by the sound's hash: the meter needs scipy,
    whose import costs more than a second of start-up, so a sound measured once (a
    cue, a prompt said before) is never measured again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, float] | None = None

    @property
    def path(self) -> Path:
        return Path(user_cache_dir("assistant")) / "loudness.json"

    def get(self, samples: npt.NDArray[np.float32], rate: int) -> float:
        key = hashlib.sha256(np.ascontiguousarray(samples, dtype=np.float32).tobytes()
                             + rate.to_bytes(4, "little")).hexdigest()
        with self._lock:
            known = self._load()
            if key not in known:
                known[key] = loudness(samples, rate)
                self._save(known)
            return known[key]

    def _load(self) -> dict[str, float]:
        if self._known is None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                self._known = {str(k): float(v) for k, v in loaded.items()}
            except (OSError, ValueError, AttributeError):  # none yet, or unreadable
                self._known = {}
        return self._known

    def _save(self, known: dict[str, float]) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is no cache
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(known, file)
            os.replace(temporary, self.path)  # whole or not at all, even with two writers


_measured = _Measured()


def levelled(samples: npt.NDArray[np.float32], rate: int, target: float,
             ceiling: float = PEAK_CEILING) -> npt.NDArray[np.float32]:
    """`samples` brought to `target` LUFS, then lowered if a peak would pass `ceiling`."""
    measured = _measured.get(samples, rate)
    if measured <= SILENT:
        return samples
    gain = 10 ** ((target - measured) / 20)
    peak = float(np.abs(samples).max()) * gain
    if peak > ceiling:
        gain *= ceiling / peak
    return np.multiply(samples, gain, dtype=np.float32)
