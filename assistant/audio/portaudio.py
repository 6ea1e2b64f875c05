"""PortAudio through sounddevice: loading it, asking a device what it offers, and the
ways its streams must be handled with care (one closed by another thread, one stuck
on a frozen sound server)."""

from __future__ import annotations

import atexit
import contextlib
from dataclasses import dataclass
from typing import Any

from assistant.audio.devices import WASAPI, Cards, Spec, choose
from assistant.base.errors import UserError


def import_sounddevice() -> Any:
    try:
        import sounddevice
    except OSError:
        raise UserError(
            "The PortAudio library is missing; install the libportaudio2 package "
            "(sudo apt install libportaudio2)."
        ) from None
    return sounddevice


@dataclass(frozen=True)
class Endpoints:
    """The devices a stream opens, and the host API settings each needs."""

    input: Spec
    output: Spec
    input_extra: Any = None
    output_extra: Any = None


def endpoints(input_spec: Spec, output_spec: Spec) -> Endpoints:
    """Names resolved to one device each (`devices.choose`; DeviceNotFound, a ValueError,
    if one cannot be). A shared WASAPI device runs at the system mixer's rate, so it is
    asked to convert to the session's own."""
    if input_spec is None and output_spec is None:
        return Endpoints(None, None)  # PortAudio's defaults, as they are
    sd = import_sounddevice()
    try:
        cards = Cards.of(sd.query_devices(), sd.query_hostapis(), sd.default.hostapi)
    except sd.PortAudioError:
        return Endpoints(input_spec, output_spec)  # opening will say what is wrong
    chosen = choose(input_spec, output_spec, cards)

    def extra(index: int | None) -> Any:
        return sd.WasapiSettings(auto_convert=True) if cards.host_api_of(index) == WASAPI \
            else None

    return Endpoints(chosen.input, chosen.output, extra(chosen.input), extra(chosen.output))


def offers_stereo(device: Spec) -> bool:
    """Whether the output device has two channels or more (so partners can be placed)."""
    sd = import_sounddevice()
    try:
        output = endpoints(None, device).output
        return int(sd.query_devices(output, "output")["max_output_channels"]) >= 2
    except (ValueError, sd.PortAudioError):
        return False  # no such device: opening it will say so plainly


def still_active(stream: Any) -> bool:
    """A stream closed by another thread meanwhile raises (PortAudio error -9988)."""
    try:
        return bool(stream.active)
    except Exception:
        return False


def abandon(stream: Any) -> None:
    with contextlib.suppress(Exception):
        stream.abort()
        stream.close()


def skip_portaudio_exit_handler() -> None:
    """sounddevice closes PortAudio at exit, which waits for every open stream: with one
    stuck on a frozen server the process would never end."""
    import sounddevice

    handler = getattr(sounddevice, "_exit_handler", None)
    if handler is not None:
        atexit.unregister(handler)
