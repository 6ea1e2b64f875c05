"""Where exports and out-files go: a file already there is replaced only with --force (the
link itself, never the file it names), what a killed run left beside the target is swept
a day later and nothing else is, any name the file system takes is written, one it cannot
take is refused before rendering, and a week only reads the journal."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import soundfile

from assistant.audio.sidefiles import (
    LONGEST,
    PART,
    SPOOL,
    STALE_SECONDS,
    is_ours,
    is_stale,
    make_beside,
)
from assistant.cli.main import main
from assistant.export.practice import Day
from assistant.journal.store import FILE_NAME, Journal

EXPORT = ["export", "walk", "--minutes", "0.2", "--seed", "1", "--mono", "--names", "Ana,Ben"]
SESSION = ["breathe", "--cycles", "1", "--names", "Ana,Ben", "--seed", "1"]
WEEK = ["export", "--days", "1", "--minutes", "1", "--format", "wav", "--mono",
        "--names", "Ana,Ben"]
DAY = 24 * 3600


def _boom(*_: Any, **__: Any) -> Any:
    raise AssertionError("rendered, though it should have been refused first")


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering an export or running a session with an out-file fails the test."""
    monkeypatch.setattr("assistant.export.file.render", _boom)
    monkeypatch.setattr("assistant.cli.session.VirtualAudio", _boom)


@pytest.fixture
def short_week(monkeypatch: pytest.MonkeyPatch) -> None:
    """One day, with one short physical practice: the week's files, fast."""
    monkeypatch.setattr("assistant.cli.export.week",
                        lambda sessions, now, days: [Day(1, ("breathe-in-sync",))])


def refused(args: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("assistant: ") and len(err.splitlines()) == 1
    assert "Traceback" not in err and all(word in err for word in words)
    return err


def plays(path: Path) -> bool:
    return not path.is_symlink() and soundfile.info(str(path)).frames > 0


def _size(folder: Path) -> int:
    """Bytes in `folder`'s files, counting none that went meanwhile (a probe, say)."""
    sizes = []
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            sizes.append(path.lstat().st_size)
    return sum(sizes)


def aged(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment), follow_symlinks=False)


# files already there


@pytest.mark.usefixtures("no_render")
def test_an_export_or_out_file_refuses_a_file_already_there_before_anything_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    song, out = tmp_path / "song.mp3", tmp_path / "o.wav"
    song.write_text("the user's own")
    out.write_text("the user's own")
    refused([*EXPORT, str(song)], capsys, str(song), "already exists", "--force")
    refused([*SESSION, "--out-file", str(out)], capsys, str(out), "already exists", "--force")
    dangling = tmp_path / "gone.opus"
    dangling.symlink_to(tmp_path / "nowhere")
    refused([*EXPORT, str(dangling)], capsys, "--force")
    assert song.read_text() == out.read_text() == "the user's own"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.opus", "o.wav", "song.mp3"]


def test_force_replaces_the_file(tmp_path: Path) -> None:
    song, out = tmp_path / "song.opus", tmp_path / "o.flac"
    song.write_text("the user's own")
    out.write_text("the user's own")
    assert main([*EXPORT, str(song), "--force"]) == 0
    assert main([*SESSION, "--out-file", str(out), "--force"]) == 0
    assert plays(song) and plays(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.flac", "song.opus"]


@pytest.mark.parametrize("command", ["export", "out-file"])
def test_force_over_a_link_replaces_the_link_never_the_file_it_names(
        tmp_path: Path, command: str) -> None:
    precious, link = tmp_path / "precious.wav", tmp_path / "link.wav"
    precious.write_text("the user's own")
    link.symlink_to(precious)
    args = [*EXPORT, str(link)] if command == "export" else [*SESSION, "--out-file", str(link)]
    assert main([*args, "--force"]) == 0
    assert precious.read_text() == "the user's own"
    assert plays(link)


@pytest.mark.usefixtures("short_week")
def test_a_week_refuses_any_file_already_there_even_its_own_unless_forced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "Music"
    folder.mkdir()
    playlist = folder / "week.m3u"
    playlist.write_text("the user's playlist")
    with monkeypatch.context() as patch:
        patch.setattr("assistant.export.file.render", _boom)
        refused([*WEEK, "--week", str(folder)], capsys, "week.m3u", "--force",
                "earlier export")
    assert playlist.read_text() == "the user's playlist"
    assert [p.name for p in folder.iterdir()] == ["week.m3u"]
    assert main([*WEEK, "--week", str(folder), "--force"]) == 0
    numbered = folder / "01-day1-breathe-in-sync.wav"
    assert playlist.read_text().startswith("#EXTM3U") and plays(numbered)
    capsys.readouterr()
    before = numbered.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr("assistant.export.file.render", _boom)
        refused([*WEEK, "--week", str(folder)], capsys, numbered.name, "and 1 more",
                "--force")
    assert numbered.read_bytes() == before


@pytest.mark.usefixtures("short_week")
def test_a_week_reads_the_journal_without_writing_it(
        tmp_path: Path, _private_home: Path) -> None:
    assert main([*WEEK, "--week", str(tmp_path)]) == 0
    assert not (_private_home / FILE_NAME).exists()  # none was made
    journal = Journal(_private_home)
    journal.close()
    path = _private_home / FILE_NAME
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    (tmp_path / "again").mkdir()
    assert main([*WEEK, "--week", str(tmp_path / "again")]) == 0
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # SQLite's reader writes nothing


# temporary files beside the target


def test_a_temporary_name_is_the_assistants_own_and_short_whatever_the_target(
        tmp_path: Path) -> None:
    for name in ("o.wav", "é" * 124 + ".opus", "a.b.c " * 40 + ".mp3"):
        for kind in (PART, SPOOL):
            handle, temporary = make_beside(tmp_path / name, kind)
            os.close(handle)
            assert temporary.parent == tmp_path and is_ours(temporary.name)
            assert len(os.fsencode(temporary.name)) <= LONGEST
            assert temporary.stat().st_mode & 0o777 == 0o600
            temporary.unlink()
    for name in (".song.part", ".song.abcdefgh.part.opus", ".notes.assistant.part",
                 "song.abcdefgh.assistant.part", ".song.abcdefgh.assistant.part.bak",
                 "." + "x" * 41 + ".abcdefgh.assistant.part"):
        assert not is_ours(name)


def test_only_a_regular_file_of_ones_own_a_day_old_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("x")
    info = path.stat()
    day_on = info.st_mtime + STALE_SECONDS
    assert is_stale(info, day_on + 1, info.st_uid)
    assert not is_stale(info, day_on - 1, info.st_uid)  # another run may be writing it
    assert not is_stale(info, day_on + 1, info.st_uid + 1)  # another user's
    assert not is_stale(tmp_path.stat(), tmp_path.stat().st_mtime + 2 * DAY, info.st_uid)


@pytest.mark.parametrize("command", ["export", "out-file"])
def test_stale_temporaries_beside_the_target_are_swept_and_nothing_else(
        tmp_path: Path, command: str) -> None:
    stale = [".song.qwertyui.assistant.part", ".song.zxcvbnm_.assistant.spool"]
    kept = [".song.asdfghjk.assistant.part", ".song.part", ".song.abcdefgh.part.opus",
            ".notes.assistant.part", "song.qwertyui.assistant.part"]
    for name in stale + kept:
        (tmp_path / name).write_text("x")
        aged(tmp_path / name, 2 * DAY)
    aged(tmp_path / kept[0], DAY - 3600)  # fresh: another export may be writing it
    link = tmp_path / ".link.lkjhgfds.assistant.part"
    link.symlink_to(tmp_path / "song.part")
    aged(link, 2 * DAY)
    kept.append(link.name)
    if os.geteuid() == 0:  # another user's
        other = tmp_path / ".other.poiuytre.assistant.part"
        other.write_text("x")
        os.chown(other, 65534, 65534)
        aged(other, 2 * DAY)
        kept.append(other.name)
    target = tmp_path / "new.wav"
    args = [*EXPORT, str(target)] if command == "export" else [*SESSION, "--out-file",
                                                               str(target)]
    assert main(args) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "new.wav"])


def test_what_an_export_killed_outright_leaves_is_swept_by_the_next_a_day_later(
        tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "assistant", "export", "walk",
                                "--minutes", "30", str(tmp_path / "long.opus")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and \
                _size(tmp_path) < 1_000_000:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    left = list(tmp_path.iterdir())
    assert left and all(is_ours(p.name) for p in left)  # a spool and a part, recognisably
    for path in left:
        aged(path, 2 * DAY)
    assert main([*EXPORT, str(tmp_path / "next.opus")]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["next.opus"]


# names


@pytest.mark.parametrize("command", ["export", "out-file"])
def test_a_250_byte_name_is_written(tmp_path: Path, command: str) -> None:
    target = tmp_path / ("é" + "n" * 243 + ".opus")
    assert len(os.fsencode(target.name)) == 250
    args = [*EXPORT, str(target)] if command == "export" else [*SESSION, "--out-file",
                                                               str(target)]
    assert main(args) == 0
    assert plays(target) and [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.usefixtures("no_render")
@pytest.mark.parametrize("command", ["export", "out-file", "week"])
def test_a_name_or_path_too_long_is_refused_before_anything_runs(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    def args(target: Path) -> list[str]:
        if command == "week":
            return [*WEEK, "--week", str(target.parent)]
        if command == "export":
            return [*EXPORT, str(target)]
        return [*SESSION, "--out-file", str(target)]

    long_name = tmp_path / ("n" * 295 + ".opus")
    if command != "week":
        refused(args(long_name), capsys, "300 bytes", "shorter name")
    deep = _deep_folder(tmp_path, 4080)  # room for "o.opus", none for a temporary beside it
    refused(args(deep / "o.opus"), capsys, "4,096 bytes", "nearer the top")
    assert [p.name for p in tmp_path.iterdir()] == ["d" * 200]  # the folders alone


def _deep_folder(top: Path, length: int) -> Path:
    """A folder whose path is `length` bytes long, made a step at a time."""
    folder, descriptor = top, os.open(top, os.O_RDONLY)
    try:
        while (left := length - len(os.fsencode(str(folder))) - 1) > 0:
            part = "d" * (left if left <= 200 else min(200, left - 2))
            os.mkdir(part, dir_fd=descriptor)
            inner = os.open(part, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor, folder = inner, folder / part
    finally:
        os.close(descriptor)
    assert len(os.fsencode(str(folder))) == length
    return folder
