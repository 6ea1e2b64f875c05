"""Piper voices installed in the assistant's data folder: `voices/NAME.onnx` + `.onnx.json`.

Only what is in that folder counts as installed; nothing is downloaded at run time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from assistant.base.paths import data_home, private_dir
from assistant.speech.voice.piper import config_path

DEFAULT_VOICE = "en_US-joe-medium"  # calm, clear US English; CC0 training data


@dataclass(frozen=True)
class InstalledVoice:
    name: str  # such as en_US-joe-medium
    model: Path

    @property
    def language(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def english(self) -> bool:
        return self.language.lower().startswith("en")


def voices_dir() -> Path:
    return data_home() / "voices"


def installed_voices(folder: Path | None = None) -> list[InstalledVoice]:
    """Voices whose model and settings files are both there, by name."""
    folder = folder or voices_dir()
    if not folder.is_dir():
        return []
    with contextlib.suppress(OSError):  # a folder an older version left looser; still read
        private_dir(folder)
    return sorted((InstalledVoice(p.name.removesuffix(".onnx"), p)
                   for p in folder.glob("*.onnx")
                   if not p.name.startswith(".") and config_path(p).is_file()),
                  key=lambda v: v.name)


def default_voice(folder: Path | None = None) -> InstalledVoice | None:
    """The default Piper voice if installed, else the first English one, else none."""
    voices = installed_voices(folder)
    for voice in voices:
        if voice.name == DEFAULT_VOICE:
            return voice
    return next((voice for voice in voices if voice.english), None)


def find_installed(name: str, folder: Path | None = None) -> InstalledVoice | None:
    return next((voice for voice in installed_voices(folder) if voice.name == name), None)
