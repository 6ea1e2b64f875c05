"""One fuzz case run as a user would run it, and what became of it.

A trial is a command line with its environment, what its standard output is (a
pipe, /dev/full, closed, or a pipe nobody reads), an optional signal sent once
the session has started, and what must survive it: files that must keep their
bytes, an event log that must hold whole lines ending in `session_end`, WAVs
that must be readable (and the loudest sample in them), and any check of its own,
also of what it said (a message that blames the wrong thing misleads).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

TIMEOUT = 60.0
BROKEN_PIPE = 141  # the status of a command whose reader has gone (`| head`)
BASE_ENV = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}


@dataclass
class Trial:
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdout: str = "pipe"  # "pipe", "full", "closed" or "gone"
    signum: int | None = None  # sent once the session has started `prompts` prompts
    prompts: int = 2
    guarded: list[Path] = field(default_factory=list)  # must keep their bytes
    events: Path | None = None  # whole lines; ending in session_end when it ran
    ends: bool = True  # False where the log may rightly stop early (a full disk)
    wavs: list[Path] = field(default_factory=list)  # readable when it ran; loudest counted
    reference: Path | None = None  # the out-file must sound exactly like this one
    kept: Callable[[], str] | None = None  # says what was lost, or ""
    scratch: Path | None = None  # a TMPDIR that must be empty afterwards
    after: Callable[[], None] | None = None  # undo the case's set-up (unmount, unlock)
    misleads: Callable[[str], str] | None = None  # says how what was said misleads, or ""


@dataclass(frozen=True)
class Result:
    surface: str
    label: str
    outcome: str  # clean, traceback, hang, data lost, or exit N
    loudest: float  # the loudest sample written, of full scale
    told: str  # what the program said on stderr


def digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _wait_for_prompts(events: Path, process: subprocess.Popen[bytes], count: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            if events.read_text(encoding="utf-8", errors="replace").count("say_start") >= count:
                return
        time.sleep(0.02)


def _events_lost(trial: Trial, ran: bool) -> str:
    if trial.events is None or not trial.events.is_file():
        return "no event log" if ran and trial.events is not None else ""
    text = trial.events.read_text(encoding="utf-8", errors="replace")
    if text and not text.endswith("\n"):
        return "a half-written line ends the event log"
    lines = [line for line in text.splitlines() if line.startswith('{"t"')]
    try:
        last = json.loads(lines[-1]) if lines else {}
    except ValueError:
        return "a damaged line in the event log"
    if ran and trial.ends and last.get("type") != "session_end":
        return "no session_end in the event log"
    return ""


def _loudest(wavs: list[Path], ran: bool) -> tuple[float, str]:
    loudest = 0.0
    for wav in wavs:
        if not wav.is_file() or wav.stat().st_size == 0:
            if ran:
                return loudest, f"no out-file {wav.name}"
            continue
        try:
            samples, _ = soundfile.read(str(wav), dtype="int16")
        except (soundfile.LibsndfileError, RuntimeError) as error:
            return loudest, f"an unreadable out-file ({error})"
        if ran and not len(samples):
            return loudest, "an empty out-file"
        if len(samples):
            loudest = max(loudest, float(np.abs(samples.astype(np.int32)).max()) / 32768)
    return loudest, ""


def run_trial(surface: str, label: str, folder: Path, trial: Trial) -> Result:
    """Run it in `folder`, then judge: the first fault found names the outcome."""
    before = {path: digest(path) for path in trial.guarded}
    stdout: int | object = subprocess.DEVNULL
    opened = None
    if trial.stdout == "full":
        opened = open("/dev/full", "wb")  # noqa: SIM115
        stdout = opened
    elif trial.stdout in ("pipe", "gone"):
        stdout = subprocess.PIPE
    closing = (lambda: os.close(1)) if trial.stdout == "closed" else None
    env = {**BASE_ENV, **trial.env}
    command = [sys.executable, "-m", "assistant", *trial.args]
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=stdout,  # type: ignore[arg-type]
                               stderr=subprocess.PIPE, preexec_fn=closing)
    if trial.stdout == "gone" and process.stdout is not None:
        process.stdout.close()  # the reader has gone, as `| head -0` leaves it
    if trial.signum is not None and trial.events is not None:
        _wait_for_prompts(trial.events, process, trial.prompts)
        process.send_signal(trial.signum)
    try:
        _, err_bytes = process.communicate(timeout=TIMEOUT)
        hung = False
    except subprocess.TimeoutExpired:
        process.kill()
        _, err_bytes = process.communicate()
        hung = True
    finally:
        if opened is not None:
            opened.close()
    err = err_bytes.decode("utf-8", "replace")
    ran = process.returncode in (0, 130)
    loudest, lost = _loudest(trial.wavs, ran)
    lost = lost or next((f"{path.name} was changed or removed" for path in trial.guarded
                         if digest(path) != before[path]), "")
    lost = lost or _events_lost(trial, ran)
    if not lost and trial.reference is not None and trial.wavs and ran \
            and digest(trial.wavs[0]) != digest(trial.reference):
        lost = "the session sounded different (wrong or missing speech)"
    if not lost and trial.kept is not None:
        lost = trial.kept()
    if not lost and trial.scratch is not None and any(trial.scratch.iterdir()):
        lost = "temporary folders left behind"
    if trial.after is not None:
        trial.after()
    mine = all(line.startswith("assistant: ") for line in err.strip().splitlines())
    if hung:
        outcome = "hang"
    elif "Traceback" in err:
        outcome = "traceback"
    elif lost:
        outcome, err = "data lost", f"{lost}. {err}"
    elif trial.misleads is not None and (wrong := trial.misleads(err)):
        outcome, err = "misleading", wrong
    elif process.returncode in (0, 2, 130) and mine:
        outcome = "clean"
    elif trial.stdout == "gone" and process.returncode == BROKEN_PIPE and not err.strip():
        outcome = "clean"  # ended quietly, as a command ended by SIGPIPE
    else:
        outcome = f"exit {process.returncode}"
    return Result(surface, label, outcome, loudest, err.strip()[-600:])


SIGNALS = {name: getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")}
