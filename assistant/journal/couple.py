"""The couple the assistant knows: their names, and who sees less or stays seated.

Kept in one private file beside the journal, so sessions, the menu and `today`
use it without the options typed again. It holds their names, so it is written
whole or not at all, readable by the user alone, one process at a time (a lock
file beside it), through a temporary file of its own renamed over it. A file
that cannot be read is set aside under a new name of its own, 0600, never
deleted, and the defaults are used; a read-only command moves nothing and only
says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError, cause
from assistant.base.paths import FILE_MODE, data_home, private_dir
from assistant.journal.partner_names import name_key, names_of
from assistant.script.text import shown
from assistant.session.plan import Names
from assistant.system.lock import LockTimeout, held

COUPLE = "couple.json"
LOCK = "couple.lock"
MAX_BYTES = 64 * 1024  # a profile is a few hundred bytes; more is not one
# Every file the profile ever leaves in the home, by name: `forget` deletes these alone.
FILES = re.compile(r"^couple(\.json|\.lock|\.unreadable-[0-9][0-9-]*\.json"
                   r"|(\.[A-Za-z0-9_]+)?\.part)$")


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
    if text.upper() in ("A", "B"):
        return frozenset({text.upper()})
    if text.lower() in ("both", "none"):
        return frozenset({"A", "B"}) if text.lower() == "both" else frozenset()
    by_name = {name_key(names.a): "A", name_key(names.b): "B"}
    key = by_name.get(name_key(text))
    if key is not None:
        return frozenset({key})
    raise UserError(f"{option} takes A, B, both or none, or a partner's name; the partners are "
                    f"{names.a} (A) and {names.b} (B), not '{shown(value)}'.")


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


def parsed(raw: bytes) -> Couple:
    """The couple a profile's bytes hold; ValueError when they hold none."""
    if len(raw) > MAX_BYTES:
        raise ValueError("too long for a profile")
    try:
        saved = json.loads(raw.decode("utf-8"))
        names = saved["names"]
        needs = [saved[key] for key in ("low_vision", "seated")]
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)
                and all(isinstance(need, list) and set(need) <= {"A", "B"} for need in needs)):
            raise ValueError("not a profile's fields")
        return Couple(names_of(",".join(names)), *map(frozenset, needs))
    except (TypeError, KeyError, UserError, RecursionError) as error:  # nesting too deep
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class _Read:
    couple: Couple = field(default_factory=Couple)
    notice: str = ""
    damaged: bool = False


def _read(path: Path) -> _Read:
    """What the profile holds; trouble (a folder, no permission) is told, never damage."""
    if path.is_dir():
        return _Read(notice=f"The couple's profile {path} is a folder, not a file, so the "
                            "defaults are used; move the folder away to keep a profile there.")
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):  # none yet, or no home: the journal says
        return _Read()
    except OSError as error:  # trouble, not damage: nothing is moved
        return _Read(notice=f"The couple's profile {path} cannot be read ({error.strerror}); "
                            "the defaults are used.")
    try:
        return _Read(parsed(raw))
    except ValueError:
        return _Read(damaged=True)


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """The profile to this process alone; why not, in one sentence, if it cannot be had."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(held(home / LOCK))
        except LockTimeout:
            raise UserError(f"Another assistant is changing the couple's profile in {home}; "
                            "try again when it is done.") from None
        except OSError as error:  # a read-only disk, say: the lock file cannot be made
            raise UserError(f"The couple's profile cannot be changed: "
                            f"{cause(error, home)}.") from None
        yield


def _set_aside(path: Path) -> str:
    """Rename a damaged profile to a name no other holds (the lock is held), 0600."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside, n = path.with_name(f"couple.unreadable-{stamp}.json"), 1
    while aside.exists() or aside.is_symlink():
        n += 1
        aside = path.with_name(f"couple.unreadable-{stamp}-{n}.json")
    try:
        path.rename(aside)
    except OSError as error:
        return (f"The couple's profile {path} could not be read, nor set aside "
                f"({cause(error, path)}); the defaults are used.")
    if not aside.is_symlink():  # a link's target is not the assistant's to change
        with contextlib.suppress(OSError):
            os.chmod(aside, FILE_MODE)
    return (f"The couple's profile {path} could not be read, so it was kept as {aside.name} "
            "and the defaults are used; 'assistant couple --names' starts a new one.")


def _found(path: Path) -> tuple[Couple, str]:
    """The profile, a damaged one set aside first; the caller holds the lock."""
    found = _read(path)
    if found.damaged:
        return Couple(), _set_aside(path)
    return found.couple, found.notice


def load_couple(folder: Path | None = None, read_only: bool = False) -> tuple[Couple, str]:
    """The stored couple, and a notice to print if it could not be read.

    Read-only (`today`), a damaged profile is used as if absent and left where it is."""
    home = folder or data_home()
    path = home / COUPLE
    found = _read(path)
    if not found.damaged:
        return found.couple, found.notice
    if read_only:
        return Couple(), (f"The couple's profile {path} cannot be read, so the defaults are "
                          "used; 'assistant couple' keeps it aside and starts afresh.")
    try:
        with _locked(home):  # read again: another process may have set it aside or rewritten it
            return _found(path)
    except UserError as error:  # nothing could be moved: used as if absent, as read-only
        why = str(error).rstrip(".")
        return Couple(), (f"The couple's profile {path} cannot be read and stays as it is, so "
                          f"the defaults are used ({why[:1].lower()}{why[1:]}).")


def change_couple(names: str | None, low_vision: str | None, seated: str | None,
                  tell: Callable[[str], None], folder: Path | None = None) -> Couple:
    """Read, change and save the couple as one step no other process cuts into; a notice
    about the profile as found is told at once, before the change is checked."""
    if names is not None:
        names_of(names)  # bad names are refused before anything is touched
    home = private_dir(folder or data_home())
    path = home / COUPLE
    with _locked(home):
        if path.is_dir():
            raise UserError(f"The couple's profile {path} is a folder, not a file, so nothing "
                            "can be kept there; move the folder away and try again.")
        couple, notice = _found(path)
        if notice:
            tell(notice)
        couple = changed(couple, names, low_vision, seated)
        _write(path, json.dumps({"names": [couple.names.a, couple.names.b],
                                    "low_vision": sorted(couple.low_vision),
                                    "seated": sorted(couple.seated)}))
    return couple


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file of this process's own (0600, synced) renamed
    over the profile; nothing of it is left behind, whatever fails."""
    try:
        descriptor, temporary = tempfile.mkstemp(prefix="couple.", suffix=".part",
                                                 dir=path.parent)
    except OSError as error:
        raise UserError(f"The couple's profile cannot be saved: {cause(error, path)}.") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise UserError(f"The couple's profile cannot be saved: "
                            f"{cause(error, path)}.") from None
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename made lasting where the system can sync a folder (not on Windows)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
