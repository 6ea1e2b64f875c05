"""CPU of a whole live session, as a share of one core: with echo cancellation, and
(`--no-echo-cancel`) half duplex.

A private PulseAudio server stands in for the sound card; the speaker's monitor is
looped back into the microphone, so the session hears its own voice as it would
from a laptop's speakers, and a partner speaks a few sentences into the microphone
in each floor (then falls quiet, so the floor passes on). The session runs a
library exercise to its end in real time. Printed: the share over the whole run
(launch to exit, the speech rendering and model loading of start-up included), and
the share after start-up (from its first spoken prompt on), and from the first
floor on, when only listening, cancelling and playing remain. The session keeps its
journal and rendered voice in a fresh home of its own, so start-up renders every
prompt, as on a first run. Target: at most 10 % of a core.

    .venv/bin/python scripts/bench_live_cpu.py [--exercise ID] [--no-echo-cancel]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.testing.couple import SENTENCES  # noqa: E402
from assistant.testing.pulse import PulseServer  # noqa: E402
from assistant.testing.sounds import silence, spoken  # noqa: E402

SAID_IN_A_FLOOR = 3  # sentences, then quiet: the floor ends for silence


def cpu_seconds(pid: int) -> float:
    """The process's CPU time, its reaped children's (the voice's renderer) included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def turns(log: Path) -> tuple[int, bool]:
    """How many floors have opened, and whether one is open now."""
    lines = log.read_text().splitlines() if log.exists() else []
    opened = sum('"turn_start"' in line for line in lines)
    return opened, opened > sum('"turn_end"' in line for line in lines)


def partner(pulse: PulseServer, log: Path, done: threading.Event) -> None:
    """Speak a few sentences into the microphone in each floor, once it is open."""
    spoken_in = 0
    while not done.is_set():
        opened, open_now = turns(log)
        if open_now and opened > spoken_in:
            time.sleep(1.5)  # thinking before speaking
            for n in range(SAID_IN_A_FLOOR):
                text = SENTENCES[(opened + n) % len(SENTENCES)]
                pulse.play_into_mic(np.concatenate([spoken(text), silence(0.8)]))
            spoken_in = opened
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="daily-check-in")
    parser.add_argument("--no-echo-cancel", action="store_true")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds, at most")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, \
            PulseServer(Path(scratch) / "pulse") as pulse:
        pulse.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=mic",
                    "latency_msec=40")
        log = Path(scratch) / "events.jsonl"
        command = [sys.executable, "-m", "assistant", "run", args.exercise,
                   "--events", str(log), "--names", "Ana,Ben",
                   *(["--no-echo-cancel"] if args.no_echo_cancel else [])]
        launched = time.monotonic()
        home = {"ASSISTANT_HOME": str(Path(scratch) / "home"), "PYTHONPATH": str(ROOT)}
        session = subprocess.Popen(command, env={**pulse.env, **home},
                                   cwd=ROOT, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = threading.Event()
        talker = threading.Thread(target=partner, args=(pulse, log, done), daemon=True)
        talker.start()
        marks: dict[str, tuple[float, float]] = {}  # (wall, cpu) at the first of each
        ended_by, status, usage = os.wait4(session.pid, os.WNOHANG)
        while not ended_by and time.monotonic() - launched < args.timeout:
            text = log.read_text() if log.exists() else ""
            for kind in ("say_start", "turn_start"):
                if kind not in marks and f'"{kind}"' in text:
                    marks[kind] = (time.monotonic(), cpu_seconds(session.pid))
            time.sleep(0.1)
            ended_by, status, usage = os.wait4(session.pid, os.WNOHANG)
        if not ended_by:
            session.terminate()
            _, status, usage = os.wait4(session.pid, 0)
        session.returncode = status
        ended = time.monotonic()
        done.set()
        talker.join(timeout=30)
    whole = usage.ru_utime + usage.ru_stime
    print(f"{args.exercise}, {'half duplex' if args.no_echo_cancel else 'echo cancelled'}: "
          f"{ended - launched:.0f} s, exit status {status}")
    print(f"whole session: {100 * whole / (ended - launched):.1f} % of a core")
    for kind, name in (("say_start", "the first prompt"), ("turn_start", "the first floor")):
        if kind in marks:
            wall, cpu = marks[kind]
            print(f"from {name} on ({wall - launched:.1f} s in, before it "
                  f"{100 * cpu / (wall - launched):.0f} % of a core): "
                  f"{100 * (whole - cpu) / (ended - wall):.1f} % of a core")


if __name__ == "__main__":
    main()
