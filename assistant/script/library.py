"""The exercise library shipped with the assistant, and lookup by id or path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from assistant.base.errors import UserError
from assistant.script.loader import ScriptError, load_exercise
from assistant.script.model import Exercise


def library_folder() -> Path:
    return Path(str(resources.files("assistant.exercises")))


def exercise_ids() -> list[str]:
    return sorted(path.stem for path in library_folder().glob("*.toml"))


def load_library() -> list[Exercise]:
    return [load_exercise(library_folder() / f"{name}.toml") for name in exercise_ids()]


def find_exercise(name: str) -> Exercise:
    """An exercise by library id, or by the path of a script file a user wrote. A name
    written as a path (a folder in it, or ending in .toml) is always a file; a bare name
    is the library's exercise if there is one, so a stray file named like it in the
    current folder cannot take its place."""
    path = Path(name)
    as_path = name.endswith(".toml") or path.name != name
    if as_path or (name not in exercise_ids() and path.is_file()):
        if not path.is_file():
            raise UserError(f"There is no exercise file at {name}; check the path.")
        return _load(path)
    if name not in exercise_ids():
        raise UserError(
            f"There is no exercise called '{name}'; choose one of: {', '.join(exercise_ids())}."
        )
    return _load(library_folder() / f"{name}.toml")


def _load(path: Path) -> Exercise:
    try:
        return load_exercise(path)
    except ScriptError as error:
        raise UserError(f"The exercise script is malformed: {error}.") from None
