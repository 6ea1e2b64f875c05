"""The text-mode clock: no speaker at all, so the session follows real time and nothing
is played."""

from __future__ import annotations

import queue
import time

import numpy as np

from assistant.audio.io import T, wait_for_input
from assistant.audio.mixer import Mixer, Samples

_EMPTY = np.zeros(0, dtype=np.float32)


class WallClock:
    """The session clock on real time, for text mode."""

    lead = 0
    output_latency = 0
    steps_with_mic = False
    input_ended = False

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._mixer: Mixer | None = None
        self._origin = 0.0

    def open(self, mixer: Mixer) -> None:
        self._mixer, self._origin = mixer, time.monotonic()

    def _wall_sample(self) -> int:
        return int((time.monotonic() - self._origin) * self.rate)

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        assert self._mixer is not None, "open() first"
        while True:
            now = self._wall_sample()
            if until is not None and now >= until:
                self._mixer.skip_to(until)
                return []
            wait = None if until is None else (until - now) / self.rate
            arrived = wait_for_input(inbox, 0.5 if wait is None else min(wait, 0.5))
            if arrived:
                self._mixer.skip_to(max(self._wall_sample(), self._mixer.now))
                return arrived

    @property
    def has_microphone(self) -> bool:
        return False

    def read_mic(self) -> Samples:
        return _EMPTY

    def close(self) -> None:
        pass
