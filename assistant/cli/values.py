"""The numbers typed on the command line, each read against the range its option allows.

A value outside it (nan, infinity, zero where a length is asked, a negative or absurd
number) is refused as it is read, in one sentence that gives the range: never a crash
further on, an allocation the machine cannot make, or a default put in its place. This
module stays light (no sound or speech libraries), as the parser is built from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.base.errors import UserError
from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import MAX_BPM, MIN_BPM
from assistant.script.fields import MAX_SESSION_SECONDS
from assistant.script.model import PATIENCE_RANGE
from assistant.script.standalone import MAX_CYCLES, MAX_MINUTES

# The voice's speech rate, as speech/voice/rendering.py bounds it; kept here too so the
# command line can offer it without loading the voice (a test keeps the two equal).
DEFAULT_RATE = 160
RATE_RANGE = (80, 400)
LISTENING_SECONDS = (1.0, 60.0)  # `check`: long enough to say something, short enough to wait
LARGEST_SEED = 2**32 - 1  # as many orders as a seed drawn at random can give


@dataclass(frozen=True)
class Number:
    """A number from `low` to `high` (above `low`, when `above`), as an argparse type."""

    flag: str
    low: float
    high: float
    unit: str
    example: str
    above: bool = False

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        inside = self.low < value if self.above else self.low <= value
        if not (math.isfinite(value) and inside and value <= self.high):
            span = (f"more than {self.low:g} and up to {self.high:g}" if self.above
                    else f"{self.low:g} to {self.high:g}")
            raise UserError(f"{self.flag} takes {span}{_unit(self.unit)}, such as "
                            f"{self.example}.")
        return value


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high`, as an argparse type."""

    flag: str
    low: int
    high: int
    unit: str
    example: str

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # not a whole number, or more digits than Python reads
            value = self.low - 1
        if not self.low <= value <= self.high:
            unit = f" of {self.unit}" if self.unit else ""
            raise UserError(f"{self.flag} takes a whole number{unit} from {self.low} to "
                            f"{self.high}, such as {self.example}.")
        return value


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


PATIENCE = Number("--patience", *PATIENCE_RANGE, "seconds of quiet", "6")
RATE = Whole("--rate", *RATE_RANGE, "words a minute", str(DEFAULT_RATE))
VOLUME = Number("--volume", 0.0, 1.0, "", "0.8")
SEED = Whole("--seed", 0, LARGEST_SEED, "", "7")
PACER_MINUTES = Number("--minutes", 0.0, MAX_MINUTES, "minutes", "5", above=True)
PRACTICE_MINUTES = Number("--minutes", 0.0, MAX_SESSION_SECONDS / 60, "minutes", "10",
                          above=True)
CYCLES = Whole("--cycles", 1, MAX_CYCLES, "breaths", "10")
FROM_BPM = Number("--from-bpm", MIN_BPM, MAX_BPM, "breaths a minute", "6")
TO_BPM = Number("--to-bpm", MIN_BPM, MAX_BPM, "breaths a minute", "6")
SPM = Number("--spm", MIN_SPM, MAX_SPM, "steps a minute", "100")
TO_SPM = Number("--to-spm", MIN_SPM, MAX_SPM, "steps a minute", "110")
SECONDS = Number("--seconds", *LISTENING_SECONDS, "seconds", "3")
DAYS = Whole("--days", 1, 31, "days", "7")


def cue_volume(low: float, high: float) -> Number:
    """`--cue-volume` in decibels, over the range the session's options give it."""
    return Number("--cue-volume", low, high, "decibels", "-6")
