"""Session events: one small frozen class per type, each a line of the event log.

Every event knows the sample it happened at; `to_dict` gives its log line (time
in seconds on the session clock) and `from_dict` reads one back, so a log can be
replayed or checked with the same types the session wrote.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

E = TypeVar("E", bound="Event")
_TYPES: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = ""
    sample: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type:
            _TYPES[cls.type] = cls

    @property
    def data(self) -> dict[str, Any]:
        """The event's own fields, as they appear in its log line."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "sample"}

    def to_dict(self, rate: int) -> dict[str, Any]:
        return {"t": round(self.sample / rate, 6), "type": self.type, **self.data}

    @staticmethod
    def from_dict(line: dict[str, Any], rate: int) -> Event:
        kind = _TYPES.get(str(line.get("type")))
        if kind is None:
            raise ValueError(f"unknown event type {line.get('type')!r}")
        names = {f.name for f in dataclasses.fields(kind)}
        fields = {k: v for k, v in line.items() if k in names and k != "sample"}
        return kind(sample=round(float(line["t"]) * rate), **fields)


LOG_VERSION = 2  # the event log's format: 2 has typed floors and session ids


@dataclass(frozen=True, kw_only=True)
class SessionStart(Event):
    type: ClassVar[str] = "session_start"
    exercise: str
    title: str
    steps: int
    session: str = ""  # an id, unique to this session
    started: str = ""  # the wall-clock start, ISO 8601
    version: int = LOG_VERSION


@dataclass(frozen=True, kw_only=True)
class SessionEnd(Event):
    """The end; `pauses` are each partner's latest pauses (by name, "both" for shared
    silences), for the journal to keep for the next session's patience."""

    type: ClassVar[str] = "session_end"
    reason: str  # completed or stopped
    pauses: dict[str, list[float]] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class StepStarted(Event):
    type: ClassVar[str] = "step"
    number: str
    kind: str
    round: int
    index: int


@dataclass(frozen=True, kw_only=True)
class SayStart(Event):
    type: ClassVar[str] = "say_start"
    text: str


@dataclass(frozen=True, kw_only=True)
class SayEnd(Event):
    type: ClassVar[str] = "say_end"
    text: str
    cut: bool = False


@dataclass(frozen=True, kw_only=True)
class PlayStart(Event):
    """A kept recording begins to play."""

    type: ClassVar[str] = "play_start"
    file: str
    label: str


@dataclass(frozen=True, kw_only=True)
class PlayEnd(Event):
    type: ClassVar[str] = "play_end"
    file: str
    label: str


@dataclass(frozen=True, kw_only=True)
class CueSounded(Event):
    type: ClassVar[str] = "cue"
    kind: str
    partner: str = "both"  # whose cue it is in partnered breathing: a name, or both


@dataclass(frozen=True, kw_only=True)
class TurnStart(Event):
    """A partner (a name) or "both" has the floor, of a kind, for up to `seconds`;
    `patience` is the quiet after speech that ends it (None for an activity, which
    silence never ends); `keep` names what a kept recording of it holds, if any."""

    type: ClassVar[str] = "turn_start"
    partner: str
    floor: str
    seconds: float
    patience: float | None = None
    keep: str = ""


@dataclass(frozen=True, kw_only=True)
class TurnEnd(Event):
    type: ClassVar[str] = "turn_end"
    partner: str
    floor: str
    reason: str  # silence, time, command or no_response


@dataclass(frozen=True, kw_only=True)
class FloorRepaired(Event):
    """A floor that ended for silence was handed back: its owner went on speaking before
    the next floor began. It reopens with the `seconds` it had left (no new `turn_start`;
    a `turn_end` closes it as usual). `partner` is None for a talk, which any voice
    repairs; `step` and `index` name its step as the `step` event does, `repair` counts
    the hand-backs of this floor."""

    type: ClassVar[str] = "floor_repaired"
    partner: str | None
    floor: str
    step: str
    index: int
    seconds: float
    repair: int = 1
    keep: str = ""


@dataclass(frozen=True, kw_only=True)
class Reprompted(Event):
    """Nobody had spoken yet, so the floor was offered once more."""

    type: ClassVar[str] = "reprompt"
    partner: str
    floor: str


@dataclass(frozen=True, kw_only=True)
class SpeechStart(Event):
    """A partner began speaking here; `partner` is who had the floor, if anyone."""

    type: ClassVar[str] = "speech_start"
    partner: str | None


@dataclass(frozen=True, kw_only=True)
class SpeechEnd(Event):
    type: ClassVar[str] = "speech_end"
    partner: str | None


@dataclass(frozen=True, kw_only=True)
class CommandTaken(Event):
    type: ClassVar[str] = "command"
    name: str
    tempo: float | None = None


@dataclass(frozen=True, kw_only=True)
class MenuChoice(Event):
    """The spoken menu's answer: an exercise, chosen by voice, by title or by key."""

    type: ClassVar[str] = "menu_choice"
    exercise: str
    by: str


@dataclass(frozen=True, kw_only=True)
class CommandIgnored(Event):
    """A command that means nothing just now (logged, so a typed key still gets an answer)."""

    type: ClassVar[str] = "command_ignored"
    name: str


@dataclass(frozen=True, kw_only=True)
class ClosingCheck(Event):
    """How the couple found the practice: "good stretch" or "too much"."""

    type: ClassVar[str] = "closing_check"
    answer: str


@dataclass(frozen=True, kw_only=True)
class Waited(Event):
    """A sound fell due while a partner spoke, and waited `seconds` for their pause."""

    type: ClassVar[str] = "waited"
    seconds: float


@dataclass(frozen=True, kw_only=True)
class LostDevice(Event):
    type: ClassVar[str] = "device_lost"
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class MicrophoneDeaf(Event):
    """The microphone gave nothing but exact zeros for seconds on end: it is not reaching
    the assistant. Said once; the session goes on (keys still work)."""

    type: ClassVar[str] = "microphone_deaf"
    advice: str


@dataclass(frozen=True, kw_only=True)
class BargeIn(Event):
    type: ClassVar[str] = "barge_in"
    speech_from: float
    ducked_from: float
    first_word: int = 0  # the session sample of the partner's first word


@dataclass(frozen=True, kw_only=True)
class DuckEnd(Event):
    """The voice came back to full level after a barge-in (or stopped)."""

    type: ClassVar[str] = "duck_end"
