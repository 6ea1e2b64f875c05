"""Fuzz surface of the files `export` and `--out-file` write: names, links, what is there.

Black-box, from a copy of the template home. A file of the user's where an export, a
week or an out-file goes must be refused (and kept byte for byte) unless `--force`,
which replaces it, or the link that stands there, never the file a link names. A
temporary file an export killed a day ago left beside its target must be swept by
the next one, and nothing else there: not a fresh one, not one of another owner, not
a user's file named much like it. A name the file system takes (250 bytes) must be
written; one it cannot take (300 bytes, or a path longer than the system's limit) must
be refused in a sentence before anything is rendered.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_surfaces import SESSION, Setup, home_of
from fuzz_trial import BASE_ENV, Trial

EXPORT = ["export", "walk", "--minutes", "0.2", "--seed", "1", "--mono"]
WEEK = ["export", "--days", "1", "--minutes", "1", "--format", "opus", "--mono"]
DAY = 24 * 3600
STALE = {".song.qwertyui.assistant.part", ".song.zxcvbnm_.assistant.spool"}
KEPT = {".song.asdfghjk.assistant.part",  # fresh: another export may be writing it
        ".other.poiuytre.assistant.part",  # stale, but another user's
        ".link.lkjhgfds.assistant.part",  # stale, but a link
        ".dir.mnbvcxza.assistant.spool",  # stale, but a folder
        ".song.part", ".song.abcdefgh.part.opus", ".notes.assistant.part",
        "song.qwertyui.assistant.part"}  # the user's, named much like the assistant's


def _sound(path: Path, link: bool = False) -> Callable[[], str]:
    """The file at `path` is whole and playable (and no longer a link, when it was one)."""
    def check() -> str:
        if link and path.is_symlink():
            return f"{path.name} is still a link: the file it names was written"
        try:
            frames = soundfile.info(str(path)).frames
        except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
            return f"{path.name} does not play ({error})"
        return "" if frames else f"{path.name} is empty"
    return check


def _playlist(path: Path) -> Callable[[], str]:
    def check() -> str:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        return "" if text.startswith("#EXTM3U") else f"{path.name} is not the week's playlist"
    return check


def _existing_case(command: str, force: bool = False, link: bool = False,
                   name: str = "song.opus") -> Setup:
    """An export, a week or an out-file where a file of the user's (or a link to one) is."""
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        precious = case / "precious.txt"
        precious.write_text("the user's own")
        out = case / "out"
        out.mkdir()
        target = out / name
        if link:
            target.symlink_to(precious)
        else:
            target.write_text("the user's own")
        args = {"export": [*EXPORT, str(target)],
                "week": [*WEEK, "--week", str(out)],
                "out-file": [*SESSION, "--out-file", str(target)]}[command]
        args += ["--force"] if force else []
        guarded = [precious] if force or link else [precious, target]
        kept = (_playlist(target) if name == "week.m3u" else _sound(target, link)) \
            if force else None
        return Trial(args, env, guarded=guarded, kept=kept)
    return setup


def _size(folder: Path) -> int:
    """Bytes in `folder`'s files, counting none that went meanwhile (a probe, say)."""
    sizes = []
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            sizes.append(path.lstat().st_size)
    return sum(sizes)


def _aged(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment), follow_symlinks=False)


def _stale_case(command: str) -> Setup:
    """Temporary files of the assistant's own, and others named like them, beside it."""
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        out = case / "out"
        out.mkdir()
        for name in STALE | KEPT:
            path = out / name
            if name.startswith(".link."):
                path.symlink_to(case / "precious.txt")
            elif name.startswith(".dir."):
                path.mkdir()
            else:
                path.write_bytes(b"\0" * 1000)
            if name.startswith(".other."):
                os.chown(path, 65534, 65534)
            if name != ".song.asdfghjk.assistant.part":
                _aged(path, 2 * DAY)
            else:
                _aged(path, DAY - 3600)
        target = out / "song.wav"
        args = ([*SESSION, "--out-file", str(target)] if command == "out-file"
                else [*EXPORT, str(target)])

        def swept() -> str:
            there = {p.name for p in out.iterdir()}
            if STALE & there:
                return f"stale temporaries left: {sorted(STALE & there)}"
            if KEPT - there:
                return f"removed what was not its own to sweep: {sorted(KEPT - there)}"
            return _sound(target)()
        return Trial(args, env, kept=swept)
    return setup


def _killed_case(case: Path, template: Path) -> Trial:
    """An export killed (-9) while it renders, a day ago: the next export beside it."""
    env = home_of(case, template)[1]
    out = case / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "assistant", "export", "walk",
                                "--minutes", "30", str(out / "long.opus")],
                               env={**BASE_ENV, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and \
            _size(out) < 1_000_000:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = list(out.iterdir())
    for path in left:
        _aged(path, 2 * DAY)

    def swept() -> str:
        stale = [p.name for p in left if p.exists()]
        return f"what the killed export left is still there: {stale}" if stale else \
            _sound(out / "next.opus")()
    return Trial([*EXPORT, str(out / "next.opus")], env, kept=swept)


def _named_case(command: str, length: int) -> Setup:
    """A name of `length` bytes (a UTF-8 letter of two bytes in it) in the case folder."""
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        suffix = ".wav" if command == "out-file" else ".opus"
        name = "é" + "n" * (length - len(suffix) - 2) + suffix
        target = case / name
        args = ([*SESSION, "--out-file", str(target)] if command == "out-file"
                else [*EXPORT, str(target)])
        if length <= 255:
            return Trial(args, env, kept=_sound(target))
        return Trial(args, env, kept=_nothing_new(case))
    return setup


def _nothing_new(case: Path) -> Callable[[], str]:
    def check() -> str:
        left = sorted(p.name for p in case.iterdir() if p.name != "home")
        return f"left behind: {left}" if left else ""
    return check


def _deep_case(command: str, length: int) -> Setup:
    """A folder that exists, its path `length` bytes long: with a short name past the
    system's limit of 4,096 bytes, or where the name fits and a longer one would not."""
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        folder, descriptor = case, os.open(case, os.O_RDONLY)
        try:
            while (left := length - len(os.fsencode(str(folder))) - 1) > 0:
                part = "d" * (left if left <= 200 else min(200, left - 2))  # never 1 byte short
                os.mkdir(part, dir_fd=descriptor)
                inner = os.open(part, os.O_RDONLY, dir_fd=descriptor)
                os.close(descriptor)
                descriptor, folder = inner, folder / part
        finally:
            os.close(descriptor)
        target = folder / ("o.wav" if command == "out-file" else "o.opus")
        args = ([*SESSION, "--out-file", str(target)] if command == "out-file"
                else [*EXPORT, str(target)])
        return Trial(args, env)
    return setup


EXPORT_PATH_CASES: dict[str, Setup] = {
    "export over the user's file": _existing_case("export"),
    "export over a link to the user's file": _existing_case("export", link=True),
    "export --force over the user's file": _existing_case("export", force=True),
    "export --force over a link to the user's file": _existing_case("export", True, True),
    "week over the user's week.m3u": _existing_case("week", name="week.m3u"),
    "week --force over the user's week.m3u": _existing_case("week", True, name="week.m3u"),
    "out-file over the user's file": _existing_case("out-file", name="o.wav"),
    "out-file over a link to the user's file": _existing_case("out-file", link=True,
                                                              name="o.wav"),
    "out-file --force over the user's file": _existing_case("out-file", True, name="o.wav"),
    "out-file --force over a link to the user's file": _existing_case("out-file", True, True,
                                                                      "o.wav"),
    "export beside stale and fresh temporaries": _stale_case("export"),
    "out-file beside stale and fresh temporaries": _stale_case("out-file"),
    "export after one killed a day ago": _killed_case,
    "export to a 250-byte name": _named_case("export", 250),
    "out-file to a 250-byte name": _named_case("out-file", 250),
    "export to a 300-byte name": _named_case("export", 300),
    "out-file to a 300-byte name": _named_case("out-file", 300),
    "export to a path past the system's limit": _deep_case("export", 4100),
    "out-file to a path past the system's limit": _deep_case("out-file", 4100),
    "export to a path just under the system's limit": _deep_case("export", 4080),
    "out-file to a path just under the system's limit": _deep_case("out-file", 4080),
}
