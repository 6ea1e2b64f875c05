"""The live run: a sounddevice stream pulls the mixer in real time."""

from __future__ import annotations

import contextlib
import queue
import time
from typing import Any

import numpy as np

from assistant.audio.io import T, drain, wait_for_input
from assistant.audio.mixer import Mixer, Samples
from assistant.errors import DeviceLost, UserError

LIVE_LEAD_SECONDS = 0.1

STALL_SECONDS = 2.0  # a stream whose clock stands still this long has failed
_EMPTY = np.zeros(0, dtype=np.float32)

NO_INPUT = (
    "No microphone is available; use --mic-file FILE.wav to listen to a recording, "
    "or --text for typed commands."
)
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
                 input_device: str | int | None = None, listen: bool = True,
                 blocksize: int = 512, latency: float | str = "low", channels: int = 1) -> None:
        self.rate, self.device, self.blocksize = rate, output_device, blocksize
        self.channels = channels  # of the output: 2 places the partners left and right
        self.input_device, self.listen = input_device, listen
        self._mic: queue.Queue[Samples] = queue.Queue()
        self.latency = latency  # "low": a partner's word over a prompt must be heard at once
        # The logic runs this far ahead of the stream, so a sound that starts when a
        # timer fires is scheduled before its sample is rendered, never late.
        self.lead = round(LIVE_LEAD_SECONDS * rate)
        self.steps_with_mic = False
        self.input_ended = False
        self._stream: Any = None
        self._mixer: Mixer | None = None
        self._seen_sample, self._seen_at = 0, 0.0

    def open(self, mixer: Mixer) -> None:
        sd = import_sounddevice()
        self._mixer = mixer
        try:
            sd.check_output_settings(device=self.device, channels=self.channels,
                                     samplerate=self.rate)
        except ValueError as error:
            if self.device is not None:
                raise UserError(f"The output device {self.device!r} cannot be used ({error}); "
                                "list devices with 'assistant devices'.") from None
            raise UserError(NO_DEVICE) from None
        except sd.PortAudioError:
            raise UserError(NO_DEVICE) from None
        if self.listen:
            self._require_input(sd)
        try:
            if self.listen:  # one stream both ways, so mic and speaker share the clock
                self._stream = sd.Stream(
                    samplerate=self.rate, channels=(1, self.channels), dtype="float32",
                    device=(self.input_device, self.device), blocksize=self.blocksize,
                    callback=self._duplex_callback, latency=self.latency)
            else:
                self._stream = sd.OutputStream(
                    samplerate=self.rate, channels=self.channels, dtype="float32",
                    device=self.device,
                    blocksize=self.blocksize, callback=self._callback, latency=self.latency)
            self._stream.start()
            self._seen_sample, self._seen_at = mixer.now, time.monotonic()
        except ValueError as error:  # no such device, or a bad device spec
            raise UserError(f"The sound device was not found ({error}); "
                            "list devices with 'assistant devices'.") from None
        except sd.PortAudioError:
            raise UserError(NO_DEVICE) from None

    def _require_input(self, sd: Any) -> None:
        try:
            sd.check_input_settings(device=self.input_device, channels=1, samplerate=self.rate)
        except ValueError as error:
            if self.input_device is not None:
                raise UserError(f"The input device {self.input_device!r} cannot be used "
                                f"({error}); list devices with 'assistant devices'.") from None
            raise UserError(NO_INPUT) from None
        except sd.PortAudioError:
            raise UserError(NO_INPUT) from None

    def _callback(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        assert self._mixer is not None
        outdata[:] = self._mixer.render(frames).reshape(frames, -1)

    def _duplex_callback(self, indata: Any, outdata: Any, frames: int, time: Any,
                         status: Any) -> None:
        self._callback(outdata, frames, time, status)
        self._mic.put_nowait(indata[:, 0].copy())

    @property
    def has_microphone(self) -> bool:
        return self.listen

    def read_mic(self) -> Samples:
        return np.concatenate(drain(self._mic)) if not self._mic.empty() else _EMPTY

    def _check_alive(self) -> None:
        """Raise DeviceLost if the stream has failed or its clock has stopped moving."""
        assert self._mixer is not None
        now = time.monotonic()
        if self._mixer.now != self._seen_sample:
            self._seen_sample, self._seen_at = self._mixer.now, now
        if not self._stream.active or now - self._seen_at > STALL_SECONDS:
            self.close(lost=True)
            raise DeviceLost

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        assert self._mixer is not None, "open() first"
        while until is None or self._mixer.now < until - self.lead:
            self._check_alive()
            if self.listen and not self._mic.empty():  # a block from the microphone
                return []
            wait = 0.5 if until is None else (until - self.lead - self._mixer.now) / self.rate
            # while listening, look at the microphone every block: a partner's word
            # must not wait behind a long prompt
            wait = min(wait, self.blocksize / self.rate if self.listen else 0.5)
            arrived = wait_for_input(inbox, wait)
            if arrived:
                return arrived
        return []

    def close(self, lost: bool = False) -> None:
        """Let the last sound play out; a lost device is abandoned at once (draining it
        would wait for a buffer that never plays)."""
        if self._stream is not None:
            with contextlib.suppress(Exception):  # a failed device may refuse even this
                if lost:
                    self._stream.abort()
                else:
                    self._stream.stop()
                self._stream.close()
            self._stream = None


def offers_stereo(device: str | int | None) -> bool:
    """Whether the output device has two channels or more (so partners can be placed)."""
    sd = import_sounddevice()
    try:
        return int(sd.query_devices(device, "output")["max_output_channels"]) >= 2
    except (ValueError, sd.PortAudioError):
        return False  # no such device: opening it will say so plainly


class WallClock:
    """No speaker at all (text mode): the clock follows real time and nothing is played."""

    lead = 0
    steps_with_mic = False
    input_ended = False

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._mixer: Mixer | None = None
        self._origin = 0.0

    def open(self, mixer: Mixer) -> None:
        self._mixer, self._origin = mixer, time.monotonic()

    def _wall_sample(self) -> int:
        return int((time.monotonic() - self._origin) * self.rate)

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
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

    @property
    def has_microphone(self) -> bool:
        return False

    def read_mic(self) -> Samples:
        return _EMPTY

    def close(self) -> None:
        pass
