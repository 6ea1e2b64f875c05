"""The floor: pure rules for when a partner's (or the couple's) time to speak ends.

Four kinds, because people share, answer, talk and play differently:

- a *share* is one partner speaking at length: thinking pauses are part of it,
  so only a long silence after speech (6 s by default) passes the floor on;
- an *answer* is a short reply: a short silence after it (2.5 s) is enough;
- a *talk* is both partners conversing: one partner thinking while the other
  waits is not the end, only a long shared silence is;
- an *activity* is silent or physical play: silence and speech (laughter,
  singing, counting) never end it, only its time does.

A floor moves through waiting → speaking ⇄ pausing → ended. Nobody speaking at
all gets one gentle re-prompt, and the floor stays open for a good while after
it. A floor whose time is up while someone speaks ends at their next pause.
All times are samples on the session clock; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.script.model import FloorKind


@dataclass(frozen=True)
class FloorSettings:
    share_patience: float = 6.0  # silence after speech that ends a share
    answer_patience: float = 2.5
    talk_patience: float = 12.0  # a silence both partners share
    reprompt_after: float = 20.0  # nobody has spoken by then: one gentle re-prompt
    open_at_least: float = 60.0  # and with still nobody speaking, the floor stays this long
    grace: float = 20.0  # past its time, how long to wait for a pause
    warning: float = 30.0  # a soft chime this long before the time of a long share or talk
    adaptive: bool = True  # patience follows each partner's own pauses (see patience.py)

    def patience(self, kind: FloorKind) -> float | None:
        return {FloorKind.SHARE: self.share_patience, FloorKind.ANSWER: self.answer_patience,
                FloorKind.TALK: self.talk_patience}.get(kind)


@dataclass(frozen=True)
class Reprompt:
    """Nobody has spoken yet: offer the floor once more, gently."""


@dataclass(frozen=True)
class Warn:
    """The time is nearly up: a soft chime."""


@dataclass(frozen=True)
class End:
    reason: str  # silence, time or no_response


FloorAction = Reprompt | Warn | End


class Floor:
    def __init__(self, kind: FloorKind, start: int, rate: int, seconds: float,
                 settings: FloorSettings | None = None, patience: float | None = None,
                 min_seconds: float | None = None) -> None:
        self.kind, self.rate = kind, rate
        self.settings = s = settings or FloorSettings()
        self.patience = patience if patience is not None else s.patience(kind)
        self.start = start
        self.limit = start + self._samples(seconds)
        self.floor_until = start + self._samples(min_seconds or 0.0)
        self.state = "waiting"
        self.heard = False
        self.last_end: int | None = None  # when the latest stretch of speech ended
        self.reopened = 0  # times it was handed back after ending for silence
        self._reprompted = self._warned = False

    def _samples(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def shift(self, samples: int) -> None:
        """Move every time on by a pause's length."""
        self.start += samples
        self.limit += samples
        self.floor_until += samples
        if self.last_end is not None:
            self.last_end += samples

    def reopen(self, ended: int, now: int) -> None:
        """Hand the ended floor back at `now` with the time it had left when it ended at
        `ended`; what it heard and chimed before stays heard and chimed."""
        self.shift(now - ended)
        self.state = "waiting"
        self.reopened += 1

    @property
    def listens(self) -> bool:
        """Whether speech changes anything: every kind but an activity."""
        return self.kind is not FloorKind.ACTIVITY

    # -- events -------------------------------------------------------------------------

    def speech_started(self, sample: int) -> list[FloorAction]:
        if self.state != "ended" and self.listens:
            self.state, self.heard = "speaking", True
        return []

    def speech_ended(self, sample: int, now: int) -> list[FloorAction]:
        if self.state != "speaking":
            return []
        self.state, self.last_end = "pausing", sample
        if now >= self.limit:  # overtime: this pause is the polite moment to hand over
            return self._end("time")
        return self.tick(now)

    # -- timers -------------------------------------------------------------------------

    def _timers(self) -> dict[str, int]:
        s = self.settings
        if not self.listens:
            return {"time": self.limit}
        timers = {"time": self.limit + (self._samples(s.grace) if self.state == "speaking"
                                        else 0)}
        if self._warns and not self._warned:
            timers["warn"] = self.limit - self._samples(s.warning)
        if not self.heard:
            give_up = min(self.limit, self.start + self._samples(s.open_at_least))
            timers["no_response"] = give_up
            reprompt = self.start + self._samples(s.reprompt_after)
            if not self._reprompted and reprompt < give_up:
                timers["reprompt"] = reprompt
        elif self.state == "pausing" and self.last_end is not None \
                and self.patience is not None:
            timers["silence"] = max(self.last_end + self._samples(self.patience),
                                    self.floor_until)
        return timers

    @property
    def _warns(self) -> bool:
        long_enough = (self.limit - self.start) > 2 * self._samples(self.settings.warning)
        return self.kind in (FloorKind.SHARE, FloorKind.TALK) and long_enough

    def due(self) -> int | None:
        if self.state == "ended":
            return None
        return min(self._timers().values(), default=None)

    def tick(self, now: int) -> list[FloorAction]:
        """Act on every timer that is due at `now`."""
        if self.state == "ended":
            return []
        timers = self._timers()
        actions: list[FloorAction] = []
        if timers.get("warn", now + 1) <= now:
            self._warned = True
            actions.append(Warn())
        if timers.get("no_response", now + 1) <= now:
            return [*actions, *self._end("no_response")]
        for reason in ("time", "silence"):
            if timers.get(reason, now + 1) <= now:
                return [*actions, *self._end(reason)]
        if timers.get("reprompt", now + 1) <= now:
            self._reprompted = True
            actions.append(Reprompt())
        return actions

    def _end(self, reason: str) -> list[FloorAction]:
        self.state = "ended"
        return [End(reason)]
