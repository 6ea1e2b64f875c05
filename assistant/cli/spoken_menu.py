"""`assistant` with no command: a spoken menu that needs no speech model.

The titles are read one at a time, each followed by a short pause. Any speech
heard in a pause (the speech detector alone, no recognizer) picks the title
just read, so the menu works by voice without a model; with one, saying a title
works as well. Typed input (a number, an id or a title) works throughout and
never times out. Everything spoken is printed too. If nobody answers, the list
is read once more, and then the menu waits quietly for a key.

The menu runs on the session clock (the mixer), so a virtual run drives it from
a microphone file as exactly as a session.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from assistant.audio.deaf import DeafWatch
from assistant.audio.io import AudioIO
from assistant.audio.mixer import Mixer
from assistant.base.errors import UserError
from assistant.cli.terminal import TypedLines
from assistant.script.model import Exercise
from assistant.session.events import Event
from assistant.speech.commands.listener import CommandListener
from assistant.speech.commands.matcher import Phrasebook
from assistant.speech.detector import (
    WINDOW,
    SpeechDetector,
    SpeechEnded,
    SpeechStarted,
    WindowCutter,
)
from assistant.speech.voice.rendering import Voice

PAUSE_SECONDS = 2.5  # after each title: long enough to say "yes"
ROUNDS = 2  # the list is read twice, then the menu waits for a key
ECHO_TAIL_SECONDS = 0.3  # the room still rings this long after the assistant's own voice
GAP_SECONDS = 0.4  # between the lines of the introduction

EventSink = Callable[[Event], None]


@dataclass(frozen=True)
class Choice:
    exercise: Exercise
    by: str  # "pause" (speech after its title), "title" (its name said), or "typed"


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


def introduction(can_hear: bool, knows_titles: bool) -> str:
    if not can_hear:
        return ("Welcome. I will read the practices one at a time. To choose one, type its "
                "number and press Enter.")
    said = " Or say a practice's name at any time." if knows_titles else ""
    return ("Welcome. I will read the practices one at a time. To choose one, say anything, "
            f"such as yes, just after its name.{said} You can also type its number and press "
            "Enter.")


def title_line(number: int, exercise: Exercise) -> str:
    return f"{number}. {exercise.title}."


NOTHING_CHOSEN = ("No practice was chosen; run 'assistant list' to see them, then "
                  "'assistant run NAME'.")
WAITING = "I will wait for you to type a practice's number, then Enter."


def print_menu(exercises: Sequence[Exercise], out: TextIO) -> None:
    for number, exercise in enumerate(exercises, 1):
        print(f"{number}. {exercise.title} ({exercise.minutes:g} minutes)", file=out)


def typed_choice(exercises: Sequence[Exercise], lines: TypedLines, out: TextIO) -> Exercise:
    """Wait for a typed number, id or title, for as long as it takes."""
    while (line := lines.get()) is not None:
        chosen = choice_from_text(line, exercises)
        if chosen is not None:
            return chosen
        print(f"There is no practice '{line.strip()}'; type a number from 1 to "
              f"{len(exercises)}.", file=out, flush=True)
    raise UserError(NOTHING_CHOSEN, exit_status=1)


class SpokenMenu:
    """Reads the titles aloud and takes the first answer: a pause spoken in, a title
    said, or a line typed. The caller opens `audio` on `mixer` (at `mic_origin`) and
    owns both after."""

    def __init__(self, exercises: Sequence[Exercise], audio: AudioIO, mixer: Mixer,
                 voice: Voice, lines: TypedLines, out: TextIO,
                 detector: SpeechDetector | None = None,
                 listener: CommandListener | None = None, sinks: Sequence[EventSink] = (),
                 notice: str = "", headphones: bool = False, mic_origin: int = 0,
                 deaf: DeafWatch | None = None) -> None:
        self.exercises, self.audio, self.mixer, self.voice = exercises, audio, mixer, voice
        self.lines, self.out, self.sinks = lines, out, sinks
        self.detector = detector if audio.has_microphone else None
        self.listener = listener if self.detector is not None else None
        self.notice, self.headphones = notice, headphones
        self.deaf = deaf  # watches a sound card's microphone, which may give only zeros
        self._windows = WindowCutter()
        # the session sample of the microphone's first sample: the clock when `audio`
        # was opened (a live stream has run on while the models loaded)
        self._windows.next_start = mic_origin
        self._spoken: list[tuple[int, int]] = []  # own sound, muted unless headphones
        self._pause: tuple[int, int, Exercise] | None = None  # listening after a title
        self._heard: Exercise | None = None  # speech began in that pause
        self._typing_ended = False
        self._chosen: Choice | None = None
        self._no_commands: queue.Queue[str] = queue.Queue()
        self._by_id = {e.id: e for e in exercises}

    def run(self) -> Choice:
        chosen = self._offer()
        if chosen is None:
            self._say(WAITING, final=True)
            self._forget_microphone()
            if self._typing_ended:
                raise UserError(NOTHING_CHOSEN, exit_status=1)
            chosen = Choice(typed_choice(self.exercises, self.lines, self.out), "typed")
        self._emit("menu_choice", self.mixer.now, exercise=chosen.exercise.id, by=chosen.by)
        self._say(f"{chosen.exercise.title}. Let us begin.", final=True)
        self._forget_microphone()
        return chosen

    def _offer(self) -> Choice | None:
        end = self._say(introduction(self.detector is not None, self.listener is not None))
        if self.notice:
            end = self._say(self.notice, at=end + self._samples(GAP_SECONDS))
        chosen = self._wait(end + self._samples(GAP_SECONDS))
        for round_number in range(ROUNDS):
            if chosen is None and round_number:
                chosen = self._wait(self._say("Once more.") + self._samples(GAP_SECONDS))
            for number, exercise in enumerate(self.exercises, 1):
                if chosen is not None:
                    return chosen
                end = self._say(title_line(number, exercise))
                self._pause = (end, end + self._samples(PAUSE_SECONDS), exercise)
                chosen = self._wait(self._pause[1])
                self._pause = None
        return chosen

    # -- the clock, the keys and the microphone -------------------------------------------

    def _wait(self, until: int) -> Choice | None:
        """Let the clock run to `until` (longer while someone is still speaking), taking
        the first answer that comes."""
        while True:
            self._take_answers()
            if self._chosen is not None:
                chosen, self._chosen = self._chosen, None
                return chosen
            talking = self.detector is not None and self.detector.state != "quiet"
            if self.mixer.now >= until and not talking and self._heard is None:
                return None
            self._step(until if self.mixer.now < until and not talking else None)

    def _step(self, until: int | None) -> None:
        """Advance the clock by a window at most (to `until`, if sooner)."""
        target = self.mixer.now + WINDOW
        if until is not None:
            target = min(target, until)
        self.audio.advance(target + self.audio.lead, self._no_commands)

    def _take_answers(self) -> None:
        if self._chosen is None:
            self._chosen = self._typed()
        for choice in self._listen():
            self._chosen = self._chosen or choice

    def _typed(self) -> Choice | None:
        for line in self.lines.ready():
            if line is None:
                self._typing_ended = True
                continue
            chosen = choice_from_text(line, self.exercises)
            if chosen is not None:
                return Choice(chosen, "typed")
            print(f"There is no practice '{line.strip()}'; type a number from 1 to "
                  f"{len(self.exercises)}.", file=self.out, flush=True)
        return None

    def _listen(self) -> list[Choice]:
        if self.detector is None:
            return []
        chosen: list[Choice] = []
        heard = self.audio.read_mic()
        if self.deaf is not None and self.deaf.feed(heard) is not None:
            self.lines.show(self.deaf.advice)
            self._emit("microphone_deaf", self.mixer.now, advice=self.deaf.advice)
        for start, window in self._windows.cut(heard):
            if self.listener is not None:
                self.listener.hear(window, start)
            muted = not self.headphones and self._own_sound_near(start, start + WINDOW)
            for event in self.detector.feed(window, start, muted):
                if isinstance(event, SpeechStarted):
                    self._emit("speech_start", event.sample, partner="")
                    if self.listener is not None:
                        self.listener.speech_started(event.sample)
                    pause = self._pause
                    if pause is not None and pause[0] <= event.sample < pause[1]:
                        self._heard = pause[2]
                elif isinstance(event, SpeechEnded):
                    self._emit("speech_end", event.sample, partner="")
                    choice = self._ended(event.sample)
                    if choice is not None:
                        chosen.append(choice)
        return chosen

    def _ended(self, sample: int) -> Choice | None:
        if self.listener is not None:
            title = self.listener.speech_ended(sample, "guiding")
            if title in self._by_id:
                return Choice(self._by_id[title], "title")
        heard, self._heard = self._heard, None
        return Choice(heard, "pause") if heard is not None else None

    def _own_sound_near(self, start: int, end: int) -> bool:
        tail = self._samples(ECHO_TAIL_SECONDS)
        return any(a < end and start < b + tail for a, b in self._spoken)

    def _forget_microphone(self) -> None:
        """Drop what the microphone heard so far, so what follows starts in step."""
        if self.audio.has_microphone:
            self.audio.read_mic()

    # -- speaking --------------------------------------------------------------------

    def _say(self, text: str, at: int | None = None, final: bool = False) -> int:
        """Speak and print `text`, starting at `at` (or now); wait for it; return its end.

        An answer given meanwhile cuts it short (and any line after it is left out),
        unless it is the `final` line, the confirmation."""
        if self._chosen is not None and not final:
            return self.mixer.now
        self.lines.show(text)  # below it, anything half typed
        samples = self.voice.render(text)
        start = self.mixer.schedule(samples, self.mixer.now if at is None else at)
        end = start + len(samples)
        self._spoken.append((start, end))
        self._emit("say_start", start, text=text)
        while self.mixer.now < end:
            self._step(end)
            self._take_answers()
            if self._chosen is not None and not final:
                end = min(end, self.mixer.cut())
                self._spoken[-1] = (start, end)
                self._step(end)  # let the short fade play out
                self._emit("say_end", end, text=text, cut=True)
                return end
        self._emit("say_end", end, text=text)
        return end

    def _samples(self, seconds: float) -> int:
        return round(seconds * self.mixer.rate)

    def _emit(self, event_type: str, sample: int, **data: object) -> None:
        event = Event.from_dict({"t": sample / self.mixer.rate, "type": event_type, **data},
                                self.mixer.rate)
        for sink in self.sinks:
            sink(event)
