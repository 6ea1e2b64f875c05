"""Pacers: breathing and walking rhythms as cue onsets on the session clock.

A pacer repeats a cycle of phases (in, hold, out; or one footstep). The cycle's
length follows a tempo in cycles a minute that may ramp linearly from one value
to another, and that a running session may scale at any moment ("slower",
"faster"): the phase under way stretches or shrinks from where it is, so the
rhythm continues smoothly. Onsets are generated lazily and kept, so a paused
session resumes on the same grid. Times are seconds from the pacer's start; each
onset is placed independently, so nothing accumulates rounding drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.pacing.patterns import BreathPattern

MIN_SPM, MAX_SPM = 30.0, 200.0  # accepted walking tempos, steps a minute
_OPPOSITE = {"in": "out", "out": "in", "hold": "hold"}
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen")
_WORDS = {"in": "in", "out": "out", "hold": "hold"}


@dataclass(frozen=True)
class Tempo:
    """Cycles a minute, ramping linearly from `start` to `end` over `ramp_seconds`."""

    start: float
    end: float | None = None
    ramp_seconds: float = 0.0

    def at(self, t: float) -> float:
        if self.end is None or self.ramp_seconds <= 0:
            return self.start
        return self.start + (self.end - self.start) * min(t / self.ramp_seconds, 1.0)


@dataclass(frozen=True)
class PacerSpec:
    """Everything a pacer needs, as plain data: a plan holds this, the machine runs it."""

    phases: tuple[tuple[str, float], ...]  # (cue kind, share of the cycle)
    tempo: Tempo
    seconds: float | None = None  # stop after this long, or
    cycles: int | None = None  # after this many cycles
    alternating: bool = False  # partner B breathes the opposite phase, with a cue of their own
    words: bool = False  # speak "in", "hold", "out" at each onset
    counts: bool = False  # speak a count each second of a phase
    names: tuple[str, str] = ("", "")  # the partners, for alternating cues and their words


@dataclass(frozen=True)
class Onset:
    t: float
    cues: tuple[str, ...]
    speech: str = ""
    partners: tuple[str, ...] = ()  # whose each cue is, in alternating breathing ("" for both)


def breathing(pattern: BreathPattern, *, seconds: float | None = None, cycles: int | None = None,
              from_bpm: float | None = None, to_bpm: float | None = None,
              alternating: bool = False, words: bool = False, counts: bool = False,
              names: tuple[str, str] = ("", "")) -> PacerSpec:
    total = pattern.cycle_seconds
    start = from_bpm or pattern.breaths_per_minute
    return PacerSpec(
        phases=tuple((kind, length / total) for kind, length in pattern.phases),
        tempo=_ramp(start, to_bpm, seconds, cycles),
        seconds=seconds, cycles=cycles, alternating=alternating, words=words, counts=counts,
        names=names,
    )


def walking(spm: float, seconds: float, to_spm: float | None = None) -> PacerSpec:
    return PacerSpec((("step", 1.0),), _ramp(spm, to_spm, seconds, None), seconds)


def _ramp(start: float, end: float | None, seconds: float | None, cycles: int | None) -> Tempo:
    """A ramp that arrives at `end` in time for the last whole cycle to run at it."""
    if end is None:
        return Tempo(start)
    if seconds is None:
        seconds = (cycles or 1) * 120.0 / (start + end)  # cycles at the mean tempo
    return Tempo(start, end, max(seconds - 60.0 / end, 0.0))


@dataclass(frozen=True)
class _Cursor:
    """Where the pacer is: which phase of which cycle, when it began, how long it lasts."""

    cycle: int
    phase: int
    start: float
    cycle_start: float
    length: float


class Pacer:
    def __init__(self, spec: PacerSpec) -> None:
        self.spec = spec
        self.factor = 1.0  # tempo scale set by the session: below 1 is slower
        self.onsets: list[Onset] = []
        self._history = [_Cursor(0, 0, 0.0, 0.0, self._length(0, 0.0))]  # one per phase
        self._done = False

    # -- reading the grid -------------------------------------------------------------

    def between(self, t0: float, t1: float) -> list[Onset]:
        """Onsets with t0 <= t < t1."""
        self._generate_until(t1)
        return [o for o in self.onsets if t0 <= o.t < t1]

    @property
    def end(self) -> float:
        """When the pacing stops."""
        if self.spec.seconds is not None:
            return self.spec.seconds
        self._generate_until(float("inf"))
        return self._history[-1].start

    # -- changing the tempo mid-way -----------------------------------------------------

    def scale_tempo(self, factor: float, now: float) -> None:
        """Run at `factor` times the planned tempo from `now`, continuing the current phase."""
        if factor <= 0:
            raise ValueError("a tempo factor must be positive")
        self._generate_until(now)
        while len(self._history) > 1 and self._history[-1].start > now:
            self._history.pop()
        self.onsets = [o for o in self.onsets if o.t <= now]
        self._done = False
        current = self._history[-1]
        elapsed = now - current.start
        if elapsed < current.length:  # the phase under way stretches from where it is
            remaining = (current.length - elapsed) * self.factor / factor
            self._history[-1] = _Cursor(current.cycle, current.phase, current.start,
                                        current.cycle_start, elapsed + remaining)
        self.factor = factor
        self._advance()

    # -- generation ---------------------------------------------------------------------

    def _generate_until(self, t1: float) -> None:
        if not self.onsets and not self._done:
            self.onsets.extend(self._onsets_of(self._history[0]))
        while not self._done and self._history[-1].start + self._history[-1].length < t1:
            self._advance()

    def _advance(self) -> None:
        """Move to the next phase, and generate its onsets."""
        current = self._history[-1]
        start = current.start + current.length
        cycle, phase, cycle_start = current.cycle, current.phase + 1, current.cycle_start
        if phase == len(self.spec.phases):
            cycle, phase, cycle_start = cycle + 1, 0, start
        if self._finished(cycle, start):
            self._done = True
            self._history.append(_Cursor(cycle, phase, start, cycle_start, 0.0))
            return
        cursor = _Cursor(cycle, phase, start, cycle_start, self._length(phase, cycle_start))
        self._history.append(cursor)
        self.onsets.extend(self._onsets_of(cursor))

    def _finished(self, cycle: int, t: float) -> bool:
        if self.spec.cycles is not None:
            return cycle >= self.spec.cycles
        assert self.spec.seconds is not None
        return t >= self.spec.seconds - 1e-9

    def _length(self, phase: int, cycle_start: float) -> float:
        """A phase's length: its share of a cycle at the tempo when its cycle began."""
        per_minute = self.spec.tempo.at(cycle_start) * self.factor
        return self.spec.phases[phase][1] * 60.0 / per_minute

    def _onsets_of(self, cursor: _Cursor) -> list[Onset]:
        kind = self.spec.phases[cursor.phase][0]
        cues: tuple[str, ...] = (kind,)
        partners: tuple[str, ...] = ("",)
        word = _WORDS.get(kind, "") if self.spec.words else ""
        if self.spec.alternating:
            cues, partners = (kind, f"{_OPPOSITE[kind]}_b"), self.spec.names
            word = _partner_words(kind, self.spec.names) if self.spec.words else ""
        if not self.spec.counts or kind not in _WORDS:
            return [Onset(cursor.start, cues, word, partners)]
        beats = min(max(1, round(cursor.length)), len(_NUMBERS))
        step = cursor.length / beats
        onsets = [Onset(cursor.start, cues, word or _NUMBERS[0], partners)]
        onsets += [Onset(cursor.start + n * step, (), _NUMBERS[n]) for n in range(1, beats)]
        return onsets


def _partner_words(kind: str, names: tuple[str, str]) -> str:
    """What alternating breathers hear: each partner named where their phases differ."""
    other = _OPPOSITE.get(kind, kind)
    if other == kind or not all(names):
        return _WORDS.get(kind, "")
    return f"{names[0]} {_WORDS[kind]}, {names[1]} {_WORDS[other]}"
