"""Breathing patterns: named presets and custom IN-HOLD-OUT-HOLD forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Phase = Literal["in", "hold", "out"]

MIN_CYCLE_SECONDS = 2.0  # 30 breaths a minute: faster is not a practice, it is a mistake
MAX_CYCLE_SECONDS = 60.0
MIN_PHASE_SECONDS = 0.5
MIN_BPM, MAX_BPM = 1.0, 30.0  # accepted breathing rates for ramps


@dataclass(frozen=True)
class BreathPattern:
    name: str
    phases: tuple[tuple[Phase, float], ...]

    @property
    def cycle_seconds(self) -> float:
        return sum(seconds for _, seconds in self.phases)

    @property
    def breaths_per_minute(self) -> float:
        return 60.0 / self.cycle_seconds


_COHERENT_HALF = 60.0 / 5.5 / 2

PRESETS: dict[str, BreathPattern] = {
    "coherent": BreathPattern("coherent", (("in", _COHERENT_HALF), ("out", _COHERENT_HALF))),
    "box": BreathPattern("box", (("in", 4.0), ("hold", 4.0), ("out", 4.0), ("hold", 4.0))),
    "4-7-8": BreathPattern("4-7-8", (("in", 4.0), ("hold", 7.0), ("out", 8.0))),
    "sigh": BreathPattern("sigh", (("in", 2.0), ("in", 1.0), ("out", 6.0))),
    "equal": BreathPattern("equal", (("in", 4.0), ("out", 4.0))),
}

ACCEPTED_FORMS = (
    f"a preset ({', '.join(PRESETS)}) or IN-HOLD-OUT-HOLD in seconds such as 4-2-6-0, "
    f"with a breath of {MIN_CYCLE_SECONDS:g} to {MAX_CYCLE_SECONDS:g} seconds"
)

_NUMBER = r"\d+(?:\.\d+)?"
_CUSTOM = re.compile(rf"^{_NUMBER}(?:-{_NUMBER}){{1,3}}$")


def parse_pattern(text: str) -> BreathPattern:
    """Return the pattern a preset name or custom form describes, or raise ValueError."""
    key = text.strip().lower()
    if key in PRESETS:
        return PRESETS[key]
    if not _CUSTOM.match(key):
        raise ValueError(f"unknown breathing pattern '{text}': use {ACCEPTED_FORMS}")
    numbers = [float(part) for part in key.split("-")]
    if len(numbers) == 2:  # IN-OUT
        numbers = [numbers[0], 0.0, numbers[1]]
    numbers += [0.0] * (4 - len(numbers))
    breathe_in, hold_in, breathe_out, hold_out = numbers
    if breathe_in < MIN_PHASE_SECONDS or breathe_out < MIN_PHASE_SECONDS:
        raise ValueError(
            f"breathing pattern '{text}' needs in and out phases of at least "
            f"{MIN_PHASE_SECONDS:g} s: use {ACCEPTED_FORMS}"
        )
    if any(0 < hold < MIN_PHASE_SECONDS for hold in (hold_in, hold_out)):
        raise ValueError(
            f"breathing pattern '{text}' has a hold shorter than {MIN_PHASE_SECONDS:g} s: "
            f"use 0 for no hold, or {ACCEPTED_FORMS}"
        )
    phases: list[tuple[Phase, float]] = [("in", breathe_in)]
    if hold_in:
        phases.append(("hold", hold_in))
    phases.append(("out", breathe_out))
    if hold_out:
        phases.append(("hold", hold_out))
    pattern = BreathPattern(key, tuple(phases))
    if not MIN_CYCLE_SECONDS <= pattern.cycle_seconds <= MAX_CYCLE_SECONDS:
        raise ValueError(
            f"breathing pattern '{text}' gives {pattern.breaths_per_minute:.1f} breaths a minute: "
            f"use {ACCEPTED_FORMS}"
        )
    return pattern
