"""Voice commands: which utterances are commands, and which commands count when.

A couple's conversation is full of words like "next" and "stop", so a command
must be unmistakable: the whole utterance must be one command phrase, with no
unknown word, few words, and every word recognised with confidence. Commands are
also gated by phase: while a partner has the floor only done, pause and stop
(and help) are live.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

UNKNOWN = "[unk]"
MAX_WORDS = 5
MIN_CONFIDENCE = 0.7
MAX_COMMAND_SECONDS = 3.0  # a longer utterance is conversation, not a command
PHRASES = "assistant.speech.commands.phrases"  # the package of the phrase files

IN_A_TURN = frozenset({"done", "pause", "stop", "help", "good", "too_much"})
WHEN_PAUSED = frozenset({"resume", "stop", "next", "back", "repeat", "skip", "help", "where",
                         "time"})


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float


@dataclass(frozen=True)
class Transcript:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class Phrasebook:
    language: str
    commands: dict[str, tuple[str, ...]]  # command -> phrases

    @property
    def phrases(self) -> dict[str, str]:
        """phrase -> command"""
        return {phrase: name for name, phrases in self.commands.items() for phrase in phrases}

    @property
    def vocabulary(self) -> set[str]:
        return {word for phrase in self.phrases for word in phrase.split()}


def languages() -> list[str]:
    folder = resources.files(PHRASES)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def load_phrasebook(language: str) -> Phrasebook:
    text = resources.files(PHRASES).joinpath(f"{language}.toml").read_text(encoding="utf-8")
    commands = tomllib.loads(text)["commands"]
    return Phrasebook(language, {name: tuple(p.lower() for p in phrases)
                                 for name, phrases in commands.items()})


def phase_allows(command: str, phase: str) -> bool:
    """phase: 'turn' (a partner has the floor), 'paused', or 'guiding' (everything else)."""
    if phase == "turn":
        return command in IN_A_TURN
    if phase == "paused":
        return command in WHEN_PAUSED
    return True


def match(transcript: Transcript, book: Phrasebook, phase: str) -> str | None:
    """The command this whole utterance is, if it unmistakably is one and counts now."""
    words = transcript.words
    if not words or len(words) > MAX_WORDS:
        return None
    if any(word.text == UNKNOWN or word.confidence < MIN_CONFIDENCE for word in words):
        return None
    command = book.phrases.get(transcript.text.lower())
    if command is None or not phase_allows(command, phase):
        return None
    return command
