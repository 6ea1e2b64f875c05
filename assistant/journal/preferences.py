"""Choices the couple makes once and keeps, such as keeping recordings in every session."""

from __future__ import annotations

import json
import os
from pathlib import Path

from assistant.base.paths import data_home
from assistant.journal.store import private_folder

PREFERENCES = "preferences.json"


def keeps_recordings(folder: Path | None = None) -> bool:
    """The saved choice to keep recordings in every session."""
    try:
        saved = json.loads(((folder or data_home()) / PREFERENCES).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(saved, dict) and saved.get("keep_recordings") is True


def keep_recordings(keep: bool, folder: Path | None = None) -> None:
    """Save the choice, whole or not at all, readable by the user alone."""
    folder = private_folder(folder or data_home())
    path = folder / PREFERENCES
    part = path.with_suffix(".part")
    descriptor = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"keep_recordings": keep}, file)
    os.replace(part, path)
