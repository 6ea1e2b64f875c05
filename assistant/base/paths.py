"""Where the assistant keeps its files: one data folder and one cache folder per user.

`$ASSISTANT_HOME`, when set, holds both (tests and portable installs use it);
otherwise the platform's usual places are used.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

ENV_HOME = "ASSISTANT_HOME"


def data_home() -> Path:
    """Downloaded voices and other lasting data."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME])
    return Path(user_data_dir("assistant"))


def cache_home() -> Path:
    """Things that can be made again, such as rendered speech."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]) / "cache"
    return Path(user_cache_dir("assistant"))
