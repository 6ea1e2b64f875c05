"""The practices `assistant list` shows: as the couple `assistant couple` keeps does them,
so a low-vision or seated version is listed under its own title."""

from __future__ import annotations

import sys

from assistant.journal.couple import load_couple
from assistant.journal.practices import library_for
from assistant.script.model import Exercise


def couple_library() -> list[Exercise]:
    """The library as the kept couple does it; a profile that cannot be read is said once
    and left where it is, and the practices are listed as written."""
    couple, notice = load_couple(read_only=True)
    if notice:
        print(f"assistant: {notice}", file=sys.stderr)
    return library_for(couple)
