"""Hostile exercise scripts: each is refused in one sentence, quickly, in bounded memory."""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from assistant.base.errors import UserError
from assistant.script.library import find_exercise
from assistant.testing.harness import measured_run
from assistant.testing.hostile import FAMILIES, Hostile, generate

HOSTILES = generate(400)
SECONDS, MEGABYTES = 5.0, 200
ENV = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}  # no sound card: nothing may play


def one_sentence(message: str) -> bool:
    printable = message.isprintable()
    return printable and "\n" not in message and len(message) < 1000


def test_every_family_of_hostile_script_is_generated() -> None:
    assert len(HOSTILES) == 400
    assert {h.label.rsplit("-", 1)[0] for h in HOSTILES} == set(FAMILIES)


def test_the_loader_refuses_every_hostile_script_in_one_sentence(tmp_path: Path) -> None:
    """All 400, in this process: each a UserError, under 5 s and 200 MB, no other error."""
    slow, heavy, unclear = [], [], []
    for hostile in HOSTILES:
        path = tmp_path / f"{hostile.label}.toml"
        path.write_bytes(hostile.content)
        tracemalloc.start()
        started = time.perf_counter()
        with pytest.raises(UserError) as refused:
            find_exercise(str(path))
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        path.unlink()
        if seconds > SECONDS:
            slow.append((hostile.label, seconds))
        if peak > MEGABYTES << 20:
            heavy.append((hostile.label, peak >> 20))
        if not one_sentence(str(refused.value)) or hostile.label not in str(refused.value):
            unclear.append((hostile.label, str(refused.value)[:200]))
    assert not slow and not heavy and not unclear, (slow, heavy, unclear)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_command_line_refuses_one_of_each_family(family: str, tmp_path: Path) -> None:
    """Exit 2, one sentence, no traceback, under 200 MB, and under 5 s more than the same
    machine takes to start the program at all (a busy machine can take seconds for that)."""
    hostile: Hostile = next(h for h in HOSTILES if h.label.startswith(f"{family}-"))
    path = tmp_path / "hostile.toml"
    path.write_bytes(hostile.content)
    start_up = measured_run([sys.executable, "-m", "assistant", "list"], tmp_path, env=ENV)
    assert start_up.status == 0
    run = measured_run(
        [sys.executable, "-m", "assistant", "run", str(path), "--out-file",
         str(tmp_path / "o.wav"), "--events", str(tmp_path / "e.jsonl")], tmp_path, env=ENV)
    assert run.status == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert run.seconds < start_up.seconds + SECONDS and run.megabytes < MEGABYTES, run
    assert not (tmp_path / "o.wav").exists() and not (tmp_path / "e.jsonl").exists()


@pytest.mark.parametrize("names", ["Ana," + "b" * 41, "Ana,\u200b", "Ana,\x1b[2J",
                                   "Ana,\u202eneB", "Ana," + "x" * 65_000])
def test_hostile_names_are_refused_in_one_sentence(names: str, tmp_path: Path) -> None:
    run = measured_run([sys.executable, "-m", "assistant", "run", "eye-contact", "--names",
                        names, "--out-file", str(tmp_path / "o.wav")], tmp_path, env=ENV)
    status, err = run.status, run.stderr
    assert status == 2 and "--names" in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "\x1b" not in err and "\u202e" not in err
    assert len(err) < 300
