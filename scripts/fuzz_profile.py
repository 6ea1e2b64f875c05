"""Fuzz surface of the couple's profile: hostile `couple.json` files, as a user meets them.

Each hostile profile (torn, too deep, of wrong types, 50 MB, a folder, a link to a file
of the user's, one its owner may not read, one set aside when a copy set aside in the
same second is there), beside a copy set aside long ago, is met by `couple`, `today`,
`run --text` (`q` typed), `export` and `forget --yes`; and in rounds, six `couple`
writers started at one instant each change one part. Judged: a file of the user's or
a set-aside copy changed, a damaged profile's bytes gone, a readable one moved, any move
by `today`, a set-aside copy readable by others, a file of the profile's that `forget`
left, a change a writer kept and then lost, a temporary file left, a message naming
what is not there or silent about a move, and a printed line split in two.
(`fuzz_names.py` holds the names.)

What one plain command line cannot give (its owner without root's overrides, standard
input piped, standard output kept, six processes released at one instant) the
`sitecustomize` of `fuzz_shim/`, put first on the command's PYTHONPATH, arranges.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_surfaces import Setup, home_of
from fuzz_trial import Trial, digest

SHIM = Path(__file__).resolve().parent / "fuzz_shim"

COUPLE = "couple.json"
ASIDE = re.compile(r"couple\.unreadable-[0-9][0-9-]*\.json")
OLD_ASIDE = "couple.unreadable-20250101-000000.json"
SPLITS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines breaks, beyond \n
COMMANDS: dict[str, tuple[list[str], str | None]] = {  # args, standard input
    "couple": (["couple"], None), "today": (["today"], None),
    "run --text": (["run", "daily-check-in", "--text"], "q\n"),
    "export": (["export", "breathe", "CASE/o.wav", "--cycles", "1"], None),
    "forget --yes": (["forget", "--yes"], None)}


def shim_env(home: Path, **shim: str) -> dict[str, str]:
    """The trial's environment: its home, and the shim told what to arrange."""
    path = os.pathsep.join(p for p in (str(SHIM), os.environ.get("PYTHONPATH", "")) if p)
    return {"ASSISTANT_HOME": str(home), "PYTHONPATH": path,
            **{f"FUZZ_{key.upper()}": value for key, value in shim.items()}}


def split_line(out: Path) -> str:
    text = out.read_text(encoding="utf-8", errors="replace") if out.is_file() else ""
    odd = next((char for char in text if char in SPLITS), None)
    return f"a printed line split by U+{ord(odd):04X}" if odd else ""


# hostile profiles


@dataclass(frozen=True)
class Found:
    """A home's profile as a case leaves it: damaged (so it may be set aside) or not,
    files of the user's, set-aside copies already there, and a run without overrides."""
    damaged: bool
    mine: list[Path] = field(default_factory=list)
    earlier: list[Path] = field(default_factory=list)
    no_overrides: bool = False


Situation = Callable[[Path, Path], Found]  # (home, case folder) -> what it left


def _profile(**fields: object) -> bytes:
    return json.dumps({"names": ["Ana", "Ben"], "low_vision": [], "seated": [],
                       **fields}).encode()


def _content(data: bytes) -> Situation:
    def make(home: Path, case: Path) -> Found:
        (home / COUPLE).write_bytes(data)
        (home / COUPLE).chmod(0o644)  # as an editor leaves a file edited by hand
        return Found(True)
    return make


def _huge(home: Path, case: Path) -> Found:
    with (home / COUPLE).open("wb") as file:
        file.write(_profile()[:-1] + b', "pad": "')
        for _ in range(50):
            file.write(b"x" * 2**20)
        file.write(b'"}')
    return Found(True)


def _folder(home: Path, case: Path) -> Found:
    (home / COUPLE).mkdir()
    (home / COUPLE / "notes.txt").write_text("the user's own")
    return Found(False, [home / COUPLE / "notes.txt"])


def _link(home: Path, case: Path) -> Found:
    letter = case / "letter.txt"
    letter.write_text("the user's own letter")
    (home / COUPLE).symlink_to(letter)
    return Found(True, [letter])


def _unreadable(home: Path, case: Path) -> Found:
    (home / COUPLE).write_bytes(_profile())
    (home / COUPLE).chmod(0)
    return Found(False, no_overrides=True)


def _twice(home: Path, case: Path) -> Found:
    """One set aside for real just before; the name of every second to come taken too."""
    (home / COUPLE).write_bytes(b'{"names": ["first damaged"')
    subprocess.run([sys.executable, "-m", "assistant", "couple"], capture_output=True,
                   env={**os.environ, "ASSISTANT_HOME": str(home)}, check=False, timeout=60)
    now = datetime.now()
    for second in range(120):
        stamp = (now + timedelta(seconds=second)).strftime("%Y%m%d-%H%M%S")
        planted = home / f"couple.unreadable-{stamp}.json"
        if not planted.exists():
            planted.write_bytes(b'{"names": ["earlier damaged", %d' % second)
            planted.chmod(0o600)
    (home / COUPLE).write_bytes(b'{"names": ["second damaged"')
    return Found(True, earlier=sorted(home.glob("couple.unreadable-*.json")))


SITUATIONS: dict[str, Situation] = {
    "truncated JSON": _content(b'{"names": ["Ana", "Be'),
    "an empty file": _content(b""),
    "not UTF-8": _content(_profile(names=["Ana", "B\udcffn"]).replace(b"\\udcff", b"\xff")),
    "10^5 brackets": _content(b"[" * 100_000 + b"]" * 100_000),
    "nested 30,000 deep, under 64 KB": _content(b'{"names": ' + b"[" * 30_000
                                                + b"]" * 30_000 + b"}"),
    "a list, not an object": _content(b'["Ana", "Ben"]'),
    "names a string": _content(_profile(names="Ana,Ben")),
    "names numbers": _content(_profile(names=[1, 2])),
    "three names": _content(_profile(names=["Ana", "Ben", "Cy"])),
    "names null": _content(_profile(names=None)),
    "names with a line separator": _content(_profile(names=["Ana", "Be\u2028n"])),
    "low_vision a string": _content(_profile(low_vision="A")),
    "low_vision a partner C": _content(_profile(low_vision=["C"])),
    "seated an object": _content(_profile(seated={"A": True})),
    "a 50 MB file": _huge,
    "a folder named couple.json": _folder,
    "a link to the user's file": _link,
    "unreadable by its owner": _unreadable,
    "set aside twice in one second": _twice,
}


def _state(home: Path) -> set[str]:
    return {p.name for p in home.iterdir() if p.name.startswith("couple")}


def _judge(home: Path, command: str, found: Found, before: str, was: set[str],
           out: Path) -> tuple[Callable[[], str], Callable[[str], str]]:
    """What the command lost or leaked, and how what it said misleads."""
    def moved() -> list[str]:
        return sorted(n for n in _state(home) - was if ASIDE.fullmatch(n))

    def kept() -> str:
        now, new = _state(home), moved()
        if command == "forget --yes":  # every file of the profile's, set-aside copies too
            left = sorted(n for n in now if (home / n).is_symlink() or not (home / n).is_dir())
            return f"forget left {left}" if left else ""
        if any(n.endswith(".part") for n in now):
            return f"a temporary file left: {sorted(now - was)}"
        if new and (command == "today" or not found.damaged):
            return f"{command} moved a {'readable ' * (not found.damaged)}profile to {new}"
        holders = [home / COUPLE, *(home / n for n in new)]
        if found.damaged and before not in {digest(p) for p in holders}:
            return "the damaged profile's bytes are gone"
        if not found.damaged and digest(home / COUPLE) != before:
            return f"{command} changed the profile"
        loose = [n for n in new if not (home / n).is_symlink()
                 and (home / n).stat().st_mode & 0o077]
        return f"readable by others: {loose}" if loose else split_line(out)

    def misleads(said: str) -> str:
        if command == "forget --yes":
            return ""
        named, new = set(ASIDE.findall(said)), moved()
        gone = sorted(n for n in named if not os.path.lexists(home / n))
        if gone:
            return f"told of {gone}, which is not there: {said.strip()}"
        if set(new) - named:
            return f"set aside as {new} without a word: {said.strip()}"
        return f"said it set the profile aside, and moved nothing: {said.strip()}" \
            if "kept as" in said and not new else ""
    return kept, misleads


def _profile_case(situation: Situation, command: str) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        home = home_of(case, template)[0]
        earlier = home / OLD_ASIDE  # a damaged profile set aside long ago
        earlier.write_bytes(b'{"names": ["set aside long ago"')
        earlier.chmod(0o600)
        found = situation(home, case)
        before, was, out = digest(home / COUPLE), _state(home), case / "stdout.txt"
        args, stdin = COMMANDS[command]
        shim = {"stdout": str(out), **({"stdin": stdin} if stdin else {}),
                **({"no_overrides": "1"} if found.no_overrides else {})}
        guarded = found.mine + ([] if command == "forget --yes" else [earlier, *found.earlier])
        kept, misleads = _judge(home, command, found, before, was, out)
        return Trial([a.replace("CASE", str(case)) for a in args], shim_env(home, **shim),
                     guarded=guarded, kept=kept, misleads=misleads)
    return setup


RACERS = [["couple", "--names", "Ana,Ben"], ["couple", "--low-vision", "A"],
          ["couple", "--seated", "B"], ["couple", "--low-vision", "A"],
          ["couple", "--seated", "B"]]  # and the trial's own `couple --names Ana,Ben`
WANTED = {"--names": ("names", ["Ana", "Ben"]), "--low-vision": ("low_vision", ["A"]),
          "--seated": ("seated", ["B"])}


def _race_lost(home: Path, gate: Path) -> str:
    deadline = time.monotonic() + 30
    while not (gate / "ended.json").is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        ended = json.loads((gate / "ended.json").read_text())
    except (OSError, ValueError):
        return "how the racing writers ended is not known"
    odd = [f"{' '.join(args)}: {status}" for args, status in ended if status not in (0, 2)]
    if odd:
        return f"racing writers failed: {odd}"
    try:
        saved = json.loads((home / COUPLE).read_bytes())
    except (OSError, ValueError):
        return "the profile is torn or gone after the race"
    lost = sorted({WANTED[args[1]][0] for args, status in ended if status == 0
                   and saved.get(WANTED[args[1]][0]) != WANTED[args[1]][1]})
    if lost:
        return f"kept by a writer that said so, then lost: {lost} (the profile: {saved})"
    left = sorted(n for n in _state(home) if ASIDE.fullmatch(n) or n.endswith(".part"))
    if left:
        return f"the race left {left}"
    return "readable by others: couple.json" if (home / COUPLE).stat().st_mode & 0o077 else ""


def _race_case(case: Path, template: Path) -> Trial:
    home = home_of(case, template)[0]
    (home / COUPLE).write_bytes(_profile(names=["Alex", "Sam"]))
    (home / COUPLE).chmod(0o600)
    gate = case / "gate"
    gate.mkdir()
    env = shim_env(home, race=json.dumps(RACERS), gate=str(gate))
    return Trial(["couple", "--names", "Ana,Ben"], env, kept=lambda: _race_lost(home, gate))


PROFILE_CASES: dict[str, Setup] = {
    **{f"{label}: {command}": _profile_case(situation, command)
       for label, situation in SITUATIONS.items() for command in COMMANDS},
    **{f"six writers at one instant, round {n}": _race_case for n in range(1, 5)},
}
