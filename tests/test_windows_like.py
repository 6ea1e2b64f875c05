"""Every command where POSIX is missing: each runs through the Windows-like harness
(`assistant/testing/windowslike.py`: no termios, tty or fcntl, and `os` and `signal`
without what Windows lacks, for the assistant's own code) and ends as it does here,
with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile

from tests.conftest import read_events

WINDOWS_LIKE = [sys.executable, "-m", "assistant.testing.windowslike"]
SHORT = "eye-contact"  # seven minutes of mostly quiet: a second or two on the virtual clock
SAID_ONCE = "may be able to read what is kept there"


def windows_like_env(tmp_path: Path) -> dict[str, str]:
    """An assistant home of its own, outside the user's profile as a shared drive would be;
    rendered speech is still shared with the other tests."""
    home, profile = tmp_path / "home", tmp_path / "profile"
    home.mkdir()
    profile.mkdir()
    shared = Path(os.environ["ASSISTANT_HOME"]) / "cache"
    (home / "cache").symlink_to(shared.resolve(), target_is_directory=True)
    return {**os.environ, "ASSISTANT_HOME": str(home), "HOME": str(profile),
            "PULSE_SERVER": "unix:/nonexistent"}


def run(env: dict[str, str], *args: str, keys: str = "") -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*WINDOWS_LIKE, *args], input=keys, capture_output=True,
                            text=True, timeout=120, env=env, cwd=env["HOME"])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_version_and_list(tmp_path: Path) -> None:
    env = windows_like_env(tmp_path)
    assert run(env, "--version").stdout.startswith("assistant ")
    listed = run(env, "list")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 24


def test_a_typed_session_stops_on_a_piped_key(tmp_path: Path) -> None:
    result = run(windows_like_env(tmp_path), "run", SHORT, "--text", "--names", "Ana,Ben",
                 keys="q\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Session stopped."


def test_a_virtual_session_with_a_microphone_file_then_its_history(tmp_path: Path) -> None:
    env = windows_like_env(tmp_path)
    soundfile.write(str(tmp_path / "mic.wav"), np.zeros(16_000 * 3, np.float32), 16_000)
    log, out = tmp_path / "events.jsonl", tmp_path / "out.wav"
    result = run(env, "run", SHORT, "--names", "Ana,Ben", "--mic-file", str(tmp_path / "mic.wav"),
                 "--out-file", str(out), "--events", str(log))
    assert result.returncode == 0, result.stderr
    events = read_events(log)
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "completed"
    assert soundfile.info(str(out)).frames >= round(events[-1]["t"] * 16_000) - 16_000
    assert result.stderr.count(SAID_ONCE) == 1  # the home is outside the profile: said once
    history = run(env, "history")
    assert history.returncode == 0 and "Eye contact" in history.stdout


def test_an_export(tmp_path: Path) -> None:
    target = tmp_path / "breathe.wav"
    result = run(windows_like_env(tmp_path), "export", "breathe", str(target),
                 "--mode", "alternating", "--cycles", "2", "--names", "Ana,Ben")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote ")
    assert soundfile.info(str(target)).duration > 10


def test_the_couple_is_kept_and_shown_and_nothing_needs_recovering(tmp_path: Path) -> None:
    env = windows_like_env(tmp_path)
    kept = run(env, "couple", "--names", "Ana,Ben")
    assert kept.returncode == 0 and "Ana (A) and Ben (B)" in kept.stdout, kept.stderr
    assert kept.stderr.count(SAID_ONCE) == 1
    shown = run(env, "couple")
    assert shown.returncode == 0 and shown.stdout.startswith("Ana (A) and Ben (B)")
    recovered = run(env, "journal", "recover")
    assert recovered.returncode == 0 and "Nothing to recover" in recovered.stdout


PROBE = """
from assistant.testing import windowslike
windowslike.install()
own = {"__name__": "assistant.probe"}
exec('''
import os, signal
seen = [hasattr(os, "fchmod"), hasattr(os, "statvfs"), "O_NONBLOCK" in dir(os),
        hasattr(signal, "SIGHUP"), hasattr(os, "getpid"), hasattr(signal, "SIGTERM")]
for statement in ("import termios", "import tty", "import fcntl", "from os import getuid"):
    try:
        exec(statement)
    except ImportError:
        seen.append("refused")
''', own)
import os, shutil, termios
print(own["seen"], hasattr(os, "statvfs"), shutil.disk_usage(".").free > 0)
"""


def test_the_harness_takes_them_away_from_the_assistant_alone() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "[False,", "False,", "False,", "False,", "True,", "True,", "'refused',",
        "'refused',", "'refused',", "'refused']", "True", "True"]
