"""Cue sounds synthesised with numpy: soft, click-free earcons told apart by ear.

Breath cues glide (up for in, down for out). In partnered breathing each
partner has a cue of their own that can be told apart with eyes closed: not
only a different pitch but a different timbre and a register two octaves away.
Partner A's (and the shared cues) are a clear, flute-like tone high up; partner
B's (`in_b`, `out_b`, `hold_b`) a low, reedy hum with a slow tremolo. On a
stereo output A's sound on the left and B's on the right.

Every cue is brought to the loudness of speech (BS.1770), not to a peak level,
so none sounds louder or softer than the voice unless asked (`--cue-volume`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from assistant.audio.loudness import SPEECH_LOUDNESS, levelled
from assistant.audio.mixer import Samples

A_LOW, A_HIGH = 784.0, 1175.0  # G5 to D6: partner A's (and the shared) breath glides
B_LOW, B_HIGH = 196.0, 294.0  # G3 to D4: partner B's, two octaves below
LEFT, CENTRE, RIGHT = -1.0, 0.0, 1.0
KINDS = ("bell", "chime", "in", "out", "hold", "in_b", "out_b", "hold_b", "step")


def _envelope(length: int, rate: int, attack: float, release: float) -> Samples:
    env = np.ones(length, dtype=np.float32)
    rise, fall = min(length, int(attack * rate)), min(length, int(release * rate))
    if rise:
        env[:rise] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, rise, dtype=np.float32))
    if fall:
        env[-fall:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, fall, dtype=np.float32))
    return env


def _phase(rate: int, seconds: float, f_start: float, f_end: float
           ) -> npt.NDArray[np.float64]:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    freq = f_start * (f_end / f_start) ** (t / seconds)  # an even glide in pitch
    return 2 * np.pi * np.cumsum(freq) / rate


def _flute(rate: int, seconds: float, f_start: float, f_end: float) -> Samples:
    """Partner A: a clear tone with a touch of octave, smooth and steady."""
    phase = _phase(rate, seconds, f_start, f_end)
    tone = (np.sin(phase) + 0.2 * np.sin(2 * phase)) / 1.2
    return tone.astype(np.float32) * _envelope(len(phase), rate, 0.08, 0.25)


def _reed(rate: int, seconds: float, f_start: float, f_end: float) -> Samples:
    """Partner B: a hollow, reedy hum (odd partials) that wavers slowly."""
    phase = _phase(rate, seconds, f_start, f_end)
    t = np.arange(len(phase), dtype=np.float64) / rate
    tone = (np.sin(phase) + 0.3 * np.sin(3 * phase)) / 1.3
    tremolo = 1.0 - 0.35 * (0.5 - 0.5 * np.cos(2 * np.pi * 6.0 * t))
    return (tone * tremolo).astype(np.float32) * _envelope(len(phase), rate, 0.08, 0.25)


def _bell(rate: int, seconds: float, base: float, decay: float) -> Samples:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    partials = [(1.0, 1.0), (2.76, 0.35), (5.4, 0.12)]  # a soft, bell-like spectrum
    tone = sum(level * np.sin(2 * np.pi * base * ratio * t) for ratio, level in partials)
    tone = tone * np.exp(-t / decay) / 1.47
    return tone.astype(np.float32) * _envelope(len(t), rate, 0.005, 0.05)


def _tick(rate: int, freq: float) -> Samples:
    """A woody footstep: a sharp onset, 25 ms at full strength, then a quick decay. Odd
    partials and the held start keep its peak only about 11 dB over the loudness of a
    walk's stream of them (a plain decaying ping is 20 dB over), so an exported walk
    reaches -16 LUFS with its peaks under -1 dBTP without a limiter reshaping each tick."""
    t = np.arange(int(0.08 * rate), dtype=np.float64) / rate
    phase = 2 * np.pi * freq * t
    tone = np.sin(phase) + np.sin(3 * phase) / 3 + np.sin(5 * phase) / 5
    body = np.where(t < 0.025, 1.0, np.exp(-(t - 0.025) / 0.025))
    return (tone * body).astype(np.float32) * _envelope(len(t), rate, 0.002, 0.01)


def synthesise(kind: str, rate: int) -> Samples:
    """The shape of the cue called `kind` (one of KINDS), at a peak of 1."""
    makers: dict[str, Callable[[], Samples]] = {
        "bell": lambda: _bell(rate, 2.0, 528.0, 0.5),
        "chime": lambda: _bell(rate, 1.2, 792.0, 0.25),
        "in": lambda: _flute(rate, 0.6, A_LOW, A_HIGH),
        "out": lambda: _flute(rate, 0.6, A_HIGH, A_LOW),
        "hold": lambda: _flute(rate, 0.35, A_LOW * 1.2, A_LOW * 1.2),
        "in_b": lambda: _reed(rate, 0.6, B_LOW, B_HIGH),
        "out_b": lambda: _reed(rate, 0.6, B_HIGH, B_LOW),
        "hold_b": lambda: _reed(rate, 0.35, B_LOW * 1.2, B_LOW * 1.2),
        "step": lambda: _tick(rate, 1200.0),
    }
    if kind not in makers:
        raise ValueError(f"no cue called {kind!r}")
    shape = makers[kind]()
    unit: Samples = (shape / np.float32(np.abs(shape).max())).astype(np.float32)
    return unit


def placement(kind: str, partner: str) -> float:
    """Where a cue sounds, from -1 (left) to 1 (right): partner A's on the left, B's on
    the right, and cues for both (no partner) in the middle."""
    if not partner:
        return CENTRE
    return RIGHT if kind.endswith("_b") else LEFT


class CueBank:
    """Each cue synthesised once, at `loudness` LUFS (by default, that of speech)."""

    def __init__(self, rate: int, loudness: float = SPEECH_LOUDNESS) -> None:
        self.rate, self.loudness = rate, loudness
        self._made: dict[str, Samples] = {}

    def get(self, kind: str) -> Samples:
        if kind not in self._made:
            self._made[kind] = levelled(synthesise(kind, self.rate), self.rate, self.loudness)
        return self._made[kind]
