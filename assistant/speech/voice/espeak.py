"""espeak-ng through pyttsx3: the voice that is always there, in every language it knows.

espeak-ng keeps state between utterances inside a process (its voice settings, and
wave-generator state that changes how the next utterance sounds), and pyttsx3
shares one espeak-ng between every engine of a process. So each rendering runs in
a short-lived child process that owns its engine alone (`espeak_child.py`): the
rate and voice asked for are the ones used, every time, and the same text,
voice and rate always give the same samples. It costs about 0.15 s a prompt,
and a prompt is rendered once, then cached.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import soundfile

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample, to_mono
from assistant.base.errors import UserError
from assistant.base.scratch import scratch_folder

CHILD_TIMEOUT_SECONDS = 60.0
ATTEMPTS = 3
NOT_AVAILABLE = ("Speech synthesis is not available; install the espeak-ng package "
                 "(sudo apt install espeak-ng)")


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


def _pyttsx3_engine() -> Any:
    try:
        import pyttsx3

        return pyttsx3.init()
    except (OSError, RuntimeError, ImportError) as error:
        raise UserError(f"{NOT_AVAILABLE} ({error}).") from None


def list_voices() -> list[VoiceInfo]:
    """espeak-ng's voices (listing only: nothing is synthesised in this process)."""
    return [VoiceInfo(str(v.id), str(v.name), tuple(str(lang) for lang in (v.languages or ())))
            for v in _pyttsx3_engine().getProperty("voices")]


def find_voice(wanted: str, voices: list[VoiceInfo] | None = None) -> VoiceInfo | None:
    """The espeak-ng voice with this id, name or short id (`de` for `gmw/de`), if any."""
    for voice in voices if voices is not None else list_voices():
        if wanted in (voice.id, voice.name) or voice.id.endswith(f"/{wanted}"):
            return voice
    return None


def default_voice_id() -> str:
    """The voice espeak-ng speaks with when none is chosen."""
    return str(_pyttsx3_engine().getProperty("voice") or "gmw/en")


def speaks_english(voice: VoiceInfo) -> bool:
    return any(lang.lower().startswith("en") for lang in voice.languages) or \
        voice.id.split("/")[-1].startswith("en")


class EspeakEngine:
    """Renders text with one espeak-ng voice; each call is independent of the ones before."""

    engine = "espeak"

    def __init__(self, voice_id: str) -> None:
        self.voice_id = voice_id

    @property
    def identity(self) -> str:
        return self.voice_id

    def load(self) -> None:
        """Nothing to load: each rendering starts its own engine."""

    def synthesize(self, text: str, words_per_minute: int, rate: int) -> Samples:
        with scratch_folder("assistant-voice") as folder:
            path = folder / "speech.wav"
            for _attempt in range(ATTEMPTS):
                result = subprocess.run(
                    [sys.executable, "-m", "assistant.speech.voice.espeak_child", self.voice_id,
                     str(words_per_minute), str(path)],
                    input=text.encode(), capture_output=True, timeout=CHILD_TIMEOUT_SECONDS,
                    check=False)
                if result.returncode == 0 and path.exists():
                    data, file_rate = soundfile.read(str(path), dtype="float32",
                                                     always_2d=True)
                    return resample(to_mono(data), file_rate, rate)
                if result.returncode == 3:  # the child could not start espeak-ng at all
                    raise UserError(f"{NOT_AVAILABLE} ({result.stderr.decode().strip()}).")
        raise UserError(f"Speech synthesis produced no audio for: {text!r}.")
