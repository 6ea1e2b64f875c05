"""Shared fixtures: an isolated cache, and the virtual-run helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the speech cache and voices of test runs away from the user's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    patch.setenv("ASSISTANT_HOME", str(tmp_path_factory.mktemp("home")))
    patch.delenv("ASSISTANT_PIPER_VOICES_URL", raising=False)
    yield
    patch.undo()


def read_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
