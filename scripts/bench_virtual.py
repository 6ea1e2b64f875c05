#!/usr/bin/env python3
"""Figures for the session engine.

1. How long the virtual run of the longest exercise takes, and its ratio to real
   time, with a cold speech cache (every prompt synthesised) and a warm one.
2. The time from starting a live run, against a private PulseAudio null sink, to
   the first sample of speech reaching the sink (cold cache, then warm).

Run: .venv/bin/python scripts/bench_virtual.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.script.library import load_library  # noqa: E402
from assistant.testing.pulse import PulseServer  # noqa: E402

ASSISTANT = [sys.executable, "-m", "assistant"]
LIVE_RUNS = 5


def virtual_run(exercise: str, cache: Path, folder: Path) -> tuple[float, float]:
    """Wall seconds for one virtual run, and the session's length in seconds."""
    log = folder / "events.jsonl"
    log.unlink(missing_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    started = time.perf_counter()
    subprocess.run([*ASSISTANT, "run", exercise, "--out-file", str(folder / "out.wav"),
                    "--events", str(log), "--seed", "1"], env=env, check=True)
    elapsed = time.perf_counter() - started
    last = json.loads(log.read_text().splitlines()[-1])
    return elapsed, float(last["t"])


def first_speech_latency(pulse: PulseServer, cache: Path, folder: Path) -> float:
    """Seconds from launching `assistant run` to its first loud sample at the sink."""
    env = {**pulse.env, "XDG_CACHE_HOME": str(cache)}
    return pulse.first_sound_after_launch([*ASSISTANT, "run", "eye-contact"], env, timeout=15)

def main() -> None:
    exercises = load_library()
    longest = max(exercises, key=lambda e: e.minutes)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cache = folder / "cache"
        print(f"\nvirtual run of the longest exercise, {longest.id} ({longest.minutes:g} min):")
        for label in ("cold cache", "warm cache"):
            elapsed, length = virtual_run(longest.id, cache, folder)
            print(f"  {label}: {elapsed:.2f} s for {length:.0f} s of session "
                  f"= {length / elapsed:.0f}x real time")

        print("\nlive start to first sample of speech (PulseAudio null sink):")
        live_cache = folder / "live-cache"
        with PulseServer(folder / "pulse") as pulse:
            cold = first_speech_latency(pulse, live_cache, folder)
            warm = [first_speech_latency(pulse, live_cache, folder) for _ in range(LIVE_RUNS)]
        print(f"  cold cache: {cold:.3f} s")
        print(f"  warm cache: median {statistics.median(warm):.3f} s, "
              f"worst {max(warm):.3f} s over {LIVE_RUNS} runs")


if __name__ == "__main__":
    main()
