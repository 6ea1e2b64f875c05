"""Yielding: a partner who speaks over a spoken prompt is given way, as a person would.

Their first word ducks the voice at once. Still speaking a second later, they mean
it: the prompt stops, and after their pause the assistant goes on from the start
of the sentence it was in (not the whole prompt), unless what they said was a
command, which then acts for itself. A cough or a laugh, shorter than that, only
ducks the voice, which comes back. Breathing and walking cues (a rhythm's words
included) are never ducked or stopped by speech. All of this needs a microphone
that hears partners while the assistant speaks: headphones, or echo cancellation.

A mixin of `SessionRunner`; `_Runner` names what it uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.audio.mixer import Mixer
from assistant.engine.duplex import SelfHearing
from assistant.session.events import BargeIn, DuckEnd, Event, SayEnd
from assistant.session.machine import SessionMachine
from assistant.session.plan import Sound, Speech
from assistant.speech.detector import SpeechDetector
from assistant.speech.voice.rendering import Voice

STOP_AFTER_SECONDS = 1.0  # a partner still speaking this long after their first word means it
RESUME_AFTER_SECONDS = 0.7  # a stopped prompt goes on after a pause this long, not a breath
UNDUCK_AFTER_SECONDS = 0.3  # quiet this long, the voice comes back (not between two words)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Playing:
    sound: Sound
    start: int
    end: int
    token: int
    announced: bool = False


@dataclass(frozen=True)
class Interrupted:
    """A prompt stopped for a partner: what is left of it, said after their pause."""

    rest: str
    token: int


def rest_of(text: str, played: float) -> str:
    """The prompt from the start of the sentence under way once `played` (0 to 1) of it
    has sounded; sentences are placed by their share of the characters."""
    reached = played * len(text)
    rest, offset = text, 0
    for sentence in SENTENCE_END.split(text):
        start = text.index(sentence, offset)
        if start > reached:
            break
        rest, offset = text[start:], start + len(sentence)
    return rest


class _Runner(Protocol):
    mixer: Mixer
    machine: SessionMachine
    detector: SpeechDetector | None
    voice: Voice
    _playing: list[Playing]
    _self: SelfHearing
    _faded_by: int
    _interrupted: Interrupted | None
    _quiet_since: int | None

    def _emit(self, event: Event) -> None: ...
    def _play_at(self, sound: Sound, at: int, token: int) -> None: ...


class Yielding:
    """The runner's side of giving way to a partner."""

    _interrupted: Interrupted | None = None
    _quiet_since: int | None = None  # ducked, and nobody has spoken since

    def _barge_in(self: _Runner, now: int) -> None:
        if self.detector is None or not self._self.full_duplex:
            return
        talking = self.detector.state != "quiet"
        prompt = _prompt_at(self._playing, now) if self.machine.rhythm is None else None
        self._quiet_since = None if talking else (self._quiet_since or now)
        if talking and prompt is not None and not self.mixer.ducked:
            self.mixer.ducked = True
            first = self.detector.speech_from
            self._emit(BargeIn(sample=now, first_word=first,
                               speech_from=round(first / self.mixer.rate, 6),
                               ducked_from=round(self.mixer.now / self.mixer.rate, 6)))
        elif talking and prompt is not None and self.detector.speaking \
                and now - self.detector.speech_from >= STOP_AFTER_SECONDS * self.mixer.rate:
            Yielding._stop_prompt(self, prompt)
        elif self.mixer.ducked and self._quiet_since is not None and (
                prompt is None
                or now - self._quiet_since >= UNDUCK_AFTER_SECONDS * self.mixer.rate):
            self.mixer.ducked = False
            self._emit(DuckEnd(sample=now))
        if self._interrupted is not None and self._quiet_since is not None \
                and now - self._quiet_since >= RESUME_AFTER_SECONDS * self.mixer.rate:
            resumed, self._interrupted = self._interrupted, None
            self._play_at(Speech(resumed.rest), max(now, self.mixer.now), resumed.token)

    def _stop_prompt(self: _Runner, prompt: Playing) -> None:
        """Stop the prompt for a partner who goes on speaking; keep the rest for later."""
        now = self.mixer.now
        silent_by = self.mixer.cut(prompt.start)
        self._faded_by = max(self._faded_by, silent_by)
        self._self.own.shorten(prompt.start, silent_by)
        self._playing.remove(prompt)
        self.mixer.ducked = False
        self._emit(DuckEnd(sample=silent_by))
        assert isinstance(prompt.sound, Speech)
        self._emit(SayEnd(sample=silent_by, text=prompt.sound.text, cut=True))
        played = (now - prompt.start) / max(1, prompt.end - prompt.start)
        self._interrupted = Interrupted(rest_of(prompt.sound.text, played), prompt.token)


def _prompt_at(playing: Sequence[Playing], sample: int) -> Playing | None:
    """The spoken prompt sounding at `sample`, if any."""
    return next((p for p in playing if isinstance(p.sound, Speech) and p.announced
                 and p.start <= sample < p.end), None)
