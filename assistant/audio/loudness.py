"""Perceived loudness (ITU-R BS.1770, through pyloudnorm), so cues and speech match.

Peaks say little about how loud a sound seems: a steady tone with a low peak
can sound as loud as speech whose peaks are far higher. Every sound the session
plays is brought to one loudness instead, with a ceiling on its peaks, so
"louder" has room to work.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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


def levelled(samples: npt.NDArray[np.float32], rate: int, target: float,
             ceiling: float = PEAK_CEILING) -> npt.NDArray[np.float32]:
    """`samples` brought to `target` LUFS, then lowered if a peak would pass `ceiling`."""
    measured = loudness(samples, rate)
    if measured <= SILENT:
        return samples
    gain = 10 ** ((target - measured) / 20)
    peak = float(np.abs(samples).max()) * gain
    if peak > ceiling:
        gain *= ceiling / peak
    return np.multiply(samples, gain, dtype=np.float32)
