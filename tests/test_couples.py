"""Every library exercise lived by simulated couples of each kind, on the virtual clock.

Each run is a whole session with real speech detection, the real voice, and two
partners speaking real synthesised speech in answer to what the session does.
The checks are what the couple would notice: cut off, talked over, re-prompted
mid-play, left waiting, or never reaching the end.

Each run is held in one of the simulated rooms (the assistant's echo, a fan, a
hum, one partner softer than the other), half the runs with echo cancellation
and half half duplex (the fallback when the canceller cannot load). Each
exercise meets three of the eight profiles, in turn, so every profile lives nine
exercises and meets every room both ways, in half the runs six profiles once
took (rooms and cancellation cost time).

Every step is kept, but none runs longer than 45 s here, so the whole library
under every profile fits in the suite's time (Silero hears each 32 ms of speech).
The warning chime comes 15 s before the end of a floor longer than 30 s, so the
shortened floors still meet it; `scripts/bench_floor.py` runs the same at full
length with the usual settings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.script.library import exercise_ids, find_exercise
from assistant.session.floor import FloorSettings
from assistant.speech.voice.rendering import EspeakVoice, VoiceSettings
from assistant.testing.couple import PROFILES
from assistant.testing.experience import judge, live_with, shortened
from assistant.testing.room import ROOMS

HANDOVER_BOUND = 7.0  # seconds from the last word of a finished share to the next sound
CAP = 45.0  # seconds: past a thoughtful partner's 40 s first think, and twice the warning below
SETTINGS = FloorSettings(warning=15.0)
EACH = 3  # profiles each exercise meets, in turn
ECHO = ("cancelled", "half duplex")  # in turn, across rooms and profiles


def runs() -> list[tuple[str, str, str, str]]:
    """(exercise, profile, room, echo): every exercise with EACH profiles, rotating, and
    rooms and echo handling rotating across both, so each profile meets each room both
    ways."""
    profiles, rooms = sorted(PROFILES), sorted(ROOMS)
    chosen = []
    for i, exercise in enumerate(exercise_ids()):
        for k in range(EACH):
            j = (i + k * len(profiles) // EACH) % len(profiles)
            chosen.append((exercise, profiles[j], rooms[(i // 2 + k) % len(rooms)],
                           ECHO[(i + k) % len(ECHO)]))
    return chosen


def test_every_profile_meets_every_room_both_ways() -> None:
    met = {(profile, room, echo) for _, profile, room, echo in runs()}
    assert {(p, r) for p, r, _ in met} == {(p, r) for p in PROFILES for r in ROOMS}
    assert {(p, e) for p, _, e in met} == {(p, e) for p in PROFILES for e in ECHO}
    assert {(r, e) for _, r, e in met} == {(r, e) for r in ROOMS for e in ECHO}
    assert {exercise for exercise, *_ in runs()} == set(exercise_ids())


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> EspeakVoice:
    return EspeakVoice(VoiceSettings(), 16_000, Path(tmp_path_factory.mktemp("voice")))


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("exercise", "profile", "room", "echo"), runs())
def test_a_couple_lives_the_exercise_well(exercise: str, profile: str, room: str, echo: str,
                                          voice: EspeakVoice) -> None:
    events, couple = live_with(shortened(find_exercise(exercise), CAP), PROFILES[profile],
                               voice, seed=7, settings=SETTINGS, room=ROOMS[room],
                               echo=echo == "cancelled")
    lived = judge(exercise, profile, events, couple)
    assert lived.early_floors == ()
    assert lived.talked_over == ()
    assert lived.echo_starts == ()
    assert lived.activity_reprompts == 0
    assert all(seconds <= HANDOVER_BOUND for seconds in lived.handover_seconds), \
        lived.handover_seconds
    assert lived.reached_closing and lived.completed
    if profile == "silent":
        assert all(share >= 0.999 for share in lived.activity_shares), lived.activity_shares
