"""`journal export` and `forget` as a user meets them, from the command line: the copies
private and never over a file of the user's, nothing half-written on a full disk and the
disk named; forget takes the saved choices and the rendered speech with the rest, and
nothing of the user's."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import soundfile

from assistant.cli.journal import main as journal_main
from assistant.journal.store import CLIPS, FILE_NAME, Journal
from assistant.speech.voice.cache import CacheKey, VoiceCache
from assistant.speech.voice.stored import PART_PREFIX, PART_SUFFIX
from assistant.testing.sounds import RATE, silence

ASSISTANT = [sys.executable, "-m", "assistant"]
NOW = datetime(2026, 3, 1, 19, 0, tzinfo=timezone.utc)


@pytest.fixture
def home() -> Path:
    """This test's home, with a speech cache of its own (not the run's shared one)."""
    folder = Path(os.environ["ASSISTANT_HOME"])
    if (folder / "cache").is_symlink():
        (folder / "cache").unlink()
    return folder


def assistant(*argv: str, stdin: str = "", env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ASSISTANT, *argv], input=stdin, capture_output=True, text=True,
                          timeout=60, umask=0o022, env={**os.environ, **(env or {})})


def one_line(said: str) -> str:
    assert "Traceback" not in said and len(said.strip().splitlines()) == 1, said
    return said.strip()


def kept(home: Path) -> None:
    """Two sessions with a closing answer, and one kept recording of Ana's."""
    journal = Journal(home)
    for name in ("s1", "s2"):
        journal.begin(name, "daily-check-in", "Daily check-in", NOW)
        journal.closing(name, "too much")
        journal.finish(name, "completed", 300.0)
    (home / CLIPS).mkdir(mode=0o700)
    soundfile.write(str(home / CLIPS / "s1-1.wav"), silence(2.0), RATE)  # 64 KB
    journal.add_clip("s1", "daily-check-in", "our agreement", "Ana", home / CLIPS / "s1-1.wav",
                     2.0, NOW)
    journal.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# -- private copies --------------------------------------------------------------------------


def test_the_export_is_readable_by_its_owner_alone(home: Path, tmp_path: Path) -> None:
    kept(home)
    done = assistant("journal", "export", str(tmp_path / "made" / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("2 sessions and 1 recording to "
                                        f"{tmp_path / 'made' / 'out'}.")
    out = tmp_path / "made" / "out"
    assert mode(out) == 0o700
    assert sorted(listing(out)) == ["1-daily-check-in-our-agreement.wav", "journal.json"]
    assert all(mode(p) == 0o600 for p in out.iterdir())
    index = json.loads((out / "journal.json").read_text(encoding="utf-8"))
    assert [c["partner"] for c in index["clips"]] == ["Ana"]
    assert [s["closing"] for s in index["sessions"]] == ["too much", "too much"]


def test_a_folder_the_user_had_keeps_its_modes(home: Path, tmp_path: Path) -> None:
    kept(home)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine").chmod(0o755)
    assert assistant("journal", "export", str(tmp_path / "mine")).returncode == 0
    assert mode(tmp_path / "mine") == 0o755
    assert all(mode(p) == 0o600 for p in (tmp_path / "mine").iterdir())


# -- nothing of the user's replaced unless asked ------------------------------------------------


@pytest.mark.parametrize("existing", ["journal.json", "1-daily-check-in-our-agreement.wav"])
def test_a_file_already_there_is_refused_naming_force(home: Path, tmp_path: Path,
                                                      existing: str) -> None:
    kept(home)
    out = tmp_path / "out"
    out.mkdir()
    (out / existing).write_text("the user's own")
    refused = assistant("journal", "export", str(out))
    message = one_line(refused.stderr)
    assert refused.returncode == 2 and "--force" in message and existing in message
    assert listing(out) == {existing: b"the user's own"}  # nothing else written either
    forced = assistant("journal", "export", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / existing).read_bytes() != b"the user's own"
    assert sorted(listing(out)) == ["1-daily-check-in-our-agreement.wav", "journal.json"]
    assert all(mode(p) == 0o600 for p in out.iterdir())


def test_force_replaces_a_link_and_never_writes_through_it(home: Path, tmp_path: Path) -> None:
    kept(home)
    precious = tmp_path / "precious.txt"
    precious.write_text("my own notes")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "journal.json").symlink_to(precious)
    assert assistant("journal", "export", str(tmp_path / "out")).returncode == 2
    assert assistant("journal", "export", str(tmp_path / "out"), "--force").returncode == 0
    assert precious.read_text() == "my own notes"
    assert not (tmp_path / "out" / "journal.json").is_symlink()


def test_exporting_twice_asks_for_force_the_second_time(home: Path, tmp_path: Path) -> None:
    kept(home)
    assert assistant("journal", "export", str(tmp_path / "out")).returncode == 0
    before = listing(tmp_path / "out")
    again = assistant("journal", "export", str(tmp_path / "out"))
    assert again.returncode == 2 and "--force" in one_line(again.stderr)
    assert listing(tmp_path / "out") == before


def test_a_stop_in_the_middle_leaves_nothing_behind(home: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    kept(home)

    def stopped(descriptor: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the first copy is being made lasting

    monkeypatch.setattr(os, "fsync", stopped)
    with pytest.raises(KeyboardInterrupt):
        journal_main(["journal", "export", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()
    (tmp_path / "mine").mkdir()
    with pytest.raises(KeyboardInterrupt):
        journal_main(["journal", "export", str(tmp_path / "mine")])
    assert os.listdir(tmp_path / "mine") == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_named_like_a_recording_is_not_waited_on(home: Path, tmp_path: Path) -> None:
    kept(home)
    os.mkfifo(home / CLIPS / "nobody-writes.wav")
    done = assistant("journal", "export", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["1-daily-check-in-our-agreement.wav",
                                                    "journal.json"]


# -- a full disk ----------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[None]:
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("this machine does not let the tests mount a small file system")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.mark.parametrize("size", ["32k", "64k"])  # the recording, or the index, does not fit
@pytest.mark.parametrize("made", [True, False])
def test_a_full_disk_leaves_nothing_half_written_and_is_named(home: Path, tmp_path: Path,
                                                              size: str, made: bool) -> None:
    kept(home)
    disk, journal = tmp_path / "disk", (home / FILE_NAME).read_bytes()
    with small_disk(disk, size):
        out = disk / "out"
        if not made:
            out.mkdir()
        failed = assistant("journal", "export", str(out))
        message = one_line(failed.stderr)
        assert failed.returncode == 2
        assert f"the disk holding {out}{os.sep}" in message and "is full" in message
        assert str(home) not in message
        assert os.listdir(disk) == ([] if made else ["out"])  # no part, no half a file
        if not made:
            assert os.listdir(out) == []
    assert (home / FILE_NAME).read_bytes() == journal


# -- forget ---------------------------------------------------------------------------------


def rendered(folder: Path) -> list[Path]:
    """A prompt in the speech cache at `folder`, written by the cache itself, and a prompt
    left half-written by a renderer that was stopped."""
    cache = VoiceCache(folder)
    cache.put(CacheKey("espeak", "en", 170, RATE, "Ana, say one thing to Ben."), silence(0.1))
    descriptor, _ = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX, dir=folder)
    os.close(descriptor)
    made = sorted(folder.iterdir())
    assert len(made) == 2
    return made


def test_forget_deletes_the_saved_choices_and_the_rendered_speech(home: Path) -> None:
    kept(home)
    assert assistant("journal", "keep", "on").returncode == 0
    speech = rendered(home / "cache" / "voice")
    mine = {home / "cache" / "voice" / "notes.txt": "mine", home / "cache" / "a.npy": "mine",
            home / "preferences.txt": "mine"}
    for path, text in mine.items():
        path.write_text(text)
    asked = assistant("forget", stdin="no\n")
    assert asked.returncode == 1 and "saved choices" in asked.stdout
    assert all(p.exists() for p in speech) and (home / "preferences.json").exists()
    gone = assistant("forget", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert "saved choices" in gone.stdout and "speech rendered" in gone.stdout
    assert not any(p.exists() for p in speech) and not (home / "preferences.json").exists()
    assert {p: p.read_text() for p in mine} == mine
    assert sorted(p.name for p in home.iterdir()) == ["cache", CLIPS, "preferences.txt"]


def test_forget_removes_the_speech_folder_it_emptied(home: Path) -> None:
    rendered(home / "cache" / "voice")
    assert assistant("forget", "--yes").returncode == 0
    assert os.listdir(home / "cache") == []


def test_forget_finds_the_speech_of_the_platforms_cache_without_a_journal(
        tmp_path: Path) -> None:
    """Where the data and the cache are two places, rendered speech with no journal left
    beside it is still forgotten."""
    places = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_HOME"} | places
    speech = rendered(tmp_path / "cache" / "assistant" / "voice")
    gone = subprocess.run([*ASSISTANT, "forget", "--yes"], capture_output=True, text=True,
                          timeout=60, env=env)
    assert gone.returncode == 0 and "speech rendered" in gone.stdout, gone.stderr
    assert not any(p.exists() for p in speech)
