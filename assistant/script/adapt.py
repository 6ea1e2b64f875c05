"""Exercises adapted to the couple: shorter, gentler versions of the same steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.pacing.pacer import MIN_SPM
from assistant.pacing.patterns import parse_pattern
from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    PaceStep,
    RepeatStep,
    SilenceStep,
    Step,
    TurnStep,
)

GENTLE_FLOOR = 30.0  # seconds: a gentler step is halved, but not below this
GENTLE_PACE = 0.9  # a gentler walk takes this share of the slower of its paces
TOO_MUCH_NOTICE = (
    "Last time, this practice felt like too much. So today it is shorter and gentler. "
    "Say skip to leave out any part, or stop to pause. If it keeps feeling like too much, "
    "it may be worth talking it over together, perhaps with a therapist.")


def retimed(exercise: Exercise, length: Callable[[float], float]) -> Exercise:
    """The same steps, each timed one lasting `length(seconds)`; rhythms by cycles keep
    to about the same share."""

    def step_of(step: Step) -> Step:
        if isinstance(step, RepeatStep):
            return RepeatStep(tuple(step_of(inner) for inner in step.steps))
        if isinstance(step, TurnStep | AskStep | SilenceStep | PaceStep):
            return replace(step, seconds=length(step.seconds))
        if isinstance(step, BreatheStep) and step.seconds is not None:
            return replace(step, seconds=length(step.seconds))
        if isinstance(step, BreatheStep) and step.cycles is not None:
            scale = length(60.0 * step.cycles) / (60.0 * step.cycles)
            return replace(step, cycles=max(1, round(step.cycles * scale)))
        return step

    return replace(exercise, steps=tuple(step_of(step) for step in exercise.steps))


def gentler(exercise: Exercise) -> Exercise:
    """Offered after "too much": every timed step halved, none below half a minute, and
    every pacer steadier: no change of tempo, breathing without holds, a slower walk."""
    shorter = retimed(exercise, lambda seconds: min(seconds, max(seconds / 2, GENTLE_FLOOR)))
    return replace(shorter, steps=tuple(_steadier(step) for step in shorter.steps))


def _steadier(step: Step) -> Step:
    if isinstance(step, RepeatStep):
        return RepeatStep(tuple(_steadier(inner) for inner in step.steps))
    if isinstance(step, BreatheStep):
        return replace(step, pattern=_without_holds(step.pattern), from_bpm=None, to_bpm=None)
    if isinstance(step, PaceStep):
        slowest = min(step.spm, step.to_spm or step.spm)
        return replace(step, spm=float(max(MIN_SPM, round(slowest * GENTLE_PACE))), to_spm=None)
    return step


def _without_holds(pattern: str) -> str:
    """The pattern breathed in and out for as long, without holding the breath; the
    pattern itself when it holds none, or when it would not be one without them."""
    try:
        phases = parse_pattern(pattern).phases
        if all(phase != "hold" for phase, _ in phases):
            return pattern
        inhale = sum(seconds for phase, seconds in phases if phase == "in")
        exhale = sum(seconds for phase, seconds in phases if phase == "out")
        plain = f"{inhale:g}-{exhale:g}"
        parse_pattern(plain)
    except ValueError:
        return pattern
    return plain
