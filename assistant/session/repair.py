"""Repair: a floor that ended for silence is handed back to a partner who goes on.

People now and then pause longer than a floor's patience, and then go on. Speech
that starts within `REPAIR_WITHIN` of a floor's end for silence, while the session
is still handing over (the bell, the thanks, the prompts before the next floor), is
taken for its owner's: a microphone cannot tell voices apart, and in a talk any
voice is the couple's. Whatever plays stops, the hand-over's sounds are dropped, and
the same floor reopens with the time it had left. Nothing is said to welcome them
back: they are already speaking, and any word would cut into them.

Speech after a prompt that opens the next floor has been said to its end answers
that prompt, so it repairs nothing. An activity never ends for silence, so it is
never repaired; a floor is handed back at most `MAX_REPAIRS` times, so a session
cannot go round in circles.

A mixin of `SessionMachine`, like `listening.py`; `_Machine` names what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from assistant.script.model import FloorKind
from assistant.session.events import Event, FloorRepaired
from assistant.session.floor import Floor
from assistant.session.plan import Beat, PlannedStep
from assistant.session.rhythm import Rhythm

REPAIR_WITHIN = 5.0  # seconds after a floor's end: a partner who goes on this soon was not
# done (the couple judge's own measure of a floor taken too early)
MAX_REPAIRS = 2  # hand-backs of one floor, at most


@dataclass(frozen=True)
class Cut:
    """A floor that ended for silence: what a repair reopens, and where it was (and, for
    the pauses learnt, whose silence it was)."""

    floor: Floor
    step: int  # its place in the plan: step and beat indices
    beat: int
    ended: int  # the sample it ended at
    last_word: int
    partner: str  # its partner, or "both" in a talk
    repairable: bool = True  # not after a command, nor past MAX_REPAIRS


class _Machine(Protocol):
    """What repair uses of the machine."""

    plan: tuple[PlannedStep, ...]
    rate: int
    now: int
    due: int | None
    step_index: int
    beat_index: int
    beat_start: int
    paused_elapsed: int
    in_turn: bool
    floor: Floor | None
    rhythm: Rhythm | None
    awaiting: set[int]
    last_cut: Cut | None

    @property
    def current_beat(self) -> Beat: ...
    def _record(self, event: Event) -> None: ...
    def _silence(self) -> None: ...
    def _handing_over(self: _Machine, cut: Cut) -> bool: ...


class Repairing:
    """The machine's side of handing a floor back."""

    last_cut: Cut | None = None  # the latest floor that ended for silence, till speech

    due: int | None
    floor: Floor | None
    rhythm: Rhythm | None

    def _note_cut(self: _Machine, reason: str) -> None:
        """The open floor ends: keep it, if it ended for silence."""
        floor, self.last_cut = self.floor, None
        if reason == "silence" and floor is not None and floor.last_end is not None:
            self.last_cut = Cut(floor, self.step_index, self.beat_index, self.now,
                                floor.last_end, self.current_beat.turn or "",
                                repairable=floor.reopened < MAX_REPAIRS)

    def _moved_on(self: _Machine) -> None:
        """A command moved the session on: no floor is handed back (its pause is still
        learnt, when its owner speaks again)."""
        if self.last_cut is not None:
            self.last_cut = replace(self.last_cut, repairable=False)

    def _repair_for(self: _Machine, sample: int) -> Cut | None:
        """The floor that speech starting at `sample` hands back, if any."""
        cut = self.last_cut
        if cut is None or not cut.repairable or self.in_turn or self.floor is not None:
            return None
        if not cut.last_word <= sample <= cut.ended + round(REPAIR_WITHIN * self.rate):
            return None
        return cut if self._handing_over(cut) else None

    def _handing_over(self: _Machine, cut: Cut) -> bool:
        """Whether the session is between the cut floor and the next: no floor has begun
        since, and no prompt opening one has been said to its end."""
        here = (self.step_index, self.beat_index)
        if here <= (cut.step, cut.beat):
            return False
        for index in range(cut.step, self.step_index + 1):
            beats = self.plan[index].beats
            first = cut.beat + 1 if index == cut.step else 0
            last = self.beat_index if index == self.step_index else len(beats) - 1
            if any(beat.turn for beat in beats[first : last + 1]):
                return False
        beats = self.plan[self.step_index].beats
        opens_floor = self.beat_index + 1 < len(beats) and beats[self.beat_index + 1].turn
        said = self.current_beat.seconds is None and not self.awaiting
        return not (opens_floor and said and self.due is not None)

    def _hand_back(self: _Machine, cut: Cut) -> None:
        """Stop what plays, drop the hand-over, and reopen the cut floor with its time."""
        floor = cut.floor
        self.step_index, self.beat_index = cut.step, cut.beat
        step, beat = self.plan[cut.step], self.current_beat
        talk = floor.kind is FloorKind.TALK
        self._record(FloorRepaired(
            sample=self.now, partner=None if talk else cut.partner,
            floor=str(beat.floor or FloorKind.SHARE), step=step.number, index=cut.step,
            seconds=round(max(0, floor.limit - cut.ended) / self.rate, 3),
            repair=floor.reopened + 1, keep=beat.keep))
        self._silence()  # the prompt under way stops, the hand-over's sounds are dropped
        self.rhythm = None
        floor.reopen(cut.ended, self.now)
        self.floor, self.in_turn, self.last_cut = floor, True, None
        self.beat_start, self.paused_elapsed = floor.start, 0
        self.due = floor.due()

