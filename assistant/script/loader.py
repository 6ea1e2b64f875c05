"""Load and validate exercise scripts; a malformed file is rejected whole, never half-run.

Everything is bounded before anything plays: the file's size, the number of
steps, each step's length, the session's length, the density of chimes and
every text, so no script can crash speech synthesis, hang the plan or shift a
session mid-way. Problems are one sentence, with odd characters escaped.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.base.paths import as_text
from assistant.script.alternatives import NEEDS, numbered_steps, parse_alternatives, parse_names
from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    RepeatStep,
    ReplayStep,
    SayStep,
    Step,
)
from assistant.script.text import shown, visible

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from assistant.script.fields import (
    MAX_FILE_BYTES,
    MAX_SESSION_SECONDS,
    MAX_STEPS,
    ScriptError,
    check_text,
)
from assistant.script.fields import Fields as _Fields
from assistant.script.steps import PARSERS, cycles_seconds

__all__ = ["KINDS", "ScriptError", "load_exercise", "parse_exercise", "step_seconds",
           "tomllib"]

_TOP_FIELDS = {"title", "minutes", "invitation", "summary", "decks", "steps", "reminders",
               "closings", *NEEDS, *(f"{need}_{name}" for need in NEEDS
                                     for name in ("title", "summary"))}


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
    numbered = numbered_steps(raw_steps)

    def parse(raw: Any, where: Path, number: str) -> Step:
        return _parse_step(raw, where, number, decks)

    low_vision, seated = (parse_alternatives(data, need, numbered, path, parse)
                          for need in NEEDS)
    title = top.text("title", required=True)
    low_vision_title, low_vision_summary = parse_names(top, "low_vision", low_vision, title)
    seated_title, seated_summary = parse_names(top, "seated", seated, title)
    return Exercise(
        id=as_text(path.stem),
        title=title,
        minutes=top.required_positive("minutes", most=MAX_SESSION_SECONDS / 60),
        invitation=top.text("invitation", required=True),
        summary=top.text("summary"),
        steps=steps,
        path=path,
        low_vision=low_vision,
        seated=seated,
        low_vision_title=low_vision_title,
        low_vision_summary=low_vision_summary,
        seated_title=seated_title,
        seated_summary=seated_summary,
        reminders=_wordings(data, "reminders", path),
        closings=_wordings(data, "closings", path),
    )


def _wordings(data: Mapping[str, Any], name: str, path: Path) -> tuple[str, ...]:
    """Several wordings of one line, said in turn from one session to the next."""
    raw = data.get(name, [])
    if not isinstance(raw, list) or not all(isinstance(text, str) for text in raw):
        raise ScriptError(path, "must be a list of lines, such as [\"…\", \"…\"]", field=name)
    for text in raw:
        check_text(text, path, "", name)
    return tuple(raw)


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
        return cycles_seconds(step.pattern, step.cycles or 0, step.from_bpm, step.to_bpm)
    if isinstance(step, ReplayStep):
        return 0.0  # recordings are bounded by the floors that kept them
    seconds = step.seconds
    return seconds if seconds is not None else 0.0


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
            check_text(question, path, "", field)
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
    return PARSERS[kind](fields, decks)


KINDS = (*PARSERS, "repeat")
