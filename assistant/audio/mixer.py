"""The mixer timeline: clips placed at exact sample positions; its counter is the session clock.

Whoever pulls samples from the mixer (a sound-card callback, or a file writer in
a virtual run) advances the clock, so a sound scheduled for sample N is output
at sample N, whatever the wall clock says.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

DUCK_GAIN = 0.2  # -14 dB: heard, but out of the way of a partner's command
CUT_FADE_SECONDS = 0.01  # a sound cut short fades out over this long, so it never clicks


@dataclass(order=True)
class _Clip:
    start: int
    samples: Samples = field(compare=False)

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


class Mixer:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._now = 0
        self._clips: list[_Clip] = []  # kept sorted by start
        self._lock = threading.Lock()
        self.gain = 1.0  # the master volume: louder and softer
        self.ducked = False  # someone is talking over the assistant: keep it in the background

    @property
    def now(self) -> int:
        """The next sample to be output: the session clock."""
        return self._now

    def schedule(self, samples: Samples, at: int) -> int:
        """Place a clip at sample `at` (or now, if that has passed); return where it starts."""
        with self._lock:
            start = max(at, self._now)
            if len(samples):
                bisect.insort(self._clips, _Clip(start, np.asarray(samples, dtype=np.float32)))
            return start

    def cut(self) -> int:
        """Stop everything: drop clips not yet started, fade out those under way.

        Returns the sample by which every cut sound has faded to silence."""
        fade = round(CUT_FADE_SECONDS * self.rate)
        with self._lock:
            kept = []
            for clip in self._clips:
                if clip.start >= self._now:
                    continue
                played = self._now - clip.start
                tail = clip.samples[played : played + fade].copy()
                tail *= np.linspace(1.0, 0.0, len(tail), dtype=np.float32)
                kept.append(_Clip(clip.start, np.concatenate([clip.samples[:played], tail])))
            self._clips = kept
            return self._now + fade

    def drop_from(self, sample: int) -> None:
        """Forget clips that start at `sample` or later; what already plays goes on."""
        with self._lock:
            self._clips = [clip for clip in self._clips if clip.start < sample]

    def render(self, frames: int) -> Samples:
        """Mix the next `frames` samples and advance the clock past them."""
        out = np.zeros(frames, dtype=np.float32)
        with self._lock:
            begin, end = self._now, self._now + frames
            kept = []
            for clip in self._clips:
                if clip.start >= end:
                    kept.append(clip)
                    continue
                lo, hi = max(clip.start, begin), min(clip.end, end)
                if hi > lo:
                    out[lo - begin : hi - begin] += clip.samples[lo - clip.start : hi - clip.start]
                if clip.end > end:
                    kept.append(clip)
            self._clips = kept
            self._now = end
        gain = self.gain * (DUCK_GAIN if self.ducked else 1.0)
        if gain != 1.0:
            out *= np.float32(gain)
        np.clip(out, -1.0, 1.0, out=out)
        return out

    def skip_to(self, sample: int) -> None:
        """Advance the clock without producing output (a run with no speaker)."""
        with self._lock:
            if not self._clips:
                self._now = max(self._now, sample)
                return
        while self._now < sample:
            self.render(min(sample - self._now, self.rate))

    @property
    def idle(self) -> bool:
        return not self._clips
