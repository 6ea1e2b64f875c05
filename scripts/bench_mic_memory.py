#!/usr/bin/env python3
"""Peak memory with a long microphone file: 60 minutes of 48 kHz stereo.

Writes a 60-minute 48 kHz stereo 16-bit WAV (about 660 MB, pink noise), then
measures, each in its own process (peak resident memory of that process alone):

1. the virtual microphone reading the whole file on the session clock, one
   second at a time, as a session does (`VirtualAudio.read_mic`);
2. `assistant breathe --minutes 2 --mic-file FILE --out-file OUT`, a whole
   session with that file as its microphone.

Run: .venv/bin/python scripts/bench_mic_memory.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.testing.harness import measured_run  # noqa: E402
from assistant.testing.sounds import noise  # noqa: E402

FILE_RATE = 48_000


def write_long_wav(path: Path, minutes: float) -> None:
    block = noise("pink", 60.0, level=0.05, rate=FILE_RATE)
    stereo = np.stack([block, block[::-1]], axis=1)
    with soundfile.SoundFile(str(path), "w", samplerate=FILE_RATE, channels=2,
                             subtype="PCM_16") as file:
        for _ in range(round(minutes)):
            file.write(stereo)


def read_through(path: Path) -> None:
    """What a session does with its microphone: read it up to the clock, second by second."""
    from assistant.audio.mixer import Mixer
    from assistant.audio.virtual import VirtualAudio

    audio, mixer = VirtualAudio(16_000, mic_file=path), Mixer(16_000)
    audio.open(mixer)
    heard = 0
    while not audio.input_ended:
        audio.advance(mixer.now + 16_000, queue.Queue())
        heard += len(audio.read_mic())
    audio.close()
    print(f"read {heard / 16_000 / 60:.1f} minutes of microphone", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--read-through", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read_through:
        read_through(args.read_through)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        wav = folder / "long.wav"
        write_long_wav(wav, args.minutes)
        size = wav.stat().st_size / 2**20
        reader = measured_run([sys.executable, __file__, "--read-through", str(wav)], folder,
                              timeout=3600)
        session = measured_run(
            [sys.executable, "-m", "assistant", "breathe", "--minutes", "2", "--mic-file",
             str(wav), "--out-file", str(folder / "out.wav")], folder, timeout=3600)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"mic file: {args.minutes:g} min, {FILE_RATE} Hz stereo 16-bit, {size:.0f} MB")
    print(f"virtual microphone read whole, 1 s at a time: peak {reader.megabytes:.0f} MB, "
          f"{reader.seconds:.1f} s (exit {reader.status}) {reader.stderr.strip()}")
    print(f"assistant breathe --minutes 2 with it: peak {session.megabytes:.0f} MB, "
          f"{session.seconds:.1f} s (exit {session.status})")


if __name__ == "__main__":
    main()
