"""Honest lengths: each exercise's stated minutes beside a run with a typical couple.

Every library exercise (or those named) is run at full length on the virtual
clock with the couple simulator's `typical` profile, real speech detection and
the real voice, and this prints a Markdown table: the stated minutes, the
simulated length in minutes, and the difference as a share of the stated length
(target: within 15 %). A script's `minutes` is meant to be its typical length.

    .venv/bin/python scripts/bench_lengths.py [--seed N] [--jobs N] [exercise ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 0.15


def simulate(exercise_id: str, seed: int, profile: str = "typical") -> tuple[str, float, float]:
    """(id, stated minutes, simulated minutes) of one full-length run."""
    sys.path.insert(0, str(ROOT))
    from assistant.session.library import find_exercise
    from assistant.speech.voice import EspeakVoice, VoiceSettings
    from assistant.testing.couple import PROFILES
    from assistant.testing.experience import judge, live_with

    exercise = find_exercise(exercise_id)
    voice = EspeakVoice(VoiceSettings(), 16_000, Path(tempfile.mkdtemp()) / "voice")
    events, couple = live_with(exercise, PROFILES[profile], voice, seed)
    lived = judge(exercise.id, profile, events, couple)
    return exercise.id, exercise.minutes, lived.session_seconds / 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: the library)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=1, help="runs at once")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from assistant.session.library import exercise_ids

    ids = args.exercises or list(exercise_ids())
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(simulate, ids, [args.seed] * len(ids)))
    print("| exercise | stated | typical run | difference |")
    print("|---|---:|---:|---:|")
    outside = 0
    for exercise_id, stated, simulated in rows:
        share = (simulated - stated) / stated
        outside += abs(share) > TOLERANCE
        print(f"| {exercise_id} | {stated:g} min | {simulated:.1f} min | {share:+.0%} |")
    print(f"\n{len(rows) - outside} of {len(rows)} within {TOLERANCE:.0%} (seed {args.seed})")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
