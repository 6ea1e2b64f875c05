"""How to install a missing piece, in the words of this machine's own package manager."""

from __future__ import annotations

import sys


def install_hint(apt: str, brew: str | None, winget: str | None) -> str:
    """The command that installs a piece here: Homebrew on macOS, winget on Windows,
    apt elsewhere (Debian, Ubuntu, Raspberry Pi OS). A piece a platform does not need
    to install (it comes with the system, or inside a wheel) is named by None."""
    if sys.platform == "darwin" and brew:
        return f"brew install {brew}"
    if sys.platform == "win32" and winget:
        return f"winget install {winget}"
    return f"sudo apt install {apt}"
