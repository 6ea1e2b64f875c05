"""The voice: pyttsx3 over espeak-ng, rendered to PCM so the mixer can place it exactly.

pyttsx3's own playback is never used: on Linux it shells out to a player, blocks,
cannot pick a device and cannot be interrupted. We render to a file instead,
resample to the session rate, trim the silent edges (so `say_start` is the first
sound) and cache by text, voice and rate, in memory and on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample, to_mono
from assistant.errors import UserError
from assistant.interrupts import deferred

SILENCE_FLOOR = 1e-3  # below this the rendered edges count as silence
CACHE_VERSION = "1"
MIN_RATE, MAX_RATE = 80, 400
FINISH_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class VoiceSettings:
    voice: str | None = None  # an espeak-ng voice id or name; None is the system default
    rate: int = 160  # words a minute: a calm pace for guided practice
    volume: float = 1.0  # 0..1, applied to the rendered samples


class Voice(Protocol):
    def render(self, text: str) -> Samples: ...

    def change_rate(self, words_per_minute: int) -> None:
        """Speak faster (positive) or slower from now on."""
        ...


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


def _engine() -> Any:
    try:
        import pyttsx3

        return pyttsx3.init()
    except (OSError, RuntimeError, ImportError) as error:
        raise UserError(
            "Speech synthesis is not available; install the espeak-ng package "
            f"(sudo apt install espeak-ng) ({error})."
        ) from None


def _finish_utterance(engine: Any) -> None:
    """Wait until espeak-ng has finished the utterance and pyttsx3 has written it.

    pyttsx3's espeak driver runs espeak-ng asynchronously, and its run loop can
    return before the utterance is done: the file is written later, on espeak-ng's
    thread, when the end-of-message event arrives. And when the loop ends while
    espeak-ng still reports itself busy, the driver records a stop request that
    cancels the *next* utterance (seen under load as empty prompts). So we wait for
    the end event and for espeak-ng to be idle, then drop any such stale request.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is None or not hasattr(driver, "_speaking"):
        return  # another platform's driver: its loop is synchronous
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()
    deadline = time.monotonic() + FINISH_TIMEOUT_SECONDS
    while (driver._speaking or _espeak.IsPlaying()) and time.monotonic() < deadline:
        time.sleep(0.001)
    driver._stopping = False


def list_voices() -> list[VoiceInfo]:
    voices = _engine().getProperty("voices")
    return [
        VoiceInfo(v.id, v.name, tuple(str(lang) for lang in (v.languages or ())))
        for v in voices
    ]


class EspeakVoice:
    def __init__(self, settings: VoiceSettings, rate: int, cache_dir: Path | None = None) -> None:
        if not MIN_RATE <= settings.rate <= MAX_RATE:
            raise UserError(f"--rate must be {MIN_RATE} to {MAX_RATE} words a minute.")
        if not 0.0 <= settings.volume <= 1.0:
            raise UserError("--volume must be between 0 and 1, such as 0.8.")
        self.settings, self.rate, self.cache_dir = settings, rate, cache_dir
        self._memory: dict[str, Samples] = {}
        self._engine_handle: Any = None
        self._voice_id: str | None = None

    def change_rate(self, words_per_minute: int) -> None:
        rate = min(max(self.settings.rate + words_per_minute, MIN_RATE), MAX_RATE)
        self.settings = replace(self.settings, rate=rate)
        if self._engine_handle is not None:
            self._engine_handle.setProperty("rate", rate)

    def _ready_engine(self) -> Any:
        if self._engine_handle is None:
            engine = _engine()
            engine.setProperty("rate", self.settings.rate)
            if self.settings.voice:
                engine.setProperty("voice", self._find_voice(engine, self.settings.voice))
            self._engine_handle = engine
        return self._engine_handle

    def _save(self, engine: Any, text: str) -> Samples:
        with tempfile.TemporaryDirectory(prefix="assistant-voice-") as folder:
            path = Path(folder) / "speech.wav"
            for _attempt in range(3):
                engine.save_to_file(text, str(path))
                with contextlib.redirect_stdout(io.StringIO()):  # the driver prints on save
                    engine.runAndWait()
                    _finish_utterance(engine)
                if path.exists():
                    data, file_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
                    return resample(to_mono(data), file_rate, self.rate)
        raise UserError(f"Speech synthesis produced no audio for: {text!r}.")

    @staticmethod
    def _find_voice(engine: Any, wanted: str) -> str:
        for voice in engine.getProperty("voices"):
            if wanted in (voice.id, voice.name) or voice.id.endswith(f"/{wanted}"):
                return str(voice.id)
        raise UserError(f"There is no voice called '{wanted}'; list them with 'assistant voices'.")

    def render(self, text: str) -> Samples:
        key = hashlib.sha256(
            f"{CACHE_VERSION}|{text}|{self.settings.voice}|{self.settings.rate}|{self.rate}".encode()
        ).hexdigest()
        if key not in self._memory:
            cached = self._from_disk(key)
            self._memory[key] = cached if cached is not None else self._synthesise(text, key)
        return np.multiply(self._memory[key], self.settings.volume, dtype=np.float32)

    def _from_disk(self, key: str) -> Samples | None:
        if not self.cache_dir:
            return None
        path = self.cache_dir / f"{key}.npy"
        try:
            return np.asarray(np.load(path), dtype=np.float32)
        except (OSError, ValueError):
            return None

    def _synthesise(self, text: str, key: str) -> Samples:
        # Not cut by a signal: the engine writes from its own thread into a temporary
        # folder that must outlive it, and a half-written cache file would be left behind.
        with deferred():
            samples = trim(self._save(self._ready_engine(), text))
            if self.cache_dir:
                with contextlib.suppress(OSError):
                    self.cache_dir.mkdir(parents=True, exist_ok=True)
                    temporary = self.cache_dir / f"{key}.tmp.npy"
                    np.save(temporary, samples)
                    temporary.replace(self.cache_dir / f"{key}.npy")
        return samples


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
