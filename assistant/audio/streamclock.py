"""Keeping the session clock on the sound card's own time, from the stream's timestamps.

The session clock counts the samples the mixer has rendered. When the stream
underruns, or the process is stopped for a moment, the card goes on playing
silence while nothing is rendered, and without correction every later cue would
sound that much late for the rest of the session. Each callback gives the time at
which its first sample will reach the output (PortAudio's `outputBufferDacTime`),
so the offset between that time (in samples) and the clock is constant while all
is well, and grows by exactly the time lost when something stalls. When it has
grown by more than a little jitter, the clock skips ahead by that much: the audio
that could not play is dropped, and every later sound is back on its grid.

Timestamps around an underrun are unreliable for a while (a restarted stream's
latency estimate settles over a few blocks), so the clock acts only on an offset
that has held steady over the last few blocks, and it corrects both ways: ahead
by skipping, and, if it ever skipped too far, back by holding (silence is played
while the clock waits).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

CATCH_UP_SECONDS = 0.001  # a lag below this is jitter in the timestamps, not lost time
MAX_CATCH_UP_SECONDS = 10.0  # beyond this the stream's time base changed: start afresh
STEADY_BLOCKS = 8  # the offset must hold this many blocks before the clock acts on it


@dataclass
class StreamClock:
    rate: int
    tolerance_seconds: float = CATCH_UP_SECONDS
    _offsets: deque[int] = field(default_factory=lambda: deque(maxlen=STEADY_BLOCKS))
    _baseline: int | None = None  # the offset while the clock is on the card's time

    def reset(self) -> None:
        """A new stream: its time has a new origin."""
        self._offsets.clear()
        self._baseline = None

    def lag(self, output_time: float, now: int) -> int:
        """How many samples the clock, at sample `now`, must skip (or, if negative, hold)
        for the block about to be rendered to play at its own time; 0 when it is on time,
        unsure, or the stream gives no timestamps (some host APIs give 0)."""
        if output_time <= 0:
            return 0
        self._offsets.append(round(output_time * self.rate) - now)
        tolerance = self.tolerance_seconds * self.rate
        steady = max(self._offsets) - min(self._offsets) <= tolerance
        if len(self._offsets) < STEADY_BLOCKS or not steady:
            return 0
        offset = sorted(self._offsets)[STEADY_BLOCKS // 2]
        if self._baseline is None:
            self._baseline = offset
            return 0
        behind = offset - self._baseline
        if abs(behind) <= tolerance:
            return 0
        if abs(behind) > MAX_CATCH_UP_SECONDS * self.rate:
            self._baseline = offset  # not lost time: timestamps from another origin
            return 0
        shifted = [o - behind for o in self._offsets]  # as if the clock had been there
        self._offsets.clear()
        self._offsets.extend(shifted)
        return behind
