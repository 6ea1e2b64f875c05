"""The speech cache: private, atomic, bounded, keyed by everything a rendering depends on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from assistant.base.paths import data_home
from assistant.speech.voice.cache import CacheKey, VoiceCache

RATE = 16_000


def key(text: str, engine: str = "piper", voice: str = "v", rate: int = 160) -> CacheKey:
    return CacheKey(engine, voice, rate, RATE, text)


def tone(seconds: float) -> np.ndarray:
    return np.full(round(seconds * RATE), 0.25, dtype=np.float32)


def test_the_key_holds_engine_voice_rate_and_text() -> None:
    base = key("Breathe in.")
    assert base.digest() == key("Breathe in.").digest()
    others = [key("Breathe out."), key("Breathe in.", engine="espeak"),
              key("Breathe in.", voice="w"), key("Breathe in.", rate=180),
              CacheKey("piper", "v", 160, 22_050, "Breathe in.")]
    assert len({base.digest(), *(other.digest() for other in others)}) == 6


def test_what_is_put_comes_back_exactly(tmp_path: Path) -> None:
    cache = VoiceCache(tmp_path / "voice")
    samples = np.linspace(-0.5, 0.5, 999, dtype=np.float32)
    assert cache.get(key("a")) is None
    cache.put(key("a"), samples)
    got = cache.get(key("a"))
    assert got is not None and got.dtype == np.float32 and np.array_equal(got, samples)


def test_the_folder_and_files_are_private() -> None:
    folder = data_home() / "voice"  # the assistant's own: a folder elsewhere is left alone
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # an older, world-readable folder is made private
    cache = VoiceCache(folder)
    cache.put(key("Ana and Ben"), tone(0.1))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].suffix == ".npy"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_the_size_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    one = tone(1.0).nbytes + 128 + 32  # a second of speech, the header, the checksum
    cache = VoiceCache(tmp_path / "voice", limit_bytes=3 * one)
    for number, text in enumerate(("a", "b", "c")):
        cache.put(key(text), tone(1.0))
        path = cache.folder / f"{key(text).digest()}.npy"
        os.utime(path, ns=(number * 10**9, number * 10**9))  # a, then b, then c
    assert cache.get(key("a")) is not None  # a is used again: now the most recent
    cache.put(key("d"), tone(1.0))
    assert cache.size_bytes() <= 3 * one
    assert cache.get(key("b")) is None  # the least recently used went first
    assert all(cache.get(key(text)) is not None for text in ("a", "c", "d"))


def test_a_write_leaves_no_scratch_behind_and_clear_empties_it(tmp_path: Path) -> None:
    cache = VoiceCache(tmp_path / "voice")
    for text in ("a", "b"):
        cache.put(key(text), tone(0.2))
    assert sorted(p.suffix for p in cache.folder.iterdir()) == [".npy", ".npy"]
    assert cache.clear() == 2 * (tone(0.2).nbytes + 128 + 32)
    assert list(cache.folder.iterdir()) == []


def test_a_damaged_file_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    cache = VoiceCache(tmp_path / "voice")
    cache.put(key("a"), tone(0.2))
    path = cache.folder / f"{key('a').digest()}.npy"
    path.write_bytes(path.read_bytes()[:50])
    assert cache.get(key("a")) is None


def test_an_unwritable_cache_is_only_slower(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = VoiceCache(blocker / "voice")
    cache.put(key("a"), tone(0.1))  # no error
    assert cache.get(key("a")) is None


def test_voices_clear_cache_empties_the_speech_cache(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli.main import main
    from assistant.speech.voice.choice import voice_cache

    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    voice_cache().put(key("Ana, tell Ben"), tone(0.5))
    assert voice_cache().size_bytes() > 0
    assert main(["voices", "clear-cache"]) == 0
    assert voice_cache().size_bytes() == 0 and "MB freed" in capsys.readouterr().out
