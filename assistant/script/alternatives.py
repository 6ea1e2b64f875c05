"""Low-vision and seated versions of steps, written beside the script's own steps.

A `[[low_vision]]` or `[[seated]]` table names the step it stands in for and
gives only the fields that change (a prompt, a closing), or a whole new step
with its own `kind`. Each is checked at load time like any step, so a version
that names a missing step, or a field its kind does not take, is refused with
the file, the step and the field.

A version that changes what the practice asks (foreheads together for eye contact, a
seated beat for a walk) is named for what it is: `low_vision_title` and
`seated_title`, with `low_vision_summary` and `seated_summary` for the one line that
describes it. A version without them keeps the practice's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.script.fields import Fields, ScriptError
from assistant.script.model import Alternative, Exercise, RepeatStep, Step
from assistant.script.text import shown

NEEDS = ("low_vision", "seated")
StepParser = Callable[[Any, Path, str], Step]


def numbered_steps(raw: list[Any]) -> dict[str, dict[str, Any]]:
    """Each step's table by its number ("3", "4.2"); a repeat by its own number too."""
    found: dict[str, dict[str, Any]] = {}
    for n, step in enumerate(raw, 1):
        found[str(n)] = step
        inner = step.get("steps") if step.get("kind") == "repeat" else None
        for m, item in enumerate(inner if isinstance(inner, list) else [], 1):
            found[f"{n}.{m}"] = item
    return found


def parse_alternatives(data: Mapping[str, Any], need: str, steps: dict[str, dict[str, Any]],
                       path: Path, parse: StepParser) -> tuple[Alternative, ...]:
    tables = data.get(need, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ScriptError(path, f"must be a list of tables, each written [[{need}]]",
                          field=need)
    alternatives: list[Alternative] = []
    for n, table in enumerate(tables, 1):
        field = f"{need}[{n}].step"
        number = table.get("step")
        if isinstance(number, bool) or not isinstance(number, (int, str)) or not str(number):
            raise ScriptError(path, "must name the step it stands in for, such as 3 or \"4.2\"",
                              field=field)
        number = str(number)
        if number not in steps:
            last = max(int(k) for k in steps if "." not in k)
            raise ScriptError(path, f"there is no such step: this script's steps are 1 to "
                                    f"{last} (a repeat's own steps as 4.1, 4.2)",
                              shown(number), field)
        original = steps[number]
        if original.get("kind") == "repeat" or table.get("kind") == "repeat":
            raise ScriptError(path, "names a repeat; name one of its steps instead, such as "
                                    f"{number}.1", number, field)
        changes = {key: value for key, value in table.items() if key != "step"}
        if len(changes) == 0:
            raise ScriptError(path, "gives nothing to change", number, need)
        kept = {key: value for key, value in original.items()  # a new length replaces the old
                if not (key in ("minutes", "seconds") and {"minutes", "seconds"} & set(changes))}
        merged = changes if "kind" in changes else {**kept, **changes}
        if any(a.step == number for a in alternatives):
            raise ScriptError(path, f"has two {need} versions", number, field)
        alternatives.append(Alternative(number, parse(merged, path, f"{number} ({need})")))
    return tuple(alternatives)


def parse_names(top: Fields, need: str, versions: tuple[Alternative, ...],
                title: str) -> tuple[str, str]:
    """The title and summary of the `need` version; empty where it keeps the practice's."""
    named = {field: top.text(field) for field in (f"{need}_title", f"{need}_summary")}
    for field, value in named.items():
        if value and not versions:
            raise top.fail(field, f"names a version the script does not have; write its "
                                  f"steps as [[{need}]] tables, or leave the field out")
    if named[f"{need}_title"] == title:
        raise top.fail(f"{need}_title", "is the practice's own title; give one only when "
                                        "the version changes what the practice asks")
    return named[f"{need}_title"], named[f"{need}_summary"]


def for_needs(exercise: Exercise, low_vision: bool = False, seated: bool = False) -> Exercise:
    """The exercise as this couple does it: low-vision versions first, then seated ones
    (written to need no sight either), so a couple with both needs gets both; named as
    the versions it holds name it."""
    chosen: dict[str, tuple[str, Step]] = {}
    if low_vision:
        chosen.update((a.step, ("low_vision", a.replacement)) for a in exercise.low_vision)
    if seated:
        chosen.update((a.step, ("seated", a.replacement)) for a in exercise.seated)
    if not chosen:
        return exercise

    def pick(step: Step, number: str) -> Step:
        if isinstance(step, RepeatStep):
            return RepeatStep(tuple(pick(inner, f"{number}.{m}")
                                    for m, inner in enumerate(step.steps, 1)))
        return chosen[number][1] if number in chosen else step

    used = {need for need, _ in chosen.values()}
    title, summary = _named(exercise, used)
    return replace(exercise, title=title, summary=summary,
                   steps=tuple(pick(step, str(n)) for n, step in enumerate(exercise.steps, 1)))


def _named(exercise: Exercise, used: set[str]) -> tuple[str, str]:
    """The title and summary of the versions in use: the seated version's over the
    low-vision one's, as its steps are, else the practice's own."""
    named = (("seated", exercise.seated_title, exercise.seated_summary),
             ("low_vision", exercise.low_vision_title, exercise.low_vision_summary))
    in_use = [(title, summary) for need, title, summary in named if need in used]
    title = next((title for title, _ in in_use if title), exercise.title)
    summary = next((summary for _, summary in in_use if summary), exercise.summary)
    return title, summary
