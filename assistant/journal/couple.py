"""The couple the assistant knows: their names, and who sees less or stays seated.

Kept in one private file beside the journal, so sessions, the menu and
`today` use it without the options typed again. A file that cannot be read is
set aside under a new name, never deleted, and the defaults are used.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError
from assistant.base.paths import as_text, data_home, private_dir, private_file
from assistant.script.text import MAX_NAME, escaped, shown, text_problem
from assistant.session.plan import Names

COUPLE = "couple.json"
WHO = ("A", "B", "both", "none")


@dataclass(frozen=True)
class Couple:
    names: Names = field(default_factory=Names)
    low_vision: frozenset[str] = frozenset()  # "A", "B", or both
    seated: frozenset[str] = frozenset()

    def describe(self) -> str:
        """One plain line, for `assistant couple` and `today`."""
        def who(partners: frozenset[str]) -> str:
            named = [name for key, name in (("A", self.names.a), ("B", self.names.b))
                     if key in partners]
            return " and ".join(named) if named else "nobody"
        return (f"{self.names.a} (A) and {self.names.b} (B); low vision: "
                f"{who(self.low_vision)}; staying seated: {who(self.seated)}.")


def partners(value: str, names: Names, option: str) -> frozenset[str]:
    """A, B, both or none, or a partner's name, as the set of partners it means."""
    text = value.strip()
    by_name = {names.a.casefold(): "A", names.b.casefold(): "B"}
    key = text.upper() if text.upper() in ("A", "B") else by_name.get(text.casefold())
    if key is not None:
        return frozenset({key})
    if text.lower() in ("both", "none"):
        return frozenset({"A", "B"}) if text.lower() == "both" else frozenset()
    raise UserError(f"{option} takes A, B, both or none, or a partner's name; the partners are "
                    f"{names.a} (A) and {names.b} (B), not '{shown(value)}'.")


def names_of(text: str, option: str = "--names") -> Names:
    """Two names a listener can tell apart: not equal but for case, no control characters."""
    parts = [as_text(part).strip() for part in as_text(text).split(",")]
    if len(parts) != 2 or not all(parts):
        raise UserError(f"{option} takes two different names separated by a comma, such as "
                        "Ana,Ben.")
    if parts[0].casefold() == parts[1].casefold():
        raise UserError(f"{option} takes two different names, and '{shown(parts[0])}' and "
                        f"'{shown(parts[1])}' differ only in case; use names you can tell "
                        "apart when spoken, such as Ana,Ben.")
    if any("{" in part or "}" in part for part in parts):
        raise UserError(f"{option} cannot contain braces.")
    for part in parts:
        control = next((char for char in part if unicodedata.category(char) == "Cc"), None)
        problem = (f"contains the control character {escaped(control)}" if control
                   else text_problem(part, MAX_NAME))
        if problem is not None:
            raise UserError(f"{option} takes names of 1 to {MAX_NAME} visible characters; the "
                            f"name '{shown(part)}' {problem}.")
    return Names(*parts)


def changed(couple: Couple, names: str | None = None, low_vision: str | None = None,
            seated: str | None = None) -> Couple:
    """The couple with what the options give changed; partners named by the new names."""
    if names is not None:
        couple = replace(couple, names=names_of(names))
    if low_vision is not None:
        couple = replace(couple, low_vision=partners(low_vision, couple.names, "--low-vision"))
    if seated is not None:
        couple = replace(couple, seated=partners(seated, couple.names, "--seated"))
    return couple


def load_couple(folder: Path | None = None) -> tuple[Couple, str]:
    """The stored couple, and a notice to print if a damaged file was set aside."""
    path = (folder or data_home()) / COUPLE
    try:
        raw = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # none yet, or no home: the journal says
        return Couple(), ""
    except OSError as error:  # trouble, not damage: nothing is moved
        return Couple(), (f"The couple's profile {path} cannot be read ({error.strerror}); "
                          "the defaults are used.")
    except UnicodeDecodeError:
        raw = ""
    try:
        saved = json.loads(raw)
        names = names_of(",".join(saved["names"]))
        needs = [frozenset(saved[key]) for key in ("low_vision", "seated")]
        if not all(need <= {"A", "B"} for need in needs):
            raise ValueError(needs)
        return Couple(names, *needs), ""
    except (ValueError, TypeError, KeyError, UserError):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"couple.unreadable-{stamp}.json")
        try:
            path.rename(aside)
        except OSError:
            return Couple(), f"The couple's profile {path} cannot be read; defaults are used."
        return Couple(), (f"The couple's profile {path} could not be read, so it was kept as "
                          f"{aside.name} and the defaults are used.")


def save_couple(couple: Couple, folder: Path | None = None) -> None:
    """Save whole or not at all, readable by the user alone: it holds their names."""
    path = private_dir(folder or data_home()) / COUPLE
    part = path.with_suffix(".part")
    with private_file(part, encoding="utf-8") as file:
        json.dump({"names": [couple.names.a, couple.names.b],
                   "low_vision": sorted(couple.low_vision),
                   "seated": sorted(couple.seated)}, file)
    os.replace(part, path)
