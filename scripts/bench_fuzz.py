#!/usr/bin/env python3
"""Fuzz counts: hostile exercise scripts run through the command line.

Each of the generated scripts (`assistant/hostile.py`, seeded) is given to
`assistant run SCRIPT --out-file ... --events ...` in its own process, with no
sound card. Every outcome is counted: a clean refusal (exit 2, one line, no
traceback, within 5 s beyond the program's plain start-up on this machine), a
traceback, a crash (killed by a signal), a hang (no answer in 30 s), a slower
refusal, or acceptance; the slowest run and the largest
peak memory are printed too. The same scripts are then given to the loader in
this process, to time the loading alone, apart from process start-up (which on
a busy machine can take seconds by itself).

Run: .venv/bin/python scripts/bench_fuzz.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.base.errors import UserError  # noqa: E402
from assistant.script.library import find_exercise  # noqa: E402
from assistant.testing.harness import Measured, measured_run  # noqa: E402
from assistant.testing.hostile import Hostile, generate  # noqa: E402

LIMIT_SECONDS = 5.0
ENV = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}


def outcome(run: Measured | None, start_up: float = 0.0) -> str:
    """What became of one run; `start_up` is what starting the program takes here anyway."""
    if run is None:
        return "hung"
    if run.status < 0 or run.status >= 128:
        return "crashed"
    if "Traceback" in run.stderr:
        return "traceback"
    if run.status == 2 and len(run.stderr.strip().splitlines()) == 1:
        slow = run.seconds > start_up + LIMIT_SECONDS
        return "refused, slowly" if slow else "refused cleanly"
    return "accepted" if run.status == 0 else f"exit {run.status}"


def start_up_seconds(folder: Path) -> float:
    """The slowest of three plain starts (`assistant list`): the machine's own overhead."""
    return max(measured_run([sys.executable, "-m", "assistant", "list"], folder, env=ENV).seconds
               for _ in range(3))


def one(hostile: Hostile, folder: Path) -> Measured | None:
    work = folder / hostile.label
    work.mkdir()
    script = work / "script.toml"
    script.write_bytes(hostile.content)
    args = [sys.executable, "-m", "assistant", "run", str(script), "--out-file",
            str(work / "o.wav"), "--events", str(work / "e.jsonl")]
    try:
        return measured_run(args, work, timeout=30, env=ENV)
    except Exception:  # subprocess.TimeoutExpired: counted as a hang
        return None


def in_process(hostiles: list[Hostile], folder: Path) -> tuple[int, float, float]:
    """Refusals, slowest seconds and largest traced peak (MB) of the loader alone."""
    refused, slowest, largest = 0, 0.0, 0.0
    for hostile in hostiles:
        path = folder / f"{hostile.label}.toml"
        path.write_bytes(hostile.content)
        tracemalloc.start()
        started = time.perf_counter()
        try:
            find_exercise(str(path))
        except UserError:
            refused += 1
        slowest = max(slowest, time.perf_counter() - started)
        largest = max(largest, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return refused, slowest, largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    count = parser.parse_args().count
    hostiles = generate(count)
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(2) as pool:
        start_up = start_up_seconds(Path(scratch))
        runs = list(pool.map(lambda h: one(h, Path(scratch)), hostiles))
        start_up = max(start_up, start_up_seconds(Path(scratch)))
    with tempfile.TemporaryDirectory() as scratch:
        refused, slowest, largest = in_process(hostiles, Path(scratch))
    counts = Counter(outcome(run, start_up) for run in runs)
    measured = [run for run in runs if run is not None]
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"hostile scripts: {len(hostiles)}; plain start-up here: up to {start_up:.2f} s "
          f"(a refusal counts as clean within that plus {LIMIT_SECONDS:g} s)")
    for name, number in sorted(counts.items()):
        print(f"  {name}: {number}")
    print(f"slowest: {max(run.seconds for run in measured):.2f} s")
    print(f"largest peak memory: {max(run.megabytes for run in measured):.0f} MB")
    print(f"loader alone, in process: {refused} of {len(hostiles)} refused with a UserError; "
          f"slowest {slowest * 1000:.0f} ms, largest traced peak {largest:.1f} MB")
    for hostile, run in zip(hostiles, runs, strict=True):
        what = outcome(run, start_up)
        if what != "refused cleanly":
            told = run.stderr.strip()[-2000:] if run is not None else ""
            print(f"  not clean: {hostile.label}: {what}\n{told}")


if __name__ == "__main__":
    main()
