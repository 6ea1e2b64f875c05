"""Choices the couple makes once and keeps, such as keeping recordings in every session."""

from __future__ import annotations

import json
import os
from pathlib import Path

from assistant.base.paths import data_home, private_dir, private_file

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
    path = private_dir(folder or data_home()) / PREFERENCES
    part = path.with_suffix(".part")
    with private_file(part) as file:
        json.dump({"keep_recordings": keep}, file)
    os.replace(part, path)
