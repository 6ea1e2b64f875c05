"""A typed session's plan: where a prompt teaches a spoken command, it names the key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.script.wordings import for_keys
from assistant.session.plan import Beat, PlannedStep, Speech


def typed_plan(plan: Sequence[PlannedStep]) -> tuple[PlannedStep, ...]:
    """`plan` with every prompt as `--text` shows it (s to skip, p to pause, q to stop):
    the opening, a notice and the steps alike."""
    return tuple(replace(step, beats=tuple(_typed(beat) for beat in step.beats))
                 for step in plan)


def _typed(beat: Beat) -> Beat:
    sounds = tuple((at, Speech(for_keys(sound.text)) if isinstance(sound, Speech) else sound)
                   for at, sound in beat.sounds)
    return replace(beat, sounds=sounds)
