"""Stand-in for pyttsx3's macOS driver (NSSpeechSynthesizer): AIFF files, macOS voice ids."""

from typing import Any

from pyttsx3.voice import Voice
from stand_in_voices import StandInDriver, System

MAC = System(
    "nsss",
    (Voice("com.apple.voice.compact.en-US.Samantha", "Samantha", ["en_US"]),
     Voice("com.apple.voice.compact.de-DE.Anna", "Anna", ["de_DE"])),
    (440.0, 330.0), "AIFF", 22_050)


def buildDriver(proxy: Any) -> StandInDriver:
    return StandInDriver(proxy, MAC)
