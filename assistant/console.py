"""The terminal side of a session: plain printed lines and typed commands.

Lines are short and undecorated so a screen reader reads them well.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from typing import TextIO

from assistant.session.commands import Command
from assistant.session.events import Event

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
    "g": Command.GOOD_STRETCH,
    "t": Command.TOO_MUCH,
}
HELP = (
    "Keys: Enter ends a turn or a quiet phase, n next step, b back, r repeat the step, "
    "p pause or resume, s skip this part, - slower, + faster, g a good stretch, t too much, "
    "q stop, h help."
)
_BREATH_WORDS = {"in": "Breathe in", "out": "Breathe out", "hold": "Hold"}


_stdin: queue.Queue[str | None] | None = None


def stdin_lines() -> queue.Queue[str | None]:
    """Standard input, line by line (None at its end), read by one thread for the whole
    process, so no line is lost between the menu and the session that follows it."""
    global _stdin
    if _stdin is None:
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            # The file descriptor, not sys.stdin: a thread blocked inside sys.stdin holds
            # its buffer's lock, and the interpreter can hang on that lock at exit.
            pending = b""
            while chunk := _read_stdin():
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    lines.put(line.decode("utf-8", "replace") + "\n")
            if pending:
                lines.put(pending.decode("utf-8", "replace"))
            lines.put(None)

        threading.Thread(target=read, name="stdin", daemon=True).start()
        _stdin = lines
    return _stdin


def _read_stdin() -> bytes:
    try:
        return os.read(sys.stdin.fileno(), 4096)
    except (OSError, ValueError):  # closed, or not a real file
        return b""


def parse_key(line: str) -> Command | None:
    """The command a typed line means (a key or the command's name), or None."""
    word = line.strip().lower()
    if word in KEYS:
        return KEYS[word]
    try:
        return Command(word)
    except ValueError:
        return None


class KeyboardReader:
    """Reads typed lines on a daemon thread and queues the commands they mean."""

    def __init__(self, inbox: queue.Queue[Command], out: TextIO | None = None) -> None:
        self.inbox, self.out = inbox, out or sys.stdout

    def start(self) -> None:
        threading.Thread(target=self._read, name="keyboard", daemon=True).start()

    def _read(self) -> None:
        lines = stdin_lines()
        while (line := lines.get()) is not None:
            if line.strip().lower() in ("h", "help", "?"):
                print(HELP, file=self.out, flush=True)
                continue
            command = parse_key(line)
            if command is None:
                print(f"Unknown key '{line.strip()}'. {HELP}", file=self.out, flush=True)
            else:
                self.inbox.put(command)


class Presenter:
    """Prints what a listener needs: prompts, whose turn it is, pauses, the end."""

    def __init__(self, out: TextIO | None = None, text_mode: bool = False) -> None:
        self.out, self.text_mode = out or sys.stdout, text_mode

    def __call__(self, event: Event) -> None:
        line = self._line(event)
        if line:
            print(line, file=self.out, flush=True)

    def _line(self, event: Event) -> str | None:
        data = event.data
        if event.type == "say_start":
            return str(data["text"])
        if event.type == "turn_start" and self.text_mode:
            who = "Both of you" if data["partner"] == "both" else str(data["partner"])
            limit = _duration(data["seconds"])
            if data.get("floor") == "activity":
                return f"{who}: {limit}. Press Enter to end it early."
            return f"{who}: your turn, up to {limit}. Press Enter when done."
        if event.type == "cue" and self.text_mode:
            return _BREATH_WORDS.get(str(data["kind"]))
        if event.type == "command" and data["name"] == "pause":
            return "Paused. Press p to resume." if self.text_mode else "Paused."
        if event.type == "command" and data["name"] == "resume":
            return "Resuming."
        if event.type == "device_lost":
            return ("The sound device stopped, so the session is paused. Press p to try "
                    "again, or q to stop.")
        if event.type == "session_end":
            return "Session complete." if data["reason"] == "completed" else "Session stopped."
        return None


def _duration(seconds: object) -> str:
    value = float(seconds)  # type: ignore[arg-type]
    if value >= 60:
        minutes = value / 60
        return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
    return f"{value:g} seconds"
