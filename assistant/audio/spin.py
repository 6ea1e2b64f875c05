"""Noticing a duplex stream whose own thread spins.

PortAudio's ALSA loop (19.6, through ALSA's PulseAudio plugin) can stop waiting
between blocks: the plugin's poll descriptor stays readable while the stream has no
block ready, so the stream's thread polls in a tight loop and burns a whole core for
the rest of the session. An underrun or overrun starts it (a stall of 0.3 s under
load is enough), and sometimes nothing the callback is told of; so the callback also
watches its own thread's CPU time. Restarting the stream, in about 5 ms, ends it.
"""

from __future__ import annotations

import time

SPIN_SECONDS = 1.0  # how often the callback measures its own thread's CPU
SPIN_SHARE = 0.5  # of a core, over that time: the thread spins (its own work is about 2 %)


class SpinWatch:
    """Called from the stream's callback: whether its thread used more than SPIN_SHARE
    of a core over the last SPIN_SECONDS."""

    def __init__(self) -> None:
        self._mark: tuple[float, float] | None = None  # (wall, thread CPU) last measured

    def reset(self) -> None:
        """A new (or restarted) stream runs on a new thread."""
        self._mark = None

    def spun(self) -> bool:
        wall, cpu = time.monotonic(), time.thread_time()
        if self._mark is None:
            self._mark = wall, cpu
            return False
        since, used = wall - self._mark[0], cpu - self._mark[1]
        if since < SPIN_SECONDS:
            return False
        self._mark = wall, cpu
        return used > SPIN_SHARE * since
