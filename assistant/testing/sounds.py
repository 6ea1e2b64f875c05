"""Sounds for microphone files: real espeak-ng speech, noise of a room, silence."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample, to_mono
from assistant.speech.voice.rendering import trim

RATE = 16_000


def spoken(text: str, rate: int = RATE, wpm: int = 160, voice: str = "en-us") -> Samples:
    """Real espeak-ng speech, as a partner's voice in a microphone file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text],
                       check=True)
        data, file_rate = soundfile.read(str(path), dtype="float32")
    speech = trim(resample(to_mono(data), file_rate, rate))
    return np.multiply(speech, 0.8, dtype=np.float32)


def noise(kind: str, seconds: float, level: float = 0.05, rate: int = RATE,
          seed: int = 0) -> Samples:
    """White noise, pink noise (a fan, wind) or a steady mains hum."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    if kind == "white":
        signal = rng.standard_normal(n)
    elif kind == "pink":
        spectrum = np.fft.rfft(rng.standard_normal(n))
        spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
        signal = np.fft.irfft(spectrum, n)
    elif kind == "hum":
        t = np.arange(n) / rate
        signal = np.sum([np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3)], axis=0)
    else:
        raise ValueError(f"no noise called {kind!r}")
    scaled: Samples = (signal / np.sqrt(np.mean(signal**2)) * level).astype(np.float32)
    return scaled


def silence(seconds: float, rate: int = RATE) -> Samples:
    return np.zeros(round(seconds * rate), dtype=np.float32)
