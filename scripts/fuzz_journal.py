"""Fuzz surfaces of the journal commands: `forget` and `journal export`, and their streams.

Black-box, from a copy of the template home (a journal of one session, a found
recording, a warm speech cache). Export: the copies private (a folder it makes 0700,
files 0600), a file of the user's never replaced without `--force` nor written through
a link, and on a disk that fills nothing half-written left and the target's disk
named. Forget: the assistant's own files gone (the saved choices and the rendered
speech too), every file of the user's kept. Streams: each journal command with a
reader that has gone (it must end quietly, status 141), standard output full (told as
such, never as the home's disk) or closed (no trouble).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_surfaces import Setup, fill, home_of, mount_small
from fuzz_trial import Trial

INDEX = "journal.json"
FOUND = "found-kept.wav"  # the template's recording no journal row names, as exported


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _private_export(out: Path, made: bool) -> Callable[[], str]:
    """What the export lost or leaked: a file missing, torn or readable by others."""
    def check() -> str:
        if made and _mode(out) != 0o700:
            return f"the folder it made is {_mode(out):o}, not 700"
        names = sorted(p.name for p in out.iterdir())
        if FOUND not in names or INDEX not in names:
            return f"the export holds {names}"
        loose = [p.name for p in out.iterdir() if p.is_file() and _mode(p) != 0o600]
        if loose:
            return f"readable by others: {loose}"
        try:
            index = json.loads((out / INDEX).read_text(encoding="utf-8"))
        except ValueError:
            return "a torn journal.json"
        return "" if index["sessions"] else "no session in journal.json"
    return check


def _export_case(existing: str | None = None, force: bool = False, link: bool = False
                 ) -> Setup:
    """An export to `out`, new or holding a file of the user's (or a link to one)."""
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        out, precious = case / "out", case / "precious.txt"
        precious.write_text("the user's own")
        guarded = [precious]
        if existing is not None:
            out.mkdir()
            if link:
                (out / existing).symlink_to(precious)
            else:
                (out / existing).write_text("the user's own")
                guarded += [] if force else [out / existing]
        args = ["journal", "export", str(out), *(["--force"] if force else [])]
        kept = _private_export(out, existing is None) if force or existing is None else None
        return Trial(args, env, guarded=guarded, kept=kept)
    return setup


def _nothing_torn(disk: Path, extra: set[str]) -> Callable[[], str]:
    def check() -> str:
        left = sorted(str(p.relative_to(disk)) for p in disk.rglob("*")
                      if p.name not in extra | {"filler"})
        return f"left on the full disk: {left}" if left else ""
    return check


def _names_the_target(home: Path) -> Callable[[str], str]:
    def check(said: str) -> str:
        return f"the home's disk blamed: {said.strip()}" if str(home) in said else ""
    return check


def _full_disk_case(size: str, filled: bool, folder_there: bool) -> Setup:
    """An export to a small disk: filled, or with room for the recording alone."""
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        disk = case / "disk"
        undo = mount_small(disk, f"size={size}")
        if filled:
            fill(disk)
        if folder_there:
            (disk / "out").mkdir()
        return Trial(["journal", "export", str(disk / "out")], env,
                     guarded=[home / "journal.sqlite3"], after=undo,
                     kept=_nothing_torn(disk, {"out"} if folder_there else set()),
                     misleads=_names_the_target(home))
    return setup


def _odd_target_case(make: Callable[[Path], Callable[[], None] | None]) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        after = make(case)
        return Trial(["journal", "export", str(case / "out")], env, after=after)
    return setup


def _a_file(case: Path) -> None:
    (case / "out").write_text("a file of the user's")


def _read_only(case: Path) -> Callable[[], None]:
    undo = mount_small(case / "out", "size=64k,ro")
    return undo


def _forget_case(case: Path, template: Path) -> Trial:
    """`forget --yes` over a home that also holds files of the user's, some named much
    like the assistant's."""
    home, env = home_of(case, template)
    (home / "preferences.json").write_text('{"keep_recordings": true}')
    (home / "couple.json").write_text('{"names": ["Ana", "Ben"]}')
    speech = home / "cache" / "voice"
    ours = [home / "journal.sqlite3", home / "preferences.json", home / "couple.json",
            *speech.glob("*.npy")]
    mine = [home / "preferences.json.bak", home / "journal.txt", home / "clips" / "mine.wav",
            speech / "notes.txt", speech / "short.npy", home / "cache" / "a.npy"]
    for path in mine:
        path.write_text("the user's own")

    def gone() -> str:
        left = [p.name for p in ours if os.path.lexists(p)]
        return f"forget left {left}" if left else ""
    return Trial(["forget", "--yes"], env, guarded=mine, kept=gone)


FORGET_EXPORT_CASES: dict[str, Setup] = {
    "export to a new folder": _export_case(),
    "export over the user's journal.json": _export_case(INDEX),
    "export over the user's file of a recording's name": _export_case(FOUND),
    "export --force over the user's journal.json": _export_case(INDEX, force=True),
    "export over a link to the user's file": _export_case(INDEX, link=True),
    "export --force over a link to the user's file": _export_case(INDEX, force=True,
                                                                  link=True),
    "export to a full disk, a new folder": _full_disk_case("64k", True, False),
    "export to a full disk, the user's folder": _full_disk_case("64k", True, True),
    "export to a disk with room for the recording alone": _full_disk_case("32k", False, True),
    "export to a folder that is a file": _odd_target_case(_a_file),
    "export to a read-only folder": _odd_target_case(_read_only),
    "forget --yes beside the user's own files": _forget_case,
}


# streams


COMMANDS = (["history"], ["today"], ["journal", "list"], ["couple"], ["history", "--help"],
            ["journal", "export", "CASE/out"], ["forget", "--yes"])
READ_ONLY = ("history", "today", "journal list", "couple", "history --help")


def _told_as_output(home: Path, stdout: str) -> Callable[[str], str]:
    def check(said: str) -> str:
        if stdout == "gone" and said.strip():
            return f"a reader that has gone was told: {said.strip()}"
        if stdout == "full" and "standard output is full" not in said:
            return f"a full standard output not told as such: {said.strip()}"
        return f"the home was blamed: {said.strip()}" if str(home) in said else ""
    return check


def _stream_case(command: list[str], stdout: str) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        args = [part.replace("CASE", str(case)) for part in command]
        guarded = [home / "journal.sqlite3"] if " ".join(command) in READ_ONLY else []
        return Trial(args, env, stdout=stdout, guarded=guarded,
                     misleads=_told_as_output(home, stdout))
    return setup


STREAM_CASES: dict[str, Setup] = {
    f"{' '.join(command)}, stdout {stdout}": _stream_case(command, stdout)
    for command in COMMANDS for stdout in ("gone", "full", "closed")
}
