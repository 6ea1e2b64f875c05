"""The session machine: pure logic that walks a plan on the sample clock.

The session is the model and a `transitions` machine holds the rules, as in
the model/machine split of the `transitions` library. Every call takes the
current sample time and returns actions; nothing here touches a device, a
file, a model or the wall clock. Who has the floor is decided by `floor.py`,
where commands lead by `navigation.py`, rhythms by `rhythm.py`; this module
walks the beats and keeps the couple from being talked over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from transitions import Machine

from assistant.script.model import FloorKind
from assistant.session.actions import Action, Play, Record, StopSounds
from assistant.session.commands import Command
from assistant.session.courtesy import Courtesy
from assistant.session.events import (
    CommandTaken,
    Event,
    SessionStart,
    StepStarted,
    TurnEnd,
    TurnStart,
)
from assistant.session.floor import Floor, FloorSettings
from assistant.session.listening import Listening
from assistant.session.patience import PauseBook
from assistant.session.plan import Beat, PlannedStep, Sound, Speech
from assistant.session.repair import Repairing
from assistant.session.replies import Replies
from assistant.session.rhythm import Rhythm
from assistant.session.rules import RULES

STOP_REPLY = "Paused. Say continue, or say stop again to end."

class SessionMachine(Listening, Replies, Repairing):
    """Runs the steps of a plan, beat by beat; timers are due samples, never sleeps."""

    state: str
    trigger: Callable[[str], bool]

    def __init__(self, plan: Sequence[PlannedStep], rate: int, exercise: str = "",
                 title: str = "", listening: bool = False,
                 floor_settings: FloorSettings | None = None,
                 expected_seconds: float = 0.0, session: str = "", started: str = "",
                 pauses: Mapping[str, Iterable[float]] | None = None) -> None:
        if not plan:
            raise ValueError("a session needs at least one step")
        self.plan, self.rate, self.exercise, self.title = tuple(plan), rate, exercise, title
        self.listening = listening  # a microphone hears the partners: floors end by ear
        self.floor_settings = floor_settings or FloorSettings()
        self.expected_seconds = expected_seconds
        self.session, self.started = session, started  # an id and the wall-clock start
        self.step_index = self.beat_index = 0
        self.beat_start = self.paused_elapsed = self.paused_at = self.started_at = 0
        self.due: int | None = None  # when the current beat ends
        self.rhythm: Rhythm | None = None
        self.floor: Floor | None = None
        self.in_turn = False
        self.pending: list[tuple[int, Sound]] = []  # sounds later in a timed beat (chimes)
        self.courtesy = Courtesy(rate)  # what waits for a speaking partner's pause
        self.pauses = PauseBook(self.floor_settings, known=pauses)  # kept from before, too
        self.awaiting: set[int] = set()
        self.now = 0
        self._tokens = 0
        self._actions: list[Action] = []
        Machine(model=self, states=["idle", "running", "paused", "ended"], transitions=RULES,
                initial="idle", auto_transitions=False, ignore_invalid_triggers=True)

    # -- the interface the runner uses ------------------------------------------------

    def start(self, now: int) -> list[Action]:
        return self._run(now, lambda: self.trigger("begin"))

    def command(self, command: Command, now: int) -> list[Action]:
        """Apply a user command; one that makes no sense in this state is ignored."""
        if not isinstance(command, Command):
            raise TypeError(f"a command must be a Command, not {command!r}")
        return self._run(now, lambda: self.trigger(command.value))

    def sound_ended(self, token: int, now: int) -> list[Action]:
        def ended() -> None:
            if self.state == "running" and token in self.awaiting:
                self.awaiting.discard(token)
                if self.awaiting:
                    return
                linger = self.current_beat.linger
                if linger:
                    self.due = now + self._samples(linger)
                else:
                    self._end_beat("done")

        return self._run(now, ended)

    @property
    def hearing(self) -> bool:
        """Whether partners' speech matters now: a microphone hears a running session."""
        return self.listening and self.state == "running"

    @property
    def phase(self) -> str:
        """For voice commands: 'paused', 'turn' while a partner has a speaking floor,
        or 'guiding' (everything else, activities included)."""
        if self.state == "paused":
            return "paused"
        kind = self.current_beat.floor if self.in_turn else None
        return "turn" if kind is not None and kind is not FloorKind.ACTIVITY else "guiding"

    def tick(self, now: int) -> list[Action]:
        """Fire every timer that is due."""

        def fire() -> None:
            if self.state != "running":
                return
            self._release(now, only_overdue=True)
            if self.courtesy.beat is not None:
                return
            while self.pending and self.pending[0][0] <= now:
                self._politely(self.pending.pop(0)[1])
            if self.rhythm is not None and self.rhythm.refill_due is not None \
                    and now >= self.rhythm.refill_due:
                self._schedule_rhythm()
            if self.floor is not None:
                self._floor_acts(self.floor.tick(now))
            elif self.due is not None and now >= self.due:
                self._end_beat("time")

        return self._run(now, fire)

    @property
    def next_due(self) -> int | None:
        if self.state != "running":
            return None
        if self.courtesy.beat is not None:
            return self.courtesy.due
        timers = [self.due, self.rhythm.refill_due if self.rhythm else None,
                  self.pending[0][0] if self.pending else None, self.courtesy.due]
        return min((t for t in timers if t is not None), default=None)

    @property
    def finished(self) -> bool:
        return self.state == "ended"

    @property
    def current_step(self) -> PlannedStep:
        return self.plan[self.step_index]

    @property
    def current_beat(self) -> Beat:
        return self.current_step.beats[self.beat_index]

    # -- transition callbacks ---------------------------------------------------------

    def _on_begin(self) -> None:
        self.started_at = self.now
        self._record(SessionStart(sample=self.now, exercise=self.exercise, title=self.title,
                                  steps=len(self.plan), session=self.session,
                                  started=self.started))
        self._enter_step(0)

    def _on_pause(self) -> None:
        self._log_command(Command.PAUSE)
        self._hold_still()

    def _on_stop_pause(self) -> None:
        self._log_command(Command.STOP)
        self._hold_still()
        self._play(Speech(STOP_REPLY), self.now)  # a reply: said at once, over anything

    def _hold_still(self) -> None:
        """Pause: keep the elapsed part of a timed beat, cut every sound."""
        self.paused_at = self.now
        timed = self.current_beat.seconds is not None and self.courtesy.beat is None
        self.paused_elapsed = self.now - self.beat_start if timed else 0
        self._silence()

    def _on_resume(self) -> None:
        self._log_command(Command.RESUME)
        if self.floor is not None:
            self.floor.shift(self.now - self.paused_at)
        self._begin_beat(elapsed=self.paused_elapsed)

    def _on_done(self) -> None:
        if self.current_beat.seconds is not None:
            self._log_command(Command.DONE)
            self._silence()
            self._end_beat("command")

    # -- walking the plan -------------------------------------------------------------

    def _enter_step(self, index: int) -> None:
        if index >= len(self.plan):
            self.trigger("complete")
            return
        self.step_index, self.beat_index = index, 0
        self.rhythm = None
        step = self.current_step
        self._record(StepStarted(sample=self.now, number=step.number, kind=step.kind,
                                 round=step.round, index=index))
        self._begin_beat()

    def _leave_step(self, command: Command) -> None:
        """End the current step early: close an open floor, cut the sound."""
        self._log_command(command)
        self._close_turn("command")
        self._silence()

    def _begin_beat(self, elapsed: int = 0, courteous: bool = True) -> None:
        beat = self.current_beat
        if beat.seconds is None:
            elapsed = 0  # a spoken beat starts again from its first word
        if courteous and elapsed == 0 and beat.sounds and self.courtesy.voice_active:
            self.courtesy.hold_beat(self.now)
            self.due = None
            return  # a partner is speaking: this beat's first sound waits for their pause
        self.beat_start = self.now - elapsed
        self.paused_elapsed = 0
        self.awaiting, self.pending = set(), []
        for offset, sound in beat.sounds:
            at = self.beat_start + self._samples(offset)
            if at < self.now:
                continue
            if at > self.now and beat.seconds is not None:
                self.pending.append((at, sound))  # a chime: it too will wait for a pause
                continue
            token = self._play(sound, at)
            if beat.seconds is None:
                self.awaiting.add(token)
        if beat.pacer is not None:
            if self.rhythm is None:  # a resumed beat keeps its grid
                self.rhythm = Rhythm(beat.pacer, self.rate)
            self.rhythm.resume(elapsed)
            self._schedule_rhythm()
        if beat.turn and not self.in_turn:
            self._open_turn(beat)
        if self.floor is not None:
            self.due = self.floor.due()
        elif self.rhythm is not None:
            self.due = self.rhythm.end(self.beat_start)
        elif beat.seconds is not None:
            self.due = self.beat_start + self._samples(beat.seconds)
        else:
            self.due = None
            if not self.awaiting:
                self._end_beat("done")

    def _open_turn(self, beat: Beat) -> None:
        assert beat.turn is not None and beat.seconds is not None
        kind = beat.floor or FloorKind.SHARE
        self.in_turn = True
        patience = None if kind is FloorKind.ACTIVITY else (
            beat.patience if beat.patience is not None
            else self.pauses.patience(kind, beat.turn) if self.floor_settings.adaptive
            else self.floor_settings.patience(kind))
        self._record(TurnStart(sample=self.now, partner=beat.turn, floor=kind.value,
                               seconds=beat.seconds, patience=patience, keep=beat.keep))
        if self.listening:
            self.floor = Floor(kind, self.now, self.rate, beat.seconds, self.floor_settings,
                               patience, beat.min_seconds)

    def _end_beat(self, reason: str) -> None:
        self._close_turn(reason)
        self.due = None
        self.rhythm = None
        self.awaiting, self.pending = set(), []
        self.courtesy.clear()
        if self.beat_index + 1 < len(self.current_step.beats):
            self.beat_index += 1
            self._begin_beat()
        else:
            self._enter_step(self.step_index + 1)

    def _close_turn(self, reason: str) -> None:
        self.floor = None
        if self.in_turn:
            self.in_turn = False
            beat = self.current_beat
            self._record(TurnEnd(sample=self.now, partner=beat.turn or "",
                                 floor=str(beat.floor or FloorKind.SHARE), reason=reason))

    # -- helpers ----------------------------------------------------------------------

    def _run(self, now: int, change: Callable[[], object]) -> list[Action]:
        self.now = now
        self._actions = []
        change()
        return self._actions

    def _schedule_rhythm(self) -> None:
        assert self.rhythm is not None
        for at, sound in self.rhythm.cues(self.beat_start, self.now):
            self._play(sound, at)

    def _play(self, sound: Sound, at: int) -> int:
        """Ask for a sound at sample `at`; its token names it when it ends."""
        self._tokens += 1
        self._actions.append(Play(sound, at, self._tokens))
        return self._tokens

    def _silence(self) -> None:
        self.due = None
        if self.rhythm is not None:
            self.rhythm.refill_due = None
        self.awaiting, self.pending = set(), []
        self.courtesy.clear()
        self._actions.append(StopSounds())

    def _samples(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def _log_command(self, command: Command) -> None:
        self._moved_on()
        self._record(CommandTaken(sample=self.now, name=command.value))

    def _record(self, event: Event) -> None:
        self._actions.append(Record(event))
