"""Honest lengths: each exercise's stated minutes beside a run with a typical couple.

Every library exercise (or those named) is run at full length on the virtual
clock with the couple simulator's `typical` profile, real speech detection and
the real voice, once for each seed, and this prints a Markdown table: the stated
minutes, the mean simulated length with each run's, and the difference of the
mean as a share of the stated length (target: within 15 %). A script's
`minutes` is meant to be its typical length.
Beside them, for scale, the longest run: nobody heard, so every floor runs to
its time.

    .venv/bin/python scripts/bench_lengths.py [--seed N ...] [--jobs N] [exercise ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 0.15


def simulate(exercise_id: str, seed: int,
             profile: str = "typical") -> tuple[str, float, float, float]:
    """(id, stated minutes, simulated minutes, longest minutes) of full-length runs."""
    sys.path.insert(0, str(ROOT))
    from assistant.audio.cues import CueBank
    from assistant.audio.mixer import Mixer
    from assistant.audio.virtual import VirtualAudio
    from assistant.engine.runner import SessionRunner
    from assistant.script.library import find_exercise
    from assistant.session.events import Event
    from assistant.session.machine import SessionMachine
    from assistant.session.plan import Names, build_plan
    from assistant.speech.voice.rendering import EspeakVoice, VoiceSettings
    from assistant.testing.couple import PROFILES, RATE
    from assistant.testing.experience import judge, live_with

    exercise = find_exercise(exercise_id)
    voice = EspeakVoice(VoiceSettings(), RATE, Path(tempfile.mkdtemp()) / "voice")
    events, couple = live_with(exercise, PROFILES[profile], voice, seed)
    lived = judge(exercise.id, profile, events, couple)
    unheard: list[Event] = []
    machine = SessionMachine(build_plan(exercise, Names("Ana", "Ben"), seed), RATE)
    SessionRunner(machine, VirtualAudio(RATE), Mixer(RATE), voice, CueBank(RATE),
                  [unheard.append]).run()
    return exercise.id, exercise.minutes, lived.session_seconds / 60, \
        unheard[-1].sample / RATE / 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: the library)")
    parser.add_argument("--seed", type=int, action="append", dest="seeds",
                        help="a couple's seed; give it again for more runs (default: 7 and 3)")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from assistant.script.library import exercise_ids

    ids = args.exercises or list(exercise_ids())
    seeds = args.seeds or [7, 3]
    runs = [(exercise_id, seed) for exercise_id in ids for seed in seeds]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(simulate, *zip(*runs, strict=True)))
    print("| exercise | stated | typical run (mean) | each run | difference | longest run |")
    print("|---|---:|---:|---:|---:|---:|")
    outside = 0
    for n, exercise_id in enumerate(ids):
        mine = rows[n * len(seeds) : (n + 1) * len(seeds)]
        stated, longest = mine[0][1], mine[0][3]
        lengths = [row[2] for row in mine]
        mean = sum(lengths) / len(lengths)
        share = (mean - stated) / stated
        outside += abs(share) > TOLERANCE
        each = ", ".join(f"{length:.1f}" for length in lengths)
        print(f"| {exercise_id} | {stated:g} min | {mean:.1f} min | {each} | {share:+.0%} "
              f"| {longest:.1f} min |")
    print(f"\n{len(ids) - outside} of {len(ids)} within {TOLERANCE:.0%} "
          f"(seeds {', '.join(map(str, seeds))})")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
