"""The virtual run: files stand in for microphone and speaker; the clock runs flat out."""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.audio.io import T, drain
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.outfile import OutFile, open_out_file
from assistant.audio.wavfile import WavReader
from assistant.base.critical import deferred

BLOCK_SECONDS = 1.0  # how much is mixed at a time; it bounds memory, not timing


class VirtualAudio:
    lead = 0  # nothing plays until it is written, so the logic needs no head start
    output_latency = 0  # a sample is "heard" the moment it is written
    steps_with_mic = True
    input_ended = False

    def __init__(self, rate: int, out_file: Path | None = None, mic_file: Path | None = None,
                 mic_rate: int = 16_000,
                 taps: Sequence[Callable[[Samples], None]] = ()) -> None:
        self.rate = rate
        self.taps = taps  # each rendered block is handed to these too (an export writes it down)
        self.mic = WavReader(mic_file, mic_rate, "microphone file") if mic_file else None
        self._out_path = out_file
        self._writer: OutFile | None = None
        self._mixer: Mixer | None = None
        self._mic_read = 0  # mic samples handed out so far

    def open(self, mixer: Mixer) -> None:
        """Start writing; opened again on the same clock (a menu, then its session),
        it goes on with the same files."""
        self._mixer = mixer
        if self._out_path and self._writer is None:  # None again for the null device
            self._writer = open_out_file(self._out_path, self.rate, mixer.channels)

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        assert self._mixer is not None, "open() first"
        if until is None:
            raise RuntimeError("a virtual session has nothing scheduled and no one to wake it")
        block = round(BLOCK_SECONDS * self.rate)
        while self._mixer.now < until:
            with deferred():  # a signal between the two would lose rendered samples
                samples = self._mixer.render(min(block, until - self._mixer.now))
                if self._writer:
                    self._writer.write(samples)
                for tap in self.taps:
                    tap(samples)
        return drain(inbox)

    @property
    def has_microphone(self) -> bool:
        return self.mic is not None

    def read_mic(self) -> Samples:
        """Mic sample n arrives at session time n / 16000: what the clock has passed."""
        assert self._mixer is not None and self.mic is not None
        upto = self._mixer.now
        block = self.mic.read(upto - self._mic_read)
        if len(block) < upto - self._mic_read:  # the file has ended: the room is silent
            self.input_ended = True
            block = np.concatenate([block, np.zeros(upto - self._mic_read - len(block),
                                                    dtype=np.float32)])
        self._mic_read = upto
        return block

    def close(self) -> None:
        if self.mic is not None:
            self.mic.close()
        if self._writer:
            self._writer.close()
            self._writer = None
