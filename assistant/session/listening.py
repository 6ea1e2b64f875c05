"""What the machine does with what the microphone hears: speech starting and ending on a
floor, the floor's rules carried out (re-prompt, warning chime, end), and sounds that
wait for a speaking partner's pause.

A mixin of `SessionMachine`, like `replies.py`; `_Machine` names what it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from assistant.script.model import FloorKind
from assistant.session.actions import Action
from assistant.session.courtesy import Courtesy
from assistant.session.events import Event, Reprompted, SpeechEnd, SpeechStart, Waited
from assistant.session.floor import End, Floor, Reprompt, Warn
from assistant.session.patience import SHARED, PauseBook
from assistant.session.plan import BOTH, Beat, Cue, Sound, Speech
from assistant.session.repair import Cut

LEARN_WITHIN = 15.0  # seconds: speech this soon after a floor ended for silence was its owner's
REPROMPT = "{partner}, take your time. Whenever you are ready, the floor is yours."


class _Machine(Protocol):
    """What listening uses of the machine."""

    rate: int
    state: str
    now: int
    due: int | None
    in_turn: bool
    floor: Floor | None
    courtesy: Courtesy
    pauses: PauseBook
    last_cut: Cut | None

    @property
    def floor_owner(self) -> str: ...

    @property
    def current_beat(self) -> Beat: ...
    @property
    def _floor_partner(self) -> str | None: ...
    def _run(self, now: int, change: Callable[[], object]) -> list[Action]: ...
    def _record(self, event: Event) -> None: ...
    def _play(self, sound: Sound, at: int) -> int: ...
    def _politely(self, sound: Sound) -> None: ...
    def _release(self, now: int, only_overdue: bool = False) -> None: ...
    def _learn_pause(self, sample: int) -> None: ...
    def _floor_acts(self, actions: Sequence[End | Reprompt | Warn]) -> None: ...
    def _end_beat(self, reason: str) -> None: ...
    def _note_cut(self, reason: str) -> None: ...
    def _repair_for(self, sample: int) -> Cut | None: ...
    def _hand_back(self, cut: Cut) -> None: ...
    def _begin_beat(self, elapsed: int = 0, courteous: bool = True) -> None: ...


class Listening:
    """The machine's side of listening to the couple."""

    last_cut: Cut | None  # the latest floor that ended for silence (repair.py keeps it)
    due: int | None

    def speech_started(self: _Machine, sample: int, now: int) -> list[Action]:
        def started() -> None:
            if self.state == "running":
                cut = self._repair_for(sample)  # a floor ended for silence, its owner goes on
                self._record(SpeechStart(sample=sample, partner=self._floor_partner
                                         if cut is None else cut.partner))
                self._learn_pause(sample)
                if cut is not None:
                    self._hand_back(cut)
                if self.floor is not None:
                    self._floor_acts(self.floor.speech_started(sample))

        return self._run(now, started)

    def _learn_pause(self: _Machine, sample: int) -> None:
        """A pause inside a floor has ended; so has one that outlasted the patience, if
        its owner speaks again before the next floor (the pause was theirs all along)."""
        floor, who = self.floor, self.floor_owner
        if floor is not None and floor.state == "pausing" and floor.last_end is not None:
            self.pauses.heard(who, (sample - floor.last_end) / self.rate)
        elif floor is None and self.last_cut is not None:
            cut = self.last_cut
            owner = SHARED if cut.floor.kind is FloorKind.TALK else cut.partner
            if sample - cut.last_word <= LEARN_WITHIN * self.rate:
                self.pauses.heard(owner, (sample - cut.last_word) / self.rate)
        self.last_cut = None  # the first speech after it repairs it, or nothing will

    def speech_ended(self: _Machine, sample: int, now: int) -> list[Action]:
        def ended() -> None:
            if self.state == "running":
                self._record(SpeechEnd(sample=sample, partner=self._floor_partner))
                if self.floor is not None:
                    self._floor_acts(self.floor.speech_ended(sample, now))

        return self._run(now, ended)

    def voice(self: _Machine, active: bool, now: int) -> list[Action]:
        """The microphone began or stopped hearing a voice; a pause releases what waited."""

        def changed() -> None:
            self.courtesy.voice_active = active
            if not active and self.state == "running":
                self._release(now)

        return self._run(now, changed)


    @property
    def _floor_partner(self: _Machine) -> str | None:
        return self.current_beat.turn if self.in_turn else None

    @property
    def floor_owner(self: _Machine) -> str:
        """Whose pauses the open floor's silences are: its partner's, or in a talk both."""
        if self.floor is not None and self.floor.kind is FloorKind.TALK:
            return SHARED
        return self._floor_partner or ""

    def _floor_acts(self: _Machine, actions: Sequence[End | Reprompt | Warn]) -> None:
        """Carry out what the floor's rules decided."""
        beat = self.current_beat
        for action in actions:
            if isinstance(action, End):
                self._note_cut(action.reason)
                self._end_beat(action.reason)
                return
            if isinstance(action, Reprompt):
                if self.courtesy.voice_active:
                    continue  # someone has just begun: they need no invitation
                partner = beat.turn or ""
                self._record(Reprompted(sample=self.now, partner=partner,
                                        floor=str(beat.floor or FloorKind.SHARE)))
                who = "You both" if partner == BOTH else partner
                self._play(Speech(REPROMPT.format(partner=who)), self.now)
            else:
                self._politely(Cue("chime"))
        if self.floor is not None:
            self.due = self.floor.due()

    def _politely(self: _Machine, sound: Sound) -> None:
        """Play now, unless a partner is speaking: then wait for their pause (bounded)."""
        if not self.courtesy.hold(sound, self.now):
            self._play(sound, self.now)

    def _release(self: _Machine, now: int, only_overdue: bool = False) -> None:
        """A pause (or the bound): what waited may sound now."""
        for released in self.courtesy.release(now, only_overdue):
            self._record(Waited(sample=now, seconds=round((now - released.since) / self.rate,
                                                          3)))
            if released.sound is None:
                self._begin_beat(courteous=False)
            else:
                self._play(released.sound, now)
