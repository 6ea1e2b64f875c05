"""A practice fitted to about M minutes, shortened as the gentler version is: each timed
part by the same share, none below half a minute (or its own length, if shorter)."""

from __future__ import annotations

import math

from assistant.base.errors import UserError
from assistant.script.adapt import GENTLE_FLOOR, retimed
from assistant.script.model import Exercise
from assistant.session.plan import Cue, Names, Speech, build_plan

CUE_SECONDS = 1.0  # about how long a cue that a beat waits for lasts
BISECTIONS = 30


def estimate(exercise: Exercise, names: Names, words_per_minute: int) -> float:
    """About how long the practice runs with no microphone: timed parts in full, and
    speech at the voice's rate."""
    total = 0.0
    for step in build_plan(exercise, names):
        for beat in step.beats:
            if beat.seconds is not None:
                total += beat.seconds
                continue
            words = sum(len(sound.text.split()) for _, sound in beat.sounds
                        if isinstance(sound, Speech))
            cued = any(isinstance(sound, Cue) for _, sound in beat.sounds)
            total += words * 60 / words_per_minute + CUE_SECONDS * cued + beat.linger
    return total


def scaled(exercise: Exercise, share: float) -> Exercise:
    return retimed(exercise, lambda seconds: min(seconds, max(seconds * share, GENTLE_FLOOR)))


def fitted(exercise: Exercise, minutes: float, names: Names, words_per_minute: int) -> Exercise:
    """`exercise` with its timed parts shortened to run about `minutes`; a practice that
    already fits is left whole. A length it cannot be brought to is a UserError."""
    goal = minutes * 60
    if goal <= 0 or estimate(exercise, names, words_per_minute) <= goal:
        if goal <= 0:
            raise UserError("--minutes takes a length above 0, such as 10.")
        return exercise
    shortest = estimate(scaled(exercise, 0.0), names, words_per_minute)
    if shortest > goal:
        raise UserError(f"{exercise.title} needs at least {math.ceil(shortest / 60)} "
                        f"minutes; --minutes {minutes:g} is too short for it.")
    low, high = 0.0, 1.0
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if estimate(scaled(exercise, middle), names, words_per_minute) <= goal:
            low = middle
        else:
            high = middle
    return scaled(exercise, low)
