"""The library as a couple does it: each practice in the version their needs call for,
named as that version is, so a list, `today` and the menu name what will be done."""

from __future__ import annotations

from assistant.journal.couple import Couple
from assistant.script.alternatives import for_needs
from assistant.script.library import find_exercise, load_library
from assistant.script.model import Exercise


def as_done_by(exercise: Exercise, couple: Couple) -> Exercise:
    """`exercise` in the low-vision or seated version this couple needs; the id is kept,
    so the journal groups every version's sessions as one practice."""
    return for_needs(exercise, low_vision=bool(couple.low_vision), seated=bool(couple.seated))


def library_for(couple: Couple) -> list[Exercise]:
    return [as_done_by(exercise, couple) for exercise in load_library()]


def title_for(exercise_id: str, couple: Couple) -> str:
    """The title a library practice goes by for this couple."""
    return as_done_by(find_exercise(exercise_id), couple).title
