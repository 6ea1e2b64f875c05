"""Piper neural speech (`piper-tts`): a warm, natural voice, rendered on the CPU.

A voice is an `.onnx` model with its `.onnx.json` beside it. Loading takes
seconds, so it happens once, on the speech worker, ahead of need. Piper adds
random noise to each rendering (for a livelier voice); we render with that noise
off, so the same text, voice and rate always give the same samples, which the
cache and the session clock rely on.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample
from assistant.base.errors import UserError

REFERENCE_RATE = 160  # words a minute at the voice's own pace
# Piper's length scale stretches each phoneme but not the part rounded to whole
# frames; measured on en_US-joe-medium, that fixed part is about a quarter of a
# prompt at the voice's own pace. `length_scale` allows for it, so the spoken
# length follows --rate: twice the words a minute, half the length.
FIXED_SHARE = 0.25
SENTENCE_GAP_SECONDS = 0.25
PEAK = 0.7  # about espeak-ng's loudness, so cues sit the same way under either voice


class VoiceFileError(UserError):
    """A Piper voice file is missing or cannot be loaded."""


def config_path(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def file_problem(model: Path) -> str | None:
    """Why this voice cannot be used, judged from its files alone; None if it looks whole."""
    config = config_path(model)
    if not model.is_file():
        return f"the voice file {model} is missing"
    if not config.is_file():
        return f"the voice file {config} is missing"
    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
        int(settings["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):  # nesting too deep
        return f"the voice file {config} is damaged"
    return None


def length_scale(words_per_minute: int) -> float:
    """Piper's length scale for a speaking rate (1.0 at the voice's own pace)."""
    return (REFERENCE_RATE / words_per_minute - FIXED_SHARE) / (1 - FIXED_SHARE)


class PiperEngine:
    """Renders text with one Piper voice, loaded on first use."""

    engine = "piper"

    def __init__(self, model: Path, name: str) -> None:
        self.model, self.name = model, name
        self._voice: Any = None
        size = model.stat().st_size if model.is_file() else 0
        self._identity = f"{name}:{size}"

    @property
    def identity(self) -> str:
        return self._identity

    def load(self) -> None:
        if self._voice is not None:
            return
        problem = file_problem(self.model)
        if problem is not None:
            raise VoiceFileError(problem)
        logging.getLogger("piper").setLevel(logging.ERROR)
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            # one thread: the other core stays free for the sound card and the listener
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = options.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(str(self.model), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            settings = json.loads(config_path(self.model).read_text(encoding="utf-8"))
            self._voice = PiperVoice(session=session, config=PiperConfig.from_dict(settings))
        except Exception as error:  # onnxruntime raises its own types for a bad model
            raise VoiceFileError(f"the voice file {self.model} is damaged "
                                 f"({str(error).splitlines()[0][:120]})") from None

    def synthesize(self, text: str, words_per_minute: int, rate: int) -> Samples:
        from piper import SynthesisConfig

        self.load()
        config = SynthesisConfig(
            length_scale=self._voice.config.length_scale * length_scale(words_per_minute),
            noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
        native = self._voice.config.sample_rate
        gap = np.zeros(round(SENTENCE_GAP_SECONDS * native), dtype=np.float32)
        parts: list[Samples] = []
        for chunk in self._voice.synthesize(text, config):
            if parts:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        if not parts:
            return np.zeros(0, dtype=np.float32)
        samples = resample(np.concatenate(parts), native, rate)
        peak = float(np.abs(samples).max())
        return samples * np.float32(PEAK / peak) if peak > 0 else samples
