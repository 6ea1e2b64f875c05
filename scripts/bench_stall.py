#!/usr/bin/env python3
"""Cue timing after a stall: the process stopped for half a second mid-breathing.

A live session (`assistant run` of a short breathing script, a cue every 2 s)
plays into a private PulseAudio null sink whose monitor is recorded. A second
after the first cue the session's process is stopped (SIGSTOP) for `--stall`
seconds, then continued (SIGCONT). Each cue in the event log is then found in
the recording by matched filtering; its shift is the distance from where the
first cue and the log say it belongs. Printed: every cue's shift and the largest
shift among the cues after the stall. Then the sound server itself is frozen
(SIGSTOP) mid-prompt, `--freezes` times, and the time until the session logs
`device_lost` is printed (the watchdog's promise: within 3 s).

On a machine busy with other work the stream underruns again and again, and the
grid cannot be measured (the number of underruns is printed); `--priority N`
runs the sound server, the session and the recorder N steps above normal
(negative niceness, so it needs root), as a desktop's sound server is.

Run: .venv/bin/python scripts/bench_stall.py [--stall 0.5] [--priority 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.testing.pulse import PulseServer, cue_shifts  # noqa: E402

RATE = 16_000
SCRIPT = """
title = "Stall"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "breathe"
prompt = "Breathe."
pattern = "2-2"
seconds = 10
"""


def raise_priority(pid: int, steps: int) -> None:
    if steps:
        os.setpriority(os.PRIO_PROCESS, pid, -steps)


def stalled_session(folder: Path, stall: float,
                    priority: int = 0) -> tuple[list[tuple[float, int]], float]:
    """Cue shifts (session time, samples) and the session time after which the stall
    was surely over."""
    script, log, raw = folder / "stall.toml", folder / "e.jsonl", folder / "speaker.raw"
    script.write_text(SCRIPT, encoding="utf-8")
    with PulseServer(folder / "pulse") as pulse, raw.open("wb") as sink, \
            pulse.recording_speaker(sink) as helpers:
        session = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", str(script), "--events", str(log),
             "--mono", "--debug"],
            env=pulse.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for pid in (pulse.pid, session.pid, *(helper.pid for helper in helpers)):
            raise_priority(pid, priority)
        deadline = time.monotonic() + 30
        while not (log.exists() and '"cue"' in log.read_text()):
            if time.monotonic() > deadline or session.poll() is not None:
                raise RuntimeError("the session played no cue")
            time.sleep(0.01)
        first_seen = time.monotonic()
        time.sleep(1.0)
        stopped_at = time.monotonic() - first_seen
        session.send_signal(signal.SIGSTOP)
        time.sleep(stall)
        session.send_signal(signal.SIGCONT)
        try:
            _, err = session.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            session.kill()
            _, err = session.communicate()
            raise RuntimeError(f"the session hung: {err} {log.read_text()}") from None
        if session.returncode != 0:
            raise RuntimeError(f"the session failed: {err}")
        print(f"underruns reported by ALSA: {err.count('underrun occurred')} "
              "(the stall itself causes one or two)")
        time.sleep(0.3)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    cues = [(float(e["t"]), str(e["kind"])) for e in events if e["type"] == "cue"
            and e["kind"] != "bell"]
    recording = (np.fromfile(raw, dtype=np.int16) / 32768).astype(np.float32)
    # the first cue was seen in the log up to the logic's lead (0.1 s) early
    over = cues[0][0] + stopped_at + stall + 0.2
    return cue_shifts(recording, cues, RATE), over


def frozen_server_noticed(folder: Path) -> float:
    """Seconds from freezing the sound server (SIGSTOP) mid-prompt to `device_lost` in the
    log: the watchdog's promise is 3 s."""
    log = folder / "e.jsonl"
    with PulseServer(folder / "pulse") as pulse:
        session = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "eye-contact", "--events", str(log)],
            env=pulse.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not (log.exists() and "say_start" in log.read_text()):
                if time.monotonic() > deadline or session.poll() is not None:
                    raise RuntimeError("the session never spoke")
                time.sleep(0.01)
            time.sleep(1.0)  # the stream is playing the opening prompt
            pulse.freeze()
            frozen = time.monotonic()
            while "device_lost" not in log.read_text():
                if time.monotonic() > frozen + 30:
                    raise RuntimeError("the frozen server was never noticed")
                time.sleep(0.005)
            return time.monotonic() - frozen
        finally:
            pulse.thaw()
            session.kill()
            session.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stall", type=float, default=0.5)
    parser.add_argument("--priority", type=int, default=0)
    parser.add_argument("--freezes", type=int, default=3,
                        help="times to freeze the sound server and time the notice "
                             "(default: %(default)s)")
    args = parser.parse_args()
    stall = args.stall
    with tempfile.TemporaryDirectory() as scratch:
        shifts, over = stalled_session(Path(scratch), stall, args.priority)
        notices = [frozen_server_noticed(Path(scratch) / f"freeze{n}")
                   for n in range(args.freezes)]
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"stall: {stall:g} s, priority +{args.priority}, {len(shifts)} cues heard whole")
    for t, shift in shifts:
        print(f"  cue at {t:8.3f} s: {1000 * shift / RATE:+8.2f} ms"
              + ("  (after the stall)" if t > over else ""))
    after = [abs(shift) for t, shift in shifts if t > over]
    if after:
        print(f"largest shift after the stall: {1000 * max(after) / RATE:.2f} ms "
              f"({len(after)} cues)")
    if notices:
        print("frozen sound server noticed after: "
              + ", ".join(f"{seconds:.2f} s" for seconds in notices)
              + f" (largest {max(notices):.2f} s; the promise is 3 s)")


if __name__ == "__main__":
    main()
