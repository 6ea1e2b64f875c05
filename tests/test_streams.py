"""Odd standard streams, as a shell hands them over: a closed standard input, a standard
output that is full, closed or whose reader has gone, and a line of megabytes piped in.
Each ends in one plain sentence or quietly, never in a traceback or a hang; a session
runs on whatever becomes of its output."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from assistant.cli.lines import LONGEST, SKIPPED, TOO_LONG, BoundedLines, too_long
from assistant.cli.terminal import TypedLines

ASSISTANT = [sys.executable, "-m", "assistant"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors and /dev/full")
FULL = ("assistant: Could not print the answer: standard output is full; print it to the "
        "terminal, or to a file on a disk with room.")
SESSION_FULL = ("assistant: Standard output is full, so this session's lines are not shown; "
                "it goes on.")
WALK = ["walk", "--minutes", "0.05", "--text"]  # real time: about eight seconds


def ran(argv: list[str], stdout: int | IO[bytes] = subprocess.PIPE, stdin: int | None =
        subprocess.DEVNULL, closed: int | None = None) -> subprocess.CompletedProcess[str]:
    """The command line run as from a shell; `closed`: a standard descriptor it lacks."""
    return subprocess.run([*ASSISTANT, *argv], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, check=False,
                          preexec_fn=None if closed is None else lambda: os.close(closed))


# -- a closed standard input --------------------------------------------------------------


@POSIX
def test_a_typed_session_with_stdin_closed_runs_as_after_piped_input_has_ended() -> None:
    closed = ran(WALK, closed=0)
    assert closed.returncode == 0 and closed.stderr == "", closed.stderr
    lines = closed.stdout.splitlines()
    assert "Walking, 3 seconds, 100 steps a minute." in lines
    assert lines[-1] == "Session complete."  # ran on to its time limits, as at a pipe's end


@POSIX
def test_a_command_started_with_stdin_closed_reads_it_as_empty() -> None:
    code = ("import sys; from assistant.cli.launch import _standard_descriptors\n"
            "_standard_descriptors(); print(sys.stdin.isatty(), repr(sys.stdin.read()))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False, preexec_fn=lambda: os.close(0))
    assert (result.returncode, result.stdout, result.stderr) == (0, "False ''\n", "")


# -- a standard output that is full, closed, or read no more ------------------------------


@POSIX
@pytest.mark.parametrize("argv", [["list"], ["--version"], ["--help"], ["run", "--help"]],
                         ids=" ".join)
def test_a_full_standard_output_is_one_sentence_and_status_2(argv: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = ran(argv, stdout=full)
    assert (result.returncode, result.stderr.splitlines()) == (2, [FULL])


@POSIX
def test_an_export_to_a_full_standard_output_is_told_and_its_file_is_whole(
        tmp_path: Path) -> None:
    out = tmp_path / "breathe.wav"
    with open("/dev/full", "wb") as full:
        result = ran(["export", "breathe", "--minutes", "0.1", str(out)], stdout=full)
    assert (result.returncode, result.stderr.splitlines()) == (2, [FULL])
    assert out.stat().st_size > 44 and [p.name for p in tmp_path.iterdir()] == [out.name]


@POSIX
def test_standard_output_opened_only_to_read_is_named(tmp_path: Path) -> None:
    (tmp_path / "r").write_text("")
    with open(tmp_path / "r", "rb") as read_only:
        result = ran(["list"], stdout=read_only)
    said = result.stderr.splitlines()
    assert result.returncode == 2 and len(said) == 1
    assert said[0].startswith("assistant: Could not print the answer: standard output is "
                              "closed or cannot be written (")


@POSIX
@pytest.mark.parametrize("argv", [["list"], ["--help"], ["--version"]], ids=" ".join)
def test_a_reader_that_has_gone_ends_the_command_quietly(argv: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `head -0` leaves it
    try:
        result = ran(argv, stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")


@POSIX
def test_a_full_standard_output_never_stops_a_typed_session() -> None:
    with open("/dev/full", "wb") as full:
        result = ran(WALK, stdout=full)
    assert (result.returncode, result.stderr.splitlines()) == (0, [SESSION_FULL])


@POSIX
def test_the_menu_and_its_session_run_on_with_a_full_standard_output(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    with open("/dev/full", "wb") as full:
        result = subprocess.run([*ASSISTANT, "--text", "--events", str(events)],
                                input="21\nq\n", stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120, check=False)
    assert (result.returncode, result.stderr.splitlines()) == (0, [SESSION_FULL])
    assert '"session_end"' in events.read_text(encoding="utf-8").splitlines()[-1]


# -- a line of megabytes piped in ---------------------------------------------------------


def test_q_after_a_line_of_30_megabytes_stops_the_session_at_once(tmp_path: Path) -> None:
    process = subprocess.Popen([*ASSISTANT, "run", "two-stars-one-wish", "--text"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()  # the session is under way: what follows is typed into it
    began = time.monotonic()
    out, err = process.communicate(b"x" * 30_000_000 + b"\nq\n", timeout=120)
    took = time.monotonic() - began
    lines = out.decode().splitlines()
    assert process.returncode == 0 and b"Traceback" not in err, err
    assert lines.count(SKIPPED) == 1 and lines[-1] == "Session stopped."
    assert took < 20, f"q acted {took:.1f} s after the long line"  # it took minutes


def test_lines_are_cut_where_they_end_whatever_the_pieces() -> None:
    lines = BoundedLines(longest=8)
    assert lines.feed(b"n\np") == ["n\n"]
    assert lines.feed(b"au") == []
    assert lines.feed(b"se\n\xc3") == ["pause\n"]
    assert lines.feed(b"\xa9\n") == ["\u00e9\n"]  # a character split between reads
    assert lines.feed(b"last") == [] and lines.end() == ["last"]


def test_a_line_too_long_is_told_once_however_many_pieces_it_comes_in() -> None:
    lines = BoundedLines(longest=8)
    assert lines.feed(b"12345678\n") == ["12345678\n"]  # at the limit: kept
    said = lines.feed(b"123456789\nq\n")  # over it, within one piece
    assert said[1:] == ["q\n"] and too_long(said[0])
    told = [line for _ in range(1000) for line in lines.feed(b"x" * 5)]
    assert len(told) == 1 and too_long(told[0])
    assert lines.feed(b"xx\nn\n") == ["n\n"] and lines.end() == []
    assert not too_long(TOO_LONG.encode().decode())  # a line typed the same is a line


def test_the_menu_skips_a_line_too_long_with_one_sentence() -> None:
    source: queue.Queue[str | None] = queue.Queue()
    for item in (TOO_LONG, "21\n", None):
        source.put(item)
    shown: list[str] = []

    class Out:
        def write(self, text: str) -> int:
            shown.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    typed = TypedLines(source, Out())  # type: ignore[arg-type]
    assert typed.get() == "21\n" and typed.get() is None
    assert "".join(shown) == f"{SKIPPED}\n" and f"{LONGEST:,} bytes" in SKIPPED
