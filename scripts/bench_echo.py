"""Echo return loss enhancement per simulated room: how much of its own voice the
session's canceller takes out of the microphone.

Each room (`assistant/testing/room.py`) plays the opening prompt of three library
exercises, in the real voice, with nobody else speaking; WebRTC's AEC3 is fed what
was played and cleans what the room's microphone heard, read in blocks of uneven
length as a sound card delivers them. A prompt's ERLE is the median, over the 32 ms
windows loud with echo after two seconds of learning, of the level taken out (measured
by `assistant/testing/cancelled.py`, which the tests use too); a room's is the median
over its prompts.
Target: at least 20 dB.

    .venv/bin/python scripts/bench_echo.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.script.library import load_library  # noqa: E402
from assistant.script.model import SayStep, each_step  # noqa: E402
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings  # noqa: E402
from assistant.testing.cancelled import erle, through  # noqa: E402
from assistant.testing.room import ROOMS  # noqa: E402
from assistant.testing.sounds import RATE, silence  # noqa: E402

EXERCISES = ("daily-check-in", "appreciation", "two-stars-one-wish")
def main() -> None:
    voice = SystemVoice(VoiceSettings(), RATE, Path(tempfile.mkdtemp()) / "voice")
    library = {exercise.id: exercise for exercise in load_library()}
    texts = [next(step.text for step in each_step(library[name].steps)
                  if isinstance(step, SayStep)) for name in EXERCISES]
    prompts = [np.concatenate([silence(0.5), voice.render(text), silence(1.0)])
               for text in texts]
    print("room                | ERLE per prompt (dB)   | median")
    for room in sorted(ROOMS):
        gains = [erle(*through(room, prompt, np.zeros(len(prompt), dtype=np.float32)))
                 for prompt in prompts]
        print(f"{room:19s} | {' '.join(f'{g:6.1f}' for g in gains):22s} | "
              f"{statistics.median(gains):5.1f} dB")


if __name__ == "__main__":
    main()
