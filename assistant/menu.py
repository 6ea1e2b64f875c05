"""`assistant` with no arguments: a spoken menu that takes an exercise by name.

The menu is spoken and printed (numbered, for a screen reader); the answer may be
said (an exercise title, recognised through a grammar of the titles) or typed (a
number, an id or a title). Without a sound card, or without a speech model, it is
a typed menu.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from assistant.audio.io import SESSION_RATE, wait_for_input
from assistant.audio.live import LiveAudio
from assistant.audio.mixer import Mixer
from assistant.console import stdin_lines
from assistant.errors import UserError
from assistant.session.script import Exercise
from assistant.speech.commands import Phrasebook
from assistant.speech.detector import (
    SpeechDetector,
    SpeechEnded,
    SpeechStarted,
    WindowCutter,
    silero,
)
from assistant.speech.listener import CommandListener
from assistant.speech.recognizer import CommandRecognizer
from assistant.speech.voice import VoiceSettings
from assistant.speech.voice_choice import open_voice, voice_cache

LISTEN_SECONDS = 20.0
EXAMPLES = 3


def menu_text(exercises: Sequence[Exercise]) -> str:
    names = ", ".join(e.title for e in exercises[:EXAMPLES])
    return (f"Welcome. Which practice would you like? Say its name, such as {names}, or "
            "type its number.")


def choice_from_text(line: str, exercises: Sequence[Exercise]) -> Exercise | None:
    answer = line.strip().lower()
    if answer.isdigit() and 1 <= int(answer) <= len(exercises):
        return exercises[int(answer) - 1]
    for exercise in exercises:
        if answer in (exercise.id, exercise.title.lower()):
            return exercise
    return None


def title_book(exercises: Sequence[Exercise]) -> Phrasebook:
    """The exercise titles as a grammar: saying a title picks that exercise."""
    return Phrasebook("titles", {e.id: (e.title.lower(),) for e in exercises})


def print_menu(exercises: Sequence[Exercise], out: TextIO) -> None:
    for number, exercise in enumerate(exercises, 1):
        print(f"{number}. {exercise.title} ({exercise.minutes:g} minutes)", file=out)


def typed_choice(exercises: Sequence[Exercise], lines: queue.Queue[str | None],
                 out: TextIO) -> Exercise:
    print("Type the number or name of a practice, then Enter.", file=out, flush=True)
    while (line := lines.get()) is not None:
        chosen = choice_from_text(line, exercises)
        if chosen is not None:
            return chosen
        print(f"There is no practice '{line.strip()}'; type a number from 1 to "
              f"{len(exercises)}.", file=out, flush=True)
    raise UserError("No practice was chosen.", exit_status=1)


def spoken_choice(exercises: Sequence[Exercise], model: Any | None, settings: VoiceSettings,
                  lines: queue.Queue[str | None], out: TextIO) -> Exercise:
    """Speak the menu, then take the first title heard or line typed."""
    audio, mixer = LiveAudio(SESSION_RATE, listen=model is not None), Mixer(SESSION_RATE)
    audio.open(mixer)  # UserError when there is no sound card: the caller falls back
    try:
        prompt = open_voice(settings, SESSION_RATE, voice_cache()).render(menu_text(exercises))
        speaking_until = mixer.schedule(prompt, mixer.now) + len(prompt)
        listener = None
        if model is not None:
            listener = CommandListener(CommandRecognizer(model,
                                                         title_book(exercises)))
        detector = SpeechDetector(silero())
        by_id = {e.id: e for e in exercises}
        deadline = speaking_until + round(LISTEN_SECONDS * SESSION_RATE)
        windows = WindowCutter()
        while mixer.now < deadline:
            for line in wait_for_input(lines, 0.05):
                if line is None:
                    continue
                chosen = choice_from_text(line, exercises)
                if chosen is not None:
                    return chosen
                print(f"There is no practice '{line.strip()}'.", file=out, flush=True)
            if listener is None:
                continue
            for start, window in windows.cut(audio.read_mic()):
                listener.hear(window, start)
                muted = start < speaking_until + round(0.3 * SESSION_RATE)
                for event in detector.feed(window, start, muted):
                    if isinstance(event, SpeechStarted):
                        listener.speech_started(event.sample)
                    elif isinstance(event, SpeechEnded):
                        heard = listener.speech_ended(event.sample, "guiding")
                        if heard in by_id:
                            return by_id[heard]
    finally:
        audio.close()
    raise UserError("No practice was chosen; run 'assistant list' to see them, then "
                    "'assistant run NAME'.", exit_status=1)


def choose(exercises: Sequence[Exercise], model: Any | None, settings: VoiceSettings,
           out: TextIO | None = None) -> tuple[Exercise, bool]:
    """The chosen exercise, and whether a sound card is there to guide it."""
    lines, out = stdin_lines(), out or sys.stdout
    print_menu(exercises, out)
    try:
        return spoken_choice(exercises, model, settings, lines, out), True
    except UserError as error:
        if "No practice was chosen" in str(error):
            raise
        print(f"{error} Using the typed menu.", file=out, flush=True)
    return typed_choice(exercises, lines, out), False
