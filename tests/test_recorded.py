"""Real people's voices in the couple simulator: a recorded partner says their sentences
in a real person's recorded voice, heard as speech from its first word to its last."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soundfile

from assistant.speech.detector import SpeechDetector, SpeechEnded, SpeechStarted, silero
from assistant.testing.couple import PROFILES, RECORDED_LINES, SENTENCES, Couple
from assistant.testing.recorded import FOLDER, LEVEL_RMS, RECORDINGS, recording

RATE = 16_000


@dataclass(frozen=True)
class _Event:
    type: str
    sample: int
    data: dict[str, object]


def _first_share(profile: str, partner: str) -> list[np.ndarray]:
    couple = Couple(PROFILES[profile], seed=1)
    couple(_Event("step", 0, {"kind": "turn", "number": "1"}))
    couple(_Event("turn_start", 0, {"partner": partner, "floor": "share", "seconds": 30.0}))
    return [u.samples for u in couple.said]


def test_two_couples_have_a_partner_with_a_real_voice_and_the_rest_none() -> None:
    recorded = {name for name, p in PROFILES.items() if p.recorded}
    assert len(recorded) >= 2 and all(PROFILES[n].recorded == "B" for n in recorded)
    clips = [recording(i) for i in range(len(RECORDINGS))]
    for name in PROFILES:
        said = _first_share(name, "Ben")
        real = [any(len(s) == len(c) and np.array_equal(s, c) for c in clips) for s in said]
        if name in recorded:
            assert said and all(real)  # every sentence of the share is a recording
        else:
            assert not any(real)
    assert not any(any(np.array_equal(s, c) for c in clips)  # the other partner: synthetic
                   for s in _first_share(sorted(recorded)[0], "Ana"))
    assert len(RECORDED_LINES) > len(SENTENCES)  # answers too


def test_a_recording_is_levelled_and_starts_and_ends_with_its_voice() -> None:
    for index, (name, _text) in enumerate(RECORDINGS):
        raw, rate = soundfile.read(str(FOLDER / name), dtype="float32")
        assert rate == RATE and raw.ndim == 1
        clip = recording(index)
        assert len(clip) < len(raw)  # the room tone either side is taken off
        rms = float(np.sqrt(np.mean(clip.astype(np.float64) ** 2)))
        assert abs(rms / LEVEL_RMS - 1) < 0.01 and float(np.max(np.abs(clip))) < 1.0
        frames = clip[: len(clip) // 320 * 320].reshape(-1, 320)
        power = np.mean(frames.astype(np.float64) ** 2, axis=1)
        assert power[0] > power.max() * 1e-3 and power[-1] > power.max() * 1e-3


def test_a_real_voice_is_heard_as_speech_from_its_first_word_to_its_last() -> None:
    detector = SpeechDetector(silero())
    for index in range(len(RECORDINGS)):
        clip = recording(index)
        quiet = np.zeros(RATE, dtype=np.float32)
        stream = np.concatenate([quiet, clip, quiet, quiet])
        events = []
        for at in range(0, len(stream) - 511, 512):
            events += detector.feed(stream[at : at + 512], at)
        starts = [e.sample for e in events if isinstance(e, SpeechStarted)]
        ends = [e.sample for e in events if isinstance(e, SpeechEnded)]
        assert starts and ends
        assert abs(starts[0] - RATE) < 0.3 * RATE  # from its first word
        assert abs(ends[-1] - (RATE + len(clip))) < 0.5 * RATE  # to its last
