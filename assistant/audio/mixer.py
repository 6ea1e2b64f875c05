"""The mixer timeline: clips placed at exact sample positions; its counter is the session clock.

Whoever pulls samples from the mixer (a sound-card callback, or a file writer in
a virtual run) advances the clock, so a sound scheduled for sample N is output
at sample N, whatever the wall clock says.

The clock counts sample frames: a stereo mixer places each clip somewhere between
left and right (`pan`), and its clock runs exactly as a mono one does. The master
gain (volume, louder, softer) is followed by a limiter, so no sample reaches full
scale however loud the session is asked to be. Whatever comes in, no sample out
passes CEILING: a clip holding NaN or infinity has those samples silenced as it is
scheduled (said once), and every block is clamped after the limiter.
"""

from __future__ import annotations

import bisect
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]

DUCK_GAIN = 0.2  # -14 dB: heard, but out of the way of a partner's command
CUT_FADE_SECONDS = 0.01  # a sound cut short fades out over this long, so it never clicks
CEILING = 0.9  # the limiter keeps every output sample below this (about -1 dBFS)
LIMIT_RELEASE_SECONDS = 0.05  # how quickly the limiter lets go once the peak has passed


def pan_gains(pan: float) -> tuple[float, float]:
    """Left and right gains for a position from -1 (left) to 1 (right), at constant power,
    so a sound is as loud wherever it is placed."""
    angle = (min(max(pan, -1.0), 1.0) + 1.0) * np.pi / 4
    left, right = float(np.cos(angle)), float(np.sin(angle))
    return (0.0 if left < 1e-9 else left), (0.0 if right < 1e-9 else right)


@dataclass(order=True)
class _Clip:
    start: int
    samples: Samples = field(compare=False)
    pan: float = field(default=0.0, compare=False)

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


class Mixer:
    def __init__(self, rate: int, channels: int = 1) -> None:
        if channels not in (1, 2):
            raise ValueError("a mixer is mono or stereo")
        self.rate, self.channels = rate, channels
        self._limit = 1.0  # the limiter's gain, carried from block to block
        self._now = 0
        self._clips: list[_Clip] = []  # kept sorted by start
        self._lock = threading.Lock()
        self.gain = 1.0  # the master volume: louder and softer
        self.ducked = False  # someone is talking over the assistant: keep it in the background
        # told every rendered block with the session sample it starts at (an echo canceller's
        # far end); called on the rendering thread, so each must be quick
        self.taps: list[Callable[[int, Samples], None]] = []
        self.repaired = 0  # clips that held non-finite samples, silenced where they did

    @property
    def now(self) -> int:
        """The next sample to be output: the session clock."""
        return self._now

    def schedule(self, samples: Samples, at: int, pan: float = 0.0) -> int:
        """Place a clip at sample `at` (or now, if that has passed), at `pan` from -1 (left)
        to 1 (right) on a stereo output; return where it starts."""
        with self._lock:
            start = max(at, self._now)
            if len(samples):
                clip = _Clip(start, self._finite(samples), pan)
                bisect.insort(self._clips, clip)
            return start

    def _finite(self, samples: Samples) -> Samples:
        """The clip with NaN and infinities silenced: they would pass the limiter as NaN
        or as a full-scale sample. Said once per mixer."""
        clip = np.asarray(samples, dtype=np.float32)
        if np.isfinite(clip).all():
            return clip
        self.repaired += 1
        if self.repaired == 1:
            print("assistant: A sound held invalid samples (not numbers); they were "
                  "silenced.", file=sys.stderr)
        return np.nan_to_num(clip, nan=0.0, posinf=0.0, neginf=0.0)

    def cut(self, started_at: int | None = None) -> int:
        """Stop everything (or only the clip that started at `started_at`): drop clips not
        yet started, fade out those under way.

        Returns the sample by which every cut sound has faded to silence."""
        fade = round(CUT_FADE_SECONDS * self.rate)
        with self._lock:
            kept = []
            for clip in self._clips:
                if started_at is not None and clip.start != started_at:
                    kept.append(clip)
                    continue
                if clip.start >= self._now:
                    continue
                played = self._now - clip.start
                tail = clip.samples[played : played + fade].copy()
                tail *= np.linspace(1.0, 0.0, len(tail), dtype=np.float32)
                kept.append(_Clip(clip.start, np.concatenate([clip.samples[:played], tail]),
                                  clip.pan))
            self._clips = kept
            return self._now + fade

    def drop_from(self, sample: int) -> None:
        """Forget clips that start at `sample` or later; what already plays goes on."""
        with self._lock:
            self._clips = [clip for clip in self._clips if clip.start < sample]

    def render(self, frames: int) -> Samples:
        """Mix the next `frames` sample frames and advance the clock past them: shape
        (frames,) from a mono mixer, (frames, 2) from a stereo one."""
        shape = (frames,) if self.channels == 1 else (frames, 2)
        out = np.zeros(shape, dtype=np.float32)
        with self._lock, np.errstate(over="ignore", invalid="ignore"):
            begin, end = self._now, self._now + frames
            kept = []
            sounding = False
            for clip in self._clips:
                if clip.start >= end:
                    kept.append(clip)
                    continue
                lo, hi = max(clip.start, begin), min(clip.end, end)
                if hi > lo:
                    sounding = True
                    part = clip.samples[lo - clip.start : hi - clip.start]
                    if self.channels == 1:
                        out[lo - begin : hi - begin] += part
                    else:
                        left, right = pan_gains(clip.pan)
                        out[lo - begin : hi - begin] += np.outer(part, [left, right])
                if clip.end > end:
                    kept.append(clip)
            self._clips = kept
            self._now = end
        if not sounding and self._limit >= 1.0:  # silence: nothing to scale or to limit
            for tap in self.taps:
                tap(begin, out)
            return out
        gain = self.gain * (DUCK_GAIN if self.ducked else 1.0)
        if gain != 1.0:
            out *= np.float32(gain)
        if not np.isfinite(out).all():  # finite clips can still add up past float32
            np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        self._limiter(out)
        np.clip(out, -CEILING, CEILING, out=out)  # rounding never lets one sample past
        for tap in self.taps:
            tap(begin, out)
        return out

    def _limiter(self, out: Samples) -> None:
        """Hold every sample below CEILING: the gain drops at once where a peak would pass
        it and recovers smoothly after. Sample by sample, but only while it works."""
        peaks = np.abs(out) if out.ndim == 1 else np.abs(out).max(axis=1)
        if self._limit >= 1.0 and peaks.max(initial=0.0) <= CEILING:
            return
        release = 1.0 - np.exp(-1.0 / (LIMIT_RELEASE_SECONDS * self.rate))
        needed = np.minimum(1.0, CEILING / np.maximum(peaks, 1e-12))
        gains = np.empty(len(peaks), dtype=np.float64)
        limit = self._limit
        for n, cap in enumerate(needed.tolist()):
            limit = min(cap, limit + (1.0 - limit) * release)
            gains[n] = limit
        self._limit = 1.0 if limit > 0.9999 else limit
        out *= (gains if out.ndim == 1 else gains[:, None]).astype(np.float32)

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
