"""The assistant hearing itself: the spans where its own sound (and its room's ring)
reaches the microphone, and what is done about it (half duplex, or echo cancellation),
so what the microphone hears there is not taken for a partner."""

from __future__ import annotations

import sys

from assistant.audio.mixer import Mixer, Samples
from assistant.speech.echo import EchoCanceller, EchoUnavailable

ECHO_TAIL_SECONDS = 0.3  # after its own sound stops, the room still rings this long


class OwnSound:
    """The spans of session samples the assistant sounds in, kept while they matter."""

    def __init__(self, rate: int) -> None:
        self.tail = round(ECHO_TAIL_SECONDS * rate)
        self.spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        self.spans.append((start, end))

    def drop_from(self, sample: int) -> None:
        """Sounds scheduled from this sample on were dropped before they began."""
        self.spans = [s for s in self.spans if s[0] < sample]

    def cut(self, now: int, silent_by: int) -> None:
        """Everything was cut at `now` and is silent by `silent_by`."""
        self.spans = [(a, min(b, silent_by)) for a, b in self.spans if a < now]

    def near(self, start: int, end: int, latency: int = 0) -> bool:
        """Whether own sound, or its echo's tail, reaches the window [start, end), when the
        sound card plays `latency` samples after the mixer renders."""
        tail = self.tail + latency
        self.spans = [(a, b) for a, b in self.spans if b + tail > start]
        return any(a < end for a, _ in self.spans)

    def heard_from(self, start: int, window: int, latency: int = 0) -> int:
        """The first window start from `start` on (in steps of `window`) that neither own
        sound nor its echo's tail reaches."""
        tail = self.tail + latency
        while True:
            reach = max((b + tail for a, b in self.spans if a < start + window), default=start)
            if reach <= start:
                return start
            start += -(-(reach - start) // window) * window

    def shorten(self, start: int, until: int) -> None:
        """The sound that began at `start` was cut, and is silent by `until`."""
        self.spans = [(a, min(b, until) if a == start else b) for a, b in self.spans]


class SelfHearing:
    """What the microphone hears of the assistant itself, and what is done about it.

    With headphones there is nothing to fear. With a canceller the microphone stays
    open while the assistant speaks: its voice is taken out, its cues are muted (a
    steady tone makes the canceller misjudge the echo's delay, and its own speech then
    comes through for a second, so cues are kept from it). With neither, half duplex:
    the microphone rests while the assistant sounds."""

    def __init__(self, mixer: Mixer, echo: EchoCanceller | None, headphones: bool) -> None:
        self.own, self.cues = OwnSound(mixer.rate), OwnSound(mixer.rate)
        self.echo, self.headphones, self._mixer = echo, headphones, mixer
        if echo is not None and not headphones:
            mixer.taps.append(self._far_end)
        else:
            self.echo = None

    @property
    def full_duplex(self) -> bool:
        """Whether partners are heard while the assistant speaks."""
        return self.headphones or self.echo is not None

    def add(self, start: int, end: int, cue: bool) -> None:
        self.own.add(start, end)
        if cue:
            self.cues.add(start, end)

    def drop_from(self, sample: int) -> None:
        self.own.drop_from(sample)
        self.cues.drop_from(sample)

    def cut(self, now: int, silent_by: int) -> None:
        self.own.cut(now, silent_by)
        self.cues.cut(now, silent_by)

    def _far_end(self, start: int, block: Samples) -> None:
        """What the canceller is told was played: the voice, not the cues."""
        assert self.echo is not None
        spans = self.cues.spans
        if any(a < start + len(block) and b > start for a, b in spans):
            block = block.copy()
            for a, b in spans:
                block[max(0, a - start) : max(0, b - start)] = 0.0
        self.echo.played(start, block)

    def ready_at(self, sample: int) -> int:
        return self.echo.ready_at(sample) if self.echo is not None else sample

    def cancel(self, start: int, heard: Samples, delay: int) -> Samples:
        """The assistant's voice taken out of what the microphone heard from `start`; if
        the two went out of step, or the card tells no latency to align them by, half
        duplex from here on, printed once."""
        if self.echo is None:
            return heard
        problem = "the sound card reports no latency" if delay <= 0 else ""
        if not problem:
            try:
                return self.echo.clean(start, heard, delay)
            except EchoUnavailable as error:
                problem = str(error)
        self._mixer.taps.remove(self._far_end)
        self.echo = None
        print(f"assistant: Echo cancellation stopped ({problem}); the microphone rests "
              "while the assistant speaks.", file=sys.stderr, flush=True)  # never spoken
        return heard

    def muted(self, start: int, end: int, latency: int) -> bool:
        """Whether a window is the assistant's own sound rather than a partner's."""
        if self.headphones:
            return False
        if self.echo is None or not self.echo.trained:  # half duplex while it learns
            return self.own.near(start, end, latency)
        return self.cues.near(start, end, latency)

    def resting_until(self, start: int, window: int, latency: int) -> int:
        """Where the microphone, resting from `start` on (half duplex), hears again: the
        windows before can be heard all at once, since nothing in them can be heard."""
        if self.full_duplex:
            return start
        return self.own.heard_from(start, window, latency)

    def echoing(self, start: int, end: int, latency: int) -> bool:
        """Whether the window holds what is left of the assistant's voice after
        cancellation: speech must then be surer to count."""
        return self.echo is not None and self.own.near(start, end, latency)
