"""PortAudio through sounddevice: loading it, asking a device what it offers, and the
ways its streams must be handled with care (one closed by another thread, one stuck
on a frozen sound server)."""

from __future__ import annotations

import atexit
import contextlib
from typing import Any

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


def offers_stereo(device: str | int | None) -> bool:
    """Whether the output device has two channels or more (so partners can be placed)."""
    sd = import_sounddevice()
    try:
        return int(sd.query_devices(device, "output")["max_output_channels"]) >= 2
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
