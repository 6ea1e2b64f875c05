"""Honest lengths: each exercise's stated minutes beside a run with a typical couple.

Every library exercise (or those named) is run at full length on the virtual
clock with the couple simulator's `typical` profile, real speech detection and
the real voice, once for each seed, and this prints a Markdown table: the stated
minutes, the mean simulated length with each run's, and the difference of the
mean as a share of the stated length (target: within 15 %). A script's
`minutes` is meant to be its typical length.
Beside them, for scale, the longest run: nobody heard, so every floor runs to
its time. Each exercise is run as a sighted couple does it, and, where its script
has them, in its low-vision and seated versions (a version with no steps of its
own is the sighted one, shown as "same"); the difference is the largest of them.
Every run is a first visit: the whole invitation, and a closing.

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


VERSIONS = {"sighted": (False, False), "low vision": (True, False), "seated": (False, True)}


def simulate(exercise_id: str, seed: int, version: str = "sighted",
             profile: str = "typical") -> tuple[str, float, float, float]:
    """(id, stated minutes, simulated minutes, longest minutes) of full-length runs."""
    sys.path.insert(0, str(ROOT))
    from assistant.audio.cues import CueBank
    from assistant.audio.mixer import Mixer
    from assistant.audio.virtual import VirtualAudio
    from assistant.engine.runner import SessionRunner
    from assistant.script.alternatives import for_needs
    from assistant.script.library import find_exercise
    from assistant.script.wordings import Visit, for_visit
    from assistant.session.events import Event
    from assistant.session.machine import SessionMachine
    from assistant.session.plan import Names, build_plan
    from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
    from assistant.testing.couple import PROFILES, RATE
    from assistant.testing.experience import judge, live_with

    exercise = for_visit(for_needs(find_exercise(exercise_id), *VERSIONS[version]), Visit())
    voice = SystemVoice(VoiceSettings(), RATE, Path(tempfile.mkdtemp()) / "voice")
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
    from assistant.script.library import exercise_ids, find_exercise

    ids = args.exercises or list(exercise_ids())
    seeds = args.seeds or [7, 3]
    own = {(e, "low vision") for e in ids if find_exercise(e).low_vision}
    own |= {(e, "seated") for e in ids if find_exercise(e).seated}
    runs = [(e, seed, version) for e in ids for version in VERSIONS for seed in seeds
            if version == "sighted" or (e, version) in own]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(simulate, *zip(*runs, strict=True)))
    lengths: dict[tuple[str, str], list[float]] = {}
    facts: dict[str, tuple[float, float]] = {}
    for (exercise_id, _, version), row in zip(runs, rows, strict=True):
        lengths.setdefault((exercise_id, version), []).append(row[2])
        if version == "sighted":
            facts[exercise_id] = (row[1], row[3])
    print("| exercise | stated | sighted (each run) | low vision | seated | difference "
          "| longest run |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    outside = 0
    for exercise_id in ids:
        stated, longest = facts[exercise_id]
        means = {v: sum(x) / len(x) for v in VERSIONS
                 if (x := lengths.get((exercise_id, v)))}
        share = max(((mean - stated) / stated for mean in means.values()), key=abs)
        outside += abs(share) > TOLERANCE
        each = ", ".join(f"{length:.1f}" for length in lengths[exercise_id, "sighted"])
        cells = [f"{means[v]:.1f} min" if v in means else "same"
                 for v in ("low vision", "seated")]
        print(f"| {exercise_id} | {stated:g} min | {means['sighted']:.1f} min ({each}) | "
              f"{cells[0]} | {cells[1]} | {share:+.0%} | {longest:.1f} min |")
    print(f"\n{len(ids) - outside} of {len(ids)} within {TOLERANCE:.0%} in every version "
          f"(seeds {', '.join(map(str, seeds))})")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
