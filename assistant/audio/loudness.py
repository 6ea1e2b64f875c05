"""Perceived loudness (ITU-R BS.1770-4), so cues and speech match.

Peaks say little about how loud a sound seems: a steady tone with a low peak
can sound as loud as speech whose peaks are far higher. Every sound the session
plays is brought to one loudness instead, with a ceiling on its peaks.

The meter is the standard's own: K-weighting (a high shelf of +4 dB above
1.5 kHz and a high-pass at 38 Hz, the same biquads pyloudnorm designs), then
mean square over 400 ms blocks with 75 % overlap, an absolute gate at -70 LUFS
and a relative gate 10 LU under the gated mean. It is written here with numpy
(the filters applied in the frequency domain) rather than called from
pyloudnorm, because pyloudnorm's import brings in scipy: more than a second of
start-up before the first prompt, or a stalled stream if it came mid-session.
The tests hold this meter to pyloudnorm's figures within 0.05 dB, and the
benchmark measures with pyloudnorm itself.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SPEECH_LOUDNESS = -23.0  # LUFS (the EBU R128 level): every prompt, and by default every cue
PEAK_CEILING = 0.7  # no sound is placed with a higher peak; the mixer limits the rest
BLOCK_SECONDS = 0.4  # BS.1770's gating block; a shorter sound is measured as one block
OVERLAP = 0.75
SILENT = -70.0  # BS.1770's absolute gate: anything quieter counts as silence
RELATIVE_GATE = -10.0
TAIL_SECONDS = 1.0  # the K-weighting filters' ring-out, kept clear of the wrap-around


def _biquad(kind: str, gain_db: float, q: float, fc: float,
            rate: int) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The K-weighting stages' coefficients (b, a), as BS.1770 and pyloudnorm give them."""
    a_ = 10 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2.0 * q), np.cos(w0)
    if kind == "high_shelf":
        root = 2 * np.sqrt(a_) * alpha
        b = (a_ * ((a_ + 1) + (a_ - 1) * cos + root), -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
             a_ * ((a_ + 1) + (a_ - 1) * cos - root))
        a = ((a_ + 1) - (a_ - 1) * cos + root, 2 * ((a_ - 1) - (a_ + 1) * cos),
             (a_ + 1) - (a_ - 1) * cos - root)
    else:  # high_pass
        b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
        a = (1 + alpha, -2 * cos, 1 - alpha)
    return (float(b[0]), float(b[1]), float(b[2])), (float(a[0]), float(a[1]), float(a[2]))


K_STAGES = (("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0), ("high_pass", 0.0, 0.5, 38.0))


def k_weighting(rate: int) -> npt.NDArray[np.float64]:
    """The two K-weighting stages as second-order sections (rows b0 b1 b2 1 a1 a2), for a
    filter that runs through a long signal a piece at a time."""
    rows = []
    for kind, gain_db, q, fc in K_STAGES:
        b, a = _biquad(kind, gain_db, q, fc, rate)
        rows.append([*(x / a[0] for x in b), *(x / a[0] for x in a)])
    return np.array(rows, dtype=np.float64)


def k_weighted(data: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    """Columns of `data` (samples, channels) through the two K-weighting stages."""
    n = len(data)
    size = 1 << int(np.ceil(np.log2(n + round(TAIL_SECONDS * rate))))
    z = np.exp(-1j * np.pi * np.arange(size // 2 + 1) / (size // 2))  # e^-jw on the rfft grid
    response = np.ones(size // 2 + 1, dtype=np.complex128)
    for kind, gain_db, q, fc in K_STAGES:
        b, a = _biquad(kind, gain_db, q, fc, rate)
        response *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    spectrum = np.fft.rfft(data, size, axis=0) * response[:, None]
    filtered: npt.NDArray[np.float64] = np.fft.irfft(spectrum, size, axis=0)[:n]
    return filtered


def loudness(samples: npt.NDArray[np.floating], rate: int) -> float:
    """Integrated loudness in LUFS of a mono (n,) or multichannel (n, channels) signal
    (channels weighted 1, as left, right and centre are)."""
    data = np.asarray(samples, dtype=np.float64)
    data = data.reshape(len(data), -1)
    if len(data) < 2 or not np.any(data):
        return SILENT
    weighted = k_weighted(data, rate)
    block = min(BLOCK_SECONDS, len(data) / rate)
    count = int(np.round((len(data) / rate - block) / (block * (1 - OVERLAP)))) + 1
    power = np.zeros(count)
    for j in range(count):  # the block bounds exactly as BS.1770 (and pyloudnorm) cut them
        lo = int(block * (j * (1 - OVERLAP)) * rate)
        hi = int(block * (j * (1 - OVERLAP) + 1) * rate)
        power[j] = np.sum(np.square(weighted[lo:hi])) / (block * rate)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(power)
        audible = levels >= SILENT
        if not np.any(audible):
            return SILENT
        gate = -0.691 + 10 * np.log10(power[audible].mean()) + RELATIVE_GATE
        kept = (levels > gate) & (levels > SILENT)
        value = -0.691 + 10 * np.log10(power[kept].mean()) if np.any(kept) else SILENT
    return max(float(value), SILENT)


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
