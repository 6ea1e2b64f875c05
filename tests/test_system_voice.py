"""The system's own voice on every platform: espeak-ng here, and the macOS (nsss) and Windows
(sapi5) voices through stand-ins for their pyttsx3 drivers, which this machine cannot load.

The stand-ins (tests/pyttsx3_stand_in) are found by the child processes that render, as
the real drivers would be: pyttsx3 looks them up by name among its drivers. Everything
else is the assistant's own path: listing, rendering in a child, reading AIFF or WAV,
resampling, trimming, the cache, levelling and the mixer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile

from assistant.audio.loudness import SPEECH_LOUDNESS
from assistant.base.errors import UserError
from assistant.cli.main import main
from assistant.speech.voice import system
from assistant.speech.voice.cache import CacheKey, VoiceCache
from assistant.speech.voice.choice import open_voice, voice_cache
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import SystemVoice, VoiceSettings
from tests.conftest import read_events
from tests.pyttsx3_stand_in.stand_in_voices import tone_seconds

RATE = 16_000
STAND_IN = Path(__file__).parent / "pyttsx3_stand_in"
PROMPT = "Take a slow breath together, and let it go."
MAC_VOICE = "com.apple.voice.compact.en-US.Samantha"
WINDOWS_VOICE = ("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\"
                 "TTS_MS_EN-US_ZIRA_11.0")


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Path]:
    """Speak as on another platform: its engine, and the stand-in `drivers` (a folder in
    tests/pyttsx3_stand_in) ahead of pyttsx3's own; returns the stand-ins' log."""

    def become(engine: str, drivers: str | None = "voices") -> Path:
        monkeypatch.setattr(system, "platform_engine", lambda platform=None: engine)
        if drivers is not None:
            paths = [str(STAND_IN), *filter(None, [os.environ.get("PYTHONPATH")])]
            monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
            monkeypatch.setenv("STAND_IN_DRIVERS", str(STAND_IN / drivers))
        log = tmp_path / "stand-in.log"
        log.touch()
        monkeypatch.setenv("STAND_IN_LOG", str(log))
        return log

    return become


def pitch(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[np.argmax(spectrum)])


def loudness(samples: np.ndarray) -> float:
    return float(pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64)))


def test_each_platform_speaks_with_its_own_engine() -> None:
    assert [system.platform_engine(p) for p in ("darwin", "win32", "linux", "freebsd14")] == \
        ["nsss", "sapi5", "espeak", "espeak"]


@pytest.mark.parametrize(("engine", "voice_id"), [("nsss", MAC_VOICE), ("sapi5", WINDOWS_VOICE)])
def test_a_system_voice_is_rendered_levelled_and_cached(
        engine: str, voice_id: str, platform: Callable[..., Path], tmp_path: Path) -> None:
    log = platform(engine)
    cache = VoiceCache(tmp_path / "voice")
    voice = SystemVoice(VoiceSettings(rate=150), RATE, cache.folder)
    assert (voice.engine.engine, voice.engine.identity) == (engine, voice_id)  # the default
    samples = LevelledVoice(voice, RATE).render(PROMPT)
    assert len(samples) / RATE == pytest.approx(tone_seconds(PROMPT, 150), abs=0.002)  # trimmed
    assert pitch(samples) == pytest.approx(440, abs=1)  # resampled from 22.05 kHz
    assert loudness(samples) == pytest.approx(SPEECH_LOUDNESS, abs=0.3)
    assert cache.get(CacheKey(engine, voice_id, 150, RATE, PROMPT)) is not None
    assert cache.get(CacheKey("espeak", voice_id, 150, RATE, PROMPT)) is None  # per engine
    again = LevelledVoice(SystemVoice(VoiceSettings(rate=150), RATE, cache.folder), RATE)
    assert np.array_equal(again.render(PROMPT), samples)
    assert log.read_text().splitlines() == [f"{engine} save_to_file {voice_id} 150 {PROMPT}"]


def test_a_voice_is_chosen_by_name_and_listed_with_its_engine(
        platform: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    platform("nsss")
    german = SystemVoice(VoiceSettings("anna", rate=300), RATE).render("Guten Tag.")
    assert pitch(german) == pytest.approx(330, abs=1)
    assert len(german) / RATE == pytest.approx(tone_seconds("Guten Tag.", 300), abs=0.002)
    assert main(["voices"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == [["*E", "nsss", "Samantha", "en_US"], ["nsss", "Anna", "de_DE"]]


SHORT = """
title = "A short practice"
minutes = 2
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "Take a slow breath together, {A} and {B}."
[[steps]]
kind = "silence"
prompt = "Rest in quiet for a few seconds."
seconds = 3
closing = "Thank you, {B}."
"""


def test_a_session_speaks_the_system_voice_where_the_log_says(
        platform: Callable[..., Path], tmp_path: Path) -> None:
    log = platform("sapi5")
    script, out, events = tmp_path / "short.toml", tmp_path / "out.wav", tmp_path / "e.jsonl"
    script.write_text(SHORT, encoding="utf-8")
    assert main(["run", str(script), "--out-file", str(out), "--events", str(events),
                 "--names", "Ana,Ben"]) == 0
    audio, rate = soundfile.read(str(out), dtype="float32")
    starts = [e for e in read_events(events) if e["type"] == "say_start"]
    ends = [e for e in read_events(events) if e["type"] == "say_end"]
    assert rate == RATE and len(starts) == len(ends) >= 4
    voice = LevelledVoice(open_voice(VoiceSettings(), RATE, voice_cache()), RATE)
    for start, end in zip(starts, ends, strict=True):
        a, b = round(start["t"] * RATE), round(end["t"] * RATE)
        assert b - a == pytest.approx(tone_seconds(start["text"], 160) * RATE, abs=40)
        assert pitch(audio[a:b]) == pytest.approx(440, abs=1), start["text"]
        assert loudness(audio[a:b]) == pytest.approx(SPEECH_LOUDNESS, abs=0.5)
        rendered = voice.render(start["text"])  # from the cache: the samples the mixer had
        assert np.allclose(audio[a:b], rendered, atol=1e-3)  # each in place, to the sample
    calls = [line.split(" ", 4) for line in log.read_text().splitlines()]
    assert {call[1] for call in calls} == {"save_to_file"}  # never to the device itself
    assert {start["text"] for start in starts} <= {call[4] for call in calls}


@pytest.mark.parametrize(("engine", "needs", "remedy"), [
    ("nsss", "objc", "System Settings > Accessibility > Spoken Content"),
    ("sapi5", "comtypes", "Settings > Time & language > Speech")])
def test_a_missing_driver_says_why_in_one_sentence(
        engine: str, needs: str, remedy: str, platform: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    platform(engine, drivers=None)  # pyttsx3's real driver, whose library is not here
    status = main(["run", "eye-contact", "--out-file", str(tmp_path / "o.wav"),
                   "--events", str(tmp_path / "e.jsonl")])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1, err
    assert f"No module named '{needs}'" in err[0] and remedy in err[0]
    assert "assistant voices download" in err[0] and "no audio" not in err[0]
    assert main(["voices"]) == 2  # nothing can speak: said the same way
    assert remedy in capsys.readouterr().err


def test_a_missing_espeak_library_says_how_to_install_it(platform: Callable[..., Path]) -> None:
    platform("espeak", drivers="no_espeak")  # listing works here; the child finds no library
    with pytest.raises(UserError) as caught:
        SystemVoice(VoiceSettings(), RATE).render("Hello there.")
    message = str(caught.value)
    assert "espeak-ng is not available (This means you probably do not have eSpeak" in message
    assert "sudo apt install espeak-ng" in message and "no audio" not in message

