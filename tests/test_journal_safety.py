"""The journal never loses what it had: a full disk, a lock, missing permission, a careless
home and a damaged page are each told apart, and only real damage is ever set aside."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.base.errors import UserError
from assistant.cli.journal import main as journal_main
from assistant.cli.main import main
from assistant.cli.options import partner_names
from assistant.journal import salvage as salvage_module
from assistant.journal.store import CLIPS, FILE_NAME, Journal
from assistant.testing.sounds import RATE, silence, spoken

SCRIPT = """
title = "Short"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, say one thing."
listener = "{B}, listen."
seconds = 3
"""
T0 = datetime(2026, 11, 1, 20, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[1]


def home() -> Path:
    return Path(os.environ["ASSISTANT_HOME"])


def filled(folder: Path, sessions: int) -> Path:
    """A real journal holding `sessions` sessions, each with a question asked."""
    journal = Journal(folder)
    for n in range(sessions):
        journal.begin(f"s{n:04d}", "daily-check-in", f"Daily check-in {n} " + "x" * 150,
                      T0 + timedelta(minutes=n))
        journal.asked(f"s{n:04d}", "daily-check-in", f"Question {n}?")
        journal.finish(f"s{n:04d}", "completed", 60.0)
    journal.close()
    return folder / FILE_NAME


def state(folder: Path) -> dict[str, str]:
    """Each file's contents (as a digest) by name, sqlite's shared-memory files aside."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file() and not p.name.endswith(("-shm", "-wal"))}


def session(tmp_path: Path, *extra: str) -> int:
    """A short session on the virtual clock, its files outside the assistant's home."""
    (tmp_path / "s.toml").write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(tmp_path / "mic.wav"), silence(8.0), RATE)
    return main(["run", str(tmp_path / "s.toml"), "--mic-file", str(tmp_path / "mic.wav"),
                 "--out-file", str(tmp_path / "out.wav"), *extra])


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[bool]:
    """A small file system at `folder`, if this machine lets the tests mount one."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                             capture_output=True, check=False).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as file, contextlib.suppress(OSError):
        while True:
            file.write(b"\0" * 65536)
            file.flush()


class FullDisk:
    """A connection whose every write fails as on a full disk: the fault injected where a
    tmpfs cannot be mounted."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if not sql.lstrip().upper().startswith(("SELECT", "PRAGMA QUICK_CHECK")):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


# -- a full disk ---------------------------------------------------------------------------


def test_a_full_disk_hides_nothing_and_renames_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = tmp_path / "disk"
    with tmpfs(disk, "size=1m") as mounted:
        folder = disk / "home"
        monkeypatch.setenv("ASSISTANT_HOME", str(folder))
        filled(folder, 3)
        if mounted:
            fill(disk)
        else:  # no mount allowed here: the fault comes at the write instead
            real = sqlite3.connect
            monkeypatch.setattr("assistant.journal.opening.sqlite3.connect",
                                lambda *a, **k: FullDisk(real(*a, **k)))
        before = state(folder)
        capsys.readouterr()
        assert journal_main(["history"]) == 0
        shown = capsys.readouterr()
        assert "Daily check-in 2" in shown.out and "No sessions" not in shown.out
        assert session(tmp_path) == 0
        said = capsys.readouterr().err
        assert "full" in said and said.count("will not be remembered") == 1, said
        assert state(folder) == before  # nothing renamed, rewritten or set aside
        if mounted:
            (disk / "filler").unlink()
        else:
            monkeypatch.undo()
            monkeypatch.setenv("ASSISTANT_HOME", str(folder))
        assert journal_main(["history"]) == 0
        assert "Daily check-in 2" in capsys.readouterr().out


# -- a lock held by another process -------------------------------------------------------

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode=EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE sessions SET steps = steps")
print("held", flush=True)
sys.stdin.read()
"""


def test_a_lock_held_by_another_process_is_told_and_nothing_is_set_aside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = filled(home(), 2)
    before = state(home())
    monkeypatch.setenv("ASSISTANT_JOURNAL_WAIT", "0.2")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        assert journal_main(["history"]) == 2
        said = capsys.readouterr().err
        assert "held by another process" in said and len(said.strip().splitlines()) == 1
        assert session(tmp_path) == 0
        said = capsys.readouterr().err
        assert "held by another process" in said and "will not be remembered" in said
    finally:
        holder.communicate("", timeout=30)
    assert state(home()) == before
    assert journal_main(["history"]) == 0
    assert "Daily check-in 1" in capsys.readouterr().out


# -- missing permission -------------------------------------------------------------------

AS_ANOTHER_USER = """
import os, sys
from assistant.cli.journal import main
if os.getuid() == 0:  # root passes every permission check: become nobody to meet them
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
sys.exit(main(sys.argv[1:]))
"""


def test_a_journal_without_permission_is_told_and_left_alone(tmp_path: Path) -> None:
    """As root the journal's owner becomes nobody, and the command runs as nobody; as
    anyone else the journal is simply chmod 000."""
    place = Path(tempfile.mkdtemp(prefix="assistant-perm-"))  # reachable by nobody
    try:
        os.chmod(place, 0o711)
        folder = place / "home"
        path = filled(folder, 2)
        if os.getuid() == 0:
            for item in (folder, path):
                os.chown(item, 65534, 65534)
        os.chmod(path, 0)
        before = state(folder)
        env = {**os.environ, "ASSISTANT_HOME": str(folder), "PYTHONPATH": str(ROOT)}
        for verb in (["history"], ["today"], ["journal", "list"], ["journal", "delete", "1"]):
            result = subprocess.run([sys.executable, "-c", AS_ANOTHER_USER, *verb], env=env,
                                    capture_output=True, text=True, timeout=60, cwd=place)
            assert result.returncode == 2, result.stderr
            assert "permission denied" in result.stderr and "Traceback" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
        assert state(folder) == before and stat.S_IMODE(path.stat().st_mode) == 0
    finally:
        shutil.rmtree(place, ignore_errors=True)


# -- a careless home ----------------------------------------------------------------------


def test_a_home_that_is_a_file_is_named_in_one_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "not-a-folder"
    file.write_text("mine")
    monkeypatch.setenv("ASSISTANT_HOME", str(file))
    for verb in (["history"], ["today"], ["journal", "list"], ["forget", "--yes"],
                 ["journal", "recover"]):
        assert journal_main(verb) == 2
        said = capsys.readouterr().err
        assert "is a file, not a folder" in said and len(said.strip().splitlines()) == 1
    assert session(tmp_path) == 0
    assert "is a file, not a folder" in capsys.readouterr().err
    assert file.read_text() == "mine"


def test_a_journal_that_is_a_folder_is_named_and_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home() / FILE_NAME / "inside").mkdir(parents=True)
    for verb in (["history"], ["journal", "delete", "1"]):
        assert journal_main(verb) == 2
        assert "is a folder, not a file" in capsys.readouterr().err
    assert session(tmp_path) == 0
    assert "is a folder, not a file" in capsys.readouterr().err
    assert (home() / FILE_NAME / "inside").is_dir()
    assert not list(home().glob("journal.damaged-*"))


def test_a_home_under_a_read_only_parent_is_told_and_nothing_is_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tmp_path / "ro"
    with tmpfs(parent, "ro,size=64k") as mounted:
        if not mounted:
            pytest.skip("this machine does not let the tests mount a read-only file system")
        monkeypatch.setenv("ASSISTANT_HOME", str(parent / "home"))
        for verb in (["history"], ["today"], ["journal", "list"], ["forget", "--yes"],
                     ["journal", "keep", "on"], ["journal", "recover"]):
            assert journal_main(verb) == 2
            said = capsys.readouterr().err
            assert "read-only file system" in said and len(said.strip().splitlines()) == 1
        assert session(tmp_path) == 0
        said = capsys.readouterr().err
        assert "read-only file system" in said and "will not be remembered" in said
        assert not (parent / "home").exists()


# -- a damaged page -----------------------------------------------------------------------


def damage(path: Path) -> None:
    """Garbage over one page in the middle of the file, as a failing disk might leave."""
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = np.random.default_rng(7).bytes(page)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["sqlite3", "row by row"])
def test_a_damaged_page_blocks_nothing_and_recover_saves_what_it_holds(
        how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    if how == "sqlite3" and shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command is not installed (scripts/setup.sh installs it)")
    if how == "row by row":
        monkeypatch.setattr(salvage_module.shutil, "which", lambda name: None)
    path = filled(home(), 200)
    damage(path)
    untouched = path.read_bytes()
    capsys.readouterr()
    for verb in (["history", "--limit", "500"], ["today"], ["journal", "list"]):
        assert journal_main(verb) == 0
        said = capsys.readouterr()
        assert "damaged" in said.err and "journal recover" in said.err
    assert path.read_bytes() == untouched  # shown read-only: nothing moved or rewritten
    assert journal_main(["history", "--limit", "500"]) == 0
    readable = capsys.readouterr().out.count("Daily check-in")
    assert 150 <= readable < 200
    assert session(tmp_path) == 0  # the damaged journal is set aside and a new one begun
    said = capsys.readouterr().err
    assert "set aside as journal.damaged-" in said
    aside = next(home().glob("journal.damaged-*.sqlite3"))
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600 and aside.read_bytes() == untouched
    found = salvage_module.salvage(aside, thorough=how == "sqlite3").rows["sessions"]
    assert len(found) == len({row[0] for row in found}) >= readable  # each row once
    assert journal_main(["history"]) == 0
    shown = capsys.readouterr()
    assert "Short" in shown.out and f"set aside as {aside.name}" in shown.err
    assert journal_main(["journal", "recover"]) == 0
    report = capsys.readouterr().out
    saved = int(report.split("Saved ")[1].split(" ")[0])
    assert saved >= readable and "0 recordings" in report
    assert journal_main(["history", "--limit", "500"]) == 0
    shown = capsys.readouterr()
    assert shown.out.count("Daily check-in") == saved and "Short" in shown.out
    assert shown.err == ""  # dealt with: no more notices
    asked = Journal(home()).asked_before("daily-check-in")  # the questions came back too
    assert 150 <= sum(asked.values()) <= 200 and set(asked.values()) == {1}


def test_a_journal_an_older_version_renamed_aside_is_named_and_recovered(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Older versions renamed a healthy journal aside on a full disk or a lock."""
    filled(home(), 3).rename(home() / "journal.unreadable-20261101-200000.sqlite3")
    (home() / FILE_NAME).touch()  # and an empty one, as a first session cut short leaves
    assert journal_main(["history"]) == 0
    shown = capsys.readouterr()
    assert "No sessions yet." in shown.out
    assert "journal.unreadable-20261101-200000.sqlite3" in shown.err and "recover" in shown.err
    assert journal_main(["journal", "recover"]) == 0
    assert "Saved 3 sessions" in capsys.readouterr().out
    assert journal_main(["history"]) == 0
    shown = capsys.readouterr()
    assert shown.out.count("Daily check-in") == 3 and shown.err == ""


# -- recordings are never orphaned --------------------------------------------------------


def test_a_recording_no_row_names_is_listed_as_found_and_can_be_exported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filled(home(), 1)
    (home() / CLIPS).mkdir(mode=0o700)
    soundfile.write(str(home() / CLIPS / "abc-1.wav"), silence(1.5), RATE)
    assert journal_main(["journal", "list"]) == 0
    assert "found: abc-1.wav" in capsys.readouterr().out
    assert journal_main(["journal", "export", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "found-abc-1.wav").read_bytes() == (
        home() / CLIPS / "abc-1.wav").read_bytes()
    assert journal_main(["journal", "delete", "abc-1.wav"]) == 0
    assert not (home() / CLIPS / "abc-1.wav").exists()


def test_a_recording_whose_row_cannot_be_written_is_kept_and_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*args: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Journal, "add_clip", full)
    (tmp_path / "s.toml").write_text(SCRIPT.replace("seconds = 3", "seconds = 6\nkeep = "
                                                    '"memory"'), encoding="utf-8")
    said = spoken("We agreed to walk together every Sunday")
    soundfile.write(str(tmp_path / "mic.wav"),
                    np.concatenate([silence(4.0), said, said, silence(8.0)]), RATE)
    assert main(["run", str(tmp_path / "s.toml"), "--mic-file", str(tmp_path / "mic.wav"),
                 "--out-file", str(tmp_path / "out.wav"), "--keep-recordings"]) == 0
    assert "shows it as found" in capsys.readouterr().err
    assert journal_main(["journal", "list"]) == 0
    kept = list((home() / CLIPS).glob("*.wav"))
    assert len(kept) == 1 and f"found: {kept[0].name}" in capsys.readouterr().out


# -- names, locales and causes ------------------------------------------------------------


@pytest.mark.parametrize("names", ["Ana,ana", "ZOË,zoë", "Ana,B\ten", "Ana,Be\x7fn",
                                   "An\na,Ben", "ZOË,Zoe\u0308", "Ana,Be\u2028n", "Ana,none"])
def test_names_that_cannot_be_told_apart_or_kept_on_one_line_are_refused(names: str) -> None:
    with pytest.raises(UserError, match="--names"):
        partner_names(names)


def test_a_c_locale_with_non_ascii_names_and_paths_gives_no_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "maison-é"
    (folder / "é.toml").parent.mkdir()
    (folder / "é.toml").write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(folder / "micé.wav"), silence(8.0), RATE)
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": str(ROOT),
           "ASSISTANT_HOME": str(folder / "home-é")}
    assistant = [sys.executable, "-m", "assistant"]
    run = subprocess.run([*assistant, "run", str(folder / "é.toml"), "--names", "Zoë,Ana",
                          "--mic-file", str(folder / "micé.wav"), "--out-file",
                          str(folder / "outé.wav"), "--events", str(folder / "é.jsonl")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    shown = []
    for verb in (["history"], ["journal", "list"], ["journal", "export", str(folder / "x-é")],
                 ["run", str(folder / "missing-é.toml")]):
        result = subprocess.run([*assistant, *verb], env=env, capture_output=True, text=True,
                                timeout=60)
        assert "Traceback" not in result.stderr, result.stderr
        shown.append(result.stdout)
    assert "Short" in shown[0] and (folder / "x-é" / "journal.json").exists()


def test_a_file_that_cannot_be_opened_is_named_by_its_cause(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.toml").write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(tmp_path / "mic.wav"), silence(1.0), RATE)
    cases = [(["--mic-file", str(tmp_path / "none.wav")], "does not exist"),
             (["--mic-file", str(tmp_path)], "is a folder"),
             (["--mic-file", str(tmp_path / "mic.wav"), "--out-file", str(tmp_path)],
              "is a folder")]
    for options, expected in cases:
        assert main(["run", str(tmp_path / "s.toml"), *options]) == 2
        said = capsys.readouterr().err
        assert expected in said and "System error" not in said

