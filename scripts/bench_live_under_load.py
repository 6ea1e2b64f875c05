#!/usr/bin/env python3
"""The live tests, run again and again while other work keeps every core busy.

A live test must fail only when the code is wrong, never because the machine is
loaded. This runs the tests marked `live` (real time, through PortAudio into a
private PulseAudio server) `--runs` times in a row while `--burners` processes
spin on the CPU (by default one per core), and prints, per run and in all, how
many passed, skipped and failed, with the reason of every skip and failure.

Run: .venv/bin/python scripts/bench_live_under_load.py [--runs 5] [--burners N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BURN = "while True: pass"


@dataclass
class Run:
    passed: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def run_once(report: Path) -> Run:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-m", "live", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={report}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    result = Run(seconds=time.perf_counter() - started)
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = case.get("name", "?")
        skipped = case.find("skipped")
        failed = case.find("failure")
        if failed is None:
            failed = case.find("error")
        if failed is not None:
            result.failed += 1
            result.notes.append(f"FAILED {name}: {failed.get('message', '')[:200]}")
        elif skipped is not None:
            result.skipped += 1
            result.notes.append(f"skipped {name}: {skipped.get('message', '')[:200]}")
        else:
            result.passed += 1
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="how many runs (default: 5)")
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2,
                        help="processes that keep a core busy each (default: one per core)")
    args = parser.parse_args()
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(args.burners)]
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for number in range(1, args.runs + 1):
                run = run_once(Path(folder) / f"run{number}.xml")
                runs.append(run)
                print(f"run {number}: {run.passed} passed, {run.skipped} skipped, "
                      f"{run.failed} failed, {run.seconds:.0f} s", flush=True)
                for note in run.notes:
                    print(f"  {note}", flush=True)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    print(f"\n{len(runs)} runs with {args.burners} busy processes on {os.cpu_count()} cores: "
          f"{sum(r.passed for r in runs)} passed, {sum(r.skipped for r in runs)} skipped, "
          f"{sum(r.failed for r in runs)} failed; most skips in one run: "
          f"{max((r.skipped for r in runs), default=0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
