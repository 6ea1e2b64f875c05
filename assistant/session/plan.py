"""Turn an exercise script into a flat plan of steps, each a short list of beats.

A beat is the unit the session machine runs: some sounds at offsets from the
beat's start, and either a fixed length or "until the last sound ends". The
plan is pure data, built once per session, so the machine never re-reads the
script and `repeat` blocks, names and deck draws are settled up front.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.pacing.pacer import Pacer, PacerSpec, breathing, walking
from assistant.pacing.patterns import parse_pattern
from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    FloorKind,
    PaceStep,
    RepeatStep,
    ReplayStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
    each_step,
)


@dataclass(frozen=True)
class Speech:
    text: str


@dataclass(frozen=True)
class Cue:
    kind: str
    partner: str = ""  # whose cue it is (a name) in partnered breathing; "" for both


@dataclass(frozen=True)
class Recording:
    """A recording kept in the journal, played back on the session's clock."""

    path: str
    label: str = ""


Sound = Speech | Cue | Recording
Kept = Mapping[tuple[str, str], Sequence[str]]  # (exercise, label) → files, latest first


@dataclass(frozen=True)
class Beat:
    """Sounds at offsets (seconds) from the beat's start; `seconds=None` ends with the sounds."""

    sounds: tuple[tuple[float, Sound], ...] = ()
    seconds: float | None = None
    turn: str | None = None  # the partner (a name, or "both") who has the floor
    floor: FloorKind | None = None  # how that floor ends
    linger: float = 0.0  # quiet after the sounds end, for beats that end with their sounds
    pacer: PacerSpec | None = None  # a rhythm of cues, scheduled as the beat runs
    patience: float | None = None  # for floors: the step's own patience, if it sets one
    min_seconds: float | None = None
    keep: str = ""  # for floors: the label of the recording kept of it, if any


@dataclass(frozen=True)
class PlannedStep:
    number: str  # "3", or "3.2" inside a repeat; "0" is the opening
    kind: str
    beats: tuple[Beat, ...]
    block: int  # steps of one repeat block share a block, so "skip" can leave it whole
    round: int = 1


@dataclass(frozen=True)
class Names:
    a: str = "Alex"
    b: str = "Sam"

    def swapped(self) -> Names:
        return Names(self.b, self.a)


def build_plan(exercise: Exercise, names: Names, seed: int = 0, notice: str = "",
               asked: Mapping[str, int] | None = None,
               kept: Kept | None = None) -> tuple[PlannedStep, ...]:
    """The session's steps; `notice` is said right after the opening. Deck questions
    `asked` before (with how often) are drawn after those never asked; `kept`
    recordings are replayed."""
    builder = _Builder(random.Random(seed), asked or {}, exercise.id, kept or {})
    opening = f"{exercise.title}. {exercise.invitation}"
    steps = [PlannedStep("0", "say", (_speak(opening, names),), block=0)]
    if notice:  # after the title: the first words are always the exercise's
        steps.append(PlannedStep("notice", "say", (_speak(notice, names),), block=0))
    for number, step in enumerate(exercise.steps, 1):
        if isinstance(step, RepeatStep):
            for round_number, round_names in enumerate((names, names.swapped()), 1):
                for inner_number, inner in enumerate(step.steps, 1):
                    steps.append(
                        PlannedStep(
                            f"{number}.{inner_number}",
                            _kind(inner),
                            builder.beats(inner, round_names),
                            block=number,
                            round=round_number,
                        )
                    )
        else:
            beats = builder.beats(step, names)
            if beats:  # a replay with nothing kept may leave nothing to do
                steps.append(PlannedStep(str(number), _kind(step), beats, number))
    return tuple(steps)


def _kind(step: Step) -> str:
    return type(step).__name__.removesuffix("Step").lower()


def fill(text: str, names: Names) -> str:
    return text.replace("{A}", names.a).replace("{B}", names.b)


DEFAULT_HANDOVER = "Thank you, {partner}."  # a turn always ends with a spoken hand-over
BOTH = "both"
SPEECH_GAP = 0.7  # seconds of quiet after each prompt, so lines never run together


def _speak(text: str, names: Names, linger: float = SPEECH_GAP) -> Beat:
    return Beat(((0.0, Speech(fill(text, names))),), linger=linger)


def _cue(kind: str) -> Beat:
    return Beat(((0.0, Cue(kind)),))


class _Builder:
    def __init__(self, rng: random.Random, asked: Mapping[str, int], exercise: str,
                 kept: Kept) -> None:
        self.rng, self.asked, self.exercise, self.kept = rng, asked, exercise, kept
        self.unasked: dict[str, list[str]] = {}

    def beats(self, step: Step, names: Names) -> tuple[Beat, ...]:
        if isinstance(step, SayStep):
            return (_speak(step.text, names, max(step.pause, SPEECH_GAP)),)
        if isinstance(step, TurnStep):
            partner = _who(step.partner, names)
            beats = [
                _speak(f"{step.prompt} {step.listener}".strip(), names),
                Beat(seconds=step.seconds, turn=partner, floor=step.floor,
                     patience=step.patience, min_seconds=step.min_seconds, keep=step.keep),
                _cue("bell"),
            ]
            thanked = "you both" if partner == BOTH else partner
            handover = step.handover or DEFAULT_HANDOVER.format(partner=thanked)
            return (*beats, _speak(handover, names, max(step.handover_pause, SPEECH_GAP)))
        if isinstance(step, SilenceStep):
            chimes = _every(step.chime_every, step.seconds)
            quiet = Beat(((0.0, Cue("bell")), *((t, Cue("chime")) for t in chimes)), step.seconds)
            return self._framed(step.prompt, quiet, step.closing, names)
        if isinstance(step, BreatheStep):
            framed = self._framed(step.prompt, _breathing(step, names), step.closing, names)
            return (*_explained(step, names), *framed) if step.explain else framed
        if isinstance(step, PaceStep):
            return self._framed(step.prompt, _pacing(step), step.closing, names)
        if isinstance(step, AskStep):
            return self._ask(step, names)
        if isinstance(step, ReplayStep):
            return self._replay(step, names)
        raise TypeError(f"no beats for {step!r}")  # RepeatStep is expanded by build_plan

    def _framed(self, prompt: str, body: Beat, closing: str, names: Names) -> tuple[Beat, ...]:
        beats = (_speak(prompt, names), body, _cue("bell"))
        return (*beats, _speak(closing, names)) if closing else beats

    def _ask(self, step: AskStep, names: Names) -> tuple[Beat, ...]:
        answerer = _who(step.partner, names)
        beats = [_speak(step.intro, names)] if step.intro else []
        for question in self._draw(step):
            beats += [_speak(question, names), Beat(seconds=step.seconds, turn=answerer,
                                                    floor=step.floor, patience=step.patience,
                                                    keep=step.keep)]
        return tuple(beats)

    def _replay(self, step: ReplayStep, names: Names) -> tuple[Beat, ...]:
        files = list(self.kept.get((step.exercise or self.exercise, step.label), ()))
        if not files:
            return (_speak(step.none, names),) if step.none else ()
        beats = [_speak(step.intro, names)] if step.intro else []
        for path in files[: step.count]:
            beats.append(Beat(((0.0, Recording(path, step.label)),), linger=SPEECH_GAP))
        return tuple(beats)

    def _draw(self, step: AskStep) -> list[str]:
        if not step.deck:
            return list(step.questions)
        pool = self.unasked.get(step.deck)
        if not pool or len(pool) < step.count:
            pool = list(step.questions)
            self.rng.shuffle(pool)
            pool.sort(key=lambda question: self.asked.get(question, 0))  # stable: new first
        drawn, self.unasked[step.deck] = pool[: step.count], pool[step.count :]
        return drawn


def _who(partner: str, names: Names) -> str:
    return {"A": names.a, "B": names.b}.get(partner, BOTH)


def _every(interval: float | None, seconds: float) -> list[float]:
    if not interval:
        return []
    count = int(seconds // interval)
    return [k * interval for k in range(1, count + 1) if k * interval < seconds]


# What the breathing cues mean, each line followed by a sample of its cue (kinds as the
# pacer names them); in alternating mode each partner's own sounds are introduced by name.
EXPLAIN_TOGETHER = {"in": "This sound means breathe in.", "out": "This one means breathe out.",
                    "hold": "And this one means hold your breath."}
EXPLAIN_ALTERNATING = "You will each have your own sounds, and they play at the same time."
EXPLAIN_PARTNER = {"in": "{who}, this is your sound to breathe in.",
                   "out": "{who}, this is your sound to breathe out.",
                   "hold": "{who}, this is your sound to hold."}
EXPLAIN_END = "That is all. Close your eyes if you like, and follow the sounds."


def _explained(step: BreatheStep, names: Names) -> tuple[Beat, ...]:
    """Spoken beats, each followed by the cue it describes, said before the first cue."""
    kinds = list(dict.fromkeys(kind for kind, _ in parse_pattern(step.pattern).phases))
    beats: list[Beat] = []
    if step.mode != "alternating":
        for kind in kinds:
            beats += [_speak(EXPLAIN_TOGETHER[kind], names, 0.3), _sample(kind)]
    else:
        beats.append(_speak(EXPLAIN_ALTERNATING, names))
        for who, suffix in ((names.a, ""), (names.b, "_b")):
            for kind in kinds:
                line = EXPLAIN_PARTNER[kind].format(who=who)
                beats += [_speak(line, names, 0.3), _sample(kind + suffix, who)]
    return (*beats, _speak(EXPLAIN_END, names))


def _sample(kind: str, partner: str = "") -> Beat:
    return Beat(((0.0, Cue(kind, partner)),), linger=SPEECH_GAP)


def _breathing(step: BreatheStep, names: Names) -> Beat:
    spec = breathing(parse_pattern(step.pattern), seconds=step.seconds, cycles=step.cycles,
                     from_bpm=step.from_bpm, to_bpm=step.to_bpm,
                     alternating=step.mode == "alternating", words=step.words,
                     counts=step.counts, names=(names.a, names.b))
    return Beat(seconds=Pacer(spec).end, pacer=spec)


def _pacing(step: PaceStep) -> Beat:
    return Beat(seconds=step.seconds, pacer=walking(step.spm, step.seconds, step.to_spm))


def deck_questions(exercise: Exercise, names: Names) -> dict[str, str]:
    """Each deck question as it is spoken, to the question as written."""
    spoken: dict[str, str] = {}
    for step in each_step(exercise.steps):
        if isinstance(step, AskStep) and step.deck:
            for round_names in (names, names.swapped()):
                spoken.update({fill(q, round_names): q for q in step.questions})
    return spoken
