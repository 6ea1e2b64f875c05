"""What a fuzz trial needs beyond a plain command line, arranged before the assistant starts.

Put first on a trial's PYTHONPATH (`fuzz_profile.py`), read from its environment, and
taken out of it so no process the assistant starts repeats it:
FUZZ_NO_OVERRIDES: root stays the files' owner, without the capabilities that pass every
permission check (as another user would meet them); FUZZ_STDIN: this text on a pipe as
standard input; FUZZ_STDOUT: standard output appended to this file; FUZZ_RACE, FUZZ_GATE:
the assistant loaded, forked into one more process for each argument list of FUZZ_RACE,
and all released together once each has touched a file in the folder FUZZ_GATE, which
then receives `ended.json`, how each of the others ended.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import sys
import time

CAPABILITY_VERSION_3 = 0x20080522
DAC_OVERRIDES = 0b110  # CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH


def _no_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0), (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    for index in range(6):
        data[index] &= ~DAC_OVERRIDES
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _feed(text: str) -> None:
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    os.dup2(read, 0)
    os.close(read)


def _keep_output(path: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(descriptor, 1)
    os.close(descriptor)


def _reap(gate: str, children: list[tuple[list[str], int]]) -> None:
    ended = [[args, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])] for args, pid in children]
    with open(os.path.join(gate, "ended.json"), "w", encoding="utf-8") as file:
        json.dump(ended, file)


def _race(gate: str, others: list[list[str]]) -> None:
    for name in ("assistant.cli.launch", "assistant.cli.couple", "assistant.journal.couple"):
        with contextlib.suppress(ImportError):
            __import__(name)
    children: list[tuple[list[str], int]] | None = []
    for args in others:
        pid = os.fork()
        if pid == 0:
            sys.argv[1:], children = args, None
            break
        assert children is not None
        children.append((args, pid))
    open(os.path.join(gate, f"ready-{os.getpid()}"), "w").close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(
            name.startswith("ready-") for name in os.listdir(gate)) <= len(others):
        time.sleep(0.001)
    if children is not None:
        atexit.register(_reap, gate, children)


def _arrange() -> None:
    told = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("FUZZ_")}
    if told.get("FUZZ_NO_OVERRIDES") and os.getuid() == 0:
        _no_overrides()
    if "FUZZ_STDIN" in told:
        _feed(told["FUZZ_STDIN"])
    if "FUZZ_STDOUT" in told:
        _keep_output(told["FUZZ_STDOUT"])
    if "FUZZ_RACE" in told:
        _race(told["FUZZ_GATE"], json.loads(told["FUZZ_RACE"]))


_arrange()
