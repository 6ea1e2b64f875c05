"""Every library exercise lived by simulated couples of each kind, on the virtual clock.

Each run is a whole session with real speech detection, the real voice, and two
partners speaking real synthesised speech in answer to what the session does.
The checks are what the couple would notice: cut off, talked over, re-prompted
mid-play, left waiting, or never reaching the end.

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

HANDOVER_BOUND = 7.0  # seconds from the last word of a finished share to the next sound
CAP = 45.0  # seconds: past a thoughtful partner's 40 s first think, and twice the warning below
SETTINGS = FloorSettings(warning=15.0)


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> EspeakVoice:
    return EspeakVoice(VoiceSettings(), 16_000, Path(tmp_path_factory.mktemp("voice")))


@pytest.mark.timeout(240)
@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("exercise", exercise_ids())
def test_a_couple_lives_the_exercise_well(exercise: str, profile: str,
                                          voice: EspeakVoice) -> None:
    events, couple = live_with(shortened(find_exercise(exercise), CAP), PROFILES[profile],
                               voice, seed=7, settings=SETTINGS)
    lived = judge(exercise, profile, events, couple)
    assert lived.early_floors == ()
    assert lived.talked_over == ()
    assert lived.activity_reprompts == 0
    assert all(seconds <= HANDOVER_BOUND for seconds in lived.handover_seconds), \
        lived.handover_seconds
    assert lived.reached_closing and lived.completed
    if profile == "silent":
        assert all(share >= 0.999 for share in lived.activity_shares), lived.activity_shares
