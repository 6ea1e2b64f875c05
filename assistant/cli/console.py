"""The terminal side of a session: plain printed lines and typed commands.

Lines are short and undecorated so a screen reader reads them well. In text
mode every phase says when it starts and ends, and every key gets an answer.
"""

from __future__ import annotations

import codecs
import queue
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from assistant.cli import terminal
from assistant.cli.keys import HELP, KEYS
from assistant.cli.lines import SKIPPED, BoundedLines, too_long
from assistant.session.commands import Command
from assistant.session.events import Event
from assistant.session.plan import Beat, PlannedStep

UNKNOWN = "Unknown key '{key}'; h for help."
_BREATH_WORDS = {"in": "breathe in", "out": "breathe out", "hold": "hold"}
_DONE = {
    "next": "Next step.",
    "back": "Back one step.",
    "repeat": "Repeating this step.",
    "skip": "Skipping.",
    "slower": "Slower.",
    "faster": "Faster.",
    "louder": "Louder.",
    "softer": "Softer.",
}
_IGNORED = {
    "done": "There is nothing to end just now.",
    "slower": "That is as slow as it goes.",
    "faster": "That is as fast as it goes.",
    "resume": "The session is not paused.",
}
_PHASES = {"silence": "Quiet phase", "breathe": "Breathing", "pace": "Walking"}
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve")


_stdin: queue.Queue[str | None] | None = None


def stdin_lines() -> queue.Queue[str | None]:
    """Standard input, line by line (None at its end), read by one thread for the whole
    process, so no line is lost between the menu and the session that follows it. A
    terminal in single-key mode (`terminal.keys_at_once`) gives each key alone instead,
    Enter as "\\n": a key acts at once, and an empty line and Enter mean the same."""
    global _stdin
    if _stdin is None:
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            # The file descriptor, not sys.stdin: a thread blocked inside sys.stdin holds
            # its buffer's lock, and the interpreter can hang on that lock at exit.
            piped = BoundedLines()
            keys = codecs.getincrementaldecoder("utf-8")("replace")  # a character may be split
            while chunk := _read_stdin():
                if terminal.is_raw():
                    for key in terminal.split_keys(keys.decode(piped.taken() + chunk)):
                        lines.put(key)
                    continue
                for line in piped.feed(chunk):
                    lines.put(line)
            for line in piped.end():
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, name="stdin", daemon=True).start()
        _stdin = lines
    return _stdin


def _read_stdin() -> bytes:
    return terminal.read_typed()


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
    """Reads typed keys (or lines) on a daemon thread and queues the commands they mean."""

    def __init__(self, inbox: queue.Queue[Command], out: TextIO | None = None) -> None:
        self.inbox, self.out = inbox, out or sys.stdout

    def start(self) -> None:
        threading.Thread(target=self._read, name="keyboard", daemon=True).start()

    def _read(self) -> None:
        lines = stdin_lines()
        while (line := lines.get()) is not None:
            if too_long(line):
                print(SKIPPED, file=self.out, flush=True)
                continue
            if line.strip().lower() in ("h", "help", "?"):
                print(HELP, file=self.out, flush=True)
                continue
            # a space or tab pressed alone is not Enter: it must not end someone's turn
            alone = len(line) == 1 and line != "\n" and line.isspace()
            command = None if alone else parse_key(line)
            if command is None:
                print(UNKNOWN.format(key=_visible(line)), file=self.out, flush=True)
            else:
                self.inbox.put(command)


def _visible(key: str) -> str:
    """A key as it can be printed: an arrow key's escape sequence must not move the cursor."""
    shown = key.strip() or key
    return shown if shown.isprintable() else shown.encode("unicode_escape").decode("ascii")


class Presenter:
    """Prints what a listener needs: prompts, whose turn it is, pauses, the end; in text
    mode also where each phase starts and ends, each cue, and an answer to every key."""

    def __init__(self, out: TextIO | None = None, text_mode: bool = False,
                 plan: Sequence[PlannedStep] = ()) -> None:
        self.out, self.text_mode, self.plan = out or sys.stdout, text_mode, tuple(plan)
        self._step: PlannedStep | None = None
        self._phase_open = False  # a quiet, breathing or walking phase has begun
        self._cued = False  # a cue has sounded in this step

    def __call__(self, event: Event) -> None:
        for line in self._lines(event):
            print(line, file=self.out, flush=True)

    def _lines(self, event: Event) -> list[str]:
        if self.text_mode and event.type in ("step", "cue", "session_end"):
            lines = self._phase(event)
        else:
            lines = []
        line = self._line(event)
        return [*lines, line] if line else lines

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
        if event.type == "turn_end" and self.text_mode:
            who = "Your turn together" if data["partner"] == "both" else f"{data['partner']}'s turn"
            return f"{who} ends."
        if event.type == "cue" and self.text_mode:
            return _breath_line(str(data["kind"]), str(data.get("partner", "both")))
        if event.type == "command":
            return self._command(str(data["name"]))
        if event.type == "command_ignored" and self.text_mode:
            return _IGNORED.get(str(data["name"]), "That does nothing just now.")
        if event.type == "microphone_deaf":
            return str(data["advice"])
        if event.type == "device_lost":
            return ("The sound device stopped, so the session is paused. Press p to try "
                    "again, or q to stop.")
        if event.type == "session_end":
            return "Session complete." if data["reason"] == "completed" else "Session stopped."
        return None

    def _command(self, name: str) -> str | None:
        if name == "pause":
            return "Paused. Press p to resume." if self.text_mode else "Paused."
        if name == "resume":
            return "Resuming."
        return _DONE.get(name) if self.text_mode else None

    def _phase(self, event: Event) -> list[str]:
        """The start and end lines of quiet, breathing and walking phases."""
        lines = []
        if event.type in ("step", "session_end"):
            lines = self._close()
            index = event.data.get("index")
            self._step = (self.plan[index] if isinstance(index, int)
                          and 0 <= index < len(self.plan) else None)
            self._cued = False
            return lines
        if self._step is None or self._step.kind not in _PHASES:
            return lines
        first, self._cued = not self._cued, True
        if first:
            self._phase_open = True
            return [_phase_start(self._step)]
        if event.data["kind"] == "bell":
            return self._close()
        return lines

    def _close(self) -> list[str]:
        if not self._phase_open or self._step is None:
            return []
        self._phase_open = False
        return [f"{_PHASES[self._step.kind]} ends."]


def _breath_line(kind: str, partner: str) -> str | None:
    words = _BREATH_WORDS.get(kind.removesuffix("_b"))
    if words is None:
        return None
    if partner in ("", "both"):
        return f"{words[0].upper()}{words[1:]}."
    return f"{partner}: {words}."


def _phase_start(step: PlannedStep) -> str:
    name = _PHASES[step.kind]
    body = _timed_beat(step)
    if body is None or body.seconds is None:
        return f"{name}."
    line = f"{name}, {_duration(body.seconds)}"
    if step.kind == "pace" and body.pacer is not None:
        line += f", {body.pacer.tempo.start:g} steps a minute"
    return f"{line}."


def _timed_beat(step: PlannedStep) -> Beat | None:
    return next((beat for beat in step.beats if beat.seconds is not None), None)


def _duration(seconds: object) -> str:
    value = float(seconds)  # type: ignore[arg-type]
    if value >= 60:
        minutes = value / 60
        if minutes == int(minutes) and minutes < len(_NUMBERS):
            spoken = _NUMBERS[int(minutes)]
        else:
            spoken = f"{round(minutes, 1):g}"
        return f"{spoken} minute{'s' if minutes != 1 else ''}"
    return f"{round(value):g} seconds"
