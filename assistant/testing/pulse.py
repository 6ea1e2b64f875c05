"""A private PulseAudio server with null sinks, and finding cues in what it recorded.

Machines without a sound card still run live sessions through real PortAudio:
the tests start this server, unprivileged, and play into and record from its
null sinks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
from scipy.signal import correlate

from assistant.audio.cues import CueBank
from assistant.audio.mixer import Samples
from assistant.testing.sounds import RATE


class PulseServer:
    """A private PulseAudio daemon with null sinks: a sound card for machines without one.

    Clients reach it through `env` (PULSE_SERVER); PortAudio reaches it through
    ALSA's pulse plugin. `speaker` is the default sink; its monitor source,
    `speaker.monitor`, hears everything played. Whatever is played into the `mic`
    sink comes out of `mic.monitor`, the default source: the virtual microphone.
    """

    def __init__(self, folder: Path, rate: int = RATE) -> None:
        self.folder, self.rate = folder, rate
        self.socket = folder / "native"
        self.env = {**os.environ, "PULSE_SERVER": f"unix:{self.socket}",
                    "XDG_RUNTIME_DIR": str(folder)}
        self._daemon: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PulseServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("pulseaudio") is None:
            raise RuntimeError("pulseaudio is not installed: run ./scripts/setup.sh")
        self._daemon = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--use-pid-file=no",
             "--disallow-exit", "--log-target=stderr", "--log-level=error",
             f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
             # norewinds=1: by default a null sink with no client asking for low latency
             # renders 2 s ahead of real time, and once a low-latency monitor reader is
             # attached it can no longer rewind that silence, so a new stream is heard only
             # up to 2 s late. A real card (or PipeWire) has no such delay; norewinds caps
             # the null sink's block at 50 ms, so it behaves like one.
             f"--load=module-null-sink sink_name=speaker rate={self.rate} channels=1 "
             "norewinds=1",
             f"--load=module-null-sink sink_name=mic rate={self.rate} channels=1 norewinds=1",
             "--load=module-always-sink"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode:
            if self._daemon.poll() is not None or time.monotonic() > deadline:
                error = self._daemon.stderr.read().decode() if self._daemon.stderr else ""
                self.__exit__()
                raise RuntimeError(f"PulseAudio did not start: {error.strip()}")
            time.sleep(0.05)
        self.pactl("set-default-sink", "speaker")
        self.pactl("set-default-source", "mic.monitor")
        return self

    def play_into_mic(self, samples: Samples) -> None:
        """Play `samples` into the virtual microphone, in real time (returns when done)."""
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        subprocess.run(["pacat", "--playback", "--device=mic", "--raw", "--format=s16le",
                        f"--rate={self.rate}", "--channels=1"], input=pcm, env=self.env,
                       check=True)

    @property
    def pid(self) -> int:
        assert self._daemon is not None
        return self._daemon.pid

    def freeze(self) -> None:
        """Stop the daemon (SIGSTOP): a sound server that hangs, as a stuck one does."""
        assert self._daemon is not None
        self._daemon.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._daemon is not None
        self._daemon.send_signal(signal.SIGCONT)

    @contextlib.contextmanager
    def recording_speaker(self, raw: BinaryIO) -> Iterator[list[subprocess.Popen[bytes]]]:
        """Record the speaker sink's monitor into `raw` (16-bit PCM). A steady silent
        stream keeps the sink, and so its monitor, running throughout."""
        helpers = [
            subprocess.Popen(["pacat", "--playback", "--device=speaker", "--raw",
                              "--format=s16le", f"--rate={self.rate}", "--channels=1",
                              "/dev/zero"], env=self.env, stderr=subprocess.DEVNULL),
            subprocess.Popen(["parec", "--device=speaker.monitor", "--raw", "--format=s16le",
                              f"--rate={self.rate}", "--channels=1", "--latency-msec=10"],
                             env=self.env, stdout=raw, stderr=subprocess.DEVNULL)]
        try:
            yield helpers
        finally:
            for helper in helpers:
                helper.terminate()
                helper.wait(timeout=10)

    def first_sound_after_launch(self, command: Sequence[str], env: dict[str, str],
                                 timeout: float = 60.0) -> float:
        """Seconds from launching `command` to its first loud sample at the speaker sink."""
        monitor = subprocess.Popen(
            ["parec", "--device=speaker.monitor", "--raw", "--format=s16le",
             f"--rate={self.rate}", "--channels=1", "--latency-msec=5"], env=self.env,
            stdout=subprocess.PIPE)
        heard: list[float] = []

        def listen() -> None:
            assert monitor.stdout is not None
            while not heard:
                chunk = monitor.stdout.read1(640)  # type: ignore[attr-defined]
                if not chunk:
                    return
                samples = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype=np.int16)
                loud = np.flatnonzero(np.abs(samples) > 300)
                if len(loud):  # the chunk ends now; its first loud sample sounded earlier
                    heard.append(time.monotonic() - (len(samples) - loud[0]) / self.rate)

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(0.5)  # let the recorder settle before the clock starts
        started = time.monotonic()
        launched = subprocess.Popen(list(command), env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        listener.join(timeout=timeout)
        for process in (launched, monitor):
            process.terminate()
            process.wait(timeout=10)
        if not heard:
            raise RuntimeError("no sound reached the speaker sink")
        return heard[0] - started

    def pactl(self, *args: str) -> None:
        subprocess.run(["pactl", *args], env=self.env, check=True, capture_output=True)

    def __exit__(self, *exc: object) -> None:
        if self._daemon is not None:
            self._daemon.send_signal(signal.SIGCONT)  # a frozen daemon cannot end
            self._daemon.terminate()
            self._daemon.wait(timeout=10)
            self._daemon = None


def cue_shifts(recording: Samples, cues: Sequence[tuple[float, str]], rate: int = RATE,
               search: float = 0.7) -> list[tuple[float, int]]:
    """For each (session time, kind) of a logged cue heard whole in `recording`, how many
    samples it sounds away from where the first cue's place and the log put it.

    Cues are found by matched filtering against the cue bank's waveform, up to `search`
    seconds either side; a cue whose start was dropped (it fell in a stall) is left out.
    """
    bank = CueBank(rate)
    if not cues:
        return []
    first = bank.get(cues[0][1])
    score = correlate(recording[: 60 * rate], first, mode="valid", method="fft")
    # cues of a kind are identical, so the best fit recurs: the first one is the anchor
    early = int(np.flatnonzero(score >= 0.9 * score.max())[0])
    anchor = early + int(np.argmax(score[early : early + len(first)]))
    shifts = []
    for t, kind in cues:
        template = bank.get(kind)
        expected = anchor + round((t - cues[0][0]) * rate)
        lo = max(0, expected - round(search * rate))
        hi = min(len(recording) - len(template), expected + round(search * rate))
        if hi <= lo:
            continue
        window = recording[lo : hi + len(template)]
        score = correlate(window, template, mode="valid", method="fft")
        best = int(np.argmax(score))
        heard = window[best : best + len(template)]
        fit = float(score[best]) / float(np.dot(template, template))
        level = float(np.dot(heard, heard)) / float(np.dot(template, template))
        if 0.8 < fit < 1.2 and 0.8 < level < 1.2:  # the whole cue, and only it
            shifts.append((t, lo + best - expected))
    return shifts
