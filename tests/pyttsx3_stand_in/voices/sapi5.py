"""Stand-in for pyttsx3's Windows driver (SAPI5): WAV files, registry voice tokens."""

from typing import Any

from pyttsx3.voice import Voice
from stand_in_voices import StandInDriver, System

TOKENS = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\"
WINDOWS = System(
    "sapi5",
    (Voice(f"{TOKENS}TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English (United States)",
           ["en-US"]),
     Voice(f"{TOKENS}TTS_MS_DE-DE_HEDDA_11.0", "Microsoft Hedda Desktop - German", ["de-DE"])),
    (440.0, 330.0), "WAV", 22_050)


def buildDriver(proxy: Any) -> StandInDriver:
    return StandInDriver(proxy, WINDOWS)
