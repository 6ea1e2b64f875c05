"""Speech detection with the real Silero model on real synthesised speech and noise."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from assistant.speech.detector import (
    WINDOW,
    DetectorSettings,
    SpeechDetector,
    SpeechEnded,
    SpeechStarted,
    silero,
)
from assistant.testing.sounds import RATE, noise, silence, spoken


def detect(audio: np.ndarray, settings: DetectorSettings | None = None,
           muted: tuple[int, int] = (0, 0)) -> list[object]:
    detector = SpeechDetector(silero(), settings)
    events: list[object] = []
    for start in range(0, len(audio) - WINDOW + 1, WINDOW):
        mute = muted[0] <= start < muted[1]
        events += detector.feed(audio[start : start + WINDOW], start, muted=mute)
    return events


def test_an_utterance_gives_one_start_and_one_end_near_its_true_edges() -> None:
    speech = spoken("I felt a little tired today, but I am glad we are here together.")
    audio = np.concatenate([silence(1.0), speech, silence(1.5)])
    events = detect(audio)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    start, end = events[0].sample, events[1].sample  # type: ignore[attr-defined]
    assert abs(start - RATE) <= 2 * WINDOW
    assert abs(end - (RATE + len(speech))) <= 0.02 * RATE  # within 20 ms of the last sound


def test_short_pauses_between_phrases_do_not_end_the_speech() -> None:
    phrases = [spoken(text) for text in ("I have been thinking", "about what you said",
                                         "and I agree")]
    audio = np.concatenate([silence(1.0), phrases[0], silence(0.15), phrases[1], silence(0.15),
                            phrases[2], silence(1.0)])
    assert [type(e) for e in detect(audio)] == [SpeechStarted, SpeechEnded]


@pytest.mark.parametrize("kind", ["white", "pink", "hum"])
def test_noise_alone_is_never_speech(kind: str) -> None:
    assert detect(noise(kind, 20.0)) == []


def test_a_cough_length_burst_does_not_start_speech() -> None:
    burst = spoken("Hm.")[: round(0.15 * RATE)]
    assert detect(np.concatenate([silence(1.0), burst, silence(1.0)])) == []


def test_muted_windows_never_count_as_speech() -> None:
    speech = spoken("This is the assistant speaking its own prompt.")
    audio = np.concatenate([silence(0.5), speech, silence(1.0)])
    assert detect(audio, muted=(0, len(audio))) == []


def test_the_model_runs_on_one_thread_and_leaves_the_environment_as_it_was() -> None:
    """Silero's OpenMP team spins on a busy machine for nothing: one thread gives the same
    probabilities. A fresh process, because the limit is read once, as the library loads."""
    probe = (
        "import os, numpy as np\n"
        "from assistant.speech.detector import silero\n"
        "before = len(os.listdir('/proc/self/task'))\n"
        "silero()(np.full(512, 0.01, dtype=np.float32))\n"
        "print(len(os.listdir('/proc/self/task')) - before, 'OMP_THREAD_LIMIT' in os.environ)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == ["0", "False"]
