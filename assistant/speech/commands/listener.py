"""The command listener: speech segments from the detector, decoded by Vosk, matched.

It keeps a short history of microphone windows, so a segment starts where the
speech really began (the detector confirms speech a quarter second late), and
only decodes segments short enough to be a command.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from assistant.audio.mixer import Samples
from assistant.speech.commands.matcher import MAX_COMMAND_SECONDS, Transcript, match
from assistant.speech.commands.recognizer import CommandRecognizer
from assistant.speech.detector import DETECTION_RATE, WINDOW

HISTORY_WINDOWS = 24  # 0.77 s: the detector's confirmation delay plus the lead-in
LEAD_IN = 0.25  # seconds of room before the speech: the recognizer needs the context
TAIL = 0.15  # and after it


class CommandListener:
    def __init__(self, recognizer: CommandRecognizer) -> None:
        self.recognizer = recognizer
        self._history: deque[tuple[int, Samples]] = deque(maxlen=HISTORY_WINDOWS)
        self._segment: list[tuple[int, Samples]] | None = None
        self.last: Transcript | None = None

    def hear(self, window: Samples, start: int) -> None:
        """Every window, in order, whether or not speech is under way."""
        self._history.append((start, window))
        if self._segment is not None:
            self._segment.append((start, window))
            if len(self._segment) * WINDOW > MAX_COMMAND_SECONDS * DETECTION_RATE:
                self._segment = None  # too long to be a command: conversation

    def speech_started(self, sample: int) -> None:
        since = sample - round(LEAD_IN * DETECTION_RATE)
        self._segment = [(s, w) for s, w in self._history if s + WINDOW > since]

    def speech_ended(self, sample: int, phase: str) -> str | None:
        """The command the segment was, if it was one that counts in `phase`."""
        segment, self._segment = self._segment, None
        if not segment:
            return None
        audio = np.concatenate([w for _, w in segment])
        first = segment[0][0]
        audio = audio[: max(0, sample - first) + round(TAIL * DETECTION_RATE)]
        self.last = self.recognizer.decode(audio)
        return match(self.last, self.recognizer.book, phase)
