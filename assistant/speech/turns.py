"""The turn keeper: pure rules for when a partner's turn ends.

A turn moves through waiting → speaking ⇄ pausing → ended. An open turn ends
when the partner has been quiet longer than the patience (once its minimum time
has passed); a timed turn ends at its limit, politely: if the partner is
speaking then, at their next pause within a grace period. Nobody speaking at all
gets one gentle re-prompt, then the turn moves on. A long silence in a timed turn
gets at most one quiet "take your time". All times are samples on the session
clock; nothing here reads a clock or touches a device.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TurnSettings:
    patience: float = 2.0  # seconds of quiet that end an open turn: reflective speech pauses
    min_seconds: float = 0.0  # an open turn never ends on silence before this
    no_response: float = 15.0  # no speech at all by then: one gentle re-prompt, twice: move on
    grace: float = 20.0  # past a time limit, how long to wait for a pause
    warning: float = 30.0  # a soft chime this long before a timed turn's limit
    take_your_time: float = 20.0  # a silence this long in a timed turn gets one quiet word


@dataclass(frozen=True)
class Reprompt:
    """Nobody has spoken yet: invite the partner once more."""


@dataclass(frozen=True)
class Encourage:
    """A long silence in a timed turn: one quiet 'take your time'."""


@dataclass(frozen=True)
class Warn:
    """The time limit is near: a soft chime."""


@dataclass(frozen=True)
class End:
    reason: str  # silence, time, or no_response


TurnAction = Reprompt | Encourage | Warn | End


class TurnKeeper:
    def __init__(self, start: int, rate: int, limit: float, open: bool,
                 settings: TurnSettings | None = None) -> None:
        self.settings = settings or TurnSettings()
        self.rate, self.open = rate, open
        self.start = start
        self.limit = start + self._samples(limit)
        self.state = "waiting"
        self.last_end: int | None = None  # when the latest stretch of speech ended
        self.heard = False
        self._reprompted = self._encouraged = self._warned = False

    def _samples(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def shift(self, samples: int) -> None:
        """Move every time on by a pause's length."""
        self.start += samples
        self.limit += samples
        if self.last_end is not None:
            self.last_end += samples

    # -- events -------------------------------------------------------------------------

    def speech_started(self, sample: int) -> list[TurnAction]:
        if self.state != "ended":
            self.state, self.heard = "speaking", True
        return []

    def speech_ended(self, sample: int, now: int) -> list[TurnAction]:
        if self.state != "speaking":
            return []
        self.state, self.last_end = "pausing", sample
        if now >= self.limit:  # overtime: this pause is the polite moment to hand over
            return self._end("time")
        return self.tick(now)

    # -- timers -------------------------------------------------------------------------

    def due(self) -> int | None:
        if self.state == "ended":
            return None
        return min(self._timers(), default=None)

    def _timers(self) -> list[int]:
        s = self.settings
        timers = []
        if self.state == "speaking":
            timers.append(self.limit + self._samples(s.grace))  # hard end, even mid-sentence
        else:
            timers.append(self.limit)
        if not self.open and not self._warned and self._limit_seconds > 2 * s.warning:
            timers.append(self.limit - self._samples(s.warning))
        if self.state == "waiting" and not self.heard:
            timers.append(self.start + self._samples(s.no_response * (2 if self._reprompted
                                                                       else 1)))
        if self.state == "pausing" and self.last_end is not None:
            if self.open:
                timers.append(max(self.last_end + self._samples(s.patience),
                                  self.start + self._samples(s.min_seconds)))
            elif not self._encouraged:
                timers.append(self.last_end + self._samples(s.take_your_time))
        return timers

    @property
    def _limit_seconds(self) -> float:
        return (self.limit - self.start) / self.rate

    def tick(self, now: int) -> list[TurnAction]:
        """Act on every timer that is due at `now`."""
        s = self.settings
        if self.state == "ended":
            return []
        actions: list[TurnAction] = []
        if not self.open and not self._warned and self._limit_seconds > 2 * s.warning \
                and now >= self.limit - self._samples(s.warning):
            self._warned = True
            actions.append(Warn())
        if self.state == "speaking":
            if now >= self.limit + self._samples(s.grace):
                return [*actions, *self._end("time")]
            return actions
        if now >= self.limit:
            return [*actions, *self._end("time")]
        if self.state == "waiting" and not self.heard:
            if now >= self.start + self._samples(2 * s.no_response) and self._reprompted:
                return [*actions, *self._end("no_response")]
            if now >= self.start + self._samples(s.no_response) and not self._reprompted:
                self._reprompted = True
                actions.append(Reprompt())
        if self.state == "pausing" and self.last_end is not None:
            if self.open:
                ends_at = max(self.last_end + self._samples(s.patience),
                              self.start + self._samples(s.min_seconds))
                if now >= ends_at:
                    return [*actions, *self._end("silence")]
            elif not self._encouraged and now >= self.last_end + self._samples(
                    s.take_your_time):
                self._encouraged = True
                actions.append(Encourage())
        return actions

    def _end(self, reason: str) -> list[TurnAction]:
        self.state = "ended"
        return [End(reason)]
