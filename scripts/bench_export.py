#!/usr/bin/env python3
"""Exports measured: speed, size, loudness and peaks per format; memory by length; walks.

Formats: renders `walk-in-sync` fitted to ten minutes, in stereo for two earbuds,
and exports it to every format the export knows, as `assistant export` does. Per
format: how many times faster than real time the whole export runs (render,
levelling, encoding, tags), the file's size a minute, and, decoded back with
soundfile, its integrated loudness (pyloudnorm) and its true peak (four times
oversampled with scipy, independently of the export's own).

Memory (--memory MINUTES...): `assistant export` of a script of that many minutes
(breathing in turn, walking and a quiet phase with chimes in equal parts),
stereo Opus, each in a child process of its own; its high-water RSS
(ru_maxrss of that child alone, from wait4) and how long it took.

Walks (--walk): `assistant export walk` (ten minutes at 100 steps a minute, stereo)
in each format, decoded and measured as above.

Run: .venv/bin/python scripts/bench_export.py [PRACTICE] [MINUTES] [--memory 10 60 240]
     [--walk] [--no-formats]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.audio.io import SESSION_RATE  # noqa: E402
from assistant.export.file import export_file  # noqa: E402
from assistant.export.fit import fitted  # noqa: E402
from assistant.export.formats import CODECS  # noqa: E402
from assistant.export.practice import for_a_file  # noqa: E402
from assistant.export.render import RenderSettings  # noqa: E402
from assistant.script.library import find_exercise  # noqa: E402
from assistant.session.plan import Names  # noqa: E402
from assistant.speech.voice.choice import open_voice, voice_cache  # noqa: E402
from assistant.speech.voice.level import LevelledVoice  # noqa: E402
from assistant.speech.voice.rendering import VoiceSettings  # noqa: E402

STEPS = (  # what a long script is made of, in turn
    'kind = "breathe"\nprompt = "Breathe in turn with the sounds."\nmode = "alternating"\n',
    'kind = "pace"\nprompt = "Walk side by side, a step on each tick."\nspm = 100\n',
    'kind = "silence"\nprompt = "Rest together in the quiet."\nchime_every = 60\n',
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("practice", nargs="?", default="walk-in-sync")
    parser.add_argument("minutes", nargs="?", type=float, default=10.0)
    parser.add_argument("--memory", nargs="+", type=float, metavar="MINUTES",
                        help="peak memory of exports this many minutes long")
    parser.add_argument("--walk", action="store_true", help="a walk in every format")
    parser.add_argument("--no-formats", action="store_true", help="skip the format table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("ASSISTANT_HOME", str(Path(folder) / "home"))
        if not args.no_formats:
            formats(args.practice, args.minutes, Path(folder))
        if args.walk:
            walks(Path(folder))
        if args.memory:
            memory(args.memory, Path(folder))


def formats(practice: str, minutes: float, folder: Path) -> None:
    names = Names("Ana", "Ben")
    exercise = for_a_file(fitted(find_exercise(practice), minutes, names, 160))
    voice = LevelledVoice(open_voice(VoiceSettings(None, 160), SESSION_RATE, voice_cache()),
                          SESSION_RATE)
    settings = RenderSettings(names, seed=1, channels=2, progress=False)
    export_file(exercise, voice, folder / "warm.wav", settings)  # the speech cache filled
    print(f"{practice}, {minutes:g} min asked, stereo; load average "
          f"{os.getloadavg()[0]:.1f}")
    print("| format | export speed (times real time) | size a minute | loudness | true peak |")
    print("|---|---|---|---|---|")
    for suffix in CODECS:
        path = folder / f"out{suffix}"
        began = time.perf_counter()
        done = export_file(exercise, voice, path, settings)
        spent = time.perf_counter() - began
        lufs, peak = measured(path)
        size = path.stat().st_size / (done.seconds / 60) / 1e6
        print(f"| {suffix} | {done.seconds / spent:.0f} | {size:.2f} MB | {lufs:.1f} LUFS | "
              f"{peak:.1f} dBTP |", flush=True)
    voice.close()


def walks(folder: Path) -> None:
    print("\nWalk, 10 min at 100 steps a minute, stereo:")
    print("| format | loudness | true peak | size a minute |")
    print("|---|---|---|---|")
    for suffix in CODECS:
        path = folder / f"walk{suffix}"
        subprocess.run([sys.executable, "-m", "assistant", "export", "walk", str(path),
                        "--minutes", "10", "--names", "Ana,Ben", "--seed", "1"],
                       cwd=ROOT, check=True, capture_output=True)
        lufs, peak = measured(path)
        minutes = soundfile.info(str(path)).duration / 60
        print(f"| {suffix} | {lufs:.1f} LUFS | {peak:.2f} dBTP | "
              f"{path.stat().st_size / minutes / 1e6:.2f} MB |", flush=True)


def memory(lengths: list[float], folder: Path) -> None:
    print("\nExport of a script of M minutes, stereo Opus, in a child process:")
    print("| minutes | file length | peak RSS | time |")
    print("|---|---|---|---|")
    for minutes in lengths:
        script = long_script(folder / f"long-{minutes:g}.toml", minutes)
        path = folder / f"long-{minutes:g}.opus"
        rss, spent = child_peak([sys.executable, "-m", "assistant", "export", str(script),
                                 str(path), "--names", "Ana,Ben", "--seed", "1"])
        length = soundfile.info(str(path)).duration / 60
        print(f"| {minutes:g} | {length:.1f} min | {rss / 2**20:.0f} MB | {spent:.0f} s |",
              flush=True)
        path.unlink()


def long_script(path: Path, minutes: float) -> Path:
    """A script of about `minutes`: breathing, walking and quiet in equal parts, each
    at most an hour, and a minute left for the words."""
    parts = len(STEPS) * math.ceil(math.ceil((minutes - 1.0) / 60) / len(STEPS))
    steps = [f"[[steps]]\n{STEPS[number % len(STEPS)]}minutes = {(minutes - 1) / parts:.2f}\n"
             for number in range(parts)]
    path.write_text(f'title = "Long practice"\nminutes = {minutes:g}\n'
                    'invitation = "Only if you both like."\n\n' + "\n".join(steps))
    return path


def child_peak(command: list[str]) -> tuple[int, float]:
    """The child's high-water resident memory in bytes (Linux counts ru_maxrss in KB),
    and its wall-clock time."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {errors.read().decode()}")
    return usage.ru_maxrss * 1024, time.perf_counter() - began


def measured(path: Path) -> tuple[float, float]:
    """Integrated loudness (pyloudnorm) and true peak (scipy, 4x) of the decoded file."""
    audio, rate = soundfile.read(str(path), always_2d=True)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(audio)
    peak = 20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max())
    return float(lufs), float(peak)


if __name__ == "__main__":
    main()
