"""A microphone that gives only exact zeros, live: the session and `check` say so once.

The private PulseAudio server's virtual microphone is a null sink's monitor: with
nothing played into it, it delivers exact zeros, as macOS does to a terminal that
lacks the microphone permission. Real time, each a few seconds.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.deaf import deaf_advice
from assistant.testing.pulse import PulseServer
from tests.conftest import read_events

pytestmark = pytest.mark.live

REST = """
title = "Rest"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "silence"
prompt = "Rest."
seconds = 4
"""
NOT_REACHING = "is not reaching the assistant"


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    with PulseServer(tmp_path / "pulse") as server:
        yield server


def wait_for(log: Path, process: subprocess.Popen[str], found: str, after: str = "") -> None:
    """Until `found` is in the event log (after the first `after`, if given)."""
    deadline = time.monotonic() + 30
    while True:
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        if found in text[text.find(after) if after in text else len(text):]:
            return
        assert time.monotonic() < deadline and process.poll() is None, f"no {found}"
        time.sleep(0.05)


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 130 and "Traceback" not in err, err
    return out


def test_a_session_on_a_microphone_of_exact_zeros_says_so_once_and_goes_on(
        pulse: PulseServer, tmp_path: Path) -> None:
    script, log = tmp_path / "rest.toml", tmp_path / "e.jsonl"
    script.write_text(REST, encoding="utf-8")
    session = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", str(script), "--events", str(log)],
        env=pulse.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(log, session, '"say_end"', after='"microphone_deaf"')  # it went on
    out = stop(session)
    advice = deaf_advice("linux", {})
    assert out.splitlines().count(advice) == 1 and out.count(NOT_REACHING) == 1
    told = [e for e in read_events(log) if e["type"] == "microphone_deaf"]
    assert len(told) == 1 and told[0]["advice"] == advice
    assert told[0]["t"] == pytest.approx(3.0, abs=0.1)  # the mic runs from the start


def test_check_on_a_microphone_of_exact_zeros_says_it_is_not_reaching(
        pulse: PulseServer) -> None:
    result = subprocess.run([sys.executable, "-m", "assistant", "check"], env=pulse.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    mic = [line for line in result.stdout.splitlines() if line.startswith("microphone")]
    assert mic == ["microphone: PROBLEM, the microphone (default) is not reaching the "
                   + deaf_advice("linux", {}).split(" is not reaching the ", 1)[1]]


def test_check_on_a_quiet_microphone_is_not_alarmed(pulse: PulseServer,
                                                    tmp_path: Path) -> None:
    """A silent room's noise, a few steps of the lowest bit, is not digital silence."""
    noise = np.random.default_rng(2).normal(0.0, 3.0, 20 * 16_000)
    (tmp_path / "room.raw").write_bytes(noise.astype("<i2").tobytes())
    room = subprocess.Popen(  # plays into the microphone throughout the check
        ["pacat", "--playback", "--device=mic", "--raw", "--format=s16le", "--rate=16000",
         "--channels=1", str(tmp_path / "room.raw")], env=pulse.env, stderr=subprocess.DEVNULL)
    try:
        result = subprocess.run([sys.executable, "-m", "assistant", "check"], env=pulse.env,
                                capture_output=True, text=True, timeout=60)
    finally:
        room.terminate()
        room.wait(timeout=10)
    mic = next(line for line in result.stdout.splitlines() if line.startswith("microphone"))
    assert mic.startswith("microphone: ok, default: level -") and NOT_REACHING not in mic


def test_the_menu_says_it_once_for_itself_and_the_session_it_starts(
        pulse: PulseServer, tmp_path: Path) -> None:
    log = tmp_path / "e.jsonl"
    menu = subprocess.Popen([sys.executable, "-m", "assistant", "--events", str(log)],
                            env=pulse.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert menu.stdin is not None
    wait_for(log, menu, '"microphone_deaf"')
    menu.stdin.write("3\n")
    menu.stdin.flush()
    wait_for(log, menu, '"session_start"')
    time.sleep(3.5)  # real time: the session's own microphone runs past three seconds
    out = stop(menu)
    events = read_events(log)
    start = next(e["t"] for e in events if e["type"] == "session_start")
    assert events[-1]["type"] == "session_end" and events[-1]["t"] > start + 3.2
    assert [e["type"] for e in events].count("microphone_deaf") == 1
    assert out.count(NOT_REACHING) == 1
