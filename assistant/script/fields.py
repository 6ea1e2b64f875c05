"""The loader's field checks: typed fields that fail naming the file, the step and the field,
speakable text, placeholders, and the bounds every script is held to."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.script.text import MAX_NAME, MAX_TEXT, shown, text_problem

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

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


class Fields:
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
            check_text(value, self.path, self.step, name)
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


def check_text(text: str, path: Path, step: str, field: str) -> None:
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
    check_placeholders(text, path, step, field)


def check_placeholders(text: str, path: Path, step: str, field: str) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in ("A", "B"):
            raise ScriptError(path, f"unknown placeholder '{{{shown(name)}}}' (use {{A}} or "
                                    "{B})", step, field)
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ScriptError(path, "has an unmatched brace (placeholders are {A} and {B})", step,
                          field)
