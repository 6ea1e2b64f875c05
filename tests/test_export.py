"""Practices exported as audio files: every format decoded back with soundfile and held to
the virtual run it came from, its chapters, tags, loudness, peaks and earbuds."""

from __future__ import annotations

import json
import os
import re
import resource
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import mutagen
import numpy as np
import pyloudnorm
import pytest
import soundfile
from mutagen.id3 import ID3
from scipy.signal import resample_poly

from assistant.audio.cues import CueBank
from assistant.cli.main import main
from assistant.export.fit import estimate, fitted
from assistant.export.practice import for_a_file, needs_microphone, week
from assistant.export.render import EARBUDS
from assistant.journal.store import Journal, SessionRecord
from assistant.script.library import find_exercise, load_library
from assistant.script.model import PaceStep
from assistant.script.standalone import walking_session
from assistant.session.plan import Names, build_plan
from assistant.session.prompts import plan_prompts
from tests.conftest import made_once

RATE = 16_000
FORMATS = ("opus", "ogg", "mp3", "flac", "wav")
BREATHE = ["--mode", "alternating", "--cycles", "2", "--names", "Ana,Ben", "--seed", "3"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short practice run virtually (mono and stereo, with events) and exported to
    every format in mono and to Opus in stereo, in a home of its own: made once, by the
    first worker that needs it, and read by the others."""
    return made_once(tmp_path_factory, "export", make_exports)


def make_exports(folder: Path) -> None:
    patch = pytest.MonkeyPatch()
    patch.setenv("ASSISTANT_HOME", str(folder / "home"))
    try:
        for channels in ("mono", "stereo"):
            assert main(["breathe", *BREATHE, f"--{channels}",
                         "--out-file", str(folder / f"{channels}.wav"),
                         "--events", str(folder / f"{channels}.jsonl")]) == 0
        for suffix in FORMATS:
            assert main(["export", "breathe", str(folder / f"out.{suffix}"), *BREATHE,
                         "--mono"]) == 0
        # the file may come after the options too
        assert main(["export", "breathe", *BREATHE, str(folder / "stereo.opus"),
                     "--loudness", "-20"]) == 0
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A walk of a minute and a half exported in stereo to every format, made once."""
    return made_once(tmp_path_factory, "export-walk", make_walks)


def make_walks(folder: Path) -> None:
    patch = pytest.MonkeyPatch()
    patch.setenv("ASSISTANT_HOME", str(folder / "home"))
    try:
        for suffix in FORMATS:
            assert main(["export", "walk", str(folder / f"walk.{suffix}"), "--minutes", "1.5",
                         "--spm", "100", "--names", "Ana,Ben", "--seed", "1"]) == 0
    finally:
        patch.undo()


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def chapters(path: Path) -> list[tuple[float, str]]:
    """(start in seconds, name) of each chapter, as a player reads them."""
    if path.suffix == ".mp3":
        frames = sorted(ID3(path).getall("CHAP"), key=lambda chap: chap.start_time)
        return [(chap.start_time / 1000, str(chap.sub_frames["TIT2"])) for chap in frames]
    tags = mutagen.File(path).tags
    found = []
    for number in range(1, 100):
        if f"CHAPTER{number:03d}" not in tags:
            break
        hours, minutes, seconds = tags[f"CHAPTER{number:03d}"][0].split(":")
        found.append((int(hours) * 3600 + int(minutes) * 60 + float(seconds),
                      tags[f"CHAPTER{number:03d}NAME"][0]))
    return found


def title(path: Path) -> tuple[str, str, str]:
    if path.suffix == ".mp3":
        tags = ID3(path)
        return str(tags["TIT2"]), str(tags["TALB"]), str(tags["TPE1"])
    tags = mutagen.File(path).tags
    return tags["TITLE"][0], tags["ALBUM"][0], tags["ARTIST"][0]


def true_peak(samples: np.ndarray) -> float:
    """dBTP by four-times oversampling (BS.1770-4 annex 2), with scipy's polyphase filter."""
    return 20 * float(np.log10(np.abs(resample_poly(samples, 4, 1, axis=0)).max()))


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_format_decodes_to_the_virtual_runs_length_with_its_chapters_and_tags(
        made: Path, suffix: str) -> None:
    path = made / f"out.{suffix}"
    audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    reference = soundfile.info(str(made / "mono.wav")).frames
    assert rate == RATE and audio.shape[1] == 1
    assert abs(len(audio) - reference) <= 0.01 * reference
    assert path.stat().st_mode & 0o777 == 0o600
    if suffix == "wav":
        return  # WAV players read neither tags nor chapters
    steps = [e["t"] for e in events(made / "mono.jsonl") if e["type"] == "step"]
    marks = chapters(path)
    # the file's opening says to pause the player where a session teaches "stop" and
    # "continue": a few syllables apart, so the steps agree to the same 1 % as the length
    assert [start for start, _ in marks] == pytest.approx(steps, abs=0.01 * reference / RATE)
    assert [name for _, name in marks] == ["Welcome: Breathing, coherent", "Breathing in turn"]
    assert title(path) == ("Breathing, coherent", "Practices for Ana and Ben",
                           "Couples session assistant")


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_format_plays_at_the_target_loudness_with_true_peaks_under_minus_one_dbtp(
        made: Path, suffix: str) -> None:
    audio, rate = soundfile.read(str(made / f"out.{suffix}"), always_2d=True)
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(audio) - -16.0) <= 1.0
    assert true_peak(audio) < -1.0


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_walk_reaches_the_target_loudness_with_true_peaks_under_minus_one_dbtp(
        walked: Path, suffix: str) -> None:
    """Its ticks are most of it: short sounds whose peaks could hold the file back."""
    audio, rate = soundfile.read(str(walked / f"walk.{suffix}"), always_2d=True)
    assert audio.shape[1] == 2 and len(audio) > 90 * rate
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(audio) - -16.0) <= 1.0
    assert true_peak(audio) < -1.0


def test_stereo_gives_a_cues_to_the_left_earbud_and_b_cues_to_the_right(made: Path) -> None:
    path = made / "stereo.opus"
    audio, rate = soundfile.read(str(path), always_2d=True)
    assert audio.shape[1] == 2
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(audio) - -20.0) <= 1.0
    assert true_peak(audio) < -1.0
    log = events(made / "stereo.jsonl")
    # the earbud line comes before the practice: every later sound moves by its length
    marks = chapters(path)
    assert [name for _, name in marks][:2] == ["Welcome: Breathing, coherent",
                                               "Before you begin"]
    breathing = next(e["t"] for e in log if e["type"] == "step" and e["number"] == "1")
    shift = marks[2][0] - breathing
    assert len(audio) / rate == pytest.approx(soundfile.info(str(made / "stereo.wav")).duration
                                              + shift, abs=0.01)
    bank = CueBank(RATE)
    cues = [e for e in log if e["type"] == "cue" and e["kind"] in ("in", "out", "in_b", "out_b")]
    assert {e["partner"] for e in cues} == {"Ana", "Ben"}
    for cue in cues:
        start = round((cue["t"] + shift) * rate)
        part = audio[start + rate // 10: start + len(bank.get(cue["kind"])) - rate // 5]
        low, high = (900, 1200) if cue["partner"] == "Ana" else (190, 300)  # A's, B's
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))[:, None], axis=0)) ** 2
        band = (np.fft.rfftfreq(len(part), 1 / rate) >= low) & \
            (np.fft.rfftfreq(len(part), 1 / rate) <= high)
        left, right = spectrum[band].sum(axis=0)
        apart = 10 * np.log10(left / right)
        assert (apart if cue["partner"] == "Ana" else -apart) >= 20.0
    # Opus in stereo: ten minutes at this rate fit in 3 MB (speech costs the most)
    assert path.stat().st_size / (len(audio) / rate) * 600 <= 3e6


def test_the_earbud_line_names_each_partner_and_their_side() -> None:
    assert "{A}, the left" in EARBUDS and "{B}, the right" in EARBUDS


def test_minutes_shortens_the_timed_parts_to_about_that_length() -> None:
    walk, names = find_exercise("walk-in-sync"), Names("Ana", "Ben")
    whole = estimate(walk, names, 160)
    short = estimate(fitted(walk, 8, names, 160), names, 160)
    assert whole > 9 * 60 and 7.5 * 60 <= short <= 8 * 60


def test_a_walk_can_speed_up_and_come_back_in_its_second_half() -> None:
    there, back = walking_session(95, 20, 115, back=True).steps
    assert isinstance(there, PaceStep) and isinstance(back, PaceStep)
    assert (there.spm, there.to_spm, back.spm, back.to_spm) == (95, 115, 115, 95)
    assert there.seconds + back.seconds == 20 * 60
    with pytest.raises(ValueError, match="--to-spm"):
        walking_session(95, 20, back=True)


def test_an_exported_practice_never_asks_for_a_computer() -> None:
    for exercise in load_library():
        spoken = " ".join(plan_prompts(build_plan(for_a_file(exercise), Names())))
        assert "say skip" not in spoken
    walk = " ".join(plan_prompts(build_plan(for_a_file(find_exercise("walk-in-sync")),
                                            Names()))).lower()
    for word in ("computer", "screen", "keyboard", "press", "type", "say "):
        assert word not in walk


def test_the_week_is_what_today_suggests_each_day_and_leaves_out_the_microphone() -> None:
    now = datetime(2026, 3, 2, 9, 0).astimezone()
    history = [SessionRecord("1", "daily-check-in", "", now - timedelta(hours=1), 60,
                             "completed", 3, None)]
    days = week(history, now)
    assert len(days) == 7
    assert "daily-check-in" not in days[0].exercises
    assert all("daily-check-in" in day.exercises for day in days[1:])
    assert needs_microphone(find_exercise("weekly-reflection"))
    assert not needs_microphone(find_exercise("walk-in-sync"))


def test_week_renders_numbered_files_and_a_playlist_and_names_what_it_skipped(
        tmp_path: Path, _private_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal(_private_home)
    now = datetime.now().astimezone()
    done = [("daily-check-in", now), ("weekly-reflection", now - timedelta(days=8))]
    done += [(e, now - timedelta(days=1)) for e in (
        "walk-in-sync", "physical-synchrony", "sustained-hug", "partner-breathing",
        "mirror-play", "balance-play", "play-together", "eye-contact")]
    done.append(("breathe-in-sync", now - timedelta(days=4)))  # the one physical one due
    for number, (exercise, when) in enumerate(done):
        journal.begin(str(number), exercise, exercise, when)
        journal.finish(str(number), "completed", 300)
    journal.close()
    folder = tmp_path / "week"
    folder.mkdir()
    assert main(["export", "--week", str(folder), "--days", "1", "--format", "wav",
                 "--mono", "--minutes", "1", "--names", "Ana,Ben"]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == ["01-day1-breathe-in-sync.wav",
                                                        "week.m3u"]
    playlist = (folder / "week.m3u").read_text().splitlines()
    assert playlist[0] == "#EXTM3U" and playlist[2] == "01-day1-breathe-in-sync.wav"
    assert playlist[1].startswith("#EXTINF:") and "Day 1: Breathing in sync" in playlist[1]
    assert "Skipped" in out and "Weekly reflection" in out


def refused(args: list[str], capsys: pytest.CaptureFixture[str], folder: Path,
            words: str) -> None:
    before = sorted(folder.rglob("*"))
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("assistant: ") and len(err.splitlines()) == 1
    assert words in err
    assert sorted(folder.rglob("*")) == before


def test_bad_targets_get_one_sentence_and_leave_nothing(
        tmp_path: Path, _private_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused(["export", "walk", str(tmp_path / "w.m4a")], capsys, tmp_path, ".opus, .ogg, .mp3")
    refused(["export", "walk", str(tmp_path / "no" / "w.opus")], capsys, tmp_path,
            "does not exist")
    refused(["export", "walk", "/proc/w.opus"], capsys, tmp_path, "cannot be written")
    Journal(_private_home).close()
    refused(["export", "walk", str(_private_home / "journal.sqlite3")], capsys, _private_home,
            "is the journal")
    clips = _private_home / "clips"
    clips.mkdir()
    (clips / "a.wav").write_bytes(b"RIFF")
    refused(["export", "walk", str(clips / "a.wav")], capsys, _private_home, "kept recording")
    script = tmp_path / "mine.toml"
    script.write_text('title = "Mine"\nminutes = 1\ninvitation = "Only if you like."\n'
                      '[[steps]]\nkind = "say"\ntext = "Hello."\n')
    refused(["export", str(script), str(script)], capsys, tmp_path, "reads")
    refused(["export", "walk-in-sync", str(tmp_path / "w.opus"), "--minutes", "1"], capsys,
            tmp_path, "too short")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    refused(["export", "walk", str(locked / "w.opus")], capsys, tmp_path, "cannot be written")


def test_a_full_disk_while_writing_removes_the_partial_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--cycles", "1", "--mono", "--seed", "1"]
    assert main(["export", "breathe", str(tmp_path / "warm.wav"), *args]) == 0  # cache filled
    (tmp_path / "warm.wav").unlink()
    assert re.search(r"Wrote .*warm\.wav: \d+ s, ", capsys.readouterr().out)  # its real length
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, limits[1]))  # a disk 100 kB from full
    try:
        refused(["export", "breathe", str(tmp_path / "full.wav"), *args], capsys, tmp_path,
                "no room left")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
