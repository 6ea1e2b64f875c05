"""Which practices make sense as a file, what they say there, and a week of them.

A file plays with no computer listening: "just say skip" becomes skipping ahead
on the player, and a practice that keeps or replays recordings is left for the
computer. The week is what `today` would suggest each day, supposing the couple
does what it suggests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from assistant.journal.memory import kept_labels, replayed
from assistant.journal.store import SessionRecord
from assistant.journal.today import due
from assistant.script.model import Exercise, RepeatStep, SayStep, Step
from assistant.script.wordings import SAFETY, Visit, for_visit

SPOKEN_COMMAND = "just say skip"
ON_A_PLAYER = "skip ahead on your player"
PAUSE_ON_A_PLAYER = "Whenever you need to stop, pause the player; play it again to go on."
DAYS = 7


def for_a_file(exercise: Exercise) -> Exercise:
    """The practice as a file speaks it, as on a first visit (the whole invitation and a
    closing), but nothing asks for a voice command: the player pauses and skips."""
    exercise = for_visit(exercise, Visit())

    def step_of(step: Step) -> Step:
        if isinstance(step, RepeatStep):
            return RepeatStep(tuple(step_of(inner) for inner in step.steps))
        if isinstance(step, SayStep):
            return replace(step, text=step.text.replace(SPOKEN_COMMAND, ON_A_PLAYER))
        return step

    invitation = exercise.invitation.replace(SPOKEN_COMMAND, ON_A_PLAYER).replace(
        SAFETY, PAUSE_ON_A_PLAYER)
    return replace(exercise, invitation=invitation,
                   steps=tuple(step_of(step) for step in exercise.steps))


def needs_microphone(exercise: Exercise) -> bool:
    """It keeps what a partner says, or plays back what was kept: only the computer can."""
    return bool(kept_labels(exercise) or replayed(exercise))


@dataclass(frozen=True)
class Day:
    number: int  # 1 is today
    exercises: tuple[str, ...]  # exercise ids, most pressing first


def week(sessions: Sequence[SessionRecord], now: datetime, days: int = DAYS) -> list[Day]:
    """What `today` would suggest on each of the next `days` days, each suggestion taken."""
    history = list(sessions)
    plan = []
    for number in range(1, days + 1):
        when = now + timedelta(days=number - 1)
        suggested = due(history, when)
        plan.append(Day(number, tuple(suggested)))
        history += [SessionRecord(id="", exercise=exercise, title="", started=when, seconds=0.0,
                                  outcome="completed", steps=0, closing=None)
                    for exercise in suggested]
    return plan
