"""The one interface every speaker/clock implementation offers the session runner."""

from __future__ import annotations

import queue
from typing import Protocol, TypeVar

from assistant.audio.mixer import Mixer, Samples

T = TypeVar("T")
SESSION_RATE = 16_000  # the session clock's rate: speech detection's native rate too


class AudioIO(Protocol):
    """Pulls the mixer's samples to an output and so advances the session clock."""

    lead: int  # how far ahead of the clock (samples) the session logic runs
    output_latency: int  # samples from rendering a sample to its reaching the speaker
    # True where the clock runs only as far as it is asked (a virtual run): while a turn
    # listens, the runner then asks one microphone window at a time. A live stream
    # pushes the microphone as it comes instead.
    steps_with_mic: bool
    input_ended: bool  # a microphone file has run out: nobody can speak any more

    def open(self, mixer: Mixer) -> None: ...

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        """Let the clock run to `until` (or forever, if None), returning early with any
        commands that arrive in `inbox`."""
        ...

    def close(self) -> None: ...

    @property
    def has_microphone(self) -> bool: ...

    def read_mic(self) -> Samples:
        """The microphone's samples (16 kHz mono) since the last call, up to the clock;
        sample n of everything read is session sample n."""
        ...


def drain(inbox: queue.Queue[T]) -> list[T]:
    """Everything waiting in a queue, without blocking."""
    items: list[T] = []
    while True:
        try:
            items.append(inbox.get_nowait())
        except queue.Empty:
            return items


def wait_for_input(inbox: queue.Queue[T], seconds: float) -> list[T]:
    """Block up to `seconds` for commands."""
    try:
        first = inbox.get(timeout=max(seconds, 0.0))
    except queue.Empty:
        return []
    return [first, *drain(inbox)]
