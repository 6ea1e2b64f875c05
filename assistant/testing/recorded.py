"""Real people's speech for the simulated couple.

A synthetic voice is steadier than a person: its level, its pitch and its pauses
between words are all regular, and a speech detector tuned on it alone could be
fooled by a real voice. So one partner of some couples speaks in recordings of a
real person reading aloud (data/voices/, with a README naming their source,
speaker, transcripts and licence), levelled to the synthetic voices' loudness and
without the recording's room tone either side (else an utterance would seem to
begin before its first word, and end after its last).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import soundfile

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample, to_mono

RATE = 16_000
FOLDER = Path(__file__).parent / "data" / "voices"
# (file, transcript): one reader, two sentences
RECORDINGS = (
    ("not-ill-disposed.flac", "he was not an ill disposed young man"),
    ("cold-hearted.flac",
     "unless to be rather cold hearted and rather selfish is to be ill disposed"),
)
LEVEL_RMS = 0.08  # about the synthetic partners' speech (espeak-ng at 0.8 of full scale)
ROOM_TONE_DB = 30.0  # at either end, 20 ms frames this far under the loudest are no speech


@functools.cache
def recording(index: int, rate: int = RATE) -> Samples:
    """One of the recordings (any index: they repeat), at `rate`, levelled."""
    name = RECORDINGS[index % len(RECORDINGS)][0]
    data, file_rate = soundfile.read(str(FOLDER / name), dtype="float32")
    speech = _spoken_part(resample(to_mono(data), file_rate, rate), rate)
    level = math.sqrt(float(np.mean(np.square(speech, dtype=np.float64))))
    levelled: Samples = (speech * np.float32(LEVEL_RMS / level)).astype(np.float32)
    return levelled


def _spoken_part(samples: Samples, rate: int) -> Samples:
    """Without the recording's room tone before the first word and after the last: an
    utterance begins and ends with its voice, as a synthetic one does."""
    size = round(0.02 * rate)
    frames = samples[: len(samples) // size * size].reshape(-1, size)
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    voiced = np.flatnonzero(power > power.max() * 10 ** (-ROOM_TONE_DB / 10))
    return samples[voiced[0] * size : (voiced[-1] + 1) * size]
