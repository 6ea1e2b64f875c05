"""The simulated room: what the microphone hears is the speaker's sound convolved with
the room's impulse response, late by the room's delay, at its level, over its noise."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.testing.room import (
    PARTNER_RMS,
    ROOMS,
    VOICE_RMS,
    Room,
    RoomSound,
    echo_path,
    impulse_response,
    moved_share,
)

RATE = 16_000


def _through(room: Room, played: np.ndarray) -> tuple[RoomSound, np.ndarray]:
    """The echo the microphone heard of `played`, the room's noise taken away."""
    sound = RoomSound(room)
    silent = RoomSound(room).hear(0, np.zeros(len(played) + RATE, np.float32))  # its noise
    heard, at, start = [], 0, 0
    sizes = [512, 700, 333, 1024, 512]  # blocks as a mixer and a microphone hand them out
    while start < len(played) + RATE:
        size = sizes[at % len(sizes)]
        block = played[start : start + size]
        if len(block) < size:
            block = np.concatenate([block, np.zeros(size - len(block), np.float32)])
        sound.played(start, block)
        heard.append(sound.hear(start, np.zeros(size, np.float32)))
        start, at = start + size, at + 1
    return sound, np.concatenate(heard)[: len(silent)] - silent


def _late(delay: int, echo: np.ndarray, length: int) -> np.ndarray:
    return np.concatenate([np.zeros(delay), echo, np.zeros(length)])[:length]


def _played() -> np.ndarray:
    rng = np.random.default_rng(3)
    played = rng.standard_normal(RATE * 3).astype(np.float32) * 0.05
    played[12_000:20_000] = 0.0  # a pause: the tail rings on through it
    return played


@pytest.mark.parametrize("name", sorted(n for n, r in ROOMS.items() if r.highpass is None))
def test_the_echo_is_the_played_sound_through_the_room_and_late(name: str) -> None:
    room = replace(ROOMS[name], move=None)  # the move is held to its own test below
    played = _played()
    sound, echo = _through(room, played)
    gain = 10 ** (room.echo_db / 20) * PARTNER_RMS / VOICE_RMS
    expected = np.convolve(played, impulse_response(room.rt60, room.direct)) * gain
    expected = _late(sound.delay, expected, len(echo))
    assert sound.delay == round((room.card_latency + room.extra_delay) * 16_000) or \
        sound.delay == 512
    assert np.max(np.abs(echo - expected)) < 1e-5 * max(1.0, float(np.max(np.abs(expected))))
    assert np.max(np.abs(echo[: sound.delay])) < 1e-6  # nothing before the delay


def test_a_phones_small_speaker_echoes_no_bass() -> None:
    room = ROOMS["phone-on-nightstand"]
    played = _played()
    _, echo = _through(room, played)
    delay, ir = echo_path(room)
    expected = _late(delay, np.convolve(played, ir), len(echo))
    assert np.max(np.abs(echo - expected)) < 1e-5 * float(np.max(np.abs(expected)))
    spectrum = np.abs(np.fft.rfft(ir, RATE)) ** 2  # 1 Hz bins
    assert spectrum[:150].mean() < 10 ** (-2.5) * spectrum[500:4000].mean()  # -25 dB
    gain = 10 ** (room.echo_db / 20) * PARTNER_RMS / VOICE_RMS
    assert float(np.sum(ir.astype(np.float64) ** 2)) == pytest.approx(gain**2, rel=1e-3)


def test_an_echo_path_that_changes_when_someone_moves_is_crossfaded_in() -> None:
    room = ROOMS["bluetooth-living-room"]
    assert room.move is not None
    room = replace(room, move=replace(room.move, at=1.5))  # within the sound played here
    played = _played()
    _, echo = _through(room, played)
    before, after = echo_path(room), echo_path(room, moved=True)
    assert after[0] - before[0] == round(0.05 * RATE)  # 50 ms later once moved
    share = moved_share(room, 0, len(echo))
    expected = (1 - share) * _late(before[0], np.convolve(played, before[1]), len(echo)) \
        + share * _late(after[0], np.convolve(played, after[1]), len(echo))
    assert np.max(np.abs(echo - expected)) < 1e-5 * float(np.max(np.abs(expected)))
    fade = np.flatnonzero((share > 0) & (share < 1))
    assert fade[0] == round(1.5 * RATE) + 1 and len(fade) == round(0.05 * RATE) - 1
