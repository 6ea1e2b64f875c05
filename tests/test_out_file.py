"""A session's out-file is written in the format its suffix names, a suffix no format has is
refused before anything runs, and the null device keeps nothing while the session runs
on the virtual clock as it does with any out-file."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
import soundfile

from assistant.cli.main import main
from tests.conftest import read_events

RATE = 16_000
SHORT = ["breathe", "--cycles", "1", "--names", "Ana,Ben", "--seed", "1"]
FORMATS = {"wav": "WAV", "flac": "FLAC", "opus": "OGG", "ogg": "OGG", "mp3": "MP3"}


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same short session written once as a WAV (mono) and once in stereo."""
    folder = tmp_path_factory.mktemp("out-files")
    for channels in ("mono", "stereo"):
        assert main([*SHORT, f"--{channels}", "--out-file", str(folder / f"{channels}.wav")]) == 0
    return folder


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_the_suffix_decides_the_format_and_the_file_holds_the_whole_session(
        played: Path, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out.{suffix}"
    assert main([*SHORT, "--stereo", "--out-file", str(path)]) == 0
    info, reference = soundfile.info(str(path)), soundfile.info(str(played / "stereo.wav"))
    assert info.format == FORMATS[suffix] and info.channels == 2
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing left beside it
    audio, _ = soundfile.read(str(path), dtype="float32", always_2d=True)
    wav, _ = soundfile.read(str(played / "stereo.wav"), dtype="float32", always_2d=True)
    if suffix == "flac":  # lossless: the same samples, to libsndfile's rounding
        assert len(audio) == len(wav)
        assert np.abs(audio - wav).max() <= 2 / 32768
    else:  # lossy codecs pad a little: the same length to 1 %, the same loudness
        assert abs(len(audio) - reference.frames) <= 0.01 * reference.frames
        assert np.sqrt(np.mean(audio**2)) == pytest.approx(np.sqrt(np.mean(wav**2)), rel=0.1)


@pytest.mark.parametrize("name", ["out.m4a", "out", "out.WAV.txt"])
def test_a_suffix_no_format_has_is_refused_in_one_sentence_before_anything_runs(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.jsonl"
    assert main([*SHORT, "--out-file", str(tmp_path / name), "--events", str(events)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("assistant: ") and len(err.splitlines()) == 1
    assert ".flac" in err and ".wav" in err and os.devnull in err
    assert list(tmp_path.iterdir()) == []


def test_the_null_device_discards_the_sound_and_the_session_runs_on_the_virtual_clock(
        tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    began = time.monotonic()
    assert main([*SHORT, "--out-file", os.devnull, "--events", str(events)]) == 0
    spent = time.monotonic() - began
    log = read_events(events)
    end = next(e for e in log if e["type"] == "session_end")
    assert end["reason"] == "completed"
    assert end["t"] > 2 * spent  # flat out, not in real time
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)  # still the device
    assert [p.name for p in tmp_path.iterdir()] == ["events.jsonl"]


def decoded_until_it_stops(path: Path) -> np.ndarray:
    """What a player plays of a stream cut short: whole frames, a block at a time, up to
    where the decoder loses its way (the length in a cut FLAC's header is unknown)."""
    blocks = []
    with soundfile.SoundFile(str(path)) as stream, \
            contextlib.suppress(soundfile.LibsndfileError):
        while len(block := stream.read(RATE // 10, dtype="float32")):
            blocks.append(block)
    return np.concatenate(blocks)


class _Filling:
    """A file on a disk with `room` bytes left: a stand-in where no small disk can be
    mounted."""

    def __init__(self, file: IO[Any], room: int) -> None:
        self._file, self._room = file, room

    def write(self, data: bytes) -> int:
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._file.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


@contextlib.contextmanager
def small_disk(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 64 KB file system for the out-file alone (the journal and the speech cache
    stay where they are)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        opened = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: _Filling(
            opened(*args, **kwargs), 64 * 1024))
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_keeps_what_was_encoded_and_the_session_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.jsonl"
    with small_disk(tmp_path / "small", monkeypatch) as folder:
        path = folder / "out.flac"
        assert main([*SHORT, "--mono", "--out-file", str(path), "--events", str(events)]) == 0
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "could not be written further" in err
        assert "Traceback" not in err
        assert read_events(events)[-1]["reason"] == "completed"  # the session went on
        played = decoded_until_it_stops(path)
        assert len(played) > RATE  # what was encoded before the disk filled
        assert np.abs(played).max() > 0.05
        assert [p.name for p in folder.iterdir()] == [path.name]
