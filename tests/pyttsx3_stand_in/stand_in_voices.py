"""A stand-in for a pyttsx3 driver of a system this machine is not (macOS's nsss, Windows's
sapi5). It keeps pyttsx3's driver protocol, lists voices as the real one does, and where
the real one writes speech into a file it writes a tone: each voice its own pitch, each
word WORD_SECONDS_AT_150 long at 150 words a minute, with quiet edges as a real engine
leaves. It never speaks to a sound card: `say` is noted in the log and refused.

Each call that makes sound is noted, one line, in the file STAND_IN_LOG names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile
from pyttsx3.voice import Voice

EDGE_SECONDS = 0.1
AMPLITUDE = 0.05  # quiet: levelling has to raise it
WORD_SECONDS_AT_150 = 0.4


def tone_seconds(text: str, words_per_minute: int) -> float:
    return len(text.split()) * WORD_SECONDS_AT_150 * 150 / words_per_minute


@dataclass(frozen=True)
class System:
    engine: str
    voices: tuple[Voice, ...]
    pitches: tuple[float, ...]  # Hz, one for each voice
    file_format: str  # what the real engine writes: AIFF (nsss) or WAV (sapi5)
    sample_rate: int


def note(*words: object) -> None:
    with open(os.environ["STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(" ".join(str(word) for word in words) + "\n")


class StandInDriver:
    def __init__(self, proxy: Any, system: System) -> None:
        self._proxy, self._system = proxy, system
        self._voice, self._rate, self._volume = system.voices[0].id, 200, 1.0

    def destroy(self) -> None:
        pass

    def say(self, text: str) -> None:
        note(self._system.engine, "say", text)
        raise RuntimeError("the stand-in speaks only into files")

    def stop(self) -> None:
        pass

    def getProperty(self, name: str) -> Any:
        values = {"voices": list(self._system.voices), "voice": self._voice,
                  "rate": self._rate, "volume": self._volume}
        return values[name]

    def setProperty(self, name: str, value: Any) -> None:
        if name == "voice":
            if value not in {voice.id for voice in self._system.voices}:
                raise ValueError(f"unknown voice id {value}")
            self._voice = value
        elif name == "rate":
            self._rate = int(value)
        elif name == "volume":
            self._volume = float(value)
        else:
            raise KeyError(f"unknown property {name}")

    def save_to_file(self, text: str, filename: str) -> None:
        """Written at once, as SAPI5 does: the run loop goes on to the next command."""
        system = self._system
        pitch = system.pitches[[voice.id for voice in system.voices].index(self._voice)]
        rate = system.sample_rate
        time = np.arange(round(tone_seconds(text, self._rate) * rate)) / rate
        edge = np.zeros(round(EDGE_SECONDS * rate))
        tone = AMPLITUDE * self._volume * np.sin(2 * np.pi * pitch * time)
        soundfile.write(filename, np.concatenate([edge, tone, edge]), rate,
                        format=system.file_format, subtype="PCM_16")
        note(system.engine, "save_to_file", self._voice, self._rate, text)

    def startLoop(self) -> None:
        self._proxy.setBusy(False)  # runs the queued commands; the last one ends the loop

    def endLoop(self) -> None:
        pass

    def iterate(self) -> Any:
        self._proxy.setBusy(False)
        yield
