"""The voice: text rendered to PCM at the session rate, so the mixer can place it exactly.

No engine's own playback is used: it could not pick a device, be interrupted, or
be timed to the sample. Each prompt is rendered once (trimmed, so `say_start` is
its first sound), kept in memory and in the private disk cache, and rendered
ahead of need on the speech worker, in the order it will be spoken. A prompt
that is needed before it is ready is rendered at once, and the caller waits.

Engines: Piper (`piper.py`), the default when a Piper voice is installed, and the
system's own voice (`system.py`: espeak-ng, macOS's or Windows's), always there. A
Piper voice that turns out missing or damaged is replaced by the system's, with one
notice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, wait
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.audio.mixer import Samples
from assistant.base.errors import UserError
from assistant.speech.voice.cache import CacheKey, VoiceCache
from assistant.speech.voice.piper import VoiceFileError
from assistant.speech.voice.system import SystemEngine, VoiceInfo, default_voice_id, find_voice
from assistant.speech.voice.system import label as engine_label
from assistant.speech.voice.system import list_voices as list_voices
from assistant.speech.voice.worker import AHEAD, NOW, speech_worker

SILENCE_FLOOR = 1e-3  # below this the rendered edges count as silence
CLOSE_WAIT_SECONDS = 3.0  # at the end, how long a render under way may take to finish
MIN_RATE, MAX_RATE = 80, 400

__all__ = ["SilentVoice", "SpeechVoice", "SystemVoice", "Voice", "VoiceInfo",
           "VoiceSettings", "list_voices", "trim"]


@dataclass(frozen=True)
class VoiceSettings:
    voice: str | None = None  # a voice name, or a Piper .onnx path; None is the default
    rate: int = 160  # words a minute: a calm pace for guided practice
    volume: float = 1.0  # 0..1, applied to the rendered samples


class Voice(Protocol):
    def render(self, text: str) -> Samples: ...

    def change_rate(self, words_per_minute: int) -> None:
        """Speak faster (positive) or slower from now on."""
        ...


class Engine(Protocol):
    engine: str

    @property
    def identity(self) -> str: ...

    def load(self) -> None: ...

    def synthesize(self, text: str, words_per_minute: int, rate: int) -> Samples: ...


def check_settings(settings: VoiceSettings) -> None:
    if not MIN_RATE <= settings.rate <= MAX_RATE:
        raise UserError(f"--rate must be {MIN_RATE} to {MAX_RATE} words a minute.")
    if not 0.0 <= settings.volume <= 1.0:
        raise UserError("--volume must be between 0 and 1, such as 0.8.")


def say_once(message: str) -> None:
    print(f"assistant: {message}", file=sys.stderr, flush=True)


class SpeechVoice:
    """A `Voice` over one engine, with a memory and disk cache and rendering ahead."""

    def __init__(self, engine: Engine, settings: VoiceSettings, rate: int,
                 cache: VoiceCache | None = None,
                 fallback: Callable[[], Engine] | None = None,
                 fix: str = "", notice: Callable[[str], None] = say_once) -> None:
        check_settings(settings)
        self.engine, self.settings, self.rate, self.cache = engine, settings, rate, cache
        self._fallback, self._fix, self._notice = fallback, fix, notice
        self._memory: dict[CacheKey, Samples] = {}
        self._ahead: list[Future[Samples]] = []

    def change_rate(self, words_per_minute: int) -> None:
        rate = min(max(self.settings.rate + words_per_minute, MIN_RATE), MAX_RATE)
        self.settings = replace(self.settings, rate=rate)

    def render(self, text: str) -> Samples:
        """The prompt at the current rate and volume: from memory, disk, or rendered now."""
        words_per_minute = self.settings.rate
        samples = self._cached(self._key(text, words_per_minute))
        if samples is None:
            samples = speech_worker().submit(
                lambda: self._produce(text, words_per_minute), NOW).result()
        return np.multiply(samples, self.settings.volume, dtype=np.float32)

    def prepare(self, texts: Iterable[str]) -> None:
        """Render these prompts ahead, in this order, on the speech worker; then make sure
        the engine is loaded, so a prompt made new later is quick too."""
        words_per_minute, seen = self.settings.rate, set()
        for text in texts:
            key = self._key(text, words_per_minute)
            if text in seen or key in self._memory or (self.cache and self.cache.has(key)):
                continue
            seen.add(text)
            self._ahead.append(speech_worker().submit(
                partial(self._produce, text, words_per_minute), AHEAD))
        self._ahead.append(speech_worker().submit(self._load, AHEAD))

    def close(self) -> None:
        """Drop the work ahead that has not started: the session that wanted it is over.

        A render under way is let finish (briefly): were the process to end meanwhile,
        the interpreter would stop the worker thread inside native code (soxr, Piper's
        runtime), and C++ code stopped that way aborts the process."""
        under_way = [future for future in self._ahead if not future.cancel()]
        self._ahead = []
        wait(under_way, timeout=CLOSE_WAIT_SECONDS)

    def _key(self, text: str, words_per_minute: int) -> CacheKey:
        return CacheKey(self.engine.engine, self.engine.identity, words_per_minute, self.rate,
                        text)

    def _cached(self, key: CacheKey) -> Samples | None:
        samples = self._memory.get(key)
        if samples is None and self.cache is not None:
            samples = self.cache.get(key)
            if samples is not None:
                self._memory[key] = samples
        return samples

    def _load(self) -> None:
        try:
            self.engine.load()
        except VoiceFileError as error:
            self._fall_back(error)

    def _produce(self, text: str, words_per_minute: int) -> Samples:
        """On the worker: render (or find) one prompt and keep it."""
        while True:
            key = self._key(text, words_per_minute)
            samples = self._cached(key)
            if samples is not None:
                return samples
            try:
                samples = trim(self.engine.synthesize(text, words_per_minute, self.rate))
            except VoiceFileError as error:
                self._fall_back(error)
                continue
            self._memory[key] = samples
            if self.cache is not None:
                self.cache.put(key, samples)
            return samples

    def _fall_back(self, error: VoiceFileError) -> None:
        if self._fallback is None:
            raise error
        self.engine, self._fallback = self._fallback(), None
        self._notice(f"{str(error)[:1].upper()}{str(error)[1:]}; {self._fix}speaking with "
                     f"{engine_label(self.engine.engine)} instead.")


class SystemVoice(SpeechVoice):
    """The system's own voice alone: the voice that is always there."""

    def __init__(self, settings: VoiceSettings, rate: int, cache_dir: Path | None = None
                 ) -> None:
        check_settings(settings)
        if not settings.voice:
            voice_id = default_voice_id()
        else:
            found = find_voice(settings.voice)
            if found is None:
                raise UserError(f"There is no voice called '{settings.voice}'; list them "
                                "with 'assistant voices'.")
            voice_id = found.id
        super().__init__(SystemEngine(voice_id), settings, rate,
                         VoiceCache(cache_dir) if cache_dir else None)


def trim(samples: Samples) -> Samples:
    loud = np.flatnonzero(np.abs(samples) > SILENCE_FLOOR)
    if not len(loud):
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


class SilentVoice:
    """Text mode: prompts are printed, not spoken, so they take no time on the clock."""

    def render(self, text: str) -> Samples:
        return np.zeros(0, dtype=np.float32)

    def change_rate(self, words_per_minute: int) -> None:
        pass
