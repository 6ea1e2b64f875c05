"""The room kept measured through a session, from the assistant's own sound.

Fed what was played (the far end, as the mixer rendered it) and what the microphone
heard, both on the session's sample clock, the probe cuts the far end into
stretches of the assistant's sound (each ends at `gap` of quiet, or after
`longest`), waits until the microphone has heard each one's echo ring out, and
measures it (`roommeasure.measure`). People move and speakers are carried about, so
it never stops: a stretch with too little played sound, or one where a partner's
voice drowned the echo, gives no estimate or a poor one, and the measure is the
median of the latest few good estimates, so one odd stretch does not move it and a
real change is followed within two stretches.

The room's noise floor, which the ring falls to, is the microphone's quieter
frames: a low percentile of their power over the latest half minute.

The guard after own sound (how long after the mixer's end of a sound the
microphone still hears it) is the measured delay plus ring, within 0.2 to 1.5 s;
before anything is measured, 0.3 s plus the card's reported latency, as a fixed
guess did before.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from assistant.audio.mixer import Samples
from assistant.speech.roommeasure import (
    FRAME_SECONDS,
    RATE,
    ProbeSettings,
    RoomMeasure,
    db,
    frame_powers,
    measure,
)

DEFAULT_TAIL = 0.3  # seconds after own sound (and the reported latency) before any measure


@dataclass(frozen=True)
class WatchSettings:
    """How stretches are cut and estimates kept; times in seconds."""

    gap: float = 0.8  # of quiet far end that ends a stretch
    longest: float = 8.0  # a longer stretch is measured in parts
    recent: int = 3  # the measure is the median of the latest this many good estimates
    least_confidence: float = 0.6  # a poorer estimate is not kept
    noise_seconds: float = 30.0  # the noise floor is over the microphone's latest this long
    noise_percentile: float = 10.0
    guard_low: float = 0.2
    guard_high: float = 1.5


class RoomProbe:
    """Measures the echo path from stretches of the assistant's own sound, on and on."""

    def __init__(self, rate: int = RATE, reported_latency: int = 0,
                 settings: ProbeSettings | None = None,
                 watch: WatchSettings | None = None) -> None:
        self.rate, self.reported_latency = rate, reported_latency
        self.settings = settings = settings or ProbeSettings()
        self.watch = watch = watch or WatchSettings()
        self.latest: RoomMeasure | None = None  # the last stretch's own estimate, if any
        self._good: deque[RoomMeasure] = deque(maxlen=watch.recent)
        self._frame = round(FRAME_SECONDS * rate)
        self._base: int | None = None  # session sample of the buffers' first sample
        self._far = np.zeros(0, dtype=np.float32)
        self._mic = np.zeros(0, dtype=np.float32)
        self._broken = -1  # the microphone missed samples before this one
        self._scan = 0  # the next far-end frame to look at
        self._open: int | None = None  # where the stretch under way began
        self._last_sound = 0  # where the far end last sounded
        self._pending: list[tuple[int, int]] = []  # stretches waiting for their echo
        self._powers: deque[float] = deque(maxlen=round(watch.noise_seconds / FRAME_SECONDS))
        self._unframed = np.zeros(0, dtype=np.float32)  # heard, not yet a whole frame

    @property
    def measure(self) -> RoomMeasure | None:
        """The room as measured now: the median of the latest good estimates."""
        if not self._good:
            return None
        fields = np.median([[m.delay_s, m.ring_s, m.echo_db, m.confidence]
                            for m in self._good], axis=0)
        return RoomMeasure(*(float(v) for v in fields))

    def guard(self) -> int:
        """Samples after the mixer's end of own sound that the microphone still hears it."""
        current = self.measure
        if current is None:
            return round(DEFAULT_TAIL * self.rate) + self.reported_latency
        return round(current.guard_s(self.watch.guard_low, self.watch.guard_high) * self.rate)

    @property
    def noise_db(self) -> float:
        """The room's noise floor at the microphone, dBFS."""
        if not self._powers:
            return -100.0
        return max(-100.0, db(float(np.percentile(self._powers, self.watch.noise_percentile))))

    def played(self, start: int, block: Samples) -> None:
        """The mixer rendered `block` (mono or stereo) from session sample `start`."""
        mono = block if block.ndim == 1 else block.mean(axis=1)
        if self._base is None:
            self._base = self._scan = start
        at = start - self._base
        if at + len(mono) <= 0:
            return
        if at < 0:
            mono, at = mono[-at:], 0
        if at + len(mono) > len(self._far):
            self._far = np.concatenate(
                [self._far, np.zeros(at + len(mono) - len(self._far), dtype=np.float32)])
        self._far[at : at + len(mono)] = mono

    def heard(self, start: int, block: Samples) -> RoomMeasure | None:
        """The microphone's samples from session sample `start`; the room as now measured
        when a stretch has just given a good estimate, else None."""
        if self._base is None:
            self._base = self._scan = start
        end = self._base + len(self._mic)
        if start > end:  # samples went missing: stretches over them are not measured
            self._mic = np.concatenate([self._mic, np.zeros(start - end, dtype=np.float32)])
            self._broken = start
        elif start < end:
            block = block[end - start :]
        self._mic = np.concatenate([self._mic, block.astype(np.float32)])
        self._listen(block)
        self._cut()
        updated = None
        heard_to = self._base + len(self._mic)
        window = round(self.settings.window * self.rate)
        while self._pending and self._pending[0][1] + window <= heard_to:
            first, last = self._pending.pop(0)
            if first >= self._broken and self._take(first, last + window):
                updated = self.measure
        self._forget()
        return updated

    def _listen(self, block: Samples) -> None:
        """The noise floor's frames."""
        samples = np.concatenate([self._unframed, block.astype(np.float32)])
        whole = len(samples) // self._frame * self._frame
        self._powers.extend(frame_powers(samples[:whole], self.rate).tolist())
        self._unframed = samples[whole:]

    def _cut(self) -> None:
        """Stretches of own sound, found in the far end as far as the microphone has heard."""
        assert self._base is not None
        frame, w = self._frame, self.watch
        loud = 10 ** (self.settings.sound_db / 10)
        upto = self._base + len(self._mic)  # nothing rendered is silence
        while self._scan + frame <= upto:
            at = self._scan - self._base
            part = self._far[at : at + frame].astype(np.float64)
            self._scan += frame
            if len(part) and float(np.sum(part**2)) > loud * frame:
                if self._open is None:
                    self._open = self._scan - frame
                self._last_sound = self._scan
            if self._open is None:
                continue
            if self._scan - self._last_sound >= w.gap * self.rate:
                self._pending.append((self._open, self._last_sound))
                self._open = None
            elif self._scan - self._open >= w.longest * self.rate:
                self._pending.append((self._open, self._scan))
                self._open = self._scan

    def _take(self, first: int, last: int) -> bool:
        """Measure one stretch; whether it gave a good estimate."""
        assert self._base is not None
        lo, hi = first - self._base, last - self._base
        far = self._far[lo:hi]
        if len(far) < hi - lo:
            far = np.concatenate([far, np.zeros(hi - lo - len(far), dtype=np.float32)])
        self.latest = measure(far, self._mic[lo:hi], self.noise_db, self.rate, self.settings)
        if self.latest is None or self.latest.confidence < self.watch.least_confidence:
            return False
        self._good.append(self.latest)
        return True

    def _forget(self) -> None:
        """Drop what no stretch can still need."""
        assert self._base is not None
        keep = min([self._scan, *(first for first, _ in self._pending),
                    *([self._open] if self._open is not None else [])])
        drop = keep - self._base
        if drop >= self.rate:  # now and then, not every block
            self._far, self._mic = self._far[drop:], self._mic[drop:]
            self._base = keep
