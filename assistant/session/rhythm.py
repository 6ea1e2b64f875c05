"""A breathing or walking rhythm running inside a beat: cues scheduled a little ahead.

Cues are placed two seconds ahead of the clock and topped up every second, so
a live stream never waits for one, and "slower" or "faster" can re-plan the
rhythm from the phase under way without touching what has already sounded.
"""

from __future__ import annotations

from assistant.pacing.pacer import Pacer, PacerSpec
from assistant.session.plan import Cue, Sound, Speech

LOOKAHEAD = 2.0  # seconds of cues scheduled ahead: plenty for a live stream
REFILL = 1.0  # seconds between top-ups
TEMPO_STEP = 1.15  # each "faster" multiplies the tempo by this; "slower" divides
TEMPO_RANGE = (0.5, 2.0)  # how far from the planned tempo a session may go


class Rhythm:
    def __init__(self, spec: PacerSpec, rate: int) -> None:
        self.pacer, self.rate = Pacer(spec), rate
        self.paced_until = 0.0  # seconds into the beat up to which cues are scheduled
        self.refill_due: int | None = None

    def resume(self, elapsed: int) -> None:
        """Carry on from `elapsed` samples into the beat, on the same grid."""
        self.paced_until = elapsed / self.rate

    def end(self, beat_start: int) -> int:
        return beat_start + round(self.pacer.end * self.rate)

    def cues(self, beat_start: int, now: int) -> list[tuple[int, Sound]]:
        """The sounds due in the next stretch, at their samples; come back at `refill_due`."""
        until = (now - beat_start) / self.rate + LOOKAHEAD
        due: list[tuple[int, Sound]] = []
        for onset in self.pacer.between(self.paced_until, until):
            at = beat_start + round(onset.t * self.rate)
            whose = onset.partners or ("",) * len(onset.cues)
            due += [(at, Cue(kind, partner))
                    for kind, partner in zip(onset.cues, whose, strict=True)]
            due += [(at, Speech(onset.speech))] if onset.speech else []
        self.paced_until = until
        self.refill_due = now + round(REFILL * self.rate)
        return due

    def retime(self, step: float, beat_start: int, now: int) -> float | None:
        """Scale the tempo by `step` from `now`; the new factor, or None at the range's end.

        Cues scheduled after `now` must be dropped by the caller, then `cues` re-planned."""
        low, high = TEMPO_RANGE
        factor = min(max(self.pacer.factor * step, low), high)
        if factor == self.pacer.factor:
            return None
        elapsed = (now - beat_start) / self.rate
        self.pacer.scale_tempo(factor, elapsed)
        self.paced_until = elapsed + 1 / self.rate
        return factor
