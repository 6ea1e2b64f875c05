"""The exercise script model: what a TOML file describes, after validation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Literal

Partner = Literal["A", "B"]
Answerer = Literal["A", "B", "both"]
BreathMode = Literal["solo", "together", "alternating"]


class FloorKind(str, Enum):
    """How a floor ends: a share, an answer, a talk for both, or a silent activity."""

    SHARE = "share"
    ANSWER = "answer"
    TALK = "talk"
    ACTIVITY = "activity"

    def __str__(self) -> str:
        return self.value


PATIENCE_RANGE = (0.5, 30.0)  # sensible bounds for any patience, in seconds


@dataclass(frozen=True)
class SayStep:
    text: str
    pause: float = 0.0  # quiet after speaking: time to move, fetch a pen, settle


@dataclass(frozen=True)
class TurnStep:
    """Hand the floor to one partner or both, as a share, an answer, a talk or an activity."""

    partner: Answerer
    prompt: str
    seconds: float
    floor: FloorKind = FloorKind.SHARE
    listener: str = ""
    handover: str = ""
    patience: float | None = None  # seconds of quiet after speech that end the floor
    min_seconds: float | None = None  # the floor never ends on silence before this
    keep: str = ""  # with --keep-recordings, what the floor's recording holds ("memory")
    handover_pause: float = 0.0  # quiet after the hand-over: the breath it promises


@dataclass(frozen=True)
class SilenceStep:
    prompt: str
    seconds: float
    chime_every: float | None = None
    closing: str = ""


@dataclass(frozen=True)
class BreatheStep:
    prompt: str
    pattern: str
    mode: BreathMode
    seconds: float | None
    cycles: int | None
    closing: str = ""
    from_bpm: float | None = None  # a gradual change of rate, in breaths a minute
    to_bpm: float | None = None
    words: bool = False  # speak "in", "hold", "out" with the cues
    counts: bool = False  # speak a count each second
    explain: bool = False  # first say what each cue means, with a sample of each


@dataclass(frozen=True)
class PaceStep:
    prompt: str
    spm: float
    seconds: float
    to_spm: float | None = None
    closing: str = ""


@dataclass(frozen=True)
class AskStep:
    """One question, or `count` questions drawn from a deck; `partner` answers."""

    questions: tuple[str, ...]
    count: int
    partner: Answerer
    seconds: float
    intro: str = ""
    deck: str = ""
    floor: FloorKind = FloorKind.TALK
    patience: float | None = None
    keep: str = ""


@dataclass(frozen=True)
class ReplayStep:
    """Play back recordings kept in earlier sessions (with --keep-recordings), latest
    first; with none kept, say `none` if given, else leave the step out."""

    label: str  # what the recordings hold, as a step's `keep` named it
    count: int = 1
    intro: str = ""  # said before the first recording
    none: str = ""
    exercise: str = ""  # whose recordings (default: this exercise's)


@dataclass(frozen=True)
class RepeatStep:
    """Run the inner steps once for each partner, swapping {A} and {B} the second time."""

    steps: tuple[Step, ...]


Step = (SayStep | TurnStep | SilenceStep | BreatheStep | PaceStep | AskStep | ReplayStep
        | RepeatStep)


def each_step(steps: tuple[Step, ...]) -> list[Step]:
    """The steps with each `repeat` opened up: every step a script holds, once."""
    return [inner for step in steps
            for inner in (step.steps if isinstance(step, RepeatStep) else (step,))]


@dataclass(frozen=True)
class Alternative:
    """A step as a partner who sees less, or who stays seated, does it: `step` is the
    number of the step it stands in for ("3", or "4.2" inside a repeat)."""

    step: str
    replacement: Step


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    minutes: float
    invitation: str
    steps: tuple[Step, ...]
    summary: str = ""
    path: Path | None = None
    low_vision: tuple[Alternative, ...] = ()  # steps done without sight
    seated: tuple[Alternative, ...] = ()  # steps done sitting or supported
    # a version that changes what the practice asks is named and described as done
    low_vision_title: str = ""
    low_vision_summary: str = ""
    seated_title: str = ""
    seated_summary: str = ""
    reminders: tuple[str, ...] = ()  # short openings for a couple who know the practice
    closings: tuple[str, ...] = ()  # last words, one wording per session in turn
