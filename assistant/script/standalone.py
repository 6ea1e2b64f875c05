"""The standalone pacers as one-step exercises, so they run on the same engine as the rest."""

from __future__ import annotations

from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import MAX_BPM, MIN_BPM, parse_pattern
from assistant.script.model import BreatheStep, BreathMode, Exercise, PaceStep

MAX_MINUTES = 120.0
MAX_CYCLES = 10_000  # checked before any arithmetic on the count
_INVITATION = ("This is an invitation: stop whenever you like, and notice whether it feels "
               "like a good stretch or too much.")
_CUES = ("Breathe in as the tone rises, breathe out as it falls, and rest on the soft low "
         "tone.")


def _minutes(minutes: float) -> float:
    if not 0 < minutes <= MAX_MINUTES:
        raise ValueError(f"--minutes takes a length from above 0 to {MAX_MINUTES:g}, such as 5")
    return minutes


def breathing_session(pattern: str, *, minutes: float | None = None, cycles: int | None = None,
                      mode: BreathMode = "together", from_bpm: float | None = None,
                      to_bpm: float | None = None, words: bool = False,
                      counts: bool = False) -> Exercise:
    """An exercise that is just the breathing pacer; ValueError says what is wrong."""
    shape = parse_pattern(pattern)
    if cycles is not None and not 1 <= cycles <= MAX_CYCLES:
        raise ValueError(f"--cycles takes a whole number of breaths from 1 to {MAX_CYCLES}, "
                         "such as 10")
    seconds = None if cycles is not None else _minutes(5.0 if minutes is None else minutes) * 60
    for flag, rate in (("--from-bpm", from_bpm), ("--to-bpm", to_bpm)):
        if rate is not None and not MIN_BPM <= rate <= MAX_BPM:
            raise ValueError(f"{flag} takes {MIN_BPM:g} to {MAX_BPM:g} breaths a minute, "
                             "such as 6")
    if to_bpm is not None and from_bpm is None:
        from_bpm = shape.breaths_per_minute
    roles = (" {A}, follow the high, clear tones; {B}, the low, humming ones. One of you "
             "breathes in while the other breathes out." if mode == "alternating" else "")
    step = BreatheStep(
        prompt=_CUES + roles, pattern=pattern, mode=mode,
        seconds=seconds, cycles=cycles, from_bpm=from_bpm, to_bpm=to_bpm, words=words,
        counts=counts, closing="Let your breath return to its own rhythm.",
    )
    slowest = min(rate for rate in (from_bpm, to_bpm, shape.breaths_per_minute) if rate)
    length = seconds if seconds is not None else (cycles or 1) * 60 / slowest
    if length > MAX_MINUTES * 60:
        raise ValueError(f"--cycles gives up to {length / 60:.0f} minutes of breathing; the "
                         f"most is {MAX_MINUTES:g}")
    return Exercise("breathe", f"Breathing, {shape.name}", round(length / 60 + 1, 1),
                    _INVITATION, (step,))


def walking_session(spm: float, minutes: float, to_spm: float | None = None,
                    back: bool = False) -> Exercise:
    """An exercise that is just the walking pacer, out to `to_spm` and, with `back`, back
    again in the second half; ValueError says what is wrong."""
    for flag, rate in (("--spm", spm), ("--to-spm", to_spm)):
        if rate is not None and not MIN_SPM <= rate <= MAX_SPM:
            raise ValueError(f"{flag} takes {MIN_SPM:g} to {MAX_SPM:g} steps a minute, "
                             "such as 100")
    if back and to_spm is None:
        raise ValueError("--back returns to --spm from --to-spm; give --to-spm too")
    change = ""
    if to_spm is not None and to_spm != spm:
        change = " Little by little, the steps will get " + (
            "quicker." if to_spm > spm else "slower.")
    seconds = _minutes(minutes) * 60
    closing = "Slow down, and come to a stop together."
    prompt = f"Walk side by side, and let each tick be a step for both of you.{change}"
    steps: tuple[PaceStep, ...] = (
        PaceStep(prompt=prompt, spm=spm, seconds=seconds, to_spm=to_spm, closing=closing),)
    if back and to_spm is not None:
        steps = (PaceStep(prompt=prompt, spm=spm, seconds=seconds / 2, to_spm=to_spm),
                 PaceStep(prompt="And now, little by little, back to where you began.",
                          spm=to_spm, seconds=seconds / 2, to_spm=spm, closing=closing))
    return Exercise("walk", "Walking together", minutes + 1, _INVITATION, steps)
