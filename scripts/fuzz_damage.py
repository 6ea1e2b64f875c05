"""Fuzz surfaces of damage: a damaged journal, a damaged speech cache, and signals.

Black-box, as a user meets them: the files are damaged by hand, then the
commands are run (`history`, `today`, a session).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_surfaces import SESSION, Setup, fill, home_of, mount_small
from fuzz_trial import SIGNALS, Trial, digest

# journal damage (black-box)


def _sessions(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("select count(*) from sessions").fetchone()[0])
    except sqlite3.Error:
        return -1


def _damage(kind: str, journal: Path, case: Path) -> Callable[[], None] | None:
    data = journal.read_bytes()
    if kind == "truncated":
        journal.write_bytes(data[: len(data) // 2])
    elif kind == "one page garbled":
        page = 4096
        journal.write_bytes(data[:page] + np.random.default_rng(3).bytes(page)
                            + data[2 * page:])
    elif kind == "header zeroed":
        journal.write_bytes(bytes(100) + data[100:])
    elif kind == "empty":
        journal.write_bytes(b"")
    elif kind == "mode 000":
        journal.chmod(0)
    elif kind == "locked":
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3,sys,time\n"
             "db=sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(40)",
             str(journal)], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None
        holder.stdout.readline()
        return holder.kill
    return None


def _journal_case(kind: str, command: list[str]) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        if kind == "full disk":
            undo: Callable[[], None] | None = mount_small(case / "home", "size=256k")
            for item in template.iterdir():
                if item.name != "cache":
                    copy = shutil.copytree if item.is_dir() else shutil.copy2
                    copy(item, case / "home" / item.name)
            fill(case / "home")
            home, env = case / "home", {"ASSISTANT_HOME": str(case / "home")}
        else:
            home, env = home_of(case, template)
            undo = None
        journal = home / "journal.sqlite3"
        original, count = digest(journal), _sessions(journal)
        after = _damage(kind, journal, case) if kind != "full disk" else None
        damaged = digest(journal)
        read_only = command[0] in ("history", "today")

        def kept() -> str:
            if read_only and digest(journal) != damaged:
                return "a read-only command moved or changed the journal"
            if count >= 0 and _sessions(journal) >= count and kind != "full disk":
                return ""
            held = {digest(path) for path in home.glob("journal*")}
            if damaged in held or original in held or _sessions(journal) >= count:
                return ""
            return "the journal's sessions are gone"

        def undo_all() -> None:
            for step in (after, undo):
                if step is not None:
                    step()
        args = [part.replace("CASE", str(case)) for part in command]
        return Trial(args, env, kept=kept, after=undo_all)
    return setup


JOURNAL_KINDS = ("truncated", "one page garbled", "header zeroed", "empty", "mode 000",
                 "locked", "full disk")
JOURNAL_CASES: dict[str, Setup] = {
    f"{kind}: {' '.join(command[:1])}": _journal_case(kind, command)
    for kind in JOURNAL_KINDS
    for command in (["history"], ["today"], [*SESSION, "--out-file", "CASE/o.wav"])}


# speech-cache damage


def _damage_cache(kind: str, voice: Path) -> None:
    prompts = sorted(voice.glob("*.npy"))
    rng = np.random.default_rng(4)
    if kind == "swapped":
        contents = [path.read_bytes() for path in prompts]
        for path, data in zip(prompts, contents[1:] + contents[:1], strict=True):
            path.write_bytes(data)
    elif kind == "mode 000 folder":
        voice.chmod(0)
    elif kind == "a file for the folder":
        shutil.rmtree(voice)
        voice.write_text("not a folder")
    else:
        for path in prompts:
            raw = bytearray(path.read_bytes())
            size = len(raw) - 160  # past the header (and the checksum, where there is one)
            raw[160:] = {"NaN": np.full(size // 4, np.nan, dtype=np.float32).tobytes(),
                         "noise": rng.bytes(size), "zeros": bytes(size),
                         "truncated": b""}[kind]
            path.write_bytes(bytes(raw))


def _cache_case(kind: str, command: list[str]) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        voice = home / "cache" / "voice"
        _damage_cache(kind, voice)
        if command[0] == "voices":
            return Trial(command, env, after=lambda: voice.chmod(0o700) if voice.is_dir() else None)
        out = case / "o.wav"
        return Trial([*command, "--out-file", str(out)], env, wavs=[out],
                     reference=template.parent / "reference.wav")
    return setup


def _recording_case(samples: np.ndarray) -> Setup:
    """A kept recording that a `replay` step plays: sound from a file, into the mixer."""
    def setup(case: Path, template: Path) -> Trial:
        home, env = home_of(case, template)
        clip = home / "clips" / "hostile.wav"
        soundfile.write(str(clip), samples, 16_000, subtype="FLOAT")
        with sqlite3.connect(home / "journal.sqlite3") as db:
            db.execute("INSERT INTO clips (session, exercise, label, partner, file, seconds, "
                       "made) VALUES ('x', 'memory-map', 'memory', 'Alex', ?, 2.0, "
                       "'2026-01-01T00:00:00+00:00')", (str(clip),))
        events, out = case / "e.jsonl", case / "o.wav"
        return Trial(["run", "memory-map", "--out-file", str(out), "--events", str(events)],
                     env, events=events, wavs=[out])
    return setup


NOISE = np.random.default_rng(6).uniform(-1, 1, 32_000).astype(np.float32)
RECORDINGS = {"full-scale noise": NOISE, "10x full scale": 10 * NOISE,
              "NaN and infinities": np.where(NOISE > 0, np.nan, np.inf).astype(np.float32)}

CACHE_KINDS = ("NaN", "noise", "zeros", "swapped", "truncated", "mode 000 folder",
               "a file for the folder")
CACHE_CASES: dict[str, Setup] = {
    **{f"{kind}: a session": _cache_case(kind, SESSION) for kind in CACHE_KINDS},
    **{f"{kind}: voices clear-cache": _cache_case(kind, ["voices", "clear-cache"])
       for kind in ("mode 000 folder", "a file for the folder")},
    **{f"a kept recording of {kind}, replayed": _recording_case(samples)
       for kind, samples in RECORDINGS.items()},
}


# signals


def long_script(path: Path) -> Path:
    """Forty prompts, rendered afresh: a virtual run long enough to be stopped."""
    steps = "".join(f'[[steps]]\nkind = "say"\ntext = "This is prompt number {n} of forty, '
                    f'said slowly and calmly."\n' for n in range(1, 41))
    path.write_text('title = "Long"\nminutes = 5\ninvitation = "Only if you like."\n' + steps,
                    encoding="utf-8")
    return path


def _signal_case(name: str, prompts: int) -> Setup:
    def setup(case: Path, template: Path) -> Trial:
        scratch = case / "tmp"
        scratch.mkdir()
        env = {"ASSISTANT_HOME": str(case / "home"), "TMPDIR": str(scratch)}
        events, out = case / "e.jsonl", case / "o.wav"
        return Trial(["run", str(long_script(case / "long.toml")), "--out-file", str(out),
                      "--events", str(events)], env, signum=SIGNALS[name], prompts=prompts,
                     events=events, wavs=[out], scratch=scratch)
    return setup


SIGNAL_CASES: dict[str, Setup] = {
    f"{name} at prompt {prompts}": _signal_case(name, prompts)
    for name in SIGNALS for prompts in (1, 4)}
