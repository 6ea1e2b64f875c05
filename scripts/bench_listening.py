#!/usr/bin/env python3
"""Listening figures: end-of-turn overhead, false turn ends, false speech, live CPU.

1. End-of-turn overhead: turn_end minus (true end of speech + the patience its
   turn_start logs), over 24 utterances in virtual runs (espeak-ng voices and
   speeds, low pink noise).
2. False turn ends during natural pauses of 0.3 to 0.8 s within a turn, at the
   patience each run uses: the default, then what the journal kept of the pauses
   of the runs before it, as in a couple's sessions.
3. False speech: the share of 32 ms windows marked as speech in 60 s of white
   noise, pink noise and mains hum.
4. CPU while listening live for 60 s (a timed turn, speech and pauses played into
   a PulseAudio virtual microphone), as a share of one core.

Run: .venv/bin/python scripts/bench_listening.py [--skip-live]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.cli.main import main as assistant  # noqa: E402
from assistant.speech.detector import WINDOW, SpeechDetector, silero  # noqa: E402
from assistant.testing.pulse import PulseServer  # noqa: E402
from assistant.testing.sounds import RATE, noise, silence, spoken  # noqa: E402
from tests.conftest import read_events  # noqa: E402

SCRIPT = """
title = "Listen"
minutes = 5
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, your turn."
listener = "{B}, listen."
seconds = 120
"""
LONG_TURN = SCRIPT.replace("seconds = 120", "seconds = 75")
SENTENCES = [
    "Today was long, but I am glad we are here", "I felt nervous before the meeting",
    "Thank you for making dinner last night", "I would love a quiet weekend with you",
    "Sometimes I worry that I talk too much", "The walk by the river made me happy",
    "I noticed you seemed tired this morning", "Can we plan the trip together this week",
    "I miss the way we used to dance in the kitchen", "It helps when you just listen",
    "My mother called and it was hard", "I am proud of how we handled that",
]
VOICES = [("en-us", 160), ("en-gb", 150), ("en-us+f3", 175), ("en-gb+m3", 140),
          ("en-us+f2", 185), ("en", 165)]


def virtual_turn(folder: Path, mic: np.ndarray, script: str = SCRIPT) -> list[dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "s.toml").write_text(script)
    soundfile.write(str(folder / "mic.wav"), mic, RATE)
    log = folder / "events.jsonl"
    log.unlink(missing_ok=True)
    assistant(["run", str(folder / "s.toml"), "--mic-file", str(folder / "mic.wav"),
               "--events", str(log)])
    return read_events(log)


def turn_start(folder: Path, script: str = SCRIPT) -> float:
    events = virtual_turn(folder / "probe", silence(0.1), script)
    return float(next(e["t"] for e in events if e["type"] == "turn_start"))


def end_of_turn_overhead(folder: Path, start: float) -> list[float]:
    overheads = []
    for n in range(24):
        voice, wpm = VOICES[n % len(VOICES)]
        speech = spoken(SENTENCES[n % len(SENTENCES)], wpm=wpm, voice=voice)
        room = noise("pink", start + 10 + len(speech) / RATE, level=0.003, seed=n)
        mic = np.concatenate([silence(start + 1.0), speech, silence(8.0)])
        mic[: len(room)] += room[: len(mic)]
        true_end = start + 1.0 + len(speech) / RATE
        events = virtual_turn(folder / f"u{n}", mic)
        end = next(e for e in events if e["type"] == "turn_end")
        assert end["reason"] == "silence", end
        patience = next(e["patience"] for e in events if e["type"] == "turn_start")
        overheads.append((end["t"] - (true_end + patience)) * 1000)
    return overheads


def false_turn_ends(folder: Path, start: float) -> tuple[int, int]:
    rng = random.Random(7)
    pauses = false_ends = 0
    for n in range(12):
        voice, wpm = VOICES[n % len(VOICES)]
        parts = [silence(start + 1.0)]
        for k in range(5):
            parts.append(spoken(SENTENCES[(n + k) % len(SENTENCES)], wpm=wpm, voice=voice))
            if k < 4:
                parts.append(silence(rng.uniform(0.3, 0.8)))
                pauses += 1
        last_speech = sum(len(p) for p in parts) / RATE
        events = virtual_turn(folder / f"p{n}", np.concatenate([*parts, silence(6.0)]))
        ends = [e for e in events if e["type"] == "turn_end"]
        false_ends += sum(1 for e in ends if e["t"] < last_speech)
    return false_ends, pauses


def false_speech() -> dict[str, float]:
    shares = {}
    for kind in ("white", "pink", "hum"):
        audio = noise(kind, 60.0, level=0.05)
        detector = SpeechDetector(silero())
        marked = 0
        windows = range(0, len(audio) - WINDOW + 1, WINDOW)
        for start in windows:
            detector.feed(audio[start : start + WINDOW], start)
            marked += detector.state in ("speaking", "stopping")
        shares[kind] = 100 * marked / len(windows)
    return shares


def live_cpu(folder: Path, env: dict[str, str] | None = None) -> float:
    """Share of one core used by a live session while a turn listens for 60 s."""
    script = folder / "long.toml"
    script.write_text(LONG_TURN)
    log = folder / "live.jsonl"
    with PulseServer(folder / "pulse") as pulse:
        session = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", str(script), "--events", str(log)],
            env={**pulse.env, **(env or {})}, stdout=subprocess.DEVNULL)
        while not (log.exists() and "turn_start" in log.read_text()):
            time.sleep(0.05)
        talking = threading.Event()

        def talk() -> None:
            n = 0
            while not talking.is_set():
                pulse.play_into_mic(np.concatenate([spoken(SENTENCES[n % 12]), silence(1.0)]))
                n += 1

        talker = threading.Thread(target=talk, daemon=True)
        talker.start()
        time.sleep(2.0)
        ticks = os.sysconf("SC_CLK_TCK")
        before = cpu_seconds(session.pid, ticks)
        time.sleep(60.0)
        used = cpu_seconds(session.pid, ticks) - before
        talking.set()
        session.terminate()
        session.wait(timeout=20)
        talker.join(timeout=20)
    return 100 * used / 60.0


def cpu_seconds(pid: int, ticks: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-live", action="store_true", help="leave out the live CPU run")
    args = parser.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        start = turn_start(folder)
        overheads = end_of_turn_overhead(folder, start)
        print(f"end-of-turn overhead over {len(overheads)} utterances: median "
              f"{statistics.median(overheads):.1f} ms, 95th percentile "
              f"{np.percentile(overheads, 95):.1f} ms, latest {max(overheads):.1f} ms, "
              f"earliest {min(overheads):.1f} ms")
        ends, pauses = false_turn_ends(folder, start)
        print(f"false turn ends during {pauses} pauses of 0.3-0.8 s: {ends}")
        for kind, share in false_speech().items():
            print(f"false speech in 60 s of {kind} noise: {share:.2f}% of windows")
        if not args.skip_live:
            print(f"CPU while listening live for 60 s: {live_cpu(folder):.1f}% of one core")


if __name__ == "__main__":
    main()
