"""The couple's profile cannot be torn, lost or leaked, and holds names a couple can tell apart.

Met as a user meets it: `assistant` processes over a home of their own."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import types
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.journal.couple import COUPLE
from assistant.system.lock import LockTimeout, held

ASSISTANT = [sys.executable, "-m", "assistant"]
DEEP = "[" * 20_000 + "]" * 20_000  # deeper than Python's recursion limit, under 64 KB
PAIRS = [(f"Zoé {n}", f"Max {n}") for n in range(12)]  # written at once, 12 processes


def home() -> Path:
    folder = Path(os.environ["ASSISTANT_HOME"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assistant(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ASSISTANT, *argv], input=stdin, capture_output=True, text=True,
                          timeout=120)


def one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def set_aside() -> list[Path]:
    return sorted(home().glob("couple.unreadable-*.json"))


# -- written whole, one process at a time -------------------------------------------------


def test_several_couple_commands_at_once_leave_one_whole_profile() -> None:
    """A few seconds: a shared temporary name failed a writer in about half the rounds."""
    for _ in range(4):
        writers = [subprocess.Popen([*ASSISTANT, "couple", "--names", f"{a},{b}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True) for a, b in PAIRS]
        errors = [writer.communicate(timeout=60)[1] for writer in writers]
        assert [writer.returncode for writer in writers] == [0] * len(PAIRS), errors
        saved = json.loads((home() / COUPLE).read_text(encoding="utf-8"))
        assert tuple(saved["names"]) in PAIRS
        assert stat.S_IMODE((home() / COUPLE).stat().st_mode) == 0o600
        assert not list(home().glob("*.part")) and not set_aside()
    shown = assistant("couple")
    assert shown.returncode == 0 and shown.stderr == ""


def test_a_lock_held_elsewhere_is_waited_for_and_then_given_up(tmp_path: Path) -> None:
    lock = tmp_path / "couple.lock"
    with held(lock), pytest.raises(LockTimeout), held(lock, wait=0.05):
        pass
    with held(lock, wait=0.05):  # let go: free again
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def _windows_locking() -> types.ModuleType:
    """A stand-in for Windows' msvcrt.locking on this machine: a byte-range lock from the
    file's position, refused at once with EACCES while another process holds it."""
    import fcntl

    module = types.ModuleType("msvcrt")
    module.LK_UNLCK, module.LK_LOCK, module.LK_NBLCK = 0, 1, 2  # type: ignore[attr-defined]

    def locking(descriptor: int, mode: int, count: int) -> None:
        if mode == 0:
            fcntl.lockf(descriptor, fcntl.LOCK_UN, count, 0, os.SEEK_CUR)
            return
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, count, 0, os.SEEK_CUR)
        except OSError:
            raise OSError(errno.EACCES, "Permission denied") from None

    module.locking = locking  # type: ignore[attr-defined]
    return module


def test_without_fcntl_the_lock_is_taken_as_windows_takes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four processes each add one to a number 50 times, under the lock: none is lost."""
    monkeypatch.setitem(sys.modules, "msvcrt", _windows_locking())
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` fails, as on Windows
    count = tmp_path / "count"
    count.write_text("0")
    children = []
    for _ in range(4):
        child = os.fork()
        if child == 0:  # pragma: no cover - the child's own exit status is checked
            status = 1
            try:
                for _ in range(50):
                    with held(tmp_path / "count.lock"):
                        seen = int(count.read_text())
                        os.sched_yield()
                        count.write_text(str(seen + 1))
                status = 0
            finally:
                os._exit(status)
        children.append(child)
    assert [os.waitstatus_to_exitcode(os.waitpid(c, 0)[1]) for c in children] == [0] * 4
    assert count.read_text() == "200"


def test_a_system_without_file_locks_is_named(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    monkeypatch.setitem(sys.modules, "fcntl", None)
    with pytest.raises(OSError, match="no file lock"), held(tmp_path / "lock"):
        pass


# -- damaged profiles ---------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "stdin"), [
    (["couple"], ""),
    (["run", "eye-contact", "--text"], "q\n"),
    (["export", "eye-contact", "out.ogg", "--loudness", "99"], ""),  # stops after the couple
])
def test_a_deeply_nested_profile_is_set_aside_privately(argv: list[str], stdin: str,
                                                        tmp_path: Path) -> None:
    (home() / COUPLE).write_text(DEEP)
    os.chmod(home() / COUPLE, 0o644)
    result = subprocess.run([*ASSISTANT, *argv], input=stdin, capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    notices = [line for line in result.stderr.splitlines() if "couple's profile" in line]
    assert len(notices) == 1 and "could not be read, so it was kept as" in notices[0]
    (aside,) = set_aside()
    assert aside.read_text() == DEEP and stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert not (home() / COUPLE).exists() and aside.name in notices[0]


def test_today_moves_nothing_and_says_once_the_profile_is_unread() -> None:
    assert assistant("couple", "--names", "Ana,Ben").returncode == 0
    (home() / COUPLE).write_text(DEEP)
    before = sorted(p.name for p in home().iterdir())
    today = assistant("today")
    assert today.returncode == 0 and "For Alex (A) and Sam (B)" in today.stdout
    assert "cannot be read" in one_line(today.stderr)
    assert sorted(p.name for p in home().iterdir()) == before
    assert (home() / COUPLE).read_text() == DEEP


def test_damaged_profiles_set_aside_in_the_same_second_each_keep_their_own_name() -> None:
    now = datetime.now()
    earlier = [home() / f"couple.unreadable-{(now + timedelta(seconds=s)):%Y%m%d-%H%M%S}.json"
               for s in range(-1, 5)]  # whichever second the next commands run in is taken
    for path in earlier:
        path.write_text("kept earlier")
    for damage in ("first damage", "second damage"):
        (home() / COUPLE).write_text(damage)
        assert assistant("couple").returncode == 0
    assert all(path.read_text() == "kept earlier" for path in earlier)
    new = {p.read_text(): p for p in set_aside() if p not in earlier}
    assert set(new) == {"first damage", "second damage"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in new.values())


def test_a_profile_that_is_a_folder_is_named_and_nothing_is_left_beside_it() -> None:
    (home() / COUPLE / "inside").mkdir(parents=True)
    kept = assistant("couple", "--names", "Ana,Ben")
    message = one_line(kept.stderr)
    assert kept.returncode == 2 and f"{home() / COUPLE} is a folder" in message
    assert ".part" not in message
    assert sorted(p.name for p in home().iterdir()) == ["cache", COUPLE, "couple.lock"]
    assert (home() / COUPLE / "inside").is_dir()
    shown = assistant("couple")
    assert shown.returncode == 0 and "is a folder" in one_line(shown.stderr)
    session = assistant("run", "eye-contact", "--text", stdin="q\n")
    assert session.returncode == 0
    assert sum("is a folder" in line for line in session.stderr.splitlines()) == 1


# -- forget -------------------------------------------------------------------------------


def test_forget_deletes_what_the_assistant_made_and_nothing_of_the_users() -> None:
    mine = {"journal.txt": "my own diary", "journal.docx": "my own essay",
            "clips/mysong.wav": "my own song"}
    for name, text in mine.items():
        (home() / name).parent.mkdir(exist_ok=True)
        (home() / name).write_text(text)
    assert assistant("run", "eye-contact", "--text", "--names", "Ana,Ben",
                     stdin="q\n").returncode == 0
    assert (home() / "journal.sqlite3").exists()
    (home() / "clips" / f"{'0f' * 16}-1.wav").write_bytes(b"RIFF")  # as the recorder names
    assert assistant("couple", "--names", "Ana,Ben").returncode == 0
    (home() / COUPLE).write_text('{"names": ["Ana", "Ben"], "low_vision": 3}')
    assert assistant("couple").returncode == 0 and len(set_aside()) == 1
    if (home() / "cache").is_symlink():  # the run's shared speech: not this home's to forget
        (home() / "cache").unlink()
    gone = assistant("forget", "--yes")
    assert gone.returncode == 0 and "couple's names and needs are deleted" in gone.stdout
    assert "Left in" in gone.stdout and "1 file" in gone.stdout
    left = sorted(str(p.relative_to(home())) for p in home().rglob("*") if p.is_file()
                  and "cache" not in p.parts)
    assert left == sorted(mine)
    assert all((home() / name).read_text() == text for name, text in mine.items())


def test_forget_goes_past_a_folder_named_like_the_profile() -> None:
    """A folder is never the assistant's file: the names set aside, the lock and the
    saved choices still go, and nothing stops at the folder."""
    (home() / COUPLE).write_text('{"names": ["Ana", "Ben"], "low_vision": 3}')
    assert assistant("couple").returncode == 0 and len(set_aside()) == 1
    (home() / COUPLE).mkdir()
    if (home() / "cache").is_symlink():  # the run's shared speech: not this home's to forget
        (home() / "cache").unlink()
    gone = assistant("forget", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert set_aside() == [] and (home() / COUPLE).is_dir()
    assert not [p for p in home().iterdir() if p.is_file() and p.name.startswith("couple")]


# -- names a couple can tell apart --------------------------------------------------------


SAME = ["Zoé,Zoe\u0301", "Ana,Ana\u200b", "Ana,An\u00ada", "Ana,\uff21\uff4e\uff41",
        "Ana,ana", "Ana Maria,ana  maria"]
REFUSED = [*SAME, "Ana,Be\u2028n", "Ana,Be\u2029n", "Ana,\u200b\u2060", "Ana,\u3164",
           "None,Ben", "Ana,Both", "A,Ben", "Ana,b", "Ana,NONE", "\uff42oth,Ana"]


@pytest.mark.parametrize("names", REFUSED)
def test_names_that_cannot_be_told_apart_or_read_are_refused_in_one_sentence(
        names: str) -> None:
    refused = assistant("couple", "--names", names)
    message = one_line(refused.stderr)
    assert refused.returncode == 2 and message.startswith("assistant: --names")
    assert "\u2028" not in message and "\u2029" not in message
    assert not (home() / COUPLE).exists()


@pytest.mark.parametrize("names", ["Zoé,Zoe\u0301", "Ana,Be\u2028n", "Ana,Both"])
def test_a_session_refuses_them_too(names: str) -> None:
    session = assistant("run", "eye-contact", "--text", "--names", names, stdin="q\n")
    assert session.returncode == 2 and one_line(session.stderr).startswith("assistant: --names")
    assert not (home() / "journal.sqlite3").exists()


def test_a_name_is_kept_as_typed_and_partners_are_found_by_how_it_reads() -> None:
    kept = assistant("couple", "--names", "Zoe\u0301,Mohammad\u200cReza", "--seated",
                     "ZOÉ", "--low-vision", "mohammadreza")
    assert kept.returncode == 0, kept.stderr
    saved = json.loads((home() / COUPLE).read_text(encoding="utf-8"))
    assert saved == {"names": ["Zoé", "Mohammad\u200cReza"], "low_vision": ["B"],
                     "seated": ["A"]}
