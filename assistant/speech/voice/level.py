"""Speech at a known loudness, so cues can be matched to it and nothing startles."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.audio.loudness import SPEECH_LOUDNESS, levelled
from assistant.audio.mixer import Samples
from assistant.speech.voice.rendering import SpeechVoice, Voice


class LevelledVoice:
    """A voice whose every prompt is brought to `loudness` LUFS (BS.1770)."""

    def __init__(self, voice: Voice, rate: int, loudness: float = SPEECH_LOUDNESS) -> None:
        self.voice, self.rate, self.loudness = voice, rate, loudness
        self._made: dict[str, Samples] = {}

    def render(self, text: str) -> Samples:
        if text not in self._made:
            self._made[text] = levelled(self.voice.render(text), self.rate, self.loudness)
        return self._made[text]

    def change_rate(self, words_per_minute: int) -> None:
        self.voice.change_rate(words_per_minute)
        self._made.clear()  # the same words, spoken at another pace

    def close(self) -> None:
        if isinstance(self.voice, SpeechVoice):
            self.voice.close()

    def prepare(self, texts: Iterable[str]) -> None:
        """Let the engine render the session's prompts ahead, when it can."""
        if isinstance(self.voice, SpeechVoice):
            self.voice.prepare(texts)
