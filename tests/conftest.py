"""Shared fixtures: an isolated cache, and the virtual-run helpers."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from assistant.system.lock import held

MADE_ONCE_WAIT = 280.0  # seconds: the slowest shared make (a wheel, the exports) takes far less


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the speech cache and voices of test runs away from the user's own; the
    workers of one run share it (a rendered file is written whole, then renamed)."""
    patch = pytest.MonkeyPatch()
    cache = shared_temp(tmp_path_factory) / "cache"  # every worker's renders serve all
    cache.mkdir(exist_ok=True)
    patch.setenv("XDG_CACHE_HOME", str(cache))
    patch.delenv("ASSISTANT_PIPER_VOICES_URL", raising=False)
    yield cache
    patch.undo()


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                  _isolated_cache: Path) -> Path:
    """Each test its own assistant home (journal, recordings), so no test depends on
    another; rendered speech, which only saves time, is shared."""
    home = tmp_path_factory.mktemp("assistant-home")
    share_cache(home, _isolated_cache)
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    return home


@contextlib.contextmanager
def first_visit(folder: Path) -> Iterator[Path]:
    """A journal of its own for a run, so it opens as a first visit does, whatever ran
    before it in the same test; rendered speech is still shared."""
    shared = Path(os.environ["ASSISTANT_HOME"]) / "cache"
    home = folder / "home"
    home.mkdir()
    share_cache(home, shared.resolve())
    saved = os.environ["ASSISTANT_HOME"]
    os.environ["ASSISTANT_HOME"] = str(home)
    try:
        yield home
    finally:
        os.environ["ASSISTANT_HOME"] = saved


def share_cache(home: Path, cache: Path) -> None:
    """The run's shared speech cache as this home's; where links need a privilege (a
    Windows account without it), the home renders into a cache of its own instead."""
    with contextlib.suppress(OSError):
        (home / "cache").symlink_to(cache, target_is_directory=True)


def shared_temp(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this run that all its workers share."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(factory: pytest.TempPathFactory, name: str,
              make: Callable[[Path], None]) -> Path:
    """A folder shared by every worker of the run, filled by `make` in the first worker
    that asks; the others wait for it."""
    root = shared_temp(factory)
    folder, done = root / name, root / f"{name}.done"
    with held(root / f"{name}.lock", wait=MADE_ONCE_WAIT):
        if not done.exists():
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def heard_session(script: str | Path, mic: npt.NDArray[np.float32], folder: Path,
                  *options: str) -> list[dict[str, Any]]:
    """A session for Ana and Ben on the virtual clock with `mic` as its microphone, run
    in `folder`: `script` is a script's text or a file; its events, this session's only."""
    from assistant.cli.main import main

    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(script, str):
        (folder / "s.toml").write_text(script, encoding="utf-8")
        script = folder / "s.toml"
    soundfile.write(str(folder / "mic.wav"), mic, 16_000)
    log = folder / "events.jsonl"
    log.unlink(missing_ok=True)  # the log is appended to: one session's events only
    assert main(["run", str(script), "--mic-file", str(folder / "mic.wav"),
                 "--events", str(log), "--names", "Ana,Ben", *options]) == 0
    return read_events(log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that wait on the real clock go out to the workers first, so their waits
    overlap the rest of the suite rather than trailing after it."""
    items.sort(key=lambda item: item.get_closest_marker("live") is None)  # stable
