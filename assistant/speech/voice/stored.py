"""Where rendered speech is kept and how its files are named, apart from the renderer.

`assistant forget` deletes the rendered prompts, which speak the partners' names,
by these names alone and without loading numpy: a prompt is its key's SHA-256 in
hex with `SUFFIX`, and a prompt being written is a temporary file `.XXXXXXXX.part`
(`tempfile.mkstemp` with `PART_PREFIX` and `PART_SUFFIX`). Nothing else in the
folder is the cache's own.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.base.paths import cache_home

FOLDER = "voice"  # under the cache home
SUFFIX = ".npy"
PART_PREFIX, PART_SUFFIX = ".", ".part"
ENTRIES = re.compile(rf"^([0-9a-f]{{64}}{re.escape(SUFFIX)}"
                     rf"|{re.escape(PART_PREFIX)}[A-Za-z0-9_]+{re.escape(PART_SUFFIX)})$")


def speech_folder() -> Path:
    """The folder of the rendered speech the assistant keeps for this user."""
    return cache_home() / FOLDER
