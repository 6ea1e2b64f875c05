"""A live duplex stream whose thread spins (as after an underrun) is restarted: PortAudio's
ALSA loop would otherwise poll in a tight loop, a whole core, for the rest of the session."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.audio import live, spin
from assistant.audio.mixer import Mixer
from assistant.testing.pulse import PulseServer

RATE = 16_000
BLOCK = 512


class FakeStream:
    def __init__(self, fails: bool = False) -> None:
        self.calls: list[str] = []
        self.fails = fails
        self.active = True

    def abort(self) -> None:
        self.calls.append("abort")
        self.active = False

    def start(self) -> None:
        if self.fails:
            raise RuntimeError("Error starting stream [PaErrorCode -9999]")
        self.calls.append("start")
        self.active = True


def flags(underflow: bool = False, overflow: bool = False) -> SimpleNamespace:
    return SimpleNamespace(output_underflow=underflow, input_overflow=overflow)


def callback(audio: live.LiveAudio, status: SimpleNamespace) -> None:
    indata = np.zeros((BLOCK, 1), dtype=np.float32)
    outdata = np.zeros((BLOCK, 1), dtype=np.float32)
    audio._duplex_callback(indata, outdata, BLOCK, SimpleNamespace(outputBufferDacTime=0.0),
                           status)


def duplex(stream: FakeStream) -> live.LiveAudio:
    audio = live.LiveAudio(RATE)
    audio._mixer, audio._stream = Mixer(RATE), stream
    return audio


@pytest.mark.parametrize("status", [flags(underflow=True), flags(overflow=True)])
def test_an_xrun_restarts_the_stream_on_the_sessions_next_look(status: SimpleNamespace) -> None:
    stream = FakeStream()
    audio = duplex(stream)
    callback(audio, flags())
    audio._check_alive()
    assert stream.calls == [] and audio.restarted == 0
    callback(audio, status)
    assert stream.calls == []  # never from the stream's own thread
    audio._check_alive()
    assert stream.calls == ["abort", "start"] and audio.restarted == 1
    audio._check_alive()  # once per xrun
    assert stream.calls == ["abort", "start"]
    assert not audio._lost.is_set() and audio.reopened == 0


def test_a_callback_thread_using_most_of_a_core_restarts_the_stream(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A spin the callback is told nothing of is seen in its own thread's CPU time."""
    clock = {"wall": 100.0, "cpu": 5.0}
    monkeypatch.setattr(spin.time, "monotonic", lambda: clock["wall"])
    monkeypatch.setattr(spin.time, "thread_time", lambda: clock["cpu"])
    stream = FakeStream()
    audio = duplex(stream)
    for wall, cpu in ((100.0, 5.0), (100.6, 5.3), (101.0, 5.02), (102.0, 5.04)):
        clock.update(wall=wall, cpu=cpu)  # 2 % of a core: its own work
        callback(audio, flags())
        audio._check_alive()
    assert stream.calls == []
    clock.update(wall=103.0, cpu=5.9)  # 86 % of a core over the last second
    callback(audio, flags())
    audio._check_alive()
    assert stream.calls == ["abort", "start"] and audio.restarted == 1


def test_a_stream_that_cannot_restart_is_a_failed_one() -> None:
    audio = duplex(FakeStream(fails=True))
    callback(audio, flags(underflow=True))
    audio._restart_spinning()
    assert audio._lost.is_set() and audio._failed and audio.restarted == 0


def test_the_watchdog_never_takes_a_restarting_stream_for_a_failed_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "WATCH_SECONDS", 0.001)
    stream = FakeStream()
    audio = duplex(stream)
    stream.active = False  # between abort and start
    with audio._restarting:
        watch = threading.Thread(target=audio._watch, args=(stream,), daemon=True)
        watch.start()
        time.sleep(0.05)
        audio._stream = None  # ends the watch
    watch.join(timeout=5)
    assert not watch.is_alive()
    assert not audio._lost.is_set() and not audio._failed


STALLED_SESSION = """
import queue, sys, time
from assistant.audio.live import LiveAudio
from assistant.audio.mixer import Mixer

audio, mixer, stalled = LiveAudio(16_000), Mixer(16_000), []

def stall(start, block):  # a second in, one block comes 0.4 s late: an underrun
    if start >= 16_000 and not stalled:
        stalled.append(start)
        time.sleep(0.4)

def run(seconds):
    inbox, end = queue.Queue(), time.monotonic() + seconds
    while time.monotonic() < end:
        audio.advance(None, inbox)  # back with each block of the microphone
        audio.read_mic()

mixer.taps.append(stall)
audio.open(mixer)
run(2.5)
cpu, wall = time.process_time(), time.monotonic()
run(2.0)
share = (time.process_time() - cpu) / (time.monotonic() - wall)
audio.close()
print(len(stalled), audio.restarted, share)
"""


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    with PulseServer(tmp_path / "pulse") as server:
        yield server


def test_after_an_underrun_a_live_duplex_stream_does_not_spin(pulse: PulseServer) -> None:
    pulse.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=mic",
                "latency_msec=40")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", STALLED_SESSION],
                            env={**pulse.env, "PYTHONPATH": str(root)}, cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    stalls, restarts, share = result.stdout.split()
    assert int(stalls) == 1 and int(restarts) >= 1
    assert float(share) < 0.3  # spinning, it was a whole core (0.95 and more)
