"""Chapter names: each step named by what happens in it, so a player's list reads as
the practice does ("Ana shares", "Quiet phase", "Breathing together")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    FloorKind,
    PaceStep,
    RepeatStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
)
from assistant.session.plan import BOTH, Names, PlannedStep, fill

MAX_WORDS = 6  # a spoken step is named by its first words


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds from the start of the file
    name: str


def chapter_name(planned: PlannedStep, exercise: Exercise, names: Names) -> str:
    if planned.number == "0":
        return f"Welcome: {exercise.title}"
    if planned.number == "notice":
        return "Before you begin"
    step = _script_step(planned.number, exercise)
    who = next((beat.turn for beat in planned.beats if beat.turn), BOTH)
    if isinstance(step, TurnStep):
        if who == BOTH:
            return "Together" if step.floor is FloorKind.ACTIVITY else "Talking together"
        return f"{who}'s turn" if step.floor is FloorKind.ACTIVITY else f"{who} shares"
    if isinstance(step, AskStep):
        return "A question for you both" if who == BOTH else f"A question for {who}"
    if isinstance(step, SilenceStep):
        return "Quiet phase"
    if isinstance(step, BreatheStep):
        return "Breathing in turn" if step.mode == "alternating" else "Breathing together"
    if isinstance(step, PaceStep):
        pace = f"{step.spm:g}" if step.to_spm in (None, step.spm) else \
            f"{step.spm:g} to {step.to_spm:g}"
        return f"Walking, {pace} steps a minute"
    if isinstance(step, SayStep):
        return _first_words(fill(step.text, names if planned.round == 1 else names.swapped()))
    return "Listening to what you kept"


def _script_step(number: str, exercise: Exercise) -> Step | None:
    """The script's step a planned step comes from: "3", or "3.2" inside a repeat."""
    try:
        outer, _, inner = number.partition(".")
        step = exercise.steps[int(outer) - 1]
        if isinstance(step, RepeatStep) and inner:
            return step.steps[int(inner) - 1]
        return step
    except (ValueError, IndexError):
        return None


def _first_words(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0].rstrip(".!?")
    words = sentence.split()
    return " ".join(words[:MAX_WORDS]) + (" ..." if len(words) > MAX_WORDS else "")
