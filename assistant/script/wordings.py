"""Openings and closings that are familiar without being rote.

The first time a couple does a practice they hear its whole invitation and how
"stop" and "continue" work; after that a short reminder that still names skip,
stop and continue. Reminders and closings come in several wordings, taken in
turn from one session to the next, so the same one is never heard twice in a
row. After "too much", the closing offers a short, optional talk about what
might be holding the couple back. A typed session is taught its keys instead of
the spoken commands: s skips, p pauses and goes on, q stops (`for_keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.script.model import AskStep, Exercise, FloorKind, SayStep, Step

SAFETY = "Whenever you say stop, everything pauses; say continue to go on."
REMINDERS = (
    "Welcome back. Skip anything; stop pauses, continue goes on.",
    "As before: skip freely, stop to pause, continue to resume.",
    "Good to be back. Skip any part; stop pauses, continue resumes.",
    "All optional: skip what you like; stop pauses, continue goes on.",
)
TYPED_SAFETY = "Whenever you press p, everything pauses; press p again to go on, or q to stop."
TYPED_REMINDERS = (
    "Welcome back. Skip anything with s; p pauses and goes on, q stops.",
    "As before: s to skip, p to pause and resume, q to stop.",
    "Good to be back. Skip any part with s; p pauses and resumes, q stops.",
    "All optional: s skips what you like; p pauses and goes on, q stops.",
)
_TYPED = dict(zip((SAFETY, *REMINDERS), (TYPED_SAFETY, *TYPED_REMINDERS), strict=True))
_SAID = (  # spoken commands named inside other sentences, as scripts word them
    (re.compile(r"\bsay skip\b"), "press s"),
    (re.compile(r"\bSay skip\b"), "Press s"),
    (re.compile(r"\bor stop to pause\b"), "or p to pause"),
)
CLOSINGS = (
    "If any of this was too much, that is worth talking over together, and perhaps with a "
    "therapist. Thank you both.",
    "Thank you both. Should something here have felt like too much, you might talk it "
    "through together, or with a therapist.",
    "That is the end of this practice. Whatever felt like too much deserves a gentle talk, "
    "between you or with a therapist. Thank you.",
    "Well done, both of you. If a moment was too much, it can help to explore it together, "
    "perhaps with a therapist's support.",
)
HOLDING_BACK = AskStep(
    questions=("Last time, this practice felt like too much. Only if you both want to, take "
               "a minute to wonder together what might be holding you back. Or say skip.",),
    count=1, partner="both", seconds=60.0, floor=FloorKind.TALK)


@dataclass(frozen=True)
class Visit:
    """What the journal knows of this couple and this practice."""

    times: int = 0  # sessions of this practice before this one
    sessions: int = 0  # sessions of any practice before this one
    too_much: bool = False  # the last one of this practice was too much


def for_visit(exercise: Exercise, visit: Visit) -> Exercise:
    """The exercise with this session's opening and closing in place. A script from a file
    gets the shared reminders and closings unless it gives its own; a pacer built in code
    (`assistant breathe`, `walk`) opens the same way each time and has no closing."""
    if visit.times == 0 or visit.too_much or exercise.path is None:
        opening = f"{exercise.invitation} {SAFETY}"
    else:
        reminders = exercise.reminders or REMINDERS
        opening = reminders[(visit.times - 1) % len(reminders)]
    closings = exercise.closings or (CLOSINGS if exercise.path is not None else ())
    ending: tuple[Step, ...] = (HOLDING_BACK,) if visit.too_much else ()
    if closings:
        ending += (SayStep(closings[visit.sessions % len(closings)]),)
    return replace(exercise, invitation=opening, steps=exercise.steps + ending)


def for_keys(text: str) -> str:
    """`text` as a typed session shows it: the spoken commands it teaches become keys."""
    for spoken, typed in _TYPED.items():
        text = text.replace(spoken, typed)
    for said, pressed in _SAID:
        text = said.sub(pressed, text)
    return text
