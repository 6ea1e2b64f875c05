"""The echo canceller on a simulated room: real speech played, its echo taken out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.speech.echo import EchoUnavailable, WebRtcEcho
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
from assistant.testing.cancelled import db, erle, through
from assistant.testing.room import ROOMS
from assistant.testing.sounds import RATE, silence, spoken


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    speaker = SystemVoice(VoiceSettings(), RATE, Path(tmp_path_factory.mktemp("voice")))
    text = ("Find a quiet spot and settle in together. Each of you will have a couple of "
            "minutes to share how today has been on the inside.")
    return np.concatenate([silence(0.5), speaker.render(text), silence(1.0)])


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_the_assistants_own_voice_is_taken_out(room: str, voice: np.ndarray) -> None:
    heard, cleaned = through(room, voice, np.zeros(len(voice), dtype=np.float32))
    assert erle(heard, cleaned) >= 20.0


def test_a_partner_alone_passes_untouched(voice: np.ndarray) -> None:
    partner = np.concatenate([silence(1.0), spoken("I noticed how kind you were"),
                              silence(1.0)])
    heard, cleaned = through("kitchen-table", np.zeros(len(partner), dtype=np.float32),
                             partner)
    assert abs(db(heard) - db(cleaned)) < 1.0


def test_a_microphone_out_of_step_is_refused() -> None:
    echo = WebRtcEcho()
    echo.clean(0, np.zeros(480, dtype=np.float32), 0)
    with pytest.raises(EchoUnavailable):
        echo.clean(960, np.zeros(480, dtype=np.float32), 0)


@pytest.mark.parametrize("trouble", ["no latency", "out of step"])
def test_trouble_with_the_canceller_falls_back_to_half_duplex_said_once_in_print(
        trouble: str, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.audio.mixer import Mixer
    from assistant.engine.duplex import SelfHearing

    mixer = Mixer(RATE)
    hearing = SelfHearing(mixer, WebRtcEcho(), headphones=False)
    block = np.zeros(960, dtype=np.float32)
    delay = 0 if trouble == "no latency" else 640
    hearing.cancel(0, block, delay)
    if trouble == "out of step":
        hearing.cancel(4800, block, delay)  # samples went missing between two reads
    hearing.cancel(9600, block, delay)
    assert not hearing.full_duplex and hearing.echo is None
    assert hearing.muted(0, 512, 0) is False  # nothing played: nothing to mute yet
    hearing.add(1000, 9000, cue=False)
    assert hearing.muted(2000, 2512, 0)  # the microphone rests while the assistant speaks
    err = capsys.readouterr().err
    assert err.count("Echo cancellation stopped") == 1 and err.count("\n") == 1
    assert "Traceback" not in err


def test_a_canceller_that_cannot_load_says_why_in_one_sentence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from assistant.speech.echo import canceller

    monkeypatch.setitem(sys.modules, "livekit", None)  # as if the package would not import
    echo, notice = canceller(RATE)
    assert echo is None
    assert notice.startswith("Echo cancellation cannot load") and notice.count(". ") == 0
    assert notice.endswith("the microphone rests while the assistant speaks.")


def test_half_duplex_hears_again_only_past_its_own_sound_and_its_tail() -> None:
    from assistant.audio.mixer import Mixer
    from assistant.engine.duplex import OwnSound, SelfHearing

    own = OwnSound(RATE)  # a 0.3 s tail: 4800 samples
    own.add(1_000, 9_000)
    own.add(14_000, 20_000)  # begins within the first one's tail: one long rest
    latency = 800
    hears = own.heard_from(512, 512, latency)
    assert hears % 512 == 0 and hears >= 20_000 + 4_800 + latency
    assert hears - 512 < 20_000 + 4_800 + latency  # the first window it can hear
    assert own.near(hears - 512, hears, latency) and not own.near(hears, hears + 512, latency)
    assert own.heard_from(30_208, 512, latency) == 30_208  # nothing sounds there
    # with a canceller or headphones the microphone never rests for the voice
    assert SelfHearing(Mixer(RATE), None, headphones=True).resting_until(512, 512, 0) == 512
