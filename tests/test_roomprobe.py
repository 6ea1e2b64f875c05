"""The room measured from the assistant's own sound, against the simulated room's truth.

The truth of each room is worked out from what the simulator knows, the way the
measurement defines it:

- delay: the card's reported latency plus the unreported extra (`echo_path`);
- level: the energy of the echo (the played sound convolved with the room's impulse
  response, at its level) against the played sound's, in dB;
- ring: after the direct path arrives, the time for the echo of the loud part of the
  played sound (the 90th percentile of its 20 ms frames' power) to fall to the room's
  noise floor (its fan and hum, power-summed), or by 60 dB, whichever comes first.
  The impulse response keeps 1 - direct of its energy past the direct path, falling
  60 dB per RT60, so the ring is min(rt60 (loud + tail - noise) / 60, rt60 (60 + tail)
  / 60), with tail = 10 log10(1 - direct).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from assistant.audio.mixer import Samples
from assistant.speech.roommeasure import RoomMeasure, frame_powers, measure
from assistant.speech.roomprobe import RoomProbe
from assistant.testing.recorded import recording
from assistant.testing.room import ROOMS, VOICE_RMS, Room, RoomSound, echo_path
from assistant.testing.sounds import noise, spoken

RATE = 16_000
PROMPT = "Each of you will have a couple of minutes to share how today has been."
EVERY = 6.5  # seconds from one prompt to the next
DELAY_MS, RING_MS, LEVEL_DB = 10.0, 100.0, 2.0  # the measurement's allowed errors


@pytest.fixture(scope="module")
def prompt() -> Samples:
    """The assistant's voice as it plays: speech at the mixer's speech level."""
    clip = spoken(PROMPT)
    levelled: Samples = clip * np.float32(VOICE_RMS / math.sqrt(float(np.mean(clip**2))))
    return levelled


def db(power: float) -> float:
    return 10 * math.log10(power)


def truth(room: Room, played: Samples, moved: bool = False) -> RoomMeasure:
    """The room's true delay, ring and level for this played sound."""
    delay, ir = echo_path(room, moved)
    echo = np.convolve(played.astype(np.float64), ir.astype(np.float64))
    level = db(float(np.sum(echo**2))) - db(float(np.sum(played.astype(np.float64) ** 2)))
    loud = db(float(np.percentile(frame_powers(echo), 90)))
    floor = db(sum(10 ** (v / 10) for v in (room.fan_db, room.hum_db) if v is not None))
    tail = db(1 - room.direct)
    ring = min(room.rt60 * (loud + tail - floor) / 60, room.rt60 * (60 + tail) / 60)
    return RoomMeasure(delay / RATE, ring, level, 1.0)


def session(room: Room, sounds: Sequence[tuple[float, Samples]],
            speech: Sequence[tuple[float, Samples]] = (), seconds: float | None = None,
            ) -> tuple[RoomProbe, list[tuple[float, RoomMeasure]]]:
    """The probe through a session in `room`: the assistant's `sounds` and the partners'
    `speech` at their session times; each measure with the time it came at."""
    end = seconds or max(at + len(clip) / RATE for at, clip in sounds) + 3.0
    total = round(end * RATE)
    far, near = np.zeros(total, np.float32), np.zeros(total, np.float32)
    for track, placed in ((far, sounds), (near, speech)):
        for at, clip in placed:
            start = round(at * RATE)
            track[start : start + len(clip)] += clip[: total - start]
    sound = RoomSound(room)
    probe = RoomProbe(RATE, sound.reported_latency)
    measures, at, k = [], 0, 0
    sizes = (512, 480, 1024, 333)  # the mixer renders a block, then the microphone reads
    while at < total:
        size = min(sizes[k % len(sizes)], total - at)
        sound.played(at, far[at : at + size])
        probe.played(at, far[at : at + size])
        now = probe.heard(at, sound.hear(at, near[at : at + size]))
        if now is not None:
            measures.append(((at + size) / RATE, now))
        at, k = at + size, k + 1
    return probe, measures


def off(measured: RoomMeasure, true: RoomMeasure) -> tuple[float, float, float]:
    """The errors: delay and ring in ms, level in dB."""
    return (abs(measured.delay_s - true.delay_s) * 1000,
            abs(measured.ring_s - true.ring_s) * 1000, abs(measured.echo_db - true.echo_db))


@pytest.mark.parametrize("name", sorted(ROOMS))
def test_the_room_is_measured_as_it_is(name: str, prompt: Samples) -> None:
    room = ROOMS[name]
    probe, measures = session(room, [(1.0 + EVERY * k, prompt) for k in range(3)])
    assert len(measures) == 3  # every prompt measured
    true = truth(room, prompt)
    delay, ring, level = off(measures[-1][1], true)
    assert delay <= DELAY_MS and ring <= RING_MS and level <= LEVEL_DB, (delay, ring, level)
    assert probe.guard() == round(min(1.5, max(0.2, measures[-1][1].delay_s
                                               + measures[-1][1].ring_s)) * RATE)
    assert probe.guard() > round(0.3 * RATE) + probe.reported_latency or \
        name in ("laptop-on-bed", "phone-on-nightstand", "kitchen-table")


def test_partners_speaking_over_the_assistant_do_not_move_the_measure(
        prompt: Samples) -> None:
    room = ROOMS["speaker-on-shelf"]
    levels = RoomSound(room).levels()
    a = spoken("I noticed how kind you were to my sister on the phone") * levels["A"]
    b = recording(1) * np.float32(levels["B"])  # a real person's voice, the softer partner
    starts = [1.0 + EVERY * k for k in range(5)]
    over = [(starts[0] + 0.3, a),  # all through the first prompt
            (starts[2] + 2.0, b[: RATE // 2]),  # a few words over the third
            (starts[3] + 1.0, b)]  # most of the fourth, well under the echo
    _, measures = session(room, [(at, prompt) for at in starts], over)
    true = truth(room, prompt)
    assert measures
    for _, measured in measures:
        delay, ring, level = off(measured, true)
        assert delay <= DELAY_MS and ring <= RING_MS and level <= LEVEL_DB, (delay, ring, level)
    kept = [k for k in range(5) if any(starts[k] < at < starts[k] + EVERY for at, _ in measures)]
    assert 0 not in kept and 2 in kept  # a prompt talked over all through is not kept


def test_the_measure_follows_the_echo_path_when_someone_moves(prompt: Samples) -> None:
    room = ROOMS["bluetooth-living-room"]
    assert room.move is not None
    move = replace(room.move, at=24.0)  # the fifth prompt is across it
    room = replace(room, move=move)
    starts = [1.0 + 5.0 * k for k in range(8)]
    _, measures = session(room, [(at, prompt) for at in starts])
    before, after = truth(room, prompt), truth(room, prompt, moved=True)
    assert after.delay_s - before.delay_s == pytest.approx(0.05)
    assert after.echo_db - before.echo_db == pytest.approx(-5.0, abs=0.5)
    settled = [m for at, m in measures if at < move.at]
    assert len(settled) == 4
    delay, ring, level = off(settled[-1], before)
    assert delay <= DELAY_MS and ring <= RING_MS and level <= LEVEL_DB, (delay, ring, level)
    moved = [m for at, m in measures if at > move.at]
    assert len(moved) >= 3
    followed = next(k for k, m in enumerate(moved) if off(m, after)[0] <= DELAY_MS)
    assert followed <= 2  # within three stretches from the move on
    delay, ring, level = off(moved[-1], after)
    assert delay <= DELAY_MS and ring <= RING_MS and level <= LEVEL_DB, (delay, ring, level)


def test_before_anything_is_measured_the_guard_is_the_fixed_one() -> None:
    probe = RoomProbe(RATE, reported_latency=960)
    assert probe.measure is None and probe.guard() == round(0.3 * RATE) + 960
    assert RoomMeasure(0.02, 0.05, 0.0, 1.0).guard_s() == 0.2
    assert RoomMeasure(0.4, 1.6, 0.0, 1.0).guard_s() == 1.5
    event = RoomMeasure(0.2412, 0.4037, 2.64, 0.93).to_event()
    assert event == {"delay": 0.241, "ring": 0.404, "echo_db": 2.6, "confidence": 0.93,
                     "guard": 0.645}


def test_what_cannot_be_measured_gives_no_measure(prompt: Samples) -> None:
    room = ROOMS["kitchen-table"]
    blip = prompt[: RATE // 2]  # too little played sound
    t = np.arange(3 * RATE) / RATE
    cue = (0.05 * np.sin(2 * np.pi * 880 * t)).astype(np.float32)  # a steady tone
    _, measures = session(room, [(1.0, blip), (4.0, cue)])
    assert measures == []
    # with headphones the microphone hears no echo at all: only the room's noise
    quiet = noise("pink", len(prompt) / RATE + 2.0, 10 ** (-60 / 20))
    played = np.concatenate([prompt, np.zeros(2 * RATE, np.float32)])
    assert measure(played, quiet, -60.0) is None


def test_a_microphone_that_missed_samples_is_not_measured_across_the_gap(
        prompt: Samples) -> None:
    room = ROOMS["kitchen-table"]
    sound, probe = RoomSound(room), RoomProbe(RATE, RATE // 25)
    played = np.concatenate([np.zeros(RATE, np.float32), prompt,
                             np.zeros(3 * RATE, np.float32)])
    got = []
    for at in range(0, len(played) - 512, 512):
        sound.played(at, played[at : at + 512])
        probe.played(at, played[at : at + 512])
        heard = sound.hear(at, np.zeros(512, np.float32))
        if not RATE * 2 <= at < RATE * 2 + 2048:  # four blocks never arrive
            got.append(probe.heard(at, heard))
    assert got == [None] * len(got) and probe.measure is None
