"""The real voice: pyttsx3 over espeak-ng, rendered to PCM at the session rate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.base.errors import UserError
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings, list_voices, trim

RATE = 16_000
TEXTS = [
    "Take a slow breath together.",
    "Now it is your turn to speak, and your partner will listen without interrupting you.",
    "Thank you.",
]


def espeak_cli_seconds(text: str, rate: int, folder: Path) -> float:
    """The length of the same text spoken by the espeak-ng program, edges trimmed."""
    path = folder / "cli.wav"
    subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(path), text], check=True)
    data, file_rate = soundfile.read(str(path), dtype="float32")
    return len(trim(data)) / file_rate


def test_each_prompt_is_rendered_whole_and_in_order(tmp_path: Path) -> None:
    voice = SystemVoice(VoiceSettings(rate=160), RATE)
    for text in TEXTS * 2:  # twice: the second round comes from the cache
        samples = voice.render(text)
        expected = espeak_cli_seconds(text, 160, tmp_path)
        assert len(samples) / RATE == pytest.approx(expected, rel=0.05)
        assert np.abs(samples).max() > 0.1


def test_speech_starts_and_ends_on_sound() -> None:
    samples = SystemVoice(VoiceSettings(), RATE).render("Hello.")
    assert abs(samples[0]) > 1e-3 and abs(samples[-1]) > 1e-3


def test_rate_and_volume_change_the_speech(tmp_path: Path) -> None:
    slow = SystemVoice(VoiceSettings(rate=120), RATE).render(TEXTS[1])
    fast = SystemVoice(VoiceSettings(rate=240), RATE).render(TEXTS[1])
    assert len(slow) > 1.6 * len(fast)
    # one rendering (shared through the cache) at two volumes
    loud = SystemVoice(VoiceSettings(volume=1.0), RATE, tmp_path).render(TEXTS[0])
    quiet = SystemVoice(VoiceSettings(volume=0.5), RATE, tmp_path).render(TEXTS[0])
    assert np.allclose(quiet, 0.5 * loud)


def test_the_disk_cache_serves_the_same_samples(tmp_path: Path) -> None:
    first = SystemVoice(VoiceSettings(), RATE, tmp_path).render(TEXTS[0])
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = SystemVoice(VoiceSettings(), RATE, tmp_path).render(TEXTS[0])
    assert np.array_equal(first, again)


def test_a_named_voice_is_used_and_an_unknown_one_is_refused() -> None:
    ids = [voice.id for voice in list_voices()]
    assert "gmw/en-US" in ids or "gmw/en" in ids
    default = SystemVoice(VoiceSettings(), RATE).render(TEXTS[0])
    german = SystemVoice(VoiceSettings(voice="de"), RATE).render(TEXTS[0])
    assert not np.array_equal(default, german)
    with pytest.raises(UserError, match="assistant voices"):
        SystemVoice(VoiceSettings(voice="no-such-voice"), RATE).render("x")


@pytest.mark.parametrize("settings", [VoiceSettings(rate=10), VoiceSettings(volume=1.5)])
def test_out_of_range_settings_are_refused(settings: VoiceSettings) -> None:
    with pytest.raises(UserError):
        SystemVoice(settings, RATE)


def test_closing_lets_a_render_under_way_finish_and_drops_the_rest() -> None:
    """The process may end right after: it must not end with the worker in native code."""
    import threading

    from assistant.speech.voice.rendering import SpeechVoice

    started, release = threading.Event(), threading.Event()

    class Slow:
        engine, identity = "slow", "slow-1"

        def load(self) -> None:
            pass

        def synthesize(self, text: str, words_per_minute: int, rate: int) -> np.ndarray:
            started.set()
            release.wait(1.0)  # still rendering when the session closes
            return np.zeros(160, dtype=np.float32)

    voice = SpeechVoice(Slow(), VoiceSettings(), RATE)
    voice.prepare(["First prompt.", "Second prompt.", "Third prompt."])
    assert started.wait(5.0)
    ahead = list(voice._ahead)
    threading.Timer(0.2, release.set).start()
    voice.close()
    assert ahead[0].done() and not ahead[0].cancelled()  # finished, not abandoned
    assert all(future.cancelled() for future in ahead[1:])  # never begun
