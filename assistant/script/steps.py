"""One parser for each kind of step: say, turn, silence, breathe, pace, ask and replay."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import MAX_BPM, MIN_BPM, parse_pattern
from assistant.script.fields import (
    MAX_CYCLES,
    MAX_PATTERN,
    MAX_STEP_SECONDS,
    MIN_CHIME_SECONDS,
    Fields,
    ScriptError,
)
from assistant.script.model import (
    PATIENCE_RANGE,
    AskStep,
    BreatheStep,
    FloorKind,
    PaceStep,
    ReplayStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
)
from assistant.script.text import shown


def _say(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "text", "pause"})
    return SayStep(f.text("text", required=True), f.positive("pause") or 0.0)


_FLOORS = tuple(kind.value for kind in FloorKind)


def _turn(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "partner", "prompt", "listener", "minutes", "seconds", "floor",
                      "handover", "handover_pause", "patience", "min_seconds", "keep"})
    partner = f.choice("partner", ("A", "B", "both"), required=True)
    floor = _floor(f, partner)
    seconds = f.duration(required=True)
    assert seconds is not None
    return TurnStep(
        partner=partner,  # type: ignore[arg-type]
        prompt=f.text("prompt", required=True),
        listener=f.text("listener", required=partner != "both"),
        seconds=seconds,
        floor=floor,
        handover=f.text("handover"),
        patience=_patience(f),
        min_seconds=_min_seconds(f, seconds),
        handover_pause=f.positive("handover_pause") or 0.0,
        keep=_label(f, "keep"),
    )


def _floor(f: Fields, partner: str) -> FloorKind:
    """The floor kind; by default a share for one partner and a talk for both."""
    floor = FloorKind(f.choice("floor", _FLOORS, default="talk" if partner == "both"
                               else "share"))
    if partner == "both" and floor in (FloorKind.SHARE, FloorKind.ANSWER):
        raise f.fail("floor", f"a {floor.value} is for one partner: give partner A or B, "
                              "or floor talk or activity for both")
    return floor


def _patience(f: Fields) -> float | None:
    patience = f.positive("patience", most=math.inf)
    low, high = PATIENCE_RANGE
    if patience is not None and not low <= patience <= high:
        raise f.fail("patience", f"must be {low:g} to {high:g} seconds of quiet")
    return patience


def _min_seconds(f: Fields, seconds: float) -> float | None:
    least = f.positive("min_seconds")
    if least is not None and least > seconds:
        raise f.fail("min_seconds", f"must not be longer than the step itself ({seconds:g} s)")
    return least


def _silence(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "prompt", "minutes", "seconds", "chime_every", "closing"})
    return SilenceStep(
        prompt=f.text("prompt", required=True),
        seconds=f.duration(required=True),  # type: ignore[arg-type]
        chime_every=f.positive("chime_every", least=MIN_CHIME_SECONDS),
        closing=f.text("closing"),
    )


def _breathe(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "prompt", "pattern", "mode", "minutes", "seconds", "cycles",
                      "closing", "from_bpm", "to_bpm", "words", "counts", "explain"})
    pattern = f.text("pattern") or "coherent"
    if len(pattern) > MAX_PATTERN:
        raise ScriptError(f.path, f"is not a breathing pattern (it is {len(pattern)} characters "
                                  "long; use a preset name or a form such as 4-2-6-0)",
                          f.step, "pattern")
    try:
        parse_pattern(pattern)
    except ValueError as error:
        raise ScriptError(f.path, str(error), f.step, "pattern") from None
    seconds = f.duration(required=False)
    cycles = f.get("cycles", int)
    if (seconds is None) == (cycles is None):
        raise ScriptError(f.path, "give exactly one of minutes, seconds or cycles", f.step,
                          "cycles" if cycles is not None else "minutes")
    if cycles is not None and not 1 <= cycles <= MAX_CYCLES:
        raise ScriptError(f.path, f"must be a whole number of at least 1 and at most "
                                  f"{MAX_CYCLES}", f.step, "cycles")
    rates = {name: f.positive(name) for name in ("from_bpm", "to_bpm")}
    for name, value in rates.items():
        if value is not None and not MIN_BPM <= value <= MAX_BPM:
            raise ScriptError(f.path, f"must be {MIN_BPM:g} to {MAX_BPM:g} breaths a minute",
                              f.step, name)
    if cycles is not None:
        longest = cycles_seconds(pattern, cycles, *rates.values())
        if longest > MAX_STEP_SECONDS:
            raise ScriptError(f.path, f"{cycles} breaths can take {longest / 60:.0f} minutes; a "
                                      f"step lasts at most {MAX_STEP_SECONDS / 60:g}",
                              f.step, "cycles")
    return BreatheStep(
        prompt=f.text("prompt", required=True),
        pattern=pattern,
        mode=f.choice("mode", ("solo", "together", "alternating"), default="together"),  # type: ignore[arg-type]
        seconds=seconds,
        cycles=cycles,
        closing=f.text("closing"),
        from_bpm=rates["from_bpm"],
        to_bpm=rates["to_bpm"],
        words=f.get("words", bool, default=False),
        counts=f.get("counts", bool, default=False),
        explain=f.get("explain", bool, default=False),
    )


def _pace(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "prompt", "spm", "to_spm", "minutes", "seconds", "closing"})
    spm = f.required_positive("spm")
    to_spm = f.positive("to_spm")
    for name, value in (("spm", spm), ("to_spm", to_spm)):
        if value is not None and not MIN_SPM <= value <= MAX_SPM:
            raise ScriptError(f.path, f"must be {MIN_SPM:g} to {MAX_SPM:g} steps a minute",
                              f.step, name)
    return PaceStep(
        prompt=f.text("prompt", required=True),
        spm=spm,
        seconds=f.duration(required=True),  # type: ignore[arg-type]
        to_spm=to_spm,
        closing=f.text("closing"),
    )


def _ask(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "question", "deck", "count", "partner", "minutes", "seconds",
                      "intro", "floor", "patience", "keep"})
    question, deck = f.text("question"), f.text("deck")
    if bool(question) == bool(deck):
        raise ScriptError(f.path, "give exactly one of question or deck", f.step,
                          "deck" if deck else "question")
    count = f.get("count", int, default=1)
    if deck:
        if deck not in decks:
            known = ", ".join(decks) or "none defined"
            raise ScriptError(f.path, f"no deck named '{shown(deck)}' (decks: {shown(known)})",
                              f.step, "deck")
        questions = decks[deck]
        if not 1 <= count <= len(questions):
            raise ScriptError(f.path, f"must be 1 to {len(questions)}, the size of deck '{deck}'",
                              f.step, "count")
    else:
        if count != 1:
            raise ScriptError(f.path, "only a deck can give more than one question", f.step,
                              "count")
        questions = (question,)
    partner = f.choice("partner", ("A", "B", "both"), default="both")
    floor = _floor(f, partner)
    return AskStep(
        questions=questions,
        count=count,
        partner=partner,  # type: ignore[arg-type]
        seconds=f.duration(required=False) or 30.0,
        intro=f.text("intro"),
        deck=deck,
        floor=floor,
        patience=_patience(f),
        keep=_label(f, "keep"),
    )


def _label(f: Fields, name: str, required: bool = False) -> str:
    """A recording's label: a few plain words, such as "agreed change"."""
    label = f.text(name, required=required).strip()
    if label and not re.fullmatch(r"[a-z][a-z ]{0,39}", label):
        raise f.fail(name, "must be a few lowercase words, such as \"agreed change\"")
    return label


def _replay(f: Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "label", "count", "intro", "none", "exercise"})
    count = f.get("count", int, default=1)
    if not 1 <= count <= 10:
        raise f.fail("count", "must be a whole number from 1 to 10")
    exercise = f.text("exercise").strip()
    if exercise and not re.fullmatch(r"[a-z0-9-]{1,60}", exercise):
        raise f.fail("exercise", "must be an exercise id, such as weekly-reflection")
    return ReplayStep(label=_label(f, "label", required=True), count=count,
                      intro=f.text("intro"), none=f.text("none"), exercise=exercise)


PARSERS: dict[str, Callable[[Fields, Mapping[str, tuple[str, ...]]], Step]] = {
    "say": _say,
    "turn": _turn,
    "silence": _silence,
    "breathe": _breathe,
    "pace": _pace,
    "ask": _ask,
    "replay": _replay,
}


def cycles_seconds(pattern: str, cycles: int, *rates: float | None) -> float:
    """The longest `cycles` breaths can take: all of them at the slowest rate given."""
    slowest = min(rate for rate in (*rates, parse_pattern(pattern).breaths_per_minute) if rate)
    return cycles * 60.0 / slowest
