"""Vosk, restricted to a grammar of command phrases, decoding one speech segment at a time.

Only segments the speech detector found are decoded (never silence), so Vosk
needs no endpointer of its own.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.mixer import Samples
from assistant.base.errors import UserError
from assistant.speech.commands.checked import leave_mark, mark_of
from assistant.speech.commands.matcher import (
    UNKNOWN,
    Phrasebook,
    Transcript,
    Word,
    languages,
    load_phrasebook,
)
from assistant.speech.commands.models import model_problem

RATE = 16_000


PROBE_SECONDS = 120.0  # the largest models load in well under a minute
PROBE = "assistant.speech.commands.probe"  # the module run as a child to try a model


def probe(folder: Path) -> str | None:
    """None if the model loads and decodes in a child process, else a sentence saying why
    not: a damaged model may crash Vosk outright, and only the child goes down with it."""
    try:
        result = subprocess.run([sys.executable, "-m", PROBE, str(folder)],
                                capture_output=True, timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        return (f"The speech model at {folder} took over {PROBE_SECONDS:g} s to load; it may "
                "be damaged: download it again with 'assistant models download'.")
    if result.returncode == 0:
        return None
    if result.returncode < 0:
        how = f"loading it crashed the speech engine ({signal.Signals(-result.returncode).name})"
    else:
        how = "the speech engine cannot read it"
    return (f"The speech model at {folder} is damaged ({how}); download it again with "
            "'assistant models download'.")


def load_model(folder: Path, always_try: bool = False) -> Any:
    """A Vosk model from a folder (never by language: that would download), tried first in
    a child process so a damaged one is reported, never a crash (once, unless asked)."""
    mark = mark_of(folder)
    tried = mark is not None and mark.is_file()
    problem = model_problem(folder) or (None if tried and not always_try else probe(folder))
    if problem:
        raise UserError(problem)
    import vosk

    vosk.SetLogLevel(-1)
    try:
        model = vosk.Model(str(folder))
    except Exception:  # vosk raises a bare Exception for a model it cannot read
        raise UserError(f"The speech model at {folder} cannot be loaded (a file is damaged "
                        "or cut short); download it again with 'assistant models "
                        "download'.") from None
    if mark is not None and not tried:
        leave_mark(mark, folder)
    return model


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
