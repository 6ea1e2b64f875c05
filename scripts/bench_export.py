#!/usr/bin/env python3
"""Exporting a ten-minute practice to each format: speed, size, loudness, peaks.

Renders `walk-in-sync` fitted to ten minutes, in stereo for two earbuds, once on
the virtual clock, then masters and writes it in every format the export knows,
as `assistant export` does. Per format: how many times faster than real time the
whole export runs (the render counted in each), the file's size a minute, and,
decoded back with soundfile, its integrated loudness (pyloudnorm) and its true
peak (four times oversampled with scipy, independently of the export's own).

Run: .venv/bin/python scripts/bench_export.py [PRACTICE] [MINUTES]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.audio.io import SESSION_RATE  # noqa: E402
from assistant.export.chapters import Chapter  # noqa: E402
from assistant.export.file import ARTIST  # noqa: E402
from assistant.export.fit import fitted  # noqa: E402
from assistant.export.formats import CODECS, Codec  # noqa: E402
from assistant.export.mastering import master  # noqa: E402
from assistant.export.practice import for_a_file  # noqa: E402
from assistant.export.render import RenderSettings, render  # noqa: E402
from assistant.export.tags import Tags, write_tags  # noqa: E402
from assistant.export.target import write_atomically  # noqa: E402
from assistant.script.library import find_exercise  # noqa: E402
from assistant.session.plan import Names  # noqa: E402
from assistant.speech.voice.choice import open_voice, voice_cache  # noqa: E402
from assistant.speech.voice.level import LevelledVoice  # noqa: E402
from assistant.speech.voice.rendering import VoiceSettings  # noqa: E402


def main() -> None:
    practice = sys.argv[1] if len(sys.argv) > 1 else "walk-in-sync"
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    names = Names("Ana", "Ben")
    exercise = for_a_file(fitted(find_exercise(practice), minutes, names, 160))
    voice = LevelledVoice(open_voice(VoiceSettings(None, 160), SESSION_RATE, voice_cache()),
                          SESSION_RATE)
    settings = RenderSettings(names, seed=1, channels=2, progress=False)
    render(exercise, voice, settings)  # once to fill the speech cache, as a second export finds it
    began = time.perf_counter()
    rendered = render(exercise, voice, settings)
    render_seconds = time.perf_counter() - began
    voice.close()
    length = rendered.seconds
    print(f"{practice}, {length / 60:.2f} min of stereo; render {render_seconds:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| format | export speed (times real time) | size a minute | loudness | true peak |")
    print("|---|---|---|---|---|")
    tags = Tags(exercise.title, "Practices for Ana and Ben", ARTIST, exercise.summary)
    with tempfile.TemporaryDirectory() as folder:
        for suffix, codec in CODECS.items():
            path = Path(folder) / f"out{suffix}"
            began = time.perf_counter()
            done = master(rendered.samples, rendered.rate, codec)
            write_atomically(path, done.data, partial(
                _tag, codec=codec, tags=tags, chapters=rendered.chapters, seconds=length))
            spent = render_seconds + time.perf_counter() - began
            audio, rate = soundfile.read(str(path), always_2d=True)
            lufs = pyloudnorm.Meter(rate).integrated_loudness(audio)
            peak = 20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max())
            size = path.stat().st_size / (length / 60) / 1e6
            print(f"| {suffix} | {length / spent:.0f} | {size:.2f} MB | {lufs:.1f} LUFS | "
                  f"{peak:.1f} dBTP |", flush=True)


def _tag(path: Path, codec: Codec, tags: Tags, chapters: tuple[Chapter, ...],
         seconds: float) -> None:
    write_tags(path, codec, tags, chapters, seconds)


if __name__ == "__main__":
    main()
