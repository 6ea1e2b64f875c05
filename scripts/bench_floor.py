"""The floor as couples live it: the whole library under each simulated couple.

For each profile of couple (talkative, thoughtful, quiet, silent, one that talks
over the assistant) every library exercise is run on the virtual clock with the
couple simulator, real speech detection and the real voice, and this prints:

- floors taken too early (target 0);
- sounds started over a partner's speech (target 0);
- seconds from a finished share's last word to the next sound: median and 95th
  percentile (target: p95 at most 7 s);
- each activity's length with a silent couple, as a share of its scripted length
  (target at least 0.95): the smallest and the mean;
- in a simulated room (`--room`): speech starts caused by the assistant's own echo
  (target 0), seconds of its speech at full level over a partner's per session, and
  the time from a partner's first word over a prompt to the duck (median / p95);
  `--no-echo-cancel` runs the room half duplex, as the engine did before;
- the wait from a talk's last word to its end (median), floors handed back
  (repairs), the voice's ducked seconds over partners apart from its full ones,
  and the time left waiting after a last word (every floor ended for silence) as a
  share of the session, the mean over sessions; `--fixed-patience` turns off the
  patience that follows each partner's pauses, as the engine had it before;
  `--returning` lives each exercise once before (another seed) and starts the
  measured session with the pauses that one kept, as a couple's journal does;
  `--json PATH` keeps every figure for tables.

`--before REV` measures the engine of an earlier commit the same way, beside
today's: the simulator is copied into a temporary checkout of REV, and since
older logs do not name the floor kinds, each step's kind is taken from today's
library (steps are numbered alike).

    .venv/bin/python scripts/bench_floor.py [--before REV] [--seed N]
        [--room NAME] [--no-echo-cancel] [--fixed-patience] [--profiles A,B]
        [--cap SECONDS] [--returning] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIMULATOR = ("assistant/testing/couple.py", "assistant/testing/experience.py",
             "assistant/session/commands.py", "assistant/session/adapt.py")


def measure(seed: int, hints: dict[str, dict[str, str]] | None,
            only: list[str] | None = None, room: str | None = None, echo: bool = True,
            profiles: list[str] | None = None, cap: float | None = None,
            fixed: bool = False, returning: bool = False) -> dict[str, Any]:
    """Figures per profile, for the `assistant` package on sys.path."""
    from assistant.script.library import load_library
    from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
    from assistant.testing.couple import PROFILES
    from assistant.testing.experience import judge, live_with

    voice = SystemVoice(VoiceSettings(), 16_000, Path(tempfile.mkdtemp()) / "voice")
    results: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if room:
        from assistant.testing.room import ROOMS

        extra = {"room": ROOMS[room], "echo": echo}
    if fixed:
        from assistant.session.floor import FloorSettings

        extra["settings"] = FloorSettings(adaptive=False)
    for name, profile in PROFILES.items():
        if profiles and name not in profiles:
            continue
        early = over = echoes = 0
        spoken_over: list[float] = []
        reactions: list[float] = []
        handovers: list[float] = []
        activities: list[float] = []
        more: dict[str, list[float]] = {"ducked_over": [], "talk_ends": [], "waiting": [],
                                        "repairs": []}
        for exercise in load_library():
            if only and exercise.id not in only:
                continue
            steps = (hints or {}).get(exercise.id)
            floor_of = (lambda number, steps=steps: steps.get(number, "share")) if steps \
                else None
            if cap:
                from assistant.testing.experience import shortened

                exercise = shortened(exercise, cap)
            if returning:  # the session before starts with nothing known
                before, _ = live_with(exercise, profile, voice, seed + 1,
                                      **{**extra, "pauses": None})
                ending = next(e for e in before if e.type == "session_end")
                extra["pauses"] = ending.data.get("pauses", {})
            events, couple = live_with(exercise, profile, voice, seed, floor_of=floor_of,
                                       **extra)
            lived = judge(exercise.id, name, events, couple)
            echoes += len(getattr(lived, "echo_starts", ()))
            spoken_over.append(getattr(lived, "spoken_over", 0.0))
            reactions += getattr(lived, "barge_reactions", ())
            early += len(lived.early_floors)
            over += len(lived.talked_over)
            handovers += lived.handover_seconds
            activities += lived.activity_shares
            more["repairs"].append(len(getattr(lived, "repairs", ())))
            more["ducked_over"].append(getattr(lived, "ducked_over", 0.0))
            more["talk_ends"] += getattr(lived, "talk_ends", ())
            more["waiting"].append(getattr(lived, "waited", 0.0) / lived.session_seconds)
            print(f"  {name:11s} {exercise.id:22s} early {len(lived.early_floors)} "
                  f"over {len(lived.talked_over)}", file=sys.stderr, flush=True)
        results[name] = {"early": early, "over": over, "handovers": handovers,
                         "activities": activities, "echoes": echoes,
                         "spoken_over": spoken_over, "reactions": reactions, **more}
    return results


def floor_hints() -> dict[str, dict[str, str]]:
    """Each library step's floor kind, by exercise and step number (as the plan numbers it)."""
    from assistant.script.library import load_library
    from assistant.session.plan import Names, build_plan

    hints: dict[str, dict[str, str]] = {}
    for exercise in load_library():
        for step in build_plan(exercise, Names()):
            for beat in step.beats:
                if beat.floor is not None:
                    hints.setdefault(exercise.id, {})[step.number] = beat.floor.value
    return hints


def measure_before(rev: str, seed: int, only: list[str] | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
                       check=True, capture_output=True)
        try:
            testing = tree / "assistant" / "testing"
            if (tree / "assistant" / "testing.py").exists():
                testing.mkdir()
                (tree / "assistant" / "testing.py").rename(testing / "__init__.py")
            for name in SIMULATOR:
                if not (tree / name).exists():
                    shutil.copy(ROOT / name, tree / name)
            hints = Path(folder) / "hints.json"
            hints.write_text(json.dumps(floor_hints()))
            child = subprocess.run(
                [sys.executable, __file__, "--seed", str(seed), "--hints", str(hints),
                 *(["--exercises", ",".join(only)] if only else [])],
                env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, check=True,
                stdout=subprocess.PIPE, text=True)
            return dict(json.loads(child.stdout))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)


def summary(figures: dict[str, Any]) -> str:
    handovers, activities = figures["handovers"], figures["activities"]
    if handovers:
        cut = statistics.quantiles(handovers, n=20)[-1] if len(handovers) > 1 else handovers[0]
        handover = f"{statistics.median(handovers):5.1f} / {cut:5.1f} s (n={len(handovers)})"
    else:
        handover = "none finished"
    activity = (f"min {min(activities):.2f}, mean {statistics.mean(activities):.2f}"
                if activities else "-")
    line = (f"early {figures['early']:3d} | over speech {figures['over']:3d} | "
            f"share hand-over median/p95 {handover} | activities {activity}")
    if figures.get("spoken_over"):
        reactions = figures["reactions"]
        react = (f"{statistics.median(reactions) * 1000:.0f} / "
                 f"{_p95(reactions) * 1000:.0f} ms" if reactions else "-")
        line += (f" | echo starts {figures['echoes']} | voice over partners "
                 f"{statistics.mean(figures['spoken_over']):.1f} s a session | "
                 f"barge-in median/p95 {react}")
    return line


COLUMNS = ("profile", "hand-over med/p95", "talk end", "lost", "repairs",
           "over full/ducked", "barge-in med/p95", "echo", "waiting")


def table(results: dict[str, Any]) -> str:
    """One row a profile: the figures of listening like a person, in a readable table."""
    rows = [COLUMNS]
    for name, f in results.items():
        hand, talk, react = f["handovers"], f.get("talk_ends", []), f["reactions"]
        rows.append((
            name,
            f"{statistics.median(hand):.1f} / {_p95(hand):.1f} s" if hand else "-",
            f"{statistics.median(talk):.1f} s" if talk else "-",
            str(f["early"]), str(sum(f.get("repairs", []))),
            f"{statistics.mean(f['spoken_over']):.1f} / "
            f"{statistics.mean(f.get('ducked_over') or [0.0]):.1f} s",
            f"{statistics.median(react) * 1000:.0f} / {_p95(react) * 1000:.0f} ms"
            if react else "-",
            str(f["echoes"]),
            f"{100 * statistics.mean(f.get('waiting') or [0.0]):.1f} %"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                     for row in rows)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV", help="also measure this earlier commit")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exercises", help="only these exercises, by id, comma-separated")
    parser.add_argument("--room", help="hold the sessions in this simulated room")
    parser.add_argument("--no-echo-cancel", action="store_true",
                        help="in the room, half duplex (no echo cancellation, no barge-in)")
    parser.add_argument("--fixed-patience", action="store_true",
                        help="patience that does not follow each partner's pauses")
    parser.add_argument("--returning", action="store_true",
                        help="start each session with the pauses an earlier one kept")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--profiles", help="only these profiles, comma-separated")
    parser.add_argument("--cap", type=float, help="no timed step longer than this (seconds)")
    parser.add_argument("--hints", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = args.exercises.split(",") if args.exercises else None
    if args.hints:  # a child measuring an older checkout: JSON on stdout
        hints = json.loads(args.hints.read_text())
        print(json.dumps(measure(args.seed, hints, only)))
        return
    sys.path.insert(0, str(ROOT))
    profiles = args.profiles.split(",") if args.profiles else None
    now = measure(args.seed, None, only, args.room, not args.no_echo_cancel, profiles,
                  args.cap, args.fixed_patience, args.returning)
    for name, figures in now.items():
        print(f"{name:11s} now:    {summary(figures)}", flush=True)
    print(table(now), flush=True)
    if args.json:
        args.json.write_text(json.dumps(now, indent=1))
    if args.before:
        before = measure_before(args.before, args.seed, only)
        for name, figures in before.items():
            print(f"{name:11s} before ({args.before}): {summary(figures)}")
    print("(activities: each activity's length as a share of its scripted length; the "
          "silent couple's row is the one with a target. talk end: a talk's last word to its "
          "end, median; lost: floors ended too early; over: the voice over partners, seconds "
          "a session; waiting: after last words, a share of the session, mean)")


if __name__ == "__main__":
    main()
