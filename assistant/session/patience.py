"""Patience that fits each partner: how long a silence must last before a floor passes on.

A fixed patience makes someone who speaks in short, fluent sentences wait as long as
someone who thinks for five seconds between them. Here each partner's pauses inside
their own floors are heard and kept (the latest ones, so a partner who slows down
mid-session is followed), and the patience of their next floor follows them:

- a share's, their long pauses: the 90th percentile plus a margin, and never under
  their longest recent pause half again, 3 to 8 s;
- an answer's, their short pauses: the median plus a margin, 1.5 to 4 s;
- a talk's, the couple's shared silences, as a share's: never under 5 s (nor over
  the fixed default). A talk's silences are mostly short ones between sentences,
  with rarer long ones as the other partner takes it up: those must not be cut.

Until a few pauses have been heard, the defaults hold. Pure logic: seconds in, seconds
out; nothing here reads a clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.script.model import FloorKind
from assistant.session.floor import FloorSettings

SHARED = "both"  # the key of the couple's shared silences


@dataclass(frozen=True)
class PatienceRules:
    margin: float = 1.0  # seconds added to the pause that is being followed
    beyond_longest: float = 1.5  # times the longest recent pause: a share's or talk's least
    share: tuple[float, float] = (3.0, 8.0)
    answer: tuple[float, float] = (1.5, 4.0)
    talk_at_least: float = 5.0
    heard_before_learning: int = 4  # pauses of a partner before theirs replace the default
    remembered: int = 40  # the latest pauses kept per partner
    plausible: tuple[float, float] = (0.5, 30.0)  # a stored patience outside is ignored


def _quantile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class PauseBook:
    """Each partner's pauses within their own floors, and the couple's shared silences."""

    def __init__(self, defaults: FloorSettings | None = None,
                 rules: PatienceRules | None = None,
                 known: Mapping[str, Iterable[float]] | None = None) -> None:
        self.defaults = defaults or FloorSettings()
        self.rules = rules or PatienceRules()
        self.pauses: dict[str, deque[float]] = {}
        low, high = self.rules.plausible
        for who, pauses in (known or {}).items():
            for seconds in pauses:
                if low <= seconds <= high:  # a damaged or odd stored value is ignored
                    self.heard(who, seconds)

    def heard(self, who: str, seconds: float) -> None:
        """A pause of `seconds` inside a floor of `who` (a partner, or SHARED in a talk)."""
        if seconds > 0:
            self.pauses.setdefault(who, deque(maxlen=self.rules.remembered)).append(seconds)

    def patience(self, kind: FloorKind, who: str) -> float | None:
        """The patience of `who`'s next floor of `kind` (None for an activity)."""
        default = self.defaults.patience(kind)
        pauses = self.pauses.get(SHARED if kind is FloorKind.TALK else who, ())
        if default is None or len(pauses) < self.rules.heard_before_learning:
            return default
        r = self.rules
        if kind is FloorKind.ANSWER:
            return _clamp(_quantile(pauses, 0.5) + r.margin, *r.answer)
        # a pause longer than the patience ends the floor and is never heard whole, so
        # the longest heard, half again, keeps the rarer long pauses from being cut
        long = max(_quantile(pauses, 0.9) + r.margin, max(pauses) * r.beyond_longest)
        if kind is FloorKind.SHARE:
            return _clamp(long, *r.share)
        return _clamp(long, r.talk_at_least, max(r.talk_at_least, default))

    def kept(self) -> dict[str, list[float]]:
        """What to keep across sessions."""
        return {who: list(pauses) for who, pauses in self.pauses.items()}


def _clamp(value: float, low: float, high: float) -> float:
    return round(min(max(value, low), high), 3)
