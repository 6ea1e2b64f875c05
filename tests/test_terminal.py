"""A key acts as soon as it is pressed in a terminal, and the terminal is put back.

The assistant runs with a pseudo-terminal as its standard input, as it does for
someone at a keyboard; its output is read through a pipe, with a deadline on every wait.
"""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import terminal
from assistant.script.library import load_library

termios = pytest.importorskip("termios", reason="a POSIX terminal")

DEADLINE = 20.0  # seconds: generous for a busy machine; a passing wait takes far less


class TerminalSession:
    """`python -m assistant ARGS` reading keys from a pseudo-terminal."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.master, self.slave = os.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.stderr = tmp_path / "stderr.txt"
        with self.stderr.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "assistant", *args], stdin=self.slave,
                stdout=subprocess.PIPE, stderr=err, text=True)
        self.printed: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, fragment: str) -> str:
        deadline = time.monotonic() + DEADLINE
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.printed.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"never printed {fragment!r}; printed {self.printed}")

    def settings(self) -> list[Any]:
        return termios.tcgetattr(self.slave)

    def wait_for_keys_at_once(self) -> list[Any]:
        """The terminal's settings once the assistant has left line mode."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and self.process.poll() is None:
            settings = self.settings()
            if not settings[3] & termios.ICANON:
                return settings
            time.sleep(0.02)
        raise AssertionError(f"the terminal stayed in line mode; printed {self.printed}")

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> int:
        status = self.process.wait(timeout=DEADLINE)
        assert "Traceback" not in self.stderr.read_text()
        return status

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=DEADLINE)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def breathing(tmp_path: Path) -> Iterator[TerminalSession]:
    session = TerminalSession(tmp_path, "breathe", "--minutes", "1", "--text")
    yield session
    session.close()


def test_a_single_key_acts_at_once_and_q_puts_the_terminal_back(
        breathing: TerminalSession) -> None:
    settings = breathing.wait_for_keys_at_once()
    assert not settings[3] & termios.ECHO  # the assistant answers each key itself
    assert settings[3] & termios.ISIG  # Ctrl-C still sends SIGINT
    assert settings[1] == breathing.before[1]  # printed lines are processed as before
    breathing.press(b"p")  # no Enter
    breathing.wait_for("Paused.")
    breathing.press(b" ")  # a space is not Enter: nobody's turn ends by it
    breathing.wait_for("Unknown key ' '")
    breathing.press(b"\x1b[A")  # an arrow key is one key, printed without moving the cursor
    breathing.wait_for("Unknown key '\\x1b[A'")
    breathing.press(b"q")
    breathing.wait_for("Session stopped.")
    assert breathing.finish() == 0
    assert breathing.settings() == breathing.before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_a_stopping_signal_puts_the_terminal_back(signum: int,
                                                  breathing: TerminalSession) -> None:
    breathing.wait_for_keys_at_once()
    breathing.process.send_signal(signum)
    assert breathing.finish() == 130
    assert breathing.settings() == breathing.before


def test_the_typed_menu_gathers_keys_up_to_enter_and_echoes_them(tmp_path: Path) -> None:
    chosen = load_library()[6]
    session = TerminalSession(tmp_path, "--text")
    try:
        session.wait_for_keys_at_once()
        session.wait_for("type its number")
        session.press(b"8\x7f7\r")  # 8, Backspace, 7, Enter: the seventh practice
        assert session.wait_for("7") == "8\b \b7"
        session.wait_for(f"Starting {chosen.title}.")
        session.press(b"q")
        session.wait_for("Session stopped.")
        assert session.finish() == 0
        assert session.settings() == session.before
    finally:
        session.close()


def test_split_keys_reads_enter_either_way_and_an_escape_sequence_whole() -> None:
    assert terminal.split_keys("p\r\rq\r\n\n\x1b[Ax\x1bOP") == [
        "p", "\n", "\n", "q", "\n", "\n", "\x1b[A", "x", "\x1bOP"]


def test_typed_lines_pass_piped_lines_through_without_echo() -> None:
    source: queue.Queue[str | None] = queue.Queue()
    for item in ("12\n", "\n", "breath", None):
        source.put(item)
    out = io.StringIO()
    lines = terminal.TypedLines(source, out)
    assert lines.ready() == ["12\n", "\n", "breath", None]
    assert out.getvalue() == ""


def test_typed_lines_gather_single_keys_and_keep_a_half_typed_line_below(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "is_raw", lambda: True)
    source: queue.Queue[str | None] = queue.Queue()
    out = io.StringIO()
    lines = terminal.TypedLines(source, out)
    for key in ("1", "\x1b[A", "3"):
        source.put(key)
    assert lines.ready() == []
    lines.show("2. Balance play.")
    source.put("\x7f")
    source.put("2")
    source.put("\n")
    assert lines.get() == "12\n"
    assert out.getvalue() == "13\n2. Balance play.\n13\b \b2\n"
    source.put("\x04")  # Ctrl-D on an empty line: typing has ended
    assert lines.get() is None
