"""A microphone that gives only exact zeros is told from one that is merely quiet."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.deaf import DeafWatch, deaf_advice, terminal_app
from tests.conftest import heard_session

RATE = 16_000
NEEDED = 3 * RATE


def told_at(watch: DeafWatch, samples: np.ndarray, block: int) -> list[int]:
    """The sample (from the first fed) of every time the watch tells, fed `block` at a time."""
    told = []
    for start in range(0, len(samples), block):
        at = watch.feed(samples[start:start + block])
        if at is not None:
            told.append(start + at)
    return told


@pytest.mark.parametrize("block", [1, 160, 512, 4096, 10 * RATE])
def test_three_seconds_of_exact_zeros_tell_once_at_the_sample_they_are_reached(
        block: int) -> None:
    zeros = np.zeros(NEEDED + 100 if block == 1 else 10 * RATE, dtype=np.float32)
    zeros[::7] = -0.0  # a negative zero is silence too
    assert told_at(DeafWatch(RATE), zeros, block) == [NEEDED]


def test_zeros_count_only_unbroken() -> None:
    mic = np.zeros(8 * RATE, dtype=np.float32)
    mic[NEEDED - 1] = 1e-4  # one sample of sound just before the three seconds
    assert told_at(DeafWatch(RATE), mic, 512) == [NEEDED + NEEDED]


def test_a_quiet_microphone_never_tells() -> None:
    """A silent room through a 16-bit converter: most samples are exact zeros, but its
    noise moves the lowest bit every few samples."""
    noise = np.random.default_rng(1).normal(0.0, 0.4, 60 * RATE)
    quiet = (np.round(noise) / 32768).astype(np.float32)
    assert np.mean(quiet == 0) > 0.5
    assert told_at(DeafWatch(RATE), quiet, 512) == []


def test_nan_is_not_silence() -> None:
    mic = np.zeros(10 * RATE, dtype=np.float32)
    mic[:: 2 * RATE] = np.nan  # a broken driver's output, but not silence
    assert told_at(DeafWatch(RATE), mic, 512) == []


def one_sentence(text: str) -> bool:
    return text.endswith(".") and re.search(r"[.!?]\s", text) is None


@pytest.mark.parametrize(("program", "app"), [
    ("Apple_Terminal", "Terminal"), ("iTerm.app", "iTerm"), ("vscode", "Visual Studio Code"),
    ("Alacritty", "Alacritty"), ("tmux", "your terminal app"), ("", "your terminal app"),
    ("bad\x1b[2Jname", "your terminal app")])
def test_macos_names_the_privacy_setting_and_the_terminal_app(program: str, app: str) -> None:
    env = {"TERM_PROGRAM": program} if program else {}
    assert terminal_app(env) == app
    advice = deaf_advice("darwin", env)
    assert advice.startswith("The microphone is not reaching the assistant")
    assert f"allow {app} in System Settings \u203a Privacy & Security \u203a Microphone" \
        in advice
    assert f"quit and reopen {app}." in advice and one_sentence(advice)


@pytest.mark.parametrize("platform", ["win32", "linux"])
def test_elsewhere_it_names_the_likely_causes_and_the_device(platform: str) -> None:
    advice = deaf_advice(platform, {"TERM_PROGRAM": "vscode"}, "USB Mic")
    assert advice.startswith("The microphone (USB Mic) is not reaching the assistant")
    for cause in ("plugged in", "muted", "no other program holds it", "assistant devices",
                  "--input-device"):
        assert cause in advice
    assert "System Settings" not in advice and one_sentence(advice)
    assert ("Privacy & security > Microphone" in advice) == (platform == "win32")


def test_a_microphone_file_of_exact_zeros_is_not_a_deaf_device(tmp_path: Path) -> None:
    """A file is not a device: its silence is what was recorded, so nothing is said."""
    script = ('title = "Rest"\nminutes = 1\ninvitation = "Only if you like."\n'
              '[[steps]]\nkind = "silence"\nprompt = "Rest."\nseconds = 5\n')
    events = heard_session(script, np.zeros(12 * RATE, dtype=np.float32), tmp_path)
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "completed"
    assert events[-1]["t"] > 5
    assert not [e for e in events if e["type"] == "microphone_deaf"]
