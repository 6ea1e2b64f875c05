"""The simulated room: what the microphone hears is the speaker's sound convolved with
the room's impulse response, late by the room's delay, at its level, over its noise."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.testing.room import PARTNER_RMS, ROOMS, VOICE_RMS, RoomSound, impulse_response


@pytest.mark.parametrize("name", sorted(ROOMS))
def test_the_echo_is_the_played_sound_through_the_room_and_late(name: str) -> None:
    room = ROOMS[name]
    rng = np.random.default_rng(3)
    played = rng.standard_normal(16_000 * 3).astype(np.float32) * 0.05
    played[12_000:20_000] = 0.0  # a pause: the tail rings on through it
    sound = RoomSound(room)
    silent = RoomSound(room).hear(0, np.zeros(len(played) + 16_000, np.float32))  # its noise
    heard, at, start = [], 0, 0
    sizes = [512, 700, 333, 1024, 512]  # blocks as a mixer and a microphone hand them out
    while start < len(played) + 16_000:
        size = sizes[at % len(sizes)]
        block = played[start : start + size]
        if len(block) < size:
            block = np.concatenate([block, np.zeros(size - len(block), np.float32)])
        sound.played(start, block)
        heard.append(sound.hear(start, np.zeros(size, np.float32)))
        start, at = start + size, at + 1
    echo = np.concatenate(heard)[: len(silent)] - silent  # the room's noise taken away
    gain = 10 ** (room.echo_db / 20) * PARTNER_RMS / VOICE_RMS
    expected = np.convolve(played, impulse_response(room.rt60, room.direct)) * gain
    expected = np.concatenate([np.zeros(sound.delay), expected, np.zeros(len(echo))])
    expected = expected[: len(echo)]
    assert sound.delay == round((room.card_latency + room.extra_delay) * 16_000) or \
        sound.delay == 512
    assert np.max(np.abs(echo - expected)) < 1e-5 * max(1.0, float(np.max(np.abs(expected))))
    assert np.max(np.abs(echo[: sound.delay])) < 1e-6  # nothing before the delay
