"""Load and validate exercise scripts; a malformed file is rejected whole, never half-run."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import MAX_BPM, MIN_BPM, parse_pattern
from assistant.session.floor import PATIENCE_RANGE, FloorKind
from assistant.session.script import (
    AskStep,
    BreatheStep,
    Exercise,
    PaceStep,
    RepeatStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TOP_FIELDS = {"title", "minutes", "invitation", "summary", "decks", "steps"}


class ScriptError(ValueError):
    """A script problem, located by file, step and field."""

    def __init__(self, path: Path | str, problem: str, step: str = "", field: str = "") -> None:
        where = [str(path)]
        if step:
            where.append(f"step {step}")
        if field:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")
        self.path, self.step, self.field, self.problem = str(path), step, field, problem


def load_exercise(path: Path) -> Exercise:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(path, f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ScriptError(path, "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ScriptError(path, f"is not valid TOML ({error})") from None
    return parse_exercise(data, path)


def parse_exercise(data: Mapping[str, Any], path: Path) -> Exercise:
    top = _Fields(data, path, "")
    top.reject_unknown(_TOP_FIELDS)
    decks = _parse_decks(data.get("decks", {}), path)
    raw_steps = top.get("steps", list, required=True)
    if not raw_steps:
        raise ScriptError(path, "must list at least one step", field="steps")
    steps = tuple(_parse_step(raw, path, str(n), decks) for n, raw in enumerate(raw_steps, 1))
    return Exercise(
        id=path.stem,
        title=top.text("title", required=True),
        minutes=top.required_positive("minutes"),
        invitation=top.text("invitation", required=True),
        summary=top.text("summary"),
        steps=steps,
        path=path,
    )


def _parse_decks(raw: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ScriptError(path, "must be a table of question lists", field="decks")
    decks = {}
    for name, questions in raw.items():
        field = f"decks.{name}"
        if not isinstance(questions, list) or not questions:
            raise ScriptError(path, "must be a non-empty list of questions", field=field)
        for question in questions:
            if not isinstance(question, str) or not question.strip():
                raise ScriptError(path, "must hold only non-empty text", field=field)
            _check_placeholders(question, path, "", field)
        decks[name] = tuple(questions)
    return decks


def _parse_step(raw: Any, path: Path, number: str, decks: Mapping[str, tuple[str, ...]]) -> Step:
    if not isinstance(raw, dict):
        raise ScriptError(path, "must be a table", step=number)
    fields = _Fields(raw, path, number)
    kind = fields.text("kind", required=True)
    if kind not in KINDS:
        raise ScriptError(path, f"unknown kind '{kind}' (use one of {', '.join(KINDS)})", number,
                          "kind")
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
                      "handover", "handover_pause", "patience", "min_seconds"})
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
    patience = f.positive("patience")
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
        chime_every=f.positive("chime_every"),
        closing=f.text("closing"),
    )


def _breathe(f: _Fields, decks: Mapping[str, tuple[str, ...]]) -> Step:
    f.reject_unknown({"kind", "prompt", "pattern", "mode", "minutes", "seconds", "cycles",
                      "closing", "from_bpm", "to_bpm", "words", "counts", "explain"})
    pattern = f.text("pattern") or "coherent"
    try:
        parse_pattern(pattern)
    except ValueError as error:
        raise ScriptError(f.path, str(error), f.step, "pattern") from None
    seconds = f.duration(required=False)
    cycles = f.get("cycles", int)
    if (seconds is None) == (cycles is None):
        raise ScriptError(f.path, "give exactly one of minutes, seconds or cycles", f.step,
                          "cycles" if cycles is not None else "minutes")
    if cycles is not None and cycles < 1:
        raise ScriptError(f.path, "must be a whole number of at least 1", f.step, "cycles")
    rates = {name: f.positive(name) for name in ("from_bpm", "to_bpm")}
    for name, value in rates.items():
        if value is not None and not MIN_BPM <= value <= MAX_BPM:
            raise ScriptError(f.path, f"must be {MIN_BPM:g} to {MAX_BPM:g} breaths a minute",
                              f.step, name)
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
                      "intro", "floor", "patience"})
    question, deck = f.text("question"), f.text("deck")
    if bool(question) == bool(deck):
        raise ScriptError(f.path, "give exactly one of question or deck", f.step,
                          "deck" if deck else "question")
    count = f.get("count", int, default=1)
    if deck:
        if deck not in decks:
            known = ", ".join(decks) or "none defined"
            raise ScriptError(f.path, f"no deck named '{deck}' (decks: {known})", f.step, "deck")
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
    )


_PARSERS: dict[str, Callable[[_Fields, Mapping[str, tuple[str, ...]]], Step]] = {
    "say": _say,
    "turn": _turn,
    "silence": _silence,
    "breathe": _breathe,
    "pace": _pace,
    "ask": _ask,
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
        if required and not value.strip():
            raise self.fail(name, "must not be empty")
        _check_placeholders(value, self.path, self.step, name)
        return value

    def required_positive(self, name: str) -> float:
        if name not in self.table:
            raise self.fail(name, "is missing")
        return self.positive(name) or 0.0

    def positive(self, name: str) -> float | None:
        if name not in self.table:
            return None
        value = self.table[name]
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not 0 < value < math.inf):
            raise self.fail(name, "must be a positive number")
        return float(value)

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False,
               default: str = "") -> str:
        value = self.get(name, str, required=required, default=default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}, not '{value}'")
        return str(value)

    def duration(self, *, required: bool) -> float | None:
        """Seconds from exactly one of `minutes` or `seconds`."""
        minutes, seconds = self.positive("minutes"), self.positive("seconds")
        if minutes is not None and seconds is not None:
            raise self.fail("seconds", "give minutes or seconds, not both")
        if minutes is None and seconds is None:
            if required:
                raise self.fail("minutes", "is missing (give minutes or seconds)")
            return None
        return minutes * 60.0 if minutes is not None else seconds


_TYPE_NAMES = {str: "text", bool: "true or false", list: "a list", dict: "a table"}


def _check_placeholders(text: str, path: Path, step: str, field: str) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in ("A", "B"):
            raise ScriptError(path, f"unknown placeholder '{{{name}}}' (use {{A}} or {{B}})",
                              step, field)
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ScriptError(path, "has an unmatched brace (placeholders are {A} and {B})", step,
                          field)
