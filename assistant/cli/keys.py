"""The keys of a typed session and the line that teaches them, apart from the terminal
code, so the command line's help can quote them without loading it."""

from __future__ import annotations

from assistant.session.commands import Command

KEYS = {
    "": Command.DONE,
    "d": Command.DONE,
    "n": Command.NEXT,
    "b": Command.BACK,
    "r": Command.REPEAT,
    "p": Command.PAUSE,
    "c": Command.RESUME,
    "s": Command.SKIP,
    "q": Command.QUIT,
    "-": Command.SLOWER,
    "+": Command.FASTER,
    ">": Command.LOUDER,
    "<": Command.SOFTER,
    "l": Command.TIME,
    "w": Command.WHERE,
    "g": Command.GOOD_STRETCH,
    "t": Command.TOO_MUCH,
}
HELP = (
    "Keys: Enter ends a turn or a quiet phase, n next step, b back, r repeat the step, "
    "p pause or resume, s skip this part, - slower, + faster, > louder, < softer, "
    "l time left, w where we are, g a good stretch, t too much, q stop, h help."
)
