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

With `--surfaces`, the other ways in are tried instead (`fuzz_surfaces.py`,
`fuzz_damage.py`, `fuzz_values.py`, `fuzz_journal.py`, `fuzz_exports.py`): microphone
files, output paths, the environment, a damaged journal, a damaged speech cache, signals,
journal values of every wrong kind, `forget` and `journal export`, the journal commands'
standard output, and the files `export` and `--out-file` write over, leave beside or
cannot name (`--surface NAME` tries one of them alone). Each surface prints the cases
tried, how many ended cleanly (finished, or refused in plain sentences), the
tracebacks, the hangs, the cases that lost data (a file changed that must not
be, a half-written line, no `session_end`, an unreadable WAV, a session that
sounded different from an undamaged one) and the loudest sample written to any
out-file. It needs root, to fill small tmpfs disks.

Run: .venv/bin/python scripts/bench_fuzz.py [--count N] [--surfaces [--surface NAME]]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
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


def surfaces(only: str | None = None) -> None:
    """Every surface's cases (or `only` one's), two at a time, and a table of what became
    of them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from fuzz_damage import CACHE_CASES, JOURNAL_CASES, SIGNAL_CASES
    from fuzz_exports import EXPORT_PATH_CASES
    from fuzz_journal import FORGET_EXPORT_CASES, STREAM_CASES
    from fuzz_names import NAME_CASES
    from fuzz_profile import PROFILE_CASES
    from fuzz_surfaces import ENV_CASES, MIC_CASES, PATH_CASES, prepare
    from fuzz_surfaces import _mic_case as mic_case
    from fuzz_trial import Result, run_trial
    from fuzz_values import VALUE_CASES

    from assistant.audio.mixer import CEILING

    table = {"mic files": {label: mic_case(make) for label, make in MIC_CASES.items()},
             "output paths": PATH_CASES, "environment": ENV_CASES,
             "journal damage": JOURNAL_CASES, "cache damage": CACHE_CASES,
             "signals": SIGNAL_CASES, "journal values": VALUE_CASES,
             "forget and journal export": FORGET_EXPORT_CASES, "streams": STREAM_CASES,
             "export paths and existing files": EXPORT_PATH_CASES}
    table |= {"profile": PROFILE_CASES, "names": NAME_CASES}
    if only is not None:
        if only not in table:
            raise SystemExit(f"--surface takes one of: {', '.join(table)}")
        table = {only: table[only]}
    with tempfile.TemporaryDirectory() as scratch:
        template = prepare(Path(scratch))

        def one_case(job: tuple[str, int, str]) -> Result:
            surface, number, label = job
            case = Path(scratch) / f"{surface.replace(' ', '-')}-{number}"
            case.mkdir()
            try:
                trial = table[surface][label](case, template)
            except (OSError, subprocess.SubprocessError) as error:
                return Result(surface, label, f"set-up failed ({error})", 0.0, "")
            return run_trial(surface, label, case, trial)

        jobs = [(surface, number, label) for surface, cases in table.items()
                for number, label in enumerate(cases)]
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(one_case, jobs))
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"limiter ceiling: {CEILING:.3f} of full scale ({20 * math.log10(CEILING):.2f} dBFS)")
    print("| surface | cases | clean | tracebacks | hangs | data lost | other | loudest sample |")
    print("|---|---|---|---|---|---|---|---|")
    for surface in table:
        mine = [r for r in results if r.surface == surface]
        counts = Counter(r.outcome for r in mine)
        other = len(mine) - sum(counts[k] for k in ("clean", "traceback", "hang", "data lost"))
        loudest = max(r.loudest for r in mine)
        shown = f"{loudest:.3f} ({20 * math.log10(loudest):.2f} dBFS)" if loudest else "—"
        print(f"| {surface} | {len(mine)} | {counts['clean']} | {counts['traceback']} | "
              f"{counts['hang']} | {counts['data lost']} | {other} | {shown} |")
    total = Counter(r.outcome for r in results)
    print(f"all: {len(results)} cases, {total['clean']} clean")
    for result in results:
        if result.outcome != "clean":
            print(f"  not clean: {result.surface}: {result.label}: {result.outcome}\n"
                  f"    {result.told}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--surfaces", action="store_true",
                        help="try mic files, output paths, the environment, journal and cache "
                             "damage, signals, journal values, forget and journal export, "
                             "streams, and export paths instead of hostile scripts")
    parser.add_argument("--surface", metavar="NAME",
                        help="with --surfaces, only this one, such as 'journal values'")
    options = parser.parse_args()
    if options.surfaces:
        surfaces(options.surface)
        return
    count = options.count
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
