"""What the couple changes as they go (volume, speaking rate), and the kept recordings the
session plays back: the small actions that need no knowledge of the session."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from assistant.audio.mixer import Mixer, Samples
from assistant.audio.wavfile import read_wav
from assistant.base.errors import UserError
from assistant.session.actions import Adjust
from assistant.session.plan import Recording
from assistant.speech.voice.rendering import Voice

VOLUME_STEP = 1.25  # each "louder" multiplies the output by this; "softer" divides
VOLUME_RANGE = (0.25, 2.0)
RATE_STEP = 20  # words a minute, for "slower" and "faster" when no rhythm is running


def adjust(mixer: Mixer, voice: Voice, change: Adjust) -> None:
    """Louder or softer moves everything together; faster or slower moves the voice."""
    if change.setting == "volume":
        factor = VOLUME_STEP if change.up else 1 / VOLUME_STEP
        low = min(VOLUME_RANGE[0], mixer.gain)  # a quiet start never jumps up
        mixer.gain = min(max(mixer.gain * factor, low), VOLUME_RANGE[1])
    else:
        voice.change_rate(RATE_STEP if change.up else -RATE_STEP)


def recording_samples(recording: Recording, rate: int) -> Samples:
    """A kept recording; one that cannot be read is left out, with one sentence."""
    try:
        return read_wav(Path(recording.path), rate, "recording")
    except UserError as error:
        print(f"assistant: {error} It is left out.", file=sys.stderr, flush=True)
        return np.zeros(0, dtype=np.float32)
