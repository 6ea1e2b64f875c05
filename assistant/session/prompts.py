"""The prompts a session will speak, in order, so the voice can render them ahead."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.script.library import load_library
from assistant.session.plan import Names, PlannedStep, Speech, build_plan

_PLACEHOLDERS = Names("\u2060A\u2060", "\u2060B\u2060")  # never part of real text


def plan_prompts(plan: Sequence[PlannedStep]) -> list[str]:
    """Every spoken text of the plan, in the order it will be spoken, once each."""
    texts: dict[str, None] = {}
    for step in plan:
        for beat in step.beats:
            for _offset, sound in sorted(beat.sounds, key=lambda s: s[0]):
                if isinstance(sound, Speech):
                    texts.setdefault(sound.text)
    return list(texts)


def library_prompts() -> list[str]:
    """The library's prompts that hold no partner's name: the same for every couple."""
    texts: dict[str, None] = {}
    for exercise in load_library():
        for text in plan_prompts(build_plan(exercise, _PLACEHOLDERS)):
            if _PLACEHOLDERS.a not in text and _PLACEHOLDERS.b not in text:
                texts.setdefault(text)
    return list(texts)

