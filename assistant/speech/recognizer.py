"""Vosk, restricted to a grammar of command phrases, decoding one speech segment at a time.

Only segments the speech detector found are decoded (never silence), so Vosk
needs no endpointer of its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.mixer import Samples
from assistant.errors import UserError
from assistant.speech.commands import (
    UNKNOWN,
    Phrasebook,
    Transcript,
    Word,
    languages,
    load_phrasebook,
)
from assistant.speech.models import model_problem

RATE = 16_000


def load_model(folder: Path) -> Any:
    """A Vosk model from a folder (never by language: that would download)."""
    problem = model_problem(folder)
    if problem:
        raise UserError(problem)
    import vosk

    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(folder))
    except Exception:  # vosk raises a bare Exception for a model it cannot read
        raise UserError(f"The speech model at {folder} cannot be loaded (a file is damaged "
                        "or cut short); download it again with 'assistant models "
                        "download'.") from None


class CommandRecognizer:
    def __init__(self, model: Any, book: Phrasebook | None = None) -> None:
        self.model = model
        self.book = book or best_phrasebook(model)
        words = [p for p in self.book.phrases if all(knows(model, w) for w in p.split())]
        if knows(model, UNKNOWN):
            words.append(UNKNOWN)
        self.grammar = json.dumps(words, ensure_ascii=False)

    def decode(self, samples: Samples) -> Transcript:
        import vosk

        recognizer = vosk.KaldiRecognizer(self.model, RATE, self.grammar)
        recognizer.SetWords(True)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        recognizer.AcceptWaveform(pcm)
        return parse_result(recognizer.FinalResult())


def parse_result(text: str) -> Transcript:
    """Vosk's JSON result (with SetWords) as words and confidences."""
    result = json.loads(text)
    return Transcript(tuple(Word(item["word"], float(item.get("conf", 0.0)))
                            for item in result.get("result", [])))


def best_phrasebook(model: Any) -> Phrasebook:
    """The language whose command words the model knows best."""
    books = [load_phrasebook(language) for language in languages()]
    return max(books, key=lambda book: sum(knows(model, w) for w in book.vocabulary))


def knows(model: Any, word: str) -> bool:
    """Whether the model's vocabulary has `word` (a grammar word it lacks is ignored)."""
    return int(model.vosk_model_find_word(word)) >= 0
