"""A home that can never be used (`ASSISTANT_HOME` with a name too long, a path too long,
a link that loops, a file where the folder should be or on its way): every command says
so in one sentence naming the home and the cause, with status 2; a session runs without
it, says once that it will not be remembered, and leaves nothing behind."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.base.errors import SHOWN, cause

ASSISTANT = [sys.executable, "-m", "assistant"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX names, links and limits")


def long_name(root: Path) -> Path:
    return root / ("a" * 300)


def long_path(root: Path) -> Path:
    return root.joinpath(*["b" * 200] * 22)  # over 4,096 bytes, each name allowed


def looping(root: Path) -> Path:
    (root / "one").symlink_to(root / "two")
    (root / "two").symlink_to(root / "one")
    return root / "one"


def a_file(root: Path) -> Path:
    (root / "home").write_text("not a folder")
    return root / "home"


def under_a_file(root: Path) -> Path:
    return a_file(root) / "assistant"


HOMES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "name too long": (long_name, "longer than its file system allows (300 bytes; at most 255)"),
    "path too long": (long_path, "is longer than the system allows"),
    "link loop": (looping, "symbolic link that leads round in a loop"),
    "a file": (a_file, "is a file, not a folder"),
    "under a file": (under_a_file, "is a file, not a folder"),
}
COMMANDS = [["list"], ["today"], ["history"], ["couple"], ["journal", "list"],
            ["forget", "--yes"], ["check"], ["models", "list"], ["voices", "clear-cache"],
            ["export", "breathe", "--minutes", "0.1", "OUT"]]


def run(argv: list[str], home: Path, tmp_path: Path, stdin: str = ""
        ) -> subprocess.CompletedProcess[str]:
    args = [str(tmp_path / "out.wav") if part == "OUT" else part for part in argv]
    env = {**os.environ, "ASSISTANT_HOME": str(home), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([*ASSISTANT, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def one_sentence(said: str, *fragments: str) -> None:
    assert "Traceback" not in said, said
    lines = said.splitlines()
    assert len(lines) == 1, said
    assert lines[0].startswith("assistant: The assistant's folder (ASSISTANT_HOME) cannot be "
                               "used: "), said
    for fragment in fragments:
        assert fragment in lines[0], said


@POSIX
@pytest.mark.parametrize("kind", HOMES)
def test_every_kind_of_unusable_home_is_named_with_its_cause(kind: str, tmp_path: Path
                                                             ) -> None:
    make, words = HOMES[kind]
    home = make(tmp_path)
    for argv in (["list"], ["today"]):
        result = run(argv, home, tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        one_sentence(result.stderr, words, str(home)[:40])


@POSIX
@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_refuses_a_home_that_loops(argv: list[str], tmp_path: Path) -> None:
    home = looping(tmp_path)
    result = run(argv, home, tmp_path)
    assert result.returncode == 2
    one_sentence(result.stderr, str(home), "loop")
    assert not (tmp_path / "out.wav").exists()


@POSIX
@pytest.mark.parametrize("kind", ["name too long", "a file"])
def test_a_session_runs_without_the_home_and_is_not_remembered(kind: str, tmp_path: Path
                                                               ) -> None:
    make, words = HOMES[kind]
    home = make(tmp_path)
    (tmp_path / "tmp").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "session.wav"
    result = run(["breathe", "--minutes", "0.1", "--out-file", str(out)], home, tmp_path)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "assistant's folder" in line]
    assert len(said) == 1 and words in said[0], result.stderr
    assert said[0].endswith("; this session goes on, but it will not be remembered.")
    assert "Traceback" not in result.stderr and out.stat().st_size > 44
    assert list((tmp_path / "tmp").iterdir()) == []  # the stand-in home is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, out.name])


@POSIX
def test_the_typed_menu_runs_without_the_home(tmp_path: Path) -> None:
    result = run(["--text"], looping(tmp_path), tmp_path, stdin="21\nq\n")
    assert result.returncode == 0 and "Session stopped." in result.stdout, result.stderr
    assert result.stderr.count("will not be remembered") == 1


@POSIX
def test_help_and_the_sound_cards_need_no_home(tmp_path: Path) -> None:
    home = looping(tmp_path)
    for argv in (["--help"], ["today", "--help"], ["--version"]):
        result = run(argv, home, tmp_path)
        assert (result.returncode, result.stderr) == (0, ""), argv


def test_a_long_path_is_shown_cut_in_the_middle(tmp_path: Path) -> None:
    path = long_path(tmp_path)
    said = cause(OSError(errno.ENAMETOOLONG, "File name too long"), path)
    assert str(path)[:40] in said and str(path)[-40:] in said
    assert f"(a path of {len(str(path)):,} characters)" in said
    assert len(said) < SHOWN + 200 and "choose a shorter one" in said


def test_a_short_path_is_shown_whole(tmp_path: Path) -> None:
    said = cause(OSError(errno.ELOOP, "Too many levels of symbolic links"), tmp_path / "x")
    assert said.startswith(f"{tmp_path / 'x'}, or a link on its way,")
