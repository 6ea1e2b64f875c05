"""Half duplex: the spans where the assistant's own sound (and its room's ring) reaches
the microphone, so what the microphone hears there is not taken for a partner."""

from __future__ import annotations

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
