"""Cue sounds synthesised with numpy: soft, click-free earcons told apart by ear.

Breath cues glide (up for in, down for out); partner B's cues sit a fifth
lower than partner A's so alternating breathers each hear their own.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.audio.mixer import Samples

CUE_LEVEL = 0.25  # peak level: below the voice's, so cues never startle


def _envelope(length: int, rate: int, attack: float, release: float) -> Samples:
    env = np.ones(length, dtype=np.float32)
    rise, fall = min(length, int(attack * rate)), min(length, int(release * rate))
    if rise:
        env[:rise] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, rise, dtype=np.float32))
    if fall:
        env[-fall:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, fall, dtype=np.float32))
    return env


def _glide(rate: int, seconds: float, f_start: float, f_end: float) -> Samples:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    freq = f_start * (f_end / f_start) ** (t / seconds)  # an even glide in pitch
    phase = 2 * np.pi * np.cumsum(freq) / rate
    tone = np.sin(phase) + 0.3 * np.sin(2 * phase)
    return (tone / 1.3).astype(np.float32) * _envelope(len(t), rate, 0.08, 0.25)


def _bell(rate: int, seconds: float, base: float, decay: float) -> Samples:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    partials = [(1.0, 1.0), (2.76, 0.35), (5.4, 0.12)]  # a soft, bell-like spectrum
    tone = sum(level * np.sin(2 * np.pi * base * ratio * t) for ratio, level in partials)
    tone = tone * np.exp(-t / decay) / 1.47
    return tone.astype(np.float32) * _envelope(len(t), rate, 0.005, 0.05)


def _tick(rate: int, freq: float) -> Samples:
    t = np.arange(int(0.05 * rate), dtype=np.float64) / rate
    tone = np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.012)
    return tone.astype(np.float32) * _envelope(len(t), rate, 0.002, 0.01)


_B = 2.0 / 3.0  # partner B: a fifth lower


def synthesise(kind: str, rate: int) -> Samples:
    """The cue called `kind` (bell, chime, in, out, hold, step, and in_b/out_b/hold_b)."""
    makers: dict[str, Callable[[], Samples]] = {
        "bell": lambda: _bell(rate, 2.0, 528.0, 0.5),
        "chime": lambda: 0.6 * _bell(rate, 1.2, 792.0, 0.25),
        "in": lambda: _glide(rate, 0.6, 392.0, 587.0),
        "out": lambda: _glide(rate, 0.6, 587.0, 392.0),
        "hold": lambda: 0.7 * _glide(rate, 0.35, 294.0, 294.0),
        "in_b": lambda: _glide(rate, 0.6, 392.0 * _B, 587.0 * _B),
        "out_b": lambda: _glide(rate, 0.6, 587.0 * _B, 392.0 * _B),
        "hold_b": lambda: 0.7 * _glide(rate, 0.35, 294.0 * _B, 294.0 * _B),
        "step": lambda: _tick(rate, 1200.0),
    }
    if kind not in makers:
        raise ValueError(f"no cue called {kind!r}")
    return (CUE_LEVEL * makers[kind]()).astype(np.float32)


class CueBank:
    """Each cue synthesised once per session rate."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._made: dict[str, Samples] = {}

    def get(self, kind: str) -> Samples:
        if kind not in self._made:
            self._made[kind] = synthesise(kind, self.rate)
        return self._made[kind]
