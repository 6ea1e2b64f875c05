"""Signals end a session the way Ctrl-C does: logged, the out-file whole, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile

from tests.conftest import read_events

ASSISTANT = [sys.executable, "-m", "assistant"]
RATE = 16_000


def long_script(path: Path) -> Path:
    """Forty different prompts: with an empty speech cache, each is synthesised in turn,
    so the virtual run lasts long enough to be interrupted in the middle."""
    steps = "".join(f'[[steps]]\nkind = "say"\ntext = "This is prompt number {n} of forty, '
                    f'said slowly and calmly."\n' for n in range(1, 41))
    path.write_text('title = "Long"\nminutes = 5\ninvitation = "Only if you like."\n' + steps,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT,
                                    signal.SIGQUIT])
def test_a_signal_during_a_virtual_run_ends_it_like_ctrl_c(signum: int, tmp_path: Path) -> None:
    log, out, scratch = tmp_path / "e.jsonl", tmp_path / "o.wav", tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    session = subprocess.Popen(
        [*ASSISTANT, "run", str(long_script(tmp_path / "long.toml")), "--out-file", str(out),
         "--events", str(log)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    deadline = time.monotonic() + 60
    while not (log.exists() and log.read_text().count("say_start") >= 3):
        assert time.monotonic() < deadline and session.poll() is None, "the session never ran"
        time.sleep(0.02)
    session.send_signal(signum)
    _, err = session.communicate(timeout=30)
    assert session.returncode == 130 and "Traceback" not in err, err  # as after Ctrl-C
    events = read_events(log)
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "stopped"
    assert sum(e["type"] == "say_start" for e in events) < 40  # stopped part-way
    info = soundfile.info(str(out))  # a whole WAV: its header counts what was written
    assert info.frames > 0 and info.frames >= round(events[-2]["t"] * RATE)
    assert out.stat().st_size == 44 + 2 * info.frames
    assert list(scratch.iterdir()) == []  # no voice folders left behind


ENTRY = """
import sys
from assistant.cli.launch import main
print("up", flush=True)
sys.exit(main())
"""


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2, 0.3])
def test_ctrl_c_during_start_up_ends_without_a_traceback(delay: float, tmp_path: Path) -> None:
    """A signal while the program is still importing and setting up. It is sent once the
    entry point (a module of a few lines, as the installed `assistant` command imports it)
    is loaded: before that, the interpreter's own start-up is out of any program's reach."""
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    starting = subprocess.Popen([sys.executable, "-c", ENTRY, "run", "eye-contact",
                                 "--out-file", str(tmp_path / "o.wav")], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert starting.stdout is not None and starting.stdout.readline() == "up\n"
    time.sleep(delay)  # real time is the point: the signal must land at a given moment
    starting.send_signal(signal.SIGINT)
    _, err = starting.communicate(timeout=30)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert starting.returncode in (0, 130)
