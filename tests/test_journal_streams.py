"""The journal commands and their standard output, as a shell gives it to them: a reader
that has gone (`| head -0`) ends them quietly, as it ends the main command line; output
that is full or cannot be written is told as such, in one sentence, and never as
trouble with the assistant's home; a closed one is no trouble at all."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

import pytest

from assistant.journal.store import FILE_NAME, Journal

ASSISTANT = [sys.executable, "-m", "assistant"]
BROKEN_PIPE = 141
COMMANDS = [["history"], ["today"], ["journal", "list"], ["couple"], ["history", "--help"],
            ["journal", "export", "OUT"], ["forget", "--yes"]]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors and /dev/full")
FULL = "Could not print the answer: standard output is full"
UNWRITABLE = "Could not print the answer: standard output is closed or cannot be written"


@pytest.fixture
def home() -> Path:
    """A journal of one session, and a cache of this home's own (forget may run)."""
    folder = Path(os.environ["ASSISTANT_HOME"])
    if (folder / "cache").is_symlink():
        (folder / "cache").unlink()
    journal = Journal(folder)
    journal.begin("s1", "daily-check-in", "Daily check-in", datetime.now(timezone.utc))
    journal.finish("s1", "completed", 300.0)
    journal.close()
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "gone"


def kept(home: Path) -> dict[str, str]:
    """Each file's contents by name, SQLite's shared-memory files aside."""
    return {p.name: digest(p) for p in home.iterdir()
            if p.is_file() and not p.name.endswith(("-shm", "-wal"))}


def started(argv: list[str], tmp_path: Path, stdout: int | IO[bytes]
            ) -> subprocess.Popen[bytes]:
    args = [str(tmp_path / "out") if part == "OUT" else part for part in argv]
    return subprocess.Popen([*ASSISTANT, *args], stdin=subprocess.PIPE, stdout=stdout,
                            stderr=subprocess.PIPE)


def ended(process: subprocess.Popen[bytes], stdin: str = "") -> tuple[int, str]:
    _, err = process.communicate(stdin.encode(), timeout=60)
    return process.returncode, err.decode("utf-8", "replace")


@POSIX
@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_a_reader_that_has_gone_ends_the_command_quietly(home: Path, tmp_path: Path,
                                                         argv: list[str]) -> None:
    process = started(argv, tmp_path, subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # as `| head -0` leaves it, before the command prints a line
    status, said = ended(process)
    assert (status, said) == (BROKEN_PIPE, "")


@POSIX
@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_standard_output_full_is_told_as_such_never_as_the_homes_disk(
        home: Path, tmp_path: Path, argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        status, said = ended(started(argv, tmp_path, full))
    assert "Traceback" not in said and "Exception ignored" not in said, said
    assert said.splitlines() == [f"assistant: {FULL}; print it to the terminal, or to a file "
                                 "on a disk with room."]
    assert status == 2 and str(home) not in said


@POSIX
def test_output_that_cannot_be_written_is_named(home: Path, tmp_path: Path) -> None:
    with open(home / FILE_NAME, "rb") as read_only:  # descriptor 1 opened only to read
        status, said = ended(started(["history"], tmp_path, read_only))
    assert status == 2 and said.startswith(f"assistant: {UNWRITABLE} (") and str(home) not in said
    assert len(said.splitlines()) == 1


@POSIX
@pytest.mark.parametrize("argv", [["history"], ["today"], ["couple"]], ids=" ".join)
def test_a_closed_standard_output_is_no_trouble(home: Path, tmp_path: Path,
                                                argv: list[str]) -> None:
    process = subprocess.Popen([*ASSISTANT, *argv], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    status, said = ended(process)
    assert (status, said) == (0, "")


@POSIX
def test_forget_that_cannot_ask_deletes_nothing(home: Path, tmp_path: Path) -> None:
    before = digest(home / FILE_NAME)
    with open("/dev/full", "wb") as full:
        status, said = ended(started(["forget"], tmp_path, full), stdin="yes\n")
    assert status == 2 and FULL in said
    assert digest(home / FILE_NAME) == before


@POSIX
@pytest.mark.parametrize("argv", [["history"], ["today"], ["journal", "list"]], ids=" ".join)
def test_a_read_only_command_with_nowhere_to_print_changes_nothing(
        home: Path, tmp_path: Path, argv: list[str]) -> None:
    before = kept(home)
    with open("/dev/full", "wb") as full:
        assert ended(started(argv, tmp_path, full))[0] == 2
    assert kept(home) == before
