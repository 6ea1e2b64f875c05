"""The live run: a sounddevice stream pulls the mixer in real time.

The callback keeps the session clock on the card's time (`StreamClock`): after
an underrun or a stall it skips the audio that could not play, so later sounds
keep their places. A watchdog thread, apart from every call that could block on
a frozen sound server, notices a stream that stopped moving; the session then
pauses with a notice, and a lost stream is abandoned on a thread of its own.
A duplex stream whose PortAudio thread spins (as after an underrun) is restarted
(`LiveAudio._restart_spinning`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from typing import Any

import numpy as np

from assistant.audio.devices import DeviceNotFound
from assistant.audio.io import T, drain, wait_for_input
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.portaudio import (
    Endpoints,
    abandon,
    endpoints,
    import_sounddevice,
    skip_portaudio_exit_handler,
    still_active,
)
from assistant.audio.spin import SpinWatch
from assistant.audio.streamclock import StreamClock
from assistant.base.errors import DeviceLost, UserError

LIVE_LEAD_SECONDS = 0.1

STALL_SECONDS = 2.0  # a running stream whose clock stands still this long has failed
START_GRACE_SECONDS = 5.0  # a new stream may take this long to play its first block
WATCH_SECONDS = 0.1  # how often the watchdog looks
WAIT_SECONDS = 0.25  # the longest the session waits between looks at the watchdog
ABANDON_SECONDS = 0.5  # how long closing a lost stream may take before it is left behind
MAX_REOPENS = 5  # streams that stop on their own are reopened this often in a session
_EMPTY = np.zeros(0, dtype=np.float32)

NO_INPUT = (
    "No microphone is available; use --mic-file FILE.wav to listen to a recording, "
    "or --text for typed commands."
)
NO_DEVICE = (
    "No sound output device is available; use --text for typed prompts without sound, "
    "or --out-file FILE.wav to write the session to a file."
)


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
        self._clock = StreamClock(rate)
        self.output_latency = 0  # samples from rendering a sample to hearing it
        self.input_latency = 0  # samples from the microphone hearing a sample to its arrival
        self.skipped = 0  # samples dropped to catch up with the card, over the session
        self._hold = 0  # samples of silence still to play while the clock waits
        self._lost = threading.Event()
        self._failed = False  # the stream itself stopped (rather than stalling)
        self.reopened = 0  # streams restarted after failing on their own
        self.restarted = 0  # restarts of the duplex stream whose thread spun
        self._progress_at = 0.0  # when the callback last rendered (time.monotonic)
        self._playing = False  # the stream has rendered its first block
        self._spinning = threading.Event()  # the duplex stream's thread spins: restart it
        self._restarting = threading.Lock()  # held while it does: stopped on purpose
        self._spin = SpinWatch()  # the duplex callback's own thread's CPU

    def open(self, mixer: Mixer) -> None:
        sd = import_sounddevice()
        self._mixer = mixer
        ends = self._endpoints()
        try:
            sd.check_output_settings(device=ends.output, channels=self.channels,
                                     samplerate=self.rate, extra_settings=ends.output_extra)
        except ValueError as error:
            if self.device is not None:
                raise UserError(f"The output device {self.device!r} cannot be used ({error}); "
                                "list devices with 'assistant devices'.") from None
            raise UserError(NO_DEVICE) from None
        except sd.PortAudioError:
            raise UserError(NO_DEVICE) from None
        if self.listen:
            self._require_input(sd, ends)
        try:
            if self.listen:  # one stream both ways, so mic and speaker share the clock
                self._stream = sd.Stream(
                    samplerate=self.rate, channels=(1, self.channels), dtype="float32",
                    device=(ends.input, ends.output), blocksize=self.blocksize,
                    callback=self._duplex_callback, latency=self.latency,
                    extra_settings=(ends.input_extra, ends.output_extra))
            else:
                self._stream = sd.OutputStream(
                    samplerate=self.rate, channels=self.channels, dtype="float32",
                    device=ends.output, extra_settings=ends.output_extra,
                    blocksize=self.blocksize, callback=self._callback, latency=self.latency)
            # the clock is not reset: timestamps of a reopened stream share the old one's
            # time base, so the time between the two is caught up like any stall
            self._hold = 0
            self._lost.clear()
            self._spinning.clear()
            self._spin.reset()
            self._failed = False
            self._playing, self._progress_at = False, time.monotonic()
            self._stream.start()
            self.output_latency = round(_output_latency(self._stream.latency) * self.rate)
            latency = self._stream.latency  # (input, output) for a duplex stream
            self.input_latency = round(float(latency[0]) * self.rate) \
                if isinstance(latency, (tuple, list)) else 0
            threading.Thread(target=self._watch, args=(self._stream,), name="stream watchdog",
                             daemon=True).start()
        except ValueError as error:  # no such device, or a bad device spec
            raise UserError(f"The sound device was not found ({error}); "
                            "list devices with 'assistant devices'.") from None
        except sd.PortAudioError:
            raise UserError(NO_DEVICE) from None

    def _endpoints(self) -> Endpoints:
        """The devices as given, names resolved to one each (a card is listed once per
        host API on Windows)."""
        try:
            return endpoints(self.input_device if self.listen else None, self.device)
        except DeviceNotFound as error:
            given = self.input_device if error.kind == "input" else self.device
            raise UserError(f"The {error.kind} device {given!r} cannot be used ({error}); "
                            "list devices with 'assistant devices'.") from None

    def _require_input(self, sd: Any, ends: Endpoints) -> None:
        try:
            sd.check_input_settings(device=ends.input, channels=1, samplerate=self.rate,
                                    extra_settings=ends.input_extra)
        except ValueError as error:
            if self.input_device is not None:
                raise UserError(f"The input device {self.input_device!r} cannot be used "
                                f"({error}); list devices with 'assistant devices'.") from None
            raise UserError(NO_INPUT) from None
        except sd.PortAudioError:
            raise UserError(NO_INPUT) from None

    def _render(self, outdata: Any, frames: int, times: Any) -> tuple[int, int]:
        """Fill the output block on the card's time. Returns the samples the clock skipped
        before it and the samples of silence held at its start (the clock stood still)."""
        assert self._mixer is not None
        lag = self._clock.lag(float(times.outputBufferDacTime), self._mixer.now)
        skipped = max(lag, 0)
        if skipped:
            self._mixer.skip_to(self._mixer.now + skipped)
            self.skipped += skipped
        self._hold += max(-lag, 0)
        held = min(self._hold, frames)
        self._hold -= held
        outdata[:held] = 0.0
        outdata[held:] = self._mixer.render(frames - held).reshape(frames - held, -1)
        self._playing, self._progress_at = True, time.monotonic()
        return skipped, held

    def _callback(self, outdata: Any, frames: int, times: Any, status: Any) -> None:
        self._render(outdata, frames, times)

    def _duplex_callback(self, indata: Any, outdata: Any, frames: int, times: Any,
                         status: Any) -> None:
        # the microphone keeps mic sample n at session sample n: the time the clock
        # skipped is filled with the sound of the moment after it (silence there would
        # look like a pause in a partner's speech), the time it held still is dropped
        if status.output_underflow or status.input_overflow or self._spin.spun():
            self._spinning.set()
        skipped, held = self._render(outdata, frames, times)
        if skipped:
            self._mic.put_nowait(np.resize(indata[:, 0], skipped).astype(np.float32))
        self._mic.put_nowait(indata[held:, 0].copy())

    def _watch(self, stream: Any) -> None:
        """Until `stream` is replaced or closed: mark it lost when it has failed or stopped
        moving (a frozen sound server blocks the stream's own thread, never this one)."""
        while self._stream is stream and not self._lost.is_set():
            time.sleep(WATCH_SECONDS)
            if not self._restarting.acquire(blocking=False):
                continue  # stopped on purpose, for a moment
            try:
                active = still_active(stream)
            finally:
                self._restarting.release()
            if self._stream is not stream:  # closed or replaced meanwhile
                return
            if not active:
                self._failed = True
                self._lost.set()
            elif stalled(time.monotonic() - self._progress_at, self._playing):
                self._lost.set()

    @property
    def has_microphone(self) -> bool:
        return self.listen

    def read_mic(self) -> Samples:
        return np.concatenate(drain(self._mic)) if not self._mic.empty() else _EMPTY

    def _check_alive(self) -> None:
        """Raise DeviceLost if the watchdog found the stream failed or stalled. A stream
        that stopped on its own (PortAudio gives up after some underruns, as after a stall
        of this process) is opened again once, at once: the device may be fine. A stalled
        one is not: reopening would block on a frozen server."""
        if self._spinning.is_set() and not self._lost.is_set():
            self._restart_spinning()
        if not self._lost.is_set():
            return
        failed = self._failed
        self.close(lost=True)
        if failed and self.reopened < MAX_REOPENS and self._mixer is not None:
            self.reopened += 1
            try:
                self.open(self._mixer)
                return
            except UserError:
                pass
        raise DeviceLost

    def _restart_spinning(self) -> None:
        """Stop and start the duplex stream again: its thread spins, or is about to
        (`spin.py`). The clock catches up with the few milliseconds it takes like any
        stall; a stream that cannot restart is a failed one."""
        self._spinning.clear()
        stream = self._stream
        if stream is None:
            return
        with self._restarting:
            self._spin.reset()
            try:
                stream.abort()
                stream.start()
            except Exception:  # PortAudioError, or a stream closed meanwhile
                self._failed = True
                self._lost.set()
                return
        self.restarted += 1

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        assert self._mixer is not None, "open() first"
        while until is None or self._mixer.now < until - self.lead:
            self._check_alive()
            if self.listen and not self._mic.empty():  # a block from the microphone
                return []
            wait = (WAIT_SECONDS if until is None
                    else (until - self.lead - self._mixer.now) / self.rate)
            # while listening, look at the microphone every block: a partner's word
            # must not wait behind a long prompt
            wait = min(wait, self.blocksize / self.rate if self.listen else WAIT_SECONDS)
            arrived = wait_for_input(inbox, wait)
            if arrived:
                return arrived
        return []

    def close(self, lost: bool = False) -> None:
        """Let the last sound play out; a lost device is abandoned at once (draining it
        would wait for a buffer that never plays), on a thread of its own: with a frozen
        sound server even aborting blocks until the server wakes, if ever."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        if not lost:
            with contextlib.suppress(Exception):  # a failed device may refuse even this
                stream.stop()
                stream.close()
            return
        closing = threading.Thread(target=abandon, args=(stream,), name="abandon stream",
                                   daemon=True)
        closing.start()
        closing.join(ABANDON_SECONDS)
        if closing.is_alive():  # never wait for it at exit either
            skip_portaudio_exit_handler()


def stalled(quiet_seconds: float, playing: bool) -> bool:
    """Whether a stream that has not rendered for `quiet_seconds` has failed: a new one
    gets a grace to start (some Bluetooth devices take seconds), a playing one does not."""
    return quiet_seconds > (STALL_SECONDS if playing else START_GRACE_SECONDS)


def _output_latency(latency: Any) -> float:
    """The output part of a stream's reported latency: (input, output) for a duplex one."""
    return float(latency[1] if isinstance(latency, (tuple, list)) else latency)
