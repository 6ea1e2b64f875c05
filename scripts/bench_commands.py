#!/usr/bin/env python3
"""Voice-command figures, with whatever Vosk model sessions would use.

Prints the model's load time and resident memory, its decoding time per second of
speech (real-time factor) on speech segments decoded through the command grammar,
and the CPU a live session uses while listening for 60 s with the recognizer gated
by speech detection (speech and pauses played into a PulseAudio virtual mic).

Run: .venv/bin/python scripts/bench_commands.py [--model PATH] [--skip-live]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from assistant.speech.models import choose_model  # noqa: E402
from assistant.speech.recognizer import CommandRecognizer, load_model  # noqa: E402
from assistant.testing import silence, spoken  # noqa: E402

LOAD = """
import json, sys, time
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from assistant.speech.recognizer import load_model
before = rss()
started = time.perf_counter()
load_model(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - started, "mb": rss() - before,
                  "total_mb": rss()}))
"""
SEGMENTS = {"ko": ["다음", "정지", "다시", "잠깐만요", "오늘 정말 좋았어요",
                   "다음 주에 다시 만나요"],
            "en": ["next", "go back", "how much time is left", "i'm done",
                   "i think we should stop for today", "where are we"]}


def load_figures(model: Path) -> dict[str, float]:
    """In a fresh process, so the memory is the model's alone."""
    out = subprocess.run([sys.executable, "-c", LOAD, str(model)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def real_time_factor(model: Path) -> tuple[float, str]:
    recognizer = CommandRecognizer(load_model(model))
    language = recognizer.book.language
    voice = "ko" if language == "ko" else "en-us"
    speech_seconds = decode_seconds = 0.0
    for text in SEGMENTS.get(language, SEGMENTS["en"]) * 3:
        segment = np.concatenate([silence(0.1), spoken(text, voice=voice), silence(0.2)])
        started = time.perf_counter()
        recognizer.decode(segment)
        decode_seconds += time.perf_counter() - started
        speech_seconds += len(segment) / 16_000
    return decode_seconds / speech_seconds, language


TALK = """
title = "Talk"
minutes = 2
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "Here is a long instruction, spoken slowly, so that there is time to interrupt it. \
Take your time, settle in, and notice your breath. Feel your feet on the floor, and your \
hands resting. There is nothing to do and nowhere to be. We will begin in a moment."
"""


detected: list[float] = []  # on the session clock: speech began -> duck applied


def barge_in_latency(model: Path, folder: Path) -> float:
    """Seconds from the first sound of a command said over the assistant's voice (with
    --headphones) to that voice dropping below a third of its level, on the sink."""
    from assistant.testing import PulseServer

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "talk.toml").write_text(TALK)
    log = folder / "talk.jsonl"
    with PulseServer(folder / "pulse") as pulse:
        helpers = []
        for sink in ("speaker", "mic"):  # keep both sinks running, so recordings align
            helpers.append(subprocess.Popen(
                ["pacat", "--playback", f"--device={sink}", "--raw", "--format=s16le",
                 "--rate=16000", "--channels=1", "/dev/zero"], env=pulse.env,
                stderr=subprocess.DEVNULL))
        recordings = {}
        for sink in ("speaker", "mic"):
            path = folder / f"{sink}.raw"
            recordings[sink] = path
            helpers.append(subprocess.Popen(
                ["parec", f"--device={sink}.monitor", "--raw", "--format=s16le",
                 "--rate=16000", "--channels=1"], env=pulse.env, stdout=path.open("wb"),
                stderr=subprocess.DEVNULL))
        time.sleep(1.0)
        session = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", str(folder / "talk.toml"),
             "--headphones", "--events", str(log)],
            env={**pulse.env, "ASSISTANT_VOSK_MODEL": str(model.resolve())},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not (log.exists() and "say_start" in log.read_text()):
            time.sleep(0.05)
        time.sleep(6.0)  # into the long instruction
        word = {"ko": "정지", "en": "stop"}[CommandRecognizer(load_model(model)).book.language]
        pulse.play_into_mic(spoken(word, voice="ko" if word == "정지" else "en-us"))
        session.wait(timeout=30)
        time.sleep(0.5)
        for helper in helpers:
            helper.terminate()
            helper.wait()
    barge = next(json.loads(line) for line in log.read_text().splitlines()
                 if '"barge_in"' in line)
    detected.append(barge["t"] - barge["speech_from"])
    speaker, mic = (np.fromfile(recordings[s], dtype=np.int16).astype(np.float32) / 32768
                    for s in ("speaker", "mic"))
    onset = int(np.flatnonzero(np.abs(mic) > 0.02)[0])
    frame = 160  # 10 ms
    before = np.abs(speaker[onset - 16_000 : onset]).max()
    after = speaker[onset:]
    levels = np.abs(after[: len(after) // frame * frame]).reshape(-1, frame).max(axis=1)
    loud = np.flatnonzero(levels >= before / 3)
    # ducked, then stopped by the command: the voice never comes back to its level, so
    # the end of its last loud frame is where the partner's word took over
    return 0.0 if not len(loud) else (int(loud[-1]) + 1) * frame / 16_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--skip-live", action="store_true")
    args = parser.parse_args()
    model = choose_model(args.model)
    if model is None:
        sys.exit("No speech model: install one (assistant models download) or pass --model.")
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
    print(f"model: {model}")
    load = load_figures(model)
    print(f"load: {load['seconds']:.2f} s, resident memory +{load['mb']:.0f} MB "
          f"(process total {load['total_mb']:.0f} MB)")
    rtf, language = real_time_factor(model)
    print(f"decoding through the {language} command grammar: real-time factor {rtf:.3f}")
    if not args.skip_live:
        import bench_listening

        with tempfile.TemporaryDirectory() as scratch:
            cpu = bench_listening.live_cpu(Path(scratch),
                                           {"ASSISTANT_VOSK_MODEL": str(model.resolve())})
        print(f"CPU while listening live for 60 s with voice commands: {cpu:.1f}% of one core")
        with tempfile.TemporaryDirectory() as scratch:
            latencies = [barge_in_latency(model, Path(scratch) / str(n)) for n in range(5)]
        print("barge-in, a command said over the voice (--headphones) to the voice dropping "
              f"at the sink: {', '.join(f'{1000 * s:.0f} ms' for s in latencies)}; "
              "of which detection on the session clock: "
              f"{', '.join(f'{1000 * s:.0f} ms' for s in detected)}")


if __name__ == "__main__":
    main()
