"""What only Windows has, with stand-ins for it: msvcrt's keys, the Windows API asked
whether a process runs and whether a volume is read-only, and the console's own ending.

The stand-ins behave as the documented calls do; each test asserts what the
assistant makes of them, through the same modules a Windows run uses.
"""

from __future__ import annotations

import errno
import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.base import errors, paths
from assistant.cli import signals, terminal
from assistant.system import keys, private, process, stops, volumes, winapi

DEADLINE = 10.0


def stand_in_msvcrt(*typed: str) -> types.ModuleType:
    """msvcrt's getwch and kbhit over keys already typed: getwch gives one UTF-16 unit,
    a special key as a prefix and then its scan code."""
    waiting: queue.Queue[str] = queue.Queue()
    for key in typed:
        waiting.put(key)
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.getwch = lambda: waiting.get(timeout=DEADLINE)  # type: ignore[attr-defined]
    msvcrt.kbhit = lambda: not waiting.empty()  # type: ignore[attr-defined]
    return msvcrt


def typed_keys(*typed: str) -> list[str]:
    """The keys the assistant reads from a console where `typed` was pressed."""
    return terminal.split_keys(keys.ConsoleKeyboard(stand_in_msvcrt(*typed)).read().decode())


def test_console_keys_read_as_a_posix_terminal_gives_them() -> None:
    assert typed_keys("p") == ["p"]
    assert typed_keys("\r") == ["\n"]  # Enter
    assert typed_keys("\xe0", "H") == ["\x1b[A"]  # up: one key, never "H" (help)
    assert typed_keys("\x00", ";") == ["\x1bOP"]  # F1
    assert typed_keys("\xe0", "\x86") == ["\x1b[134~"]  # F12: still one key
    assert typed_keys("\x1a") == [terminal.END]  # Ctrl-Z, Windows' end of typing
    assert typed_keys("\ud83d", "\ude00") == ["\U0001f600"]  # two UTF-16 halves, one key


def test_the_menu_gathers_console_keys_up_to_enter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "is_raw", lambda: True)
    source: queue.Queue[str | None] = queue.Queue()
    for key in typed_keys("8", "\x08", "7", "\r"):  # 8, Backspace, 7, Enter, typed at once
        source.put(key)
    out = io.StringIO()
    assert terminal.TypedLines(source, out).get() == "7\n"
    assert out.getvalue() == "8\b \b7\n"


def test_single_key_mode_on_a_console_reads_msvcrt_and_ends_cleanly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    msvcrt = stand_in_msvcrt("q")
    monkeypatch.setitem(sys.modules, "termios", None)  # as on Windows: no termios
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    monkeypatch.setattr(terminal, "_terminal_fd", lambda: 0)
    with terminal.keys_at_once() as on:
        assert on and terminal.is_raw()
        assert terminal.read_typed() == b"q"
    assert not terminal.is_raw()


def test_the_keyboard_is_chosen_by_what_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(keys.keyboard(0), keys.TermiosKeyboard)  # this machine
    monkeypatch.setitem(sys.modules, "termios", None)
    monkeypatch.setitem(sys.modules, "msvcrt", stand_in_msvcrt())
    assert isinstance(keys.keyboard(0), keys.ConsoleKeyboard)
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    assert keys.keyboard(0) is None  # neither: lines are read as they come


def test_without_job_control_a_console_is_always_in_the_foreground(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "tcgetpgrp")
    assert keys.in_foreground(0)


class StandInKernel32:
    """OpenProcess, GetExitCodeProcess and CloseHandle over a table of processes."""

    def __init__(self, exit_codes: dict[int, int], denied: frozenset[int] = frozenset()) -> None:
        self.exit_codes, self.denied = exit_codes, denied
        self.open: set[int] = set()
        self.error = 0

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int | None:
        assert access == process.PROCESS_QUERY_LIMITED_INFORMATION
        if pid in self.denied or pid not in self.exit_codes:
            self.error = 5 if pid in self.denied else 87  # access denied, invalid parameter
            return None
        self.open.add(pid)
        return pid

    def GetExitCodeProcess(self, handle: int, code: Any) -> int:
        code.contents.value = self.exit_codes[handle]
        return 1

    def CloseHandle(self, handle: int) -> int:
        self.open.remove(handle)
        return 1


def test_liveness_on_windows_asks_the_api_and_never_signals(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_signals(pid: int, number: int) -> None:
        raise AssertionError("os.kill(pid, 0) sends Ctrl-C to the console on Windows")

    monkeypatch.setattr(os, "kill", no_signals)
    api = StandInKernel32({100: process.STILL_ACTIVE, 200: 0}, denied=frozenset({300}))
    assert process.alive(100, api, lambda: api.error)
    assert not process.alive(200, api, lambda: api.error)  # ended, its exit code kept
    assert not process.alive(400, api, lambda: api.error)  # no such process
    assert process.alive(300, api, lambda: api.error)  # another user's: it runs
    assert api.open == set()  # every handle opened was closed


def test_liveness_here_by_signal_zero() -> None:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait(timeout=DEADLINE)
    assert process.alive(os.getpid())
    assert not process.alive(child.pid)


class StandInVolumes:
    """GetVolumePathNameW and GetVolumeInformationW for one drive."""

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.asked: list[str] = []

    def GetVolumePathNameW(self, path: str, volume: Any, size: int) -> int:
        volume.value = "C:\\"
        return 1

    def GetVolumeInformationW(self, root: str, name: None, name_size: int, serial: None,
                              length: None, flags: Any, system: None, system_size: int) -> int:
        self.asked.append(root)
        flags.contents.value = self.flags
        return 1


def test_a_read_only_volume_is_named_without_statvfs(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.delattr(os, "statvfs")
    denied = PermissionError(errno.EACCES, "Permission denied")
    drive = StandInVolumes(volumes.FILE_READ_ONLY_VOLUME | 0x2)
    monkeypatch.setattr(winapi, "kernel32", lambda: drive)
    assert "read-only file system" in errors.cause(denied, tmp_path / "journal.db")
    assert drive.asked == ["C:\\"]  # the volume's root is asked, not the folder
    monkeypatch.setattr(winapi, "kernel32", lambda: StandInVolumes(0x2))
    assert "permission to use" in errors.cause(denied, tmp_path / "journal.db")
    monkeypatch.setattr(winapi, "kernel32", lambda: None)  # neither way to tell
    assert not errors.read_only_filesystem(tmp_path)


def test_private_files_without_fchmod_or_owner_ids(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.delattr(os, "fchmod", raising=False)
    monkeypatch.delattr(os, "getuid")
    with paths.private_file(tmp_path / "names.txt") as file:
        file.write("Ana")
    assert (tmp_path / "names.txt").read_text() == "Ana"
    assert private.owned(tmp_path)  # a user's own temporary folder holds only theirs


def test_a_home_outside_the_profile_is_said_once(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    profile, elsewhere = tmp_path / "Users" / "ana", tmp_path / "shared"
    assert not private.readable_by_others(profile / "AppData", profile, modes=False)
    assert private.readable_by_others(elsewhere, profile, modes=False)
    assert not private.readable_by_others(elsewhere, profile, modes=True)  # POSIX modes
    monkeypatch.setattr(private, "OWNER_MODES", False)
    monkeypatch.setattr(private, "_told", False)
    monkeypatch.setattr(Path, "home", lambda: profile)
    monkeypatch.setenv(paths.ENV_HOME, str(elsewhere))
    paths.private_dir(elsewhere / "journal")
    paths.private_dir(elsewhere / "recordings")
    said = capsys.readouterr().err
    assert said.count("may be able to read") == 1 and str(elsewhere) in said
    assert paths.ENV_HOME in said


class StandInConsole:
    """SetConsoleCtrlHandler, and the console's events sent on a thread of its own."""

    def __init__(self) -> None:
        self.handlers: list[Any] = []
        self.answers: list[int] = []

    def SetConsoleCtrlHandler(self, handler: Any, add: bool) -> int:
        if add:
            self.handlers.append(handler)
        else:
            self.handlers.remove(handler)
        return 1

    def event(self, event: int) -> threading.Thread:
        """The console's thread that will call the handlers, latest first, once started."""
        def run() -> None:
            self.answers += [handler(event) for handler in reversed(self.handlers)]

        return threading.Thread(target=run, daemon=True)


@pytest.fixture
def process_ending() -> Iterator[threading.Event]:
    yield stops.exiting
    stops.exiting.set()  # lets a waiting handler go, as the process's end would
    stops.exiting.clear()


def test_stopping_signals_are_those_the_system_has() -> None:
    windows = types.ModuleType("signal")
    windows.SIGINT, windows.SIGTERM, windows.SIGBREAK = 2, 15, 21  # type: ignore[attr-defined]
    assert stops.stopping_signals(windows) == (2, 15, 21)
    assert stops.stopping_signals() == (signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                                        signal.SIGQUIT)


def test_ctrl_c_and_ctrl_break_are_passed_on_to_become_signals(
        process_ending: threading.Event) -> None:
    console, stopped = StandInConsole(), threading.Event()
    watch = stops.ConsoleWatch(console, stopped.set)
    for event in (0, 1):  # CTRL_C_EVENT, CTRL_BREAK_EVENT
        sending = console.event(event)
        sending.start()
        sending.join(DEADLINE)
    assert console.answers == [0, 0] and not stopped.is_set()
    watch.remove()
    assert console.handlers == []


def test_closing_the_console_ends_the_session_as_sigterm_does(
        monkeypatch: pytest.MonkeyPatch, process_ending: threading.Event) -> None:
    console = StandInConsole()
    monkeypatch.setattr(winapi, "kernel32", lambda: console)
    saved = {number: signal.getsignal(number) for number in signals.STOPPING_SIGNALS}
    try:
        signals.stop_on_signals()
        closing = console.event(stops.CTRL_CLOSE_EVENT)
        deadline = time.monotonic() + DEADLINE
        with pytest.raises(KeyboardInterrupt):
            closing.start()
            while time.monotonic() < deadline:
                time.sleep(0.001)  # the main thread at work; the stop lands between steps
        assert closing.is_alive()  # Windows may not end the process before its clean end
        process_ending.set()
        closing.join(DEADLINE)
        assert console.answers == [1]  # handled: not passed on to end the process at once
    finally:
        signals.default_signals()
        for number, handler in saved.items():
            signal.signal(number, handler)
    assert console.handlers == []  # a late close ends the process at once again


def test_no_console_handler_where_there_is_no_windows_api() -> None:
    assert winapi.kernel32() is None
    assert not stops.watch_console(lambda: None)

