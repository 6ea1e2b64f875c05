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

from assistant.speech.commands.models import choose_model  # noqa: E402
from assistant.speech.commands.recognizer import CommandRecognizer, load_model  # noqa: E402
from assistant.testing.sounds import silence, spoken  # noqa: E402

LOAD = """
import json, sys, time
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from assistant.speech.commands.recognizer import load_model
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


def barge_in_latency(model: Path, folder: Path) -> float:
    """Seconds from the first sound of a command said over the assistant's voice (with
    --headphones) to that voice being ducked, on the session clock: from where the
    detector says the speech began to the first output sample rendered ducked. The
    device adds its input and output latency (see `stream_latency`)."""
    from assistant.testing.pulse import PulseServer

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "talk.toml").write_text(TALK)
    log = folder / "talk.jsonl"
    with PulseServer(folder / "pulse") as pulse:
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
    barge = next(json.loads(line) for line in log.read_text().splitlines()
                 if '"barge_in"' in line)
    return float(barge["ducked_from"] - barge["speech_from"])


def stream_latency() -> tuple[float, float]:
    """PortAudio's reported input and output latency for the session's stream settings."""
    from assistant.testing.pulse import PulseServer

    with tempfile.TemporaryDirectory() as scratch, PulseServer(Path(scratch)) as pulse:
        script = ("import sounddevice as sd; s = sd.Stream(samplerate=16000, channels=1, "
                  "dtype='float32', blocksize=512, latency='low'); print(*s.latency)")
        out = subprocess.run([sys.executable, "-c", script], env=pulse.env,
                             capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


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
        device_in, device_out = stream_latency()
        worst = max(latencies) + device_in + device_out
        print("barge-in, speech over the voice (--headphones) to the voice rendered ducked, "
              f"on the session clock: {', '.join(f'{1000 * s:.0f} ms' for s in latencies)}; "
              f"the stream's input + output latency {1000 * device_in:.0f} + "
              f"{1000 * device_out:.0f} ms; worst total {1000 * worst:.0f} ms")


if __name__ == "__main__":
    main()
