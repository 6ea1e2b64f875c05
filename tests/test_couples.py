"""Every library exercise lived by simulated couples of each kind, on the virtual clock.

Each run is a whole session with real speech detection, the real voice, and two
partners speaking real synthesised speech in answer to what the session does.
The checks are what the couple would notice: cut off, talked over, re-prompted
mid-play, left waiting, or never reaching the end.

Each run is held in one of the simulated rooms (the assistant's echo, a fan, a
hum, one partner softer than the other), so every profile meets every room. Every
exercise also runs once with echo cancellation, the microphone open while the
assistant speaks, under a profile and in a room that turn with the exercise, so
every profile meets every room that way too; the other runs are half duplex
(the fallback when the canceller cannot load, and the cheaper to simulate).

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
ECHO = ("cancelled", "half duplex")


def runs() -> list[tuple[str, str, str, str]]:
    """(exercise, profile, room, echo): every exercise under every profile, the rooms
    turning with both, and each exercise cancelled once, for a profile that turns with it
    (exercise i: profile i mod 8, so each profile is cancelled in three exercises, whose
    rooms differ)."""
    profiles, rooms = sorted(PROFILES), sorted(ROOMS)
    chosen = []
    for i, exercise in enumerate(exercise_ids()):
        for j, profile in enumerate(profiles):
            echo = ECHO[0] if j == i % len(profiles) else ECHO[1]
            chosen.append((exercise, profile, rooms[(i + j) % len(rooms)], echo))
    return chosen


def test_every_exercise_meets_every_profile_and_every_profile_every_room_both_ways() -> None:
    chosen = runs()
    assert {(e, p) for e, p, _, _ in chosen} == {(e, p) for e in exercise_ids()
                                                 for p in PROFILES}
    met = {(profile, room, echo) for _, profile, room, echo in chosen}
    assert met == {(p, r, e) for p in PROFILES for r in ROOMS for e in ECHO}
    assert {e for e, _, _, echo in chosen if echo == ECHO[0]} == set(exercise_ids())


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
