"""Echo cancellation: the assistant's own sound taken out of the microphone.

Without headphones the microphone hears the assistant too. Rather than stop
listening while it speaks (half duplex), the session can cancel its own sound:
the far end is exactly what the mixer rendered, on the session clock, and the
canceller (WebRTC's AEC3, through the `livekit` package) learns the room's echo
path and subtracts it, leaving a partner's voice. It finds the delay itself
within about 100 ms of the one it is told: the sound card's reported output plus
input latency.

AEC3 takes frames of whole 10 ms blocks of 16-bit samples (anything else aborts
the process in native code), so the stream is cut into 30 ms frames here and
nowhere else. While nothing has played for a while (the echo's tail has rung
out), frames pass untouched and cost nothing.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import Any, Protocol

import numpy as np

from assistant.audio.mixer import Samples

RATE = 16_000  # the only rate the canceller is used at: the session clock's
FRAME = 480  # samples: 30 ms, three of AEC3's 10 ms blocks a call (a third of the overhead)
LEARN_SECONDS = 8.0  # of its own sound heard before the canceller is first trusted
TRUST_SECONDS = 4.0  # the canceller is trusted while, over its latest frames of own sound,
TRUST_DB = 20.0  # its better fifth of frames took out this much (double talk lowers the rest)
RING_SECONDS = 1.0  # after the last sound played, its echo may still ring this long
MAX_DELAY_MS = 500  # AEC3 accepts a stream delay up to this
# the echo arrives later than the card reports (its own buffers, the air) by up to about
# 150 ms; AEC3 searches about 100 ms either side of its hint, so the hint is the middle
UNREPORTED_MS = 75


class EchoUnavailable(Exception):
    """The canceller cannot run here; the session falls back to half duplex."""


class EchoCanceller(Protocol):
    """Takes the assistant's own sound out of the microphone, on the session clock."""

    def played(self, start: int, block: Samples) -> None:
        """The mixer rendered `block` (mono or stereo) from session sample `start`."""

    def clean(self, start: int, samples: Samples, delay: int) -> Samples:
        """The microphone's samples from session sample `start` on (contiguous from call
        to call), cancelled, when the echo is `delay` samples late (the card's output plus
        input latency); whole frames only, so it may hold some back for the next call."""

    @property
    def trained(self) -> bool:
        """Whether it cancels well enough now to be trusted (it has learnt the room)."""

    def ready_at(self, sample: int) -> int:
        """The earliest stream end at which `clean` has handed out every sample before
        `sample`."""


class WebRtcEcho:
    """WebRTC AEC3. Create it in the process that uses it (it does not survive fork)."""

    def __init__(self, rate: int = RATE) -> None:
        if rate != RATE:
            raise EchoUnavailable(f"echo cancellation needs {RATE} Hz, not {rate} Hz")
        try:
            from livekit import rtc
        except (ImportError, OSError) as error:
            raise EchoUnavailable(f"echo cancellation cannot load ({error})") from None
        self._rtc: Any = rtc
        self._apm = rtc.AudioProcessingModule(echo_cancellation=True)
        self._origin: int | None = None  # frames are counted from the first sample heard
        self._near_at = 0
        self._held = np.zeros(0, dtype=np.float32)  # microphone samples not yet a frame
        self._arrived: deque[tuple[int, Samples]] = deque()  # rendered, maybe on another thread
        self._lock = threading.Lock()
        self._far = np.zeros(0, dtype=np.float32)  # the far end from _far_base on
        self._far_base = 0
        self._last_sound: int | None = None  # where the far end last carried sound
        self._trusted = False
        self._delay_ms: int | None = None  # the stream delay AEC3 was last told
        self._heard = 0  # samples of its own sound it has cancelled
        self._taken: deque[float] = deque(maxlen=round(TRUST_SECONDS * RATE / FRAME))  # dB

    def played(self, start: int, block: Samples) -> None:
        mono = block if block.ndim == 1 else block.mean(axis=1)
        with self._lock:
            self._arrived.append((start, mono.astype(np.float32, copy=True)))

    def ready_at(self, sample: int) -> int:
        if self._origin is None:
            return sample
        return self._origin + -(-(sample - self._origin) // FRAME) * FRAME

    def clean(self, start: int, samples: Samples, delay: int) -> Samples:
        if self._origin is None:
            self._origin = self._near_at = self._far_base = start
        elif start != self._near_at + len(self._held):
            raise EchoUnavailable("the microphone and the speaker went out of step")
        delay_ms = min(MAX_DELAY_MS, max(0, round(delay * 1000 / RATE) + UNREPORTED_MS))
        ring = round(RING_SECONDS * RATE) + delay
        self._take_far()
        heard_before = self._heard
        stream: Samples = np.concatenate([self._held, samples]).astype(np.float32)
        whole = len(stream) // FRAME * FRAME
        out: Samples = stream[:whole].copy()
        self._held = stream[whole:]
        for offset in range(0, whole, FRAME):
            at = self._near_at + offset
            far = self._far_at(at)
            if far.any():
                self._last_sound = at + FRAME
            if self._last_sound is not None and at - self._last_sound < ring:
                near = out[offset : offset + FRAME]
                cleaned = self._frame(far, near, delay_ms)
                if far.any():
                    heard, left = float(np.dot(near, near)), float(np.dot(cleaned, cleaned))
                    self._heard += FRAME
                    self._taken.append(10 * math.log10((heard + 1e-12) / (left + 1e-12)))
                out[offset : offset + FRAME] = cleaned
        self._near_at += whole
        self._forget(self._near_at)
        if self._heard != heard_before:  # the trust changes only with frames of own sound
            taken = self._taken
            self._trusted = self._heard >= LEARN_SECONDS * RATE \
                and len(taken) == taken.maxlen and _better_fifth(taken) >= TRUST_DB
        return out

    @property
    def trained(self) -> bool:
        return self._trusted

    def _frame(self, far: Samples, near: Samples, delay_ms: int) -> Samples:
        rtc = self._rtc
        if delay_ms != self._delay_ms:  # each call into the native module costs time
            self._apm.set_stream_delay_ms(delay_ms)
            self._delay_ms = delay_ms
        self._apm.process_reverse_stream(rtc.AudioFrame(_pcm(far), RATE, 1, FRAME))
        frame = rtc.AudioFrame(_pcm(near), RATE, 1, FRAME)
        self._apm.process_stream(frame)
        pcm = np.frombuffer(frame.data, dtype=np.int16)
        cleaned: Samples = pcm.astype(np.float32) * np.float32(1 / 32767)
        return cleaned

    def _take_far(self) -> None:
        with self._lock:
            arrived, self._arrived = list(self._arrived), deque()
        for start, block in arrived:
            end = start + len(block)
            if end <= self._far_base:
                continue
            if start < self._far_base:
                block, start = block[self._far_base - start :], self._far_base
            need = end - self._far_base
            if need > len(self._far):
                self._far = np.concatenate([self._far, np.zeros(need - len(self._far),
                                                                 dtype=np.float32)])
            self._far[start - self._far_base : end - self._far_base] = block

    def _far_at(self, at: int) -> Samples:
        """The far end of one frame; silence where nothing was rendered (a skipped clock)."""
        lo = at - self._far_base
        part = self._far[max(0, lo) : lo + FRAME] if lo + FRAME > 0 else self._far[:0]
        if len(part) == FRAME:
            return part
        return np.zeros(FRAME, dtype=np.float32)

    def _forget(self, upto: int) -> None:
        if upto > self._far_base:
            self._far = self._far[upto - self._far_base :]
            self._far_base = upto


def _better_fifth(taken: deque[float]) -> float:
    """The 80th percentile: what the better fifth of frames took out at least."""
    ordered = sorted(taken)
    return ordered[int(0.8 * (len(ordered) - 1))]


def _pcm(samples: Samples) -> bytearray:
    """16-bit PCM: the only sample format AEC3 reads right."""
    scaled = np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)
    return bytearray(scaled.tobytes())


def canceller(rate: int = RATE) -> tuple[EchoCanceller | None, str]:
    """A canceller, or None and the one sentence to print when it cannot run here."""
    try:
        return WebRtcEcho(rate), ""
    except EchoUnavailable as error:
        reason = str(error)
        return None, f"{reason[:1].upper()}{reason[1:]}; the microphone rests while the " \
            "assistant speaks."
