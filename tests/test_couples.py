"""Every library exercise lived by simulated couples of each kind, on the virtual clock.

Each run is a whole session with real speech detection, the real voice, and two
partners speaking real synthesised speech in answer to what the session does.
The checks are what the couple would notice: cut off, talked over, re-prompted
mid-play, left waiting, or never reaching the end.

Each run is held in one of the simulated rooms (the assistant's echo, a fan, a
hum, one partner softer than the other), so every profile meets every room. Eight
runs, one for each profile in a different exercise and the rooms in turn, have
echo cancellation, the microphone open while the assistant speaks; the others are
half duplex (the fallback when the canceller cannot load, and much the cheaper to
simulate: cancellation triples a run's time).

Every step is kept, but none runs longer than 30 s here (45 s for the thoughtful
couple, whose first think of 40 s must fit in a floor), so the whole library under
every profile fits in the suite's time (Silero hears each 32 ms of speech). The
warning chime comes 12 s before the end of a floor longer than 24 s, so the
shortened floors still meet it; `scripts/bench_floor.py` runs the same at full
length with the usual settings.
"""

from __future__ import annotations

import pytest

from assistant.script.library import exercise_ids, find_exercise
from assistant.session.floor import FloorSettings
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
from assistant.testing.couple import PROFILES
from assistant.testing.experience import judge, live_with, shortened
from assistant.testing.room import ROOMS
from tests.conftest import shared_temp

HANDOVER_BOUND = 7.0  # seconds from the last word of a finished share to the next sound
CAP = 30.0  # seconds a step lasts at most: more than twice the warning below
THOUGHTFUL_CAP = 45.0  # past a thoughtful partner's 40 s first think
SETTINGS = FloorSettings(warning=12.0)
ECHO = ("cancelled", "half duplex")
# the rooms every profile meets here; the harder rooms (a Bluetooth speaker, a phone, a
# speaker on a shelf) wait for the guard after own sound to follow the measured room
COUPLE_ROOMS = ("kitchen-table", "laptop-on-bed", "speaker-across-room")


def runs() -> list[tuple[str, str, str, str]]:
    """(exercise, profile, room, echo): every exercise under every profile, the rooms
    turning with both; every third exercise is cancelled for one profile, in turn."""
    profiles, rooms = sorted(PROFILES), sorted(COUPLE_ROOMS)
    chosen = []
    for i, exercise in enumerate(exercise_ids()):
        for j, profile in enumerate(profiles):
            cancelled = i % 3 == 0 and j == (i // 3) % len(profiles)
            chosen.append((exercise, profile, rooms[(i + j) % len(rooms)],
                           ECHO[0] if cancelled else ECHO[1]))
    return chosen


def test_every_exercise_meets_every_profile_and_every_profile_every_room() -> None:
    chosen = runs()
    assert {(e, p) for e, p, _, _ in chosen} == {(e, p) for e in exercise_ids()
                                                 for p in PROFILES}
    assert {(p, r) for _, p, r, _ in chosen} == {(p, r) for p in PROFILES for r in COUPLE_ROOMS}
    cancelled = [(p, r) for _, p, r, echo in chosen if echo == ECHO[0]]
    assert sorted(p for p, _ in cancelled) == sorted(PROFILES)  # each profile once
    assert {r for _, r in cancelled} == set(COUPLE_ROOMS)


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> SystemVoice:
    """The speech cache every worker's sessions share (the command line's too): each
    prompt is rendered once a run."""
    return SystemVoice(VoiceSettings(), 16_000, shared_temp(tmp_path_factory) / "cache" / "voice")


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("exercise", "profile", "room", "echo"), runs())
def test_a_couple_lives_the_exercise_well(exercise: str, profile: str, room: str, echo: str,
                                          voice: SystemVoice) -> None:
    cap = THOUGHTFUL_CAP if profile == "thoughtful" else CAP
    events, couple = live_with(shortened(find_exercise(exercise), cap), PROFILES[profile],
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
