"""The machine's answers to commands: tempo and volume, time left, where we are, help,
the closing check, and the moves through the plan (next, skip, back, repeat, stop).

A mixin of `SessionMachine`: each method is a `transitions` callback of the machine,
and `_Machine` names what it uses of the machine, so the type checker sees both.
"""

from __future__ import annotations

from typing import Protocol

from assistant.session import answers, navigation
from assistant.session.actions import Action, Adjust, DropSounds
from assistant.session.commands import Command
from assistant.session.events import ClosingCheck, CommandTaken, Event, SessionEnd
from assistant.session.floor import Floor
from assistant.session.patience import PauseBook
from assistant.session.plan import Beat, PlannedStep, Sound, Speech
from assistant.session.rhythm import TEMPO_STEP, Rhythm

CLOSING_REPLIES = {
    Command.GOOD_STRETCH: "Thank you. A good stretch it was.",
    Command.TOO_MUCH: "Thank you for saying so. Next time, I will offer you a gentler way in.",
}


class _Machine(Protocol):
    """What the replies use of the machine."""

    plan: tuple[PlannedStep, ...]
    rate: int
    title: str
    state: str
    now: int
    due: int | None
    beat_start: int
    started_at: int
    step_index: int
    expected_seconds: float
    in_turn: bool
    floor: Floor | None
    rhythm: Rhythm | None
    pauses: PauseBook
    _actions: list[Action]

    @property
    def current_step(self) -> PlannedStep: ...
    @property
    def current_beat(self) -> Beat: ...
    @property
    def phase(self) -> str: ...
    def _part_left(self) -> float | None: ...
    def _closing(self, command: Command, answer: str) -> None: ...
    def _retime(self, step: float, command: Command) -> None: ...
    def _politely(self, sound: Sound) -> None: ...
    def _log_command(self, command: Command) -> None: ...
    def _record(self, event: Event) -> None: ...
    def _silence(self) -> None: ...
    def _end_beat(self, reason: str) -> None: ...
    def _enter_step(self, index: int) -> None: ...
    def _leave_step(self, command: Command) -> None: ...
    def _schedule_rhythm(self) -> None: ...
    def _ended(self, reason: str) -> None: ...


class Replies:
    """The command callbacks of the machine."""

    due: int | None

    def _on_slower(self: _Machine) -> None:
        self._retime(1 / TEMPO_STEP, Command.SLOWER)

    def _on_faster(self: _Machine) -> None:
        self._retime(TEMPO_STEP, Command.FASTER)

    def _on_louder(self: _Machine) -> None:
        self._log_command(Command.LOUDER)
        self._actions.append(Adjust("volume", up=True))

    def _on_softer(self: _Machine) -> None:
        self._log_command(Command.SOFTER)
        self._actions.append(Adjust("volume", up=False))

    def _on_time(self: _Machine) -> None:
        self._log_command(Command.TIME)
        left = self.expected_seconds - (self.now - self.started_at) / self.rate
        self._politely(Speech(answers.time_left(self._part_left(), left)))

    def _part_left(self: _Machine) -> float | None:
        """Seconds to the end of the timed part under way, from its own end."""
        if self.state != "running" or self.current_beat.seconds is None:
            return None
        end = self.floor.limit if self.floor is not None else self.due
        return None if end is None else max(0.0, (end - self.now) / self.rate)

    def _on_where(self: _Machine) -> None:
        self._log_command(Command.WHERE)
        self._politely(Speech(answers.where(self.title, self.step_index, len(self.plan),
                                            self.current_step, self.current_beat)))

    def _on_help(self: _Machine) -> None:
        self._log_command(Command.HELP)
        self._politely(Speech(answers.HELP[self.phase]))

    def _on_good(self: _Machine) -> None:
        self._closing(Command.GOOD_STRETCH, "good stretch")

    def _on_too_much(self: _Machine) -> None:
        self._closing(Command.TOO_MUCH, "too much")

    def _closing(self: _Machine, command: Command, answer: str) -> None:
        """The closing check answered: kept, thanked, and the floor it was said on passes."""
        self._log_command(command)
        self._record(ClosingCheck(sample=self.now, answer=answer))
        if self.state == "running" and self.in_turn:
            self._silence()
            self._end_beat("command")
        self._politely(Speech(CLOSING_REPLIES[command]))

    def _retime(self: _Machine, step: float, command: Command) -> None:
        """Change the running rhythm's tempo from this moment, mid-phase if need be."""
        if self.rhythm is None:  # no rhythm running: the voice slows or quickens instead
            self._log_command(command)
            self._actions.append(Adjust("rate", up=step > 1))
            return
        factor = self.rhythm.retime(step, self.beat_start, self.now)
        if factor is None:
            return
        self._record(CommandTaken(sample=self.now, name=command.value, tempo=round(factor, 3)))
        self._actions.append(DropSounds(self.now + 1))
        self._schedule_rhythm()
        self.due = self.rhythm.end(self.beat_start)

    def _on_next(self: _Machine) -> None:
        self._leave_step(Command.NEXT)
        self._enter_step(navigation.after_next(self.plan, self.step_index))

    def _on_skip(self: _Machine) -> None:
        self._leave_step(Command.SKIP)
        self._enter_step(navigation.after_skip(self.plan, self.step_index))

    def _on_back(self: _Machine) -> None:
        self._leave_step(Command.BACK)
        self._enter_step(navigation.after_back(self.plan, self.step_index))

    def _on_repeat(self: _Machine) -> None:
        self._leave_step(Command.REPEAT)
        self._enter_step(self.step_index)

    def _on_stop(self: _Machine) -> None:
        self._leave_step(Command.STOP)
        self._ended("stopped")

    def _on_quit(self: _Machine) -> None:
        self._leave_step(Command.QUIT)
        self._ended("stopped")

    def _on_complete(self: _Machine) -> None:
        self._ended("completed")

    def _ended(self: _Machine, reason: str) -> None:
        """The end, with the pauses heard: the next session's patience starts from them."""
        self._record(SessionEnd(sample=self.now, reason=reason, pauses=self.pauses.kept()))
