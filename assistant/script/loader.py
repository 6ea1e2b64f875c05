"""Load and validate exercise scripts; a malformed file is rejected whole, never half-run.

Everything is bounded before anything plays: the file's size, the number of
steps, each step's length, the session's length, the density of chimes and
every text, so no script can crash speech synthesis, hang the plan or shift a
session mid-way. Problems are one sentence, with odd characters escaped.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import MAX_BPM, MIN_BPM, parse_pattern
from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    PaceStep,
    RepeatStep,
    ReplayStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
)
from assistant.script.text import MAX_NAME, MAX_TEXT, shown, text_problem, visible
from assistant.session.floor import PATIENCE_RANGE, FloorKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TOP_FIELDS = {"title", "minutes", "invitation", "summary", "decks", "steps"}

MAX_FILE_BYTES = 1 << 20  # a long exercise is a few kilobytes
MAX_STEPS = 300  # steps in a session, each repeat counted twice
MAX_STEP_SECONDS = 3600.0  # one step lasts at most an hour
MAX_SESSION_SECONDS = 4 * 3600.0  # a session at most four hours
MIN_CHIME_SECONDS = 1.0  # chimes closer than this are a buzz, not a reminder
MAX_CYCLES = 10_000  # a bound checked before any arithmetic on the count
MAX_PATTERN = 40  # characters of a breathing pattern


class ScriptError(ValueError):
    """A script problem, located by file, step and field."""

    def __init__(self, path: Path | str, problem: str, step: str = "", field: str = "") -> None:
        where = [shown(path, 200)]
        if step:
            where.append(f"step {shown(step)}")
        if field:
            where.append(f"field '{shown(field)}'")
        super().__init__(f"{', '.join(where)}: {shown(problem, 400)}")
        self.path, self.step, self.field, self.problem = str(path), step, field, problem


def load_exercise(path: Path) -> Exercise:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ScriptError(path, f"is larger than {MAX_FILE_BYTES // 1024} KB; an exercise "
                                    "script is a few kilobytes of text")
        data = tomllib.loads(raw.decode("utf-8"))
        return parse_exercise(data, path)
    except OSError as error:
        raise ScriptError(path, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ScriptError(path, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ScriptError(path, f"is not valid TOML ({error})") from None
    except RecursionError:
        raise ScriptError(path, "is nested too deeply to be an exercise script") from None
    except (OverflowError, ValueError) as error:  # a last guard: ScriptError is a ValueError
        if isinstance(error, ScriptError):
            raise
        raise ScriptError(path, f"holds a value that cannot be used ({error})") from None


def parse_exercise(data: Mapping[str, Any], path: Path) -> Exercise:
    top = _Fields(data, path, "")
    top.reject_unknown(_TOP_FIELDS)
    decks = _parse_decks(data.get("decks", {}), path)
    raw_steps = top.get("steps", list, required=True)
    if not raw_steps:
        raise ScriptError(path, "must list at least one step", field="steps")
    _check_count(raw_steps, path)
    steps = tuple(_parse_step(raw, path, str(n), decks) for n, raw in enumerate(raw_steps, 1))
    total = sum(step_seconds(step) for step in steps)
    if total > MAX_SESSION_SECONDS:
        raise ScriptError(path, f"add up to {total / 3600:.1f} hours; a session lasts at most "
                                f"{MAX_SESSION_SECONDS / 3600:g} hours", field="steps")
    return Exercise(
        id=path.stem,
        title=top.text("title", required=True),
        minutes=top.required_positive("minutes", most=MAX_SESSION_SECONDS / 60),
        invitation=top.text("invitation", required=True),
        summary=top.text("summary"),
        steps=steps,
        path=path,
    )


def _check_count(raw_steps: list[Any], path: Path) -> None:
    """At most MAX_STEPS steps once repeats run twice, before any step is parsed."""
    count = 0
    for raw in raw_steps:
        inner = raw.get("steps") if isinstance(raw, dict) and raw.get("kind") == "repeat" else None
        count += 2 * len(inner) if isinstance(inner, list) else 1
        if count > MAX_STEPS:
            raise ScriptError(path, f"has more than {MAX_STEPS} steps (a repeat counts twice); "
                                    "split it into several exercises", field="steps")


def step_seconds(step: Step) -> float:
    """How long a step lasts at most, leaving out speech: what bounds a session's length."""
    if isinstance(step, RepeatStep):
        return 2 * sum(step_seconds(inner) for inner in step.steps)
    if isinstance(step, SayStep):
        return step.pause
    if isinstance(step, AskStep):
        return step.count * step.seconds
    if isinstance(step, BreatheStep) and step.seconds is None:
        return _cycles_seconds(step.pattern, step.cycles or 0, step.from_bpm, step.to_bpm)
    if isinstance(step, ReplayStep):
        return 0.0  # recordings are bounded by the floors that kept them
    seconds = step.seconds
    return seconds if seconds is not None else 0.0


def _cycles_seconds(pattern: str, cycles: int, *rates: float | None) -> float:
    """The longest `cycles` breaths can take: all of them at the slowest rate given."""
    slowest = min(rate for rate in (*rates, parse_pattern(pattern).breaths_per_minute) if rate)
    return cycles * 60.0 / slowest


def _parse_decks(raw: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ScriptError(path, "must be a table of question lists", field="decks")
    decks = {}
    for name, questions in raw.items():
        field = f"decks.{name}"
        if not isinstance(questions, list) or not questions:
            raise ScriptError(path, "must be a non-empty list of questions", field=field)
        for question in questions:
            if not isinstance(question, str) or not visible(question):
                raise ScriptError(path, "must hold only non-empty text", field=field)
            _check_text(question, path, "", field)
        decks[name] = tuple(questions)
    return decks


def _parse_step(raw: Any, path: Path, number: str, decks: Mapping[str, tuple[str, ...]]) -> Step:
    if not isinstance(raw, dict):
        raise ScriptError(path, "must be a table", step=number)
    fields = _Fields(raw, path, number)
    kind = fields.text("kind", required=True)
    if kind not in KINDS:
        raise ScriptError(path, f"unknown kind '{shown(kind)}' (use one of {', '.join(KINDS)})",
                          number, "kind")
    if kind == "repeat":
        inner = fields.get("steps", list, required=True)
        fields.reject_unknown({"kind", "steps"})
        if not inner:
            raise ScriptError(path, "must list at least one step", number, "steps")
        parsed = []
        for n, item in enumerate(inner, 1):
            if isinstance(item, dict) and item.get("kind") == "repeat":
                raise ScriptError(path, "a repeat cannot hold another repeat", f"{number}.{n}",
                                  "kind")
            parsed.append(_parse_step(item, path, f"{number}.{n}", decks))
        return RepeatStep(tuple(parsed))
    return _PARSERS[kind](fields, decks)


def _say(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "text", "pause"})
    return SayStep(f.text("text", required=True), f.positive("pause") or 0.0)


_FLOORS = tuple(kind.value for kind in FloorKind)


def _turn(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
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


def _floor(f: _Fields, partner: str) -> FloorKind:
    """The floor kind; by default a share for one partner and a talk for both."""
    floor = FloorKind(f.choice("floor", _FLOORS, default="talk" if partner == "both"
                               else "share"))
    if partner == "both" and floor in (FloorKind.SHARE, FloorKind.ANSWER):
        raise f.fail("floor", f"a {floor.value} is for one partner: give partner A or B, "
                              "or floor talk or activity for both")
    return floor


def _patience(f: _Fields) -> float | None:
    patience = f.positive("patience", most=math.inf)
    low, high = PATIENCE_RANGE
    if patience is not None and not low <= patience <= high:
        raise f.fail("patience", f"must be {low:g} to {high:g} seconds of quiet")
    return patience


def _min_seconds(f: _Fields, seconds: float) -> float | None:
    least = f.positive("min_seconds")
    if least is not None and least > seconds:
        raise f.fail("min_seconds", f"must not be longer than the step itself ({seconds:g} s)")
    return least


def _silence(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "prompt", "minutes", "seconds", "chime_every", "closing"})
    return SilenceStep(
        prompt=f.text("prompt", required=True),
        seconds=f.duration(required=True),  # type: ignore[arg-type]
        chime_every=f.positive("chime_every", least=MIN_CHIME_SECONDS),
        closing=f.text("closing"),
    )


def _breathe(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
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
        longest = _cycles_seconds(pattern, cycles, *rates.values())
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


def _pace(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
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


def _ask(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
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


def _label(f: _Fields, name: str, required: bool = False) -> str:
    """A recording's label: a few plain words, such as "agreed change"."""
    label = f.text(name, required=required).strip()
    if label and not re.fullmatch(r"[a-z][a-z ]{0,39}", label):
        raise f.fail(name, "must be a few lowercase words, such as \"agreed change\"")
    return label


def _replay(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "label", "count", "intro", "none", "exercise"})
    count = f.get("count", int, default=1)
    if not 1 <= count <= 10:
        raise f.fail("count", "must be a whole number from 1 to 10")
    exercise = f.text("exercise").strip()
    if exercise and not re.fullmatch(r"[a-z0-9-]{1,60}", exercise):
        raise f.fail("exercise", "must be an exercise id, such as weekly-reflection")
    return ReplayStep(label=_label(f, "label", required=True), count=count,
                      intro=f.text("intro"), none=f.text("none"), exercise=exercise)


_PARSERS: dict[str, Callable[[_Fields, Mapping[str, tuple[str, ...]]], Step]] = {
    "say": _say,
    "turn": _turn,
    "silence": _silence,
    "breathe": _breathe,
    "pace": _pace,
    "ask": _ask,
    "replay": _replay,
}
KINDS = (*_PARSERS, "repeat")


class _Fields:
    """Typed access to one table's fields, raising errors that name the field."""

    def __init__(self, table: Mapping[str, Any], path: Path, step: str) -> None:
        self.table, self.path, self.step = table, path, step

    def fail(self, field: str, problem: str) -> ScriptError:
        return ScriptError(self.path, problem, self.step, field)

    def reject_unknown(self, allowed: set[str]) -> None:
        for name in self.table:
            if name not in allowed:
                raise self.fail(name, f"is not a known field (known: {', '.join(sorted(allowed))})")

    def get(self, name: str, kind: type, *, required: bool = False, default: Any = None) -> Any:
        if name not in self.table:
            if required:
                raise self.fail(name, "is missing")
            return default
        value = self.table[name]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(name, "must be a whole number")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}")
        return value

    def text(self, name: str, *, required: bool = False) -> str:
        value: str = self.get(name, str, required=required, default="")
        if name in self.table:
            _check_text(value, self.path, self.step, name)
        return value

    def required_positive(self, name: str, most: float = MAX_STEP_SECONDS) -> float:
        if name not in self.table:
            raise self.fail(name, "is missing")
        return self.positive(name, most=most) or 0.0

    def positive(self, name: str, *, least: float = 0.0,
                 most: float = MAX_STEP_SECONDS) -> float | None:
        """A number above 0 (at least `least`, if set) and at most `most`."""
        if name not in self.table:
            return None
        value = self.table[name]
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0 < value < math.inf):
            raise self.fail(name, "must be a positive number")
        if value > most:
            raise self.fail(name, f"must be a positive number of at most {most:g} (a step "
                                  "lasts at most an hour, a session four)")
        if value < least:
            raise self.fail(name, f"must be at least {least:g}")
        return float(value)

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False,
               default: str = "") -> str:
        value = self.get(name, str, required=required, default=default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}, not '{shown(value)}'")
        return str(value)

    def duration(self, *, required: bool) -> float | None:
        """Seconds from exactly one of `minutes` or `seconds`."""
        minutes = self.positive("minutes", most=MAX_STEP_SECONDS / 60)
        seconds = self.positive("seconds")
        if minutes is not None and seconds is not None:
            raise self.fail("seconds", "give minutes or seconds, not both")
        if minutes is None and seconds is None:
            if required:
                raise self.fail("minutes", "is missing (give minutes or seconds)")
            return None
        return minutes * 60.0 if minutes is not None else seconds


_TYPE_NAMES = {str: "text", bool: "true or false", list: "a list", dict: "a table"}


def _check_text(text: str, path: Path, step: str, field: str) -> None:
    """Speakable text: visible, no control codes, short enough with names filled in."""
    problem = text_problem(text)
    if problem is None:
        names = len(_PLACEHOLDER.findall(text))
        filled = len(text) + names * (MAX_NAME - len("{A}"))
        if filled > MAX_TEXT:
            problem = (f"can be {filled} characters long with names filled in; the most is "
                       f"{MAX_TEXT}")
    if problem is not None:
        raise ScriptError(path, problem, step, field)
    _check_placeholders(text, path, step, field)


def _check_placeholders(text: str, path: Path, step: str, field: str) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in ("A", "B"):
            raise ScriptError(path, f"unknown placeholder '{{{shown(name)}}}' (use {{A}} or "
                                    "{B})", step, field)
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ScriptError(path, "has an unmatched brace (placeholders are {A} and {B})", step,
                          field)
