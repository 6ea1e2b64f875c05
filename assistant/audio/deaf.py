"""A microphone that does not reach the assistant, told from its samples and said plainly.

A terminal on macOS without the microphone permission gets exact zeros from
PortAudio, with no error; so does a desktop app on Windows that the privacy
settings keep from the microphone, and many a muted or unplugged input. A working
microphone, however quiet the room, never gives seconds of them: its own noise and
dither move the lowest bits. So `DEAF_SECONDS` of nothing but exact zeros, counted
in samples, mean the sound is not arriving, and a session says so once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import numpy as np

from assistant.audio.mixer import Samples

DEAF_SECONDS = 3.0

# TERM_PROGRAM as terminals set it, and the app's name in System Settings
TERMINAL_APPS = {
    "Apple_Terminal": "Terminal",
    "iTerm.app": "iTerm",
    "vscode": "Visual Studio Code",
    "WarpTerminal": "Warp",
    "WezTerm": "WezTerm",
    "ghostty": "Ghostty",
    "Hyper": "Hyper",
    "Tabby": "Tabby",
}
MULTIPLEXERS = ("tmux", "screen", "zellij")  # they name themselves, not the app around them
SOME_TERMINAL = "your terminal app"
MAC_SETTINGS = "System Settings \u203a Privacy & Security \u203a Microphone"  # as Apple writes it
WINDOWS_SETTINGS = "Settings > Privacy & security > Microphone"


class DeafWatch:
    """Fed the microphone's blocks in order; tells, once, where they have been exact
    zeros for `seconds` on end. Silence only counts unbroken: one sample off zero
    starts the count again."""

    def __init__(self, rate: int, advice: str = "", seconds: float = DEAF_SECONDS) -> None:
        self.needed = max(1, round(seconds * rate))
        self.advice = advice  # the sentence to say when it tells
        self.zeros = 0  # exact zeros on end, up to the last sample fed
        self.told = False

    def feed(self, block: Samples) -> int | None:
        """The index in `block` after which the zeros have lasted `seconds`, the first
        time they have; else None."""
        if self.told:
            return None
        sounding = np.flatnonzero(block)  # NaN is not silence either
        # each run of zeros: from after a sounding sample (or from before this block,
        # continuing the run so far) to the next sounding sample (or the block's end)
        starts = np.concatenate(([-self.zeros], sounding + 1))
        ends = np.concatenate((sounding, [len(block)]))
        long_enough = np.flatnonzero(ends - starts >= self.needed)
        if len(long_enough):
            self.told = True
            return int(starts[long_enough[0]]) + self.needed
        self.zeros = int(ends[-1] - starts[-1])
        return None


def terminal_app(env: Mapping[str, str]) -> str:
    """The app a terminal session runs in, as System Settings names it, if it is known."""
    program = env.get("TERM_PROGRAM", "").strip()
    if program in TERMINAL_APPS:
        return TERMINAL_APPS[program]
    plain = program.isprintable() and 0 < len(program) <= 40
    return program if plain and program.lower() not in MULTIPLEXERS else SOME_TERMINAL


def deaf_advice(platform: str, env: Mapping[str, str], device: str = "",
                seconds: float = DEAF_SECONDS) -> str:
    """One sentence: the microphone is not reaching the assistant, and where to look."""
    which = f" ({device})" if device else ""
    said = (f"The microphone{which} is not reaching the assistant (nothing but digital "
            f"silence for {seconds:g} seconds)")
    if platform == "darwin":
        app = terminal_app(env)
        return f"{said}: allow {app} in {MAC_SETTINGS}, then quit and reopen {app}."
    chosen = "that it is the one you mean (see 'assistant devices' and --input-device)"
    if platform == "win32":
        return (f"{said}: check it is plugged in and not muted, that "
                f"{WINDOWS_SETTINGS} lets desktop apps use it, that no other program holds "
                f"it, and {chosen}.")
    return (f"{said}: check it is plugged in and not muted (in the sound settings "
            f"or alsamixer), that no other program holds it, and {chosen}.")


def microphone_advice(device: str = "") -> str:
    """`deaf_advice` for this machine and the terminal it runs in."""
    return deaf_advice(sys.platform, os.environ, device)
