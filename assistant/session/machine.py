"""The session machine: pure logic that walks a plan on the sample clock.

The session is the model and a `transitions` machine holds the rules, as in
the model/machine split of the `transitions` library. Every call takes the
current sample time and returns actions; nothing here touches a device, a
file, a model or the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from transitions import Machine

from assistant.pacing.pacer import Pacer
from assistant.session import answers
from assistant.session.events import (
    Action,
    Adjust,
    DropSounds,
    Event,
    Play,
    Record,
    StopSounds,
)
from assistant.session.plan import Beat, Cue, PlannedStep, Sound, Speech
from assistant.speech.turns import (
    Encourage,
    End,
    Reprompt,
    TurnAction,
    TurnKeeper,
    TurnSettings,
)

REPROMPT = "{partner}, take your time. Whenever you are ready, the floor is yours."
ENCOURAGE = "Take your time."
PACER_LOOKAHEAD = 2.0  # seconds of cues scheduled ahead: plenty for a live stream
PACER_REFILL = 1.0  # seconds between top-ups

COMMANDS = ("done", "next", "back", "repeat", "pause", "resume", "skip", "stop", "slower",
            "faster", "louder", "softer", "time", "where", "help")
TEMPO_STEP = 1.15  # each "faster" multiplies the pacing tempo by this; "slower" divides
TEMPO_RANGE = (0.5, 2.0)  # how far from the planned tempo the session may go

_LEAVE = ["running", "paused"]
_RULES: list[dict[str, Any]] = [
    {"trigger": "begin", "source": "idle", "dest": "running", "after": "_on_begin"},
    {"trigger": "pause", "source": "running", "dest": "paused", "after": "_on_pause"},
    {"trigger": "resume", "source": "paused", "dest": "running", "after": "_on_resume"},
    {"trigger": "done", "source": "running", "dest": None, "after": "_on_done"},
    {"trigger": "next", "source": _LEAVE, "dest": "running", "after": "_on_next"},
    {"trigger": "skip", "source": _LEAVE, "dest": "running", "after": "_on_skip"},
    {"trigger": "back", "source": _LEAVE, "dest": "running", "after": "_on_back"},
    {"trigger": "repeat", "source": _LEAVE, "dest": "running", "after": "_on_repeat"},
    {"trigger": "slower", "source": "running", "dest": None, "after": "_on_slower"},
    {"trigger": "faster", "source": "running", "dest": None, "after": "_on_faster"},
    {"trigger": "louder", "source": _LEAVE, "dest": None, "after": "_on_louder"},
    {"trigger": "softer", "source": _LEAVE, "dest": None, "after": "_on_softer"},
    {"trigger": "time", "source": _LEAVE, "dest": None, "after": "_on_time"},
    {"trigger": "where", "source": _LEAVE, "dest": None, "after": "_on_where"},
    {"trigger": "help", "source": _LEAVE, "dest": None, "after": "_on_help"},
    {"trigger": "stop", "source": ["idle", *_LEAVE], "dest": "ended", "after": "_on_stop"},
    {"trigger": "complete", "source": "running", "dest": "ended", "after": "_on_complete"},
]


class SessionMachine:
    """Runs the steps of a plan, beat by beat; timers are due samples, never sleeps."""

    state: str
    trigger: Callable[[str], bool]

    def __init__(self, plan: Sequence[PlannedStep], rate: int, exercise: str = "",
                 title: str = "", listening: bool = False,
                 turn_settings: TurnSettings | None = None,
                 expected_seconds: float = 0.0) -> None:
        if not plan:
            raise ValueError("a session needs at least one step")
        self.plan, self.rate, self.exercise, self.title = tuple(plan), rate, exercise, title
        self.step_index = 0
        self.beat_index = 0
        self.beat_start = 0
        self.paused_elapsed = 0
        self.due: int | None = None  # when the current beat ends
        self.refill_due: int | None = None  # when to schedule the pacer's next cues
        self.pacer: Pacer | None = None
        self.paced_until = 0.0  # seconds into the beat up to which cues are scheduled
        self.in_turn = False
        self.listening = listening  # a microphone hears the partners: turns end by ear
        self.turn_settings = turn_settings or TurnSettings()
        self.keeper: TurnKeeper | None = None
        self.paused_at = 0
        self.started_at = 0
        self.expected_seconds = expected_seconds
        self.awaiting: set[int] = set()
        self.now = 0
        self._tokens = 0
        self._actions: list[Action] = []
        Machine(model=self, states=["idle", "running", "paused", "ended"], transitions=_RULES,
                initial="idle", auto_transitions=False, ignore_invalid_triggers=True)

    # -- the interface the runner uses ------------------------------------------------

    def start(self, now: int) -> list[Action]:
        return self._run(now, lambda: self.trigger("begin"))

    def command(self, name: str, now: int) -> list[Action]:
        """Apply a user command; one that makes no sense in this state is ignored."""
        if name not in COMMANDS:
            raise ValueError(f"unknown command {name!r}")
        return self._run(now, lambda: self.trigger(name))

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

    def speech_started(self, sample: int, now: int) -> list[Action]:
        def started() -> None:
            if self.keeper is not None and self.state == "running":
                self._log_at(sample, "speech_start", partner=self.current_beat.turn)
                self._turn(self.keeper.speech_started(sample))

        return self._run(now, started)

    def speech_ended(self, sample: int, now: int) -> list[Action]:
        def ended() -> None:
            if self.keeper is not None and self.state == "running":
                self._log_at(sample, "speech_end", partner=self.current_beat.turn)
                self._turn(self.keeper.speech_ended(sample, now))

        return self._run(now, ended)

    @property
    def hearing(self) -> bool:
        """Whether partners' speech matters now: a turn is under way and a mic hears it."""
        return self.keeper is not None and self.state == "running"

    def tick(self, now: int) -> list[Action]:
        """Fire the current timer if it is due."""

        def fire() -> None:
            if self.state != "running":
                return
            if self.keeper is not None:
                self._turn(self.keeper.tick(now))
                return
            if self.refill_due is not None and now >= self.refill_due:
                self._schedule_pacer()
            if self.due is not None and now >= self.due:
                self._end_beat("time")

        return self._run(now, fire)

    @property
    def next_due(self) -> int | None:
        if self.state != "running":
            return None
        timers = [t for t in (self.due, self.refill_due) if t is not None]
        return min(timers, default=None)

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
        self._log("session_start", exercise=self.exercise, title=self.title,
                  steps=len(self.plan))
        self._enter_step(0)

    def _on_pause(self) -> None:
        self.paused_at = self.now
        beat = self.current_beat
        self.paused_elapsed = self.now - self.beat_start if beat.seconds is not None else 0
        self._log("command", name="pause")
        self._silence()

    def _on_resume(self) -> None:
        self._log("command", name="resume")
        if self.keeper is not None:
            self.keeper.shift(self.now - self.paused_at)
        self._begin_beat(elapsed=self.paused_elapsed)

    def _on_done(self) -> None:
        if self.current_beat.seconds is not None:
            self._log("command", name="done")
            self._silence()
            self._end_beat("command")

    def _on_slower(self) -> None:
        self._retime(1 / TEMPO_STEP, "slower")

    def _on_faster(self) -> None:
        self._retime(TEMPO_STEP, "faster")

    def _on_louder(self) -> None:
        self._log("command", name="louder")
        self._actions.append(Adjust("volume", up=True))

    def _on_softer(self) -> None:
        self._log("command", name="softer")
        self._actions.append(Adjust("volume", up=False))

    def _on_time(self) -> None:
        self._log("command", name="time")
        left = max(0.0, self.expected_seconds - (self.now - self.started_at) / self.rate)
        part = None
        if self.state == "running" and self.due is not None and self.current_beat.seconds:
            part = (self.due - self.now) / self.rate
        self._say(answers.time_left(part, left))

    def _on_where(self) -> None:
        self._log("command", name="where")
        self._say(answers.where(self.title, self.step_index, len(self.plan), self.current_step,
                                self.current_beat))

    def _on_help(self) -> None:
        self._log("command", name="help")
        phase = "paused" if self.state == "paused" else "turn" if self.in_turn else "guiding"
        self._say(answers.HELP[phase])

    def _say(self, text: str) -> None:
        """An answer, spoken over whatever phase is under way, without changing it."""
        self._play(Speech(text), self.now)

    def _retime(self, step: float, name: str) -> None:
        """Change the running pacer's tempo from this moment, mid-phase if need be."""
        if self.pacer is None:  # no rhythm running: the voice slows or quickens instead
            self._log("command", name=name)
            self._actions.append(Adjust("rate", up=step > 1))
            return
        low, high = TEMPO_RANGE
        factor = min(max(self.pacer.factor * step, low), high)
        if factor == self.pacer.factor:
            return
        self._log("command", name=name, tempo=round(factor, 3))
        elapsed = (self.now - self.beat_start) / self.rate
        self.pacer.scale_tempo(factor, elapsed)
        self._actions.append(DropSounds(self.now + 1))
        self.paced_until = elapsed + 1 / self.rate
        self._schedule_pacer()
        self.due = self.beat_start + self._samples(self.pacer.end)

    def _on_next(self) -> None:
        self._leave_step("next")
        self._enter_step(self.step_index + 1)

    def _on_skip(self) -> None:
        self._leave_step("skip")
        block = self.current_step.block
        following = self.step_index + 1
        if block:
            while following < len(self.plan) and self.plan[following].block == block:
                following += 1
        self._enter_step(following)

    def _on_back(self) -> None:
        self._leave_step("back")
        self._enter_step(max(0, self.step_index - 1))

    def _on_repeat(self) -> None:
        self._leave_step("repeat")
        self._enter_step(self.step_index)

    def _on_stop(self) -> None:
        self._leave_step("stop")
        self._log("session_end", reason="stopped")

    def _on_complete(self) -> None:
        self._log("session_end", reason="completed")

    # -- walking the plan -------------------------------------------------------------

    def _enter_step(self, index: int) -> None:
        if index >= len(self.plan):
            self.trigger("complete")
            return
        self.step_index, self.beat_index = index, 0
        self.pacer = None
        step = self.current_step
        self._log("step", number=step.number, kind=step.kind, round=step.round, index=index)
        self._begin_beat()

    def _leave_step(self, command: str) -> None:
        """End the current step early: close an open turn, cut the sound."""
        self._log("command", name=command)
        self._close_turn("command")
        self._silence()

    def _begin_beat(self, elapsed: int = 0) -> None:
        beat = self.current_beat
        if beat.seconds is None:
            elapsed = 0  # a spoken beat starts again from its first word
        self.beat_start = self.now - elapsed
        self.paused_elapsed = 0
        self.awaiting = set()
        for offset, sound in beat.sounds:
            at = self.beat_start + self._samples(offset)
            if at < self.now:
                continue
            token = self._play(sound, at)
            if beat.seconds is None:
                self.awaiting.add(token)
        if beat.pacer is not None:
            if self.pacer is None:  # a resumed beat keeps its grid
                self.pacer = Pacer(beat.pacer)
            self.paced_until = elapsed / self.rate
            self._schedule_pacer()
        if beat.turn and not self.in_turn:
            self.in_turn = True
            self._log("turn_start", partner=beat.turn, open=beat.open, seconds=beat.seconds)
            if self.listening and beat.seconds is not None:
                settings = self.turn_settings
                if beat.patience is not None or beat.min_seconds is not None:
                    settings = replace(settings, patience=beat.patience or settings.patience,
                                       min_seconds=beat.min_seconds or settings.min_seconds)
                self.keeper = TurnKeeper(self.now, self.rate, beat.seconds, beat.open, settings)
        if self.keeper is not None:
            self.due = self.keeper.due()
        elif self.pacer is not None:
            self.due = self.beat_start + self._samples(self.pacer.end)
        elif beat.seconds is not None:
            self.due = self.beat_start + self._samples(beat.seconds)
        else:
            self.due = None
            if not self.awaiting:
                self._end_beat("done")

    def _end_beat(self, reason: str) -> None:
        self._close_turn(reason)
        self.due = self.refill_due = None
        self.pacer = None
        self.awaiting = set()
        if self.beat_index + 1 < len(self.current_step.beats):
            self.beat_index += 1
            self._begin_beat()
        else:
            self._enter_step(self.step_index + 1)

    # -- helpers ----------------------------------------------------------------------

    def _turn(self, actions: Sequence[TurnAction]) -> None:
        """Carry out what the turn keeper decided."""
        partner = self.current_beat.turn or ""
        for action in actions:
            if isinstance(action, End):
                self._end_beat(action.reason)
                return
            sound: Sound = Cue("chime")
            if isinstance(action, Reprompt):
                sound = Speech(REPROMPT.format(partner="You both" if partner == "both"
                                               else partner))
            elif isinstance(action, Encourage):
                sound = Speech(ENCOURAGE)
            self._play(sound, self.now)
        if self.keeper is not None:
            self.due = self.keeper.due()

    def _close_turn(self, reason: str) -> None:
        self.keeper = None
        if self.in_turn:
            self.in_turn = False
            self._log("turn_end", partner=self.current_beat.turn, reason=reason)

    def _run(self, now: int, change: Callable[[], object]) -> list[Action]:
        self.now = now
        self._actions = []
        change()
        return self._actions

    def _schedule_pacer(self) -> None:
        """Schedule the pacer's cues a little ahead of the clock, and come back for more."""
        assert self.pacer is not None
        until = (self.now - self.beat_start) / self.rate + PACER_LOOKAHEAD
        for onset in self.pacer.between(self.paced_until, until):
            at = self.beat_start + self._samples(onset.t)
            whose = onset.partners or ("",) * len(onset.cues)
            sounds: list[Sound] = [Cue(k, p) for k, p in zip(onset.cues, whose, strict=True)]
            sounds += [Speech(onset.speech)] if onset.speech else []
            for sound in sounds:
                self._play(sound, at)
        self.paced_until = until
        self.refill_due = self.now + self._samples(PACER_REFILL)

    def _play(self, sound: Sound, at: int) -> int:
        """Ask for a sound at sample `at`; its token names it when it ends."""
        self._tokens += 1
        self._actions.append(Play(sound, at, self._tokens))
        return self._tokens

    def _silence(self) -> None:
        self.due = self.refill_due = None
        self.awaiting = set()
        self._actions.append(StopSounds())

    def _samples(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def _log(self, event_type: str, **data: object) -> None:
        self._log_at(self.now, event_type, **data)

    def _log_at(self, sample: int, event_type: str, **data: object) -> None:
        self._actions.append(Record(Event(event_type, sample, dict(data))))

