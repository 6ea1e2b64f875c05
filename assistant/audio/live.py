"""The live run: a sounddevice stream pulls the mixer in real time."""

from __future__ import annotations

import queue
import time
from typing import Any

from assistant.audio.io import wait_for_input
from assistant.audio.mixer import Mixer
from assistant.errors import UserError

LIVE_LEAD_SECONDS = 0.1

NO_DEVICE = (
    "No sound output device is available; use --text for typed prompts without sound, "
    "or --out-file FILE.wav to write the session to a file."
)


def import_sounddevice() -> Any:
    try:
        import sounddevice
    except OSError:
        raise UserError(
            "The PortAudio library is missing; install the libportaudio2 package "
            "(sudo apt install libportaudio2)."
        ) from None
    return sounddevice


class LiveAudio:
    """Output through PortAudio; the callback only copies mixed samples out."""

    def __init__(self, rate: int, output_device: str | int | None = None,
                 blocksize: int = 512, latency: float | str = "high") -> None:
        self.rate, self.device, self.blocksize = rate, output_device, blocksize
        self.latency = latency  # "high": a steady stream matters more than a few ms here
        self.underruns = 0
        # The logic runs this far ahead of the stream, so a sound that starts when a
        # timer fires is scheduled before its sample is rendered, never late.
        self.lead = round(LIVE_LEAD_SECONDS * rate)
        self._stream: Any = None
        self._mixer: Mixer | None = None

    def open(self, mixer: Mixer) -> None:
        sd = import_sounddevice()
        self._mixer = mixer
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate, channels=1, dtype="float32", device=self.device,
                blocksize=self.blocksize, callback=self._callback, latency=self.latency,
            )
            self._stream.start()
        except ValueError as error:  # no such device, or a bad device spec
            raise UserError(f"The output device {self.device!r} was not found ({error}); "
                            "list devices with 'assistant devices'.") from None
        except sd.PortAudioError:
            raise UserError(NO_DEVICE) from None

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        assert self._mixer is not None
        if status.output_underflow:
            self.underruns += 1
        outdata[:, 0] = self._mixer.render(frames)

    def advance(self, until: int | None, inbox: queue.Queue[str]) -> list[str]:
        assert self._mixer is not None, "open() first"
        while until is None or self._mixer.now < until - self.lead:
            wait = 0.5 if until is None else (until - self.lead - self._mixer.now) / self.rate
            wait = min(wait, 0.5)
            arrived = wait_for_input(inbox, wait)
            if arrived:
                return arrived
        return []

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class WallClock:
    """No speaker at all (text mode): the clock follows real time and nothing is played."""

    lead = 0

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._mixer: Mixer | None = None
        self._origin = 0.0

    def open(self, mixer: Mixer) -> None:
        self._mixer, self._origin = mixer, time.monotonic()

    def _wall_sample(self) -> int:
        return int((time.monotonic() - self._origin) * self.rate)

    def advance(self, until: int | None, inbox: queue.Queue[str]) -> list[str]:
        assert self._mixer is not None, "open() first"
        while True:
            now = self._wall_sample()
            if until is not None and now >= until:
                self._mixer.skip_to(until)
                return []
            wait = None if until is None else (until - now) / self.rate
            arrived = wait_for_input(inbox, 0.5 if wait is None else min(wait, 0.5))
            if arrived:
                self._mixer.skip_to(max(self._wall_sample(), self._mixer.now))
                return arrived

    def close(self) -> None:
        pass
