"""The fuzz surfaces beyond exercise scripts: what an unlucky or careless user meets.

Here microphone files, output paths and the environment (`fuzz_damage.py` holds
a damaged journal, a damaged speech cache, and signals). Each case sets up its
own folder from a template home (a journal with one session, a kept recording, a
warm speech cache) and returns a `Trial`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_trial import Trial

Setup = Callable[[Path, Path], Trial]  # (case folder, template home) -> trial
SESSION = ["breathe", "--cycles", "1"]
RATE = 16_000


def prepare(folder: Path) -> Path:
    """A home with one session in its journal, a kept recording and a warm cache; and the
    out-file that session gives, to compare damaged-cache runs with."""
    home = folder / "template"
    subprocess.run([sys.executable, "-m", "assistant", *SESSION, "--out-file",
                    str(folder / "reference.wav")], env={**os.environ, "ASSISTANT_HOME": str(home)},
                   check=True, capture_output=True)
    (home / "clips").mkdir(mode=0o700, exist_ok=True)
    soundfile.write(str(home / "clips" / "kept.wav"), tone(1.0), RATE)
    return home


def tone(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)


def home_of(case: Path, template: Path) -> tuple[Path, dict[str, str]]:
    home = case / "home"
    shutil.copytree(template, home, symlinks=True)
    return home, {"ASSISTANT_HOME": str(home)}


def mount_small(folder: Path, options: str = "size=64k") -> Callable[[], None]:
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False).returncode == 0
    if not done:
        raise SystemExit("mounting a small tmpfs needs root; run the surfaces as root")
    def undo() -> None:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    return undo


def fill(folder: Path) -> None:
    """Write zeros until the filesystem holding `folder` is full."""
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while os.write(descriptor, bytes(4096)):
            pass
    except OSError:
        pass
    finally:
        os.close(descriptor)


# microphone files


def _mic_case(make: Callable[[Path], None]) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        env = home_of(case, template)[1]
        mic = case / "mic.wav"
        make(mic)
        events, out = case / "e.jsonl", case / "o.wav"
        return Trial([*SESSION, "--mic-file", str(mic), "--out-file", str(out), "--events",
                      str(events)], env, guarded=[mic] if mic.is_file() else [], events=events,
                     wavs=[out])
    return setup


def _wav(rate: int, samples: np.ndarray, subtype: str = "PCM_16") -> Callable[[Path], None]:
    return lambda path: soundfile.write(str(path), samples, rate, subtype=subtype)


def _bytes(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)
    return make


def _header_only(path: Path) -> None:
    soundfile.write(str(path), tone(0.5), RATE)
    path.write_bytes(path.read_bytes()[:30])


MIC_CASES: dict[str, Callable[[Path], None]] = {
    "1 Hz, 4 KB": _wav(1, np.zeros(2000, dtype=np.int16)),
    "1 Hz, 16 KB": _wav(1, np.zeros(8000, dtype=np.int16)),
    "1 Hz, 65 KB": _wav(1, np.zeros(32_000, dtype=np.int16)),
    "100 Hz": _wav(100, np.zeros(2000, dtype=np.int16)),
    "7,999 Hz": _wav(7999, np.zeros(8000, dtype=np.int16)),
    "8,000 Hz": _wav(8000, np.zeros(8000, dtype=np.int16)),
    "192,000 Hz": _wav(192_000, np.zeros(96_000, dtype=np.int16)),
    "192,001 Hz": _wav(192_001, np.zeros(96_000, dtype=np.int16)),
    "256 channels": _wav(RATE, np.zeros((4000, 256), dtype=np.int16)),
    "no frames": _wav(RATE, np.zeros(0, dtype=np.int16)),
    "NaN samples": _wav(RATE, np.full(RATE, np.nan, dtype=np.float32), "FLOAT"),
    "full-scale noise": _wav(RATE, np.random.default_rng(1).uniform(-1, 1, 2 * RATE)),
    "header cut short": _header_only,
    "random bytes": _bytes(np.random.default_rng(2).bytes(4096)),
    "text": _bytes(b"not a sound\n"),
    "empty file": _bytes(b""),
    "FIFO with no writer": os.mkfifo,
    "a folder": Path.mkdir,
    "missing": lambda path: None,
}


# output paths


Extra = Callable[[Path, Path], "Callable[[], None] | None"]


def _paths_case(out: str | None, events: str | None, extra: Extra | None = None,
                stdout: str = "pipe", ends: bool = True) -> Setup:
    """`out` and `events` name a file: mic, link, hard, journal, recording, same, a
    path under the case folder, or an absolute path."""
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        mic = case / "mic.wav"
        soundfile.write(str(mic), tone(2.0), RATE)
        (case / "link.wav").symlink_to(mic)
        os.link(mic, case / "hard.wav")
        after = extra(case, home) if extra else None
        named = {"mic": mic, "link": case / "link.wav", "hard": case / "hard.wav",
                 "journal": home / "journal.sqlite3", "recording": home / "clips" / "kept.wav",
                 "same": case / "same"}

        def where(name: str) -> Path:
            return named.get(name, case / name if not name.startswith("/") else Path(name))

        args = [*SESSION, "--mic-file", str(mic)]
        guarded = [mic, named["recording"]]
        if "journal" in (out, events):  # else the session rightly writes to it
            guarded.append(named["journal"])
        trial = Trial(args, env, stdout=stdout, guarded=guarded, ends=ends, after=after,
                      kept=lambda: _private_log(case))
        if out is not None:
            trial.args += ["--out-file", str(where(out))]
            if where(out) not in named.values() and where(out).parent.is_dir() \
                    and not str(out).startswith("/dev"):
                trial.wavs = [where(out)]
        if events is not None:
            trial.args += ["--events", str(where(events))]
            if where(events) not in named.values() and not str(events).startswith("/dev"):
                trial.events = where(events)
        return trial
    return setup


def _full_disk(case: Path, home: Path) -> Callable[[], None]:
    undo = mount_small(case / "disk")
    fill(case / "disk")
    (case / "disk" / "filler").write_bytes(b"\0" * 40_000)  # room for a few blocks
    return undo


def _loose_log(case: Path, home: Path) -> None:
    log = case / "e.jsonl"
    log.write_text('{"t": 1.0, "type": "session_end", "reason": "completed"}\n{"t": 2',
                   encoding="utf-8")
    log.chmod(0o644)


def _fifo(case: Path, home: Path) -> None:
    os.mkfifo(case / "fifo")


PATH_CASES: dict[str, Setup] = {
    "out-file is the mic file": _paths_case("mic", "e.jsonl"),
    "out-file links to the mic file": _paths_case("link", "e.jsonl"),
    "out-file is a hard link to the mic file": _paths_case("hard", "e.jsonl"),
    "events is the mic file": _paths_case("o.wav", "mic"),
    "events links to the mic file": _paths_case("o.wav", "link"),
    "out-file is the journal": _paths_case("journal", "e.jsonl"),
    "events is the journal": _paths_case("o.wav", "journal"),
    "events is a kept recording": _paths_case("o.wav", "recording"),
    "out-file and events the same": _paths_case("same", "same"),
    "out-file in a missing folder": _paths_case("missing/o.wav", "e.jsonl"),
    "out-file is a folder": _paths_case("home", "e.jsonl"),
    "events is a folder": _paths_case("o.wav", "home"),
    "out-file /dev/null": _paths_case("/dev/null", "e.jsonl"),
    "events /dev/null": _paths_case("o.wav", "/dev/null"),
    "events /dev/full": _paths_case("o.wav", "/dev/full"),
    "events a FIFO nobody reads": _paths_case("o.wav", "fifo", _fifo),
    "out-file on a full disk": _paths_case("disk/o.wav", "e.jsonl", _full_disk),
    "events on a full disk": _paths_case("o.wav", "disk/e.jsonl", _full_disk, ends=False),
    "an old log, 0644, cut mid-line": _paths_case("o.wav", "e.jsonl", _loose_log),
    "stdout /dev/full": _paths_case("o.wav", "e.jsonl", stdout="full"),
    "stdout closed": _paths_case("o.wav", "e.jsonl", stdout="closed"),
    "stdout gone": _paths_case("o.wav", "e.jsonl", stdout="gone"),
}


def _private_log(case: Path) -> str:
    log = case / "e.jsonl"
    return "" if not log.exists() or (log.stat().st_mode & 0o777) == 0o600 else \
        "the event log is readable by others"


# the environment (ASSISTANT_HOME oddities, a C locale)


HomeMaker = Callable[[Path, Path], "tuple[str, Callable[[], None] | None]"]


def _env_case(command: list[str], make_home: HomeMaker, locale: bool = False) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        home, after = make_home(case, template)
        env = {"ASSISTANT_HOME": home}
        if locale:
            env |= {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
        args = [part.replace("CASE", str(case)) for part in command]
        return Trial(args, env, after=after)
    return setup


def _a_file(case: Path, template: Path) -> tuple[str, None]:
    (case / "home").write_text("a file, not a folder")
    return str(case / "home"), None


def _read_only(case: Path, template: Path) -> tuple[str, Callable[[], None]]:
    return str(case / "ro" / "home"), mount_small(case / "ro", "size=64k,ro")


def _odd_name(case: Path, template: Path) -> tuple[str, None]:
    home = case / "hé me\twith tab"
    shutil.copytree(template, home, symlinks=True)
    return str(home), None


def _copied(case: Path, template: Path) -> tuple[str, None]:
    return str(home_of(case, template)[0]), None


ENV_CASES: dict[str, Setup] = {
    **{f"home is a file: {' '.join(c)}": _env_case(c, _a_file)
       for c in (["history"], ["today"], ["journal", "list"], ["forget", "--yes"],
                 [*SESSION, "--out-file", "CASE/o.wav"])},
    **{f"home under a read-only folder: {' '.join(c)}": _env_case(c, _read_only)
       for c in (["history"], ["today"], ["journal", "list"], ["forget", "--yes"],
                 [*SESSION, "--out-file", "CASE/o.wav"])},
    "odd home name: a session": _env_case([*SESSION, "--out-file", "CASE/o.wav"], _odd_name),
    "C locale: non-ASCII names": _env_case([*SESSION, "--names", "Zoë,Åsa", "--out-file",
                                            "CASE/o.wav"], _copied, locale=True),
    "C locale: non-ASCII out-file": _env_case([*SESSION, "--out-file", "CASE/sortie-é.wav"],
                                              _copied, locale=True),
    "C locale: history": _env_case(["history"], _odd_name, locale=True),
}
