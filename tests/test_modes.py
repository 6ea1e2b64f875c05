"""Everything the assistant writes in its own folders is the user's alone: 0700 and 0600.

A short virtual session writes the journal, a kept recording, the saved choice
and the speech cache; then every folder and file under the home is checked.
Folders that are not the assistant's own keep the modes they had.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.base.paths import private_dir, private_file
from assistant.cli.main import main
from assistant.speech.commands.models import ModelSource, download
from assistant.testing.sounds import RATE, silence

SCRIPT = """
title = "Modes"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "Hello, {A} and {B}."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, one word."
listener = "{B}, listen."
seconds = 2
keep = "memory"
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of this test's own: the shared fixture's `cache` is a link to a shared folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    return home


def session(tmp_path: Path) -> None:
    """One short run that writes to every kind of place in the home."""
    script, mic = tmp_path / "modes.toml", tmp_path / "mic.wav"
    script.write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(mic), np.concatenate([silence(1.0), np.full(3 * RATE, 0.2)]), RATE)
    assert main(["journal", "keep", "on"]) == 0
    assert main(["run", str(script), "--names", "Ana,Ben", "--mic-file", str(mic),
                 "--out-file", str(tmp_path / "out.wav")]) == 0


def assert_private(home: Path) -> None:
    folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"journal.sqlite3", "preferences.json"}
    assert list(home.glob("clips/*.wav")) and list(home.glob("cache/voice/*.npy"))
    assert_modes(home, [*folders, *files])


def assert_modes(home: Path, paths: list[Path]) -> None:
    wrong = {str(p.relative_to(home)): oct(mode(p)) for p in paths
             if mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_every_folder_is_0700_and_every_file_0600(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    home = own_home(tmp_path, monkeypatch)
    session(tmp_path)
    assert_private(home)


def test_folders_an_older_version_left_open_are_tightened(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    home = own_home(tmp_path, monkeypatch)
    (home / "cache").mkdir(parents=True)
    for folder in (home, home / "cache"):
        folder.chmod(0o755)
    session(tmp_path)
    assert mode(home) == mode(home / "cache") == 0o700
    assert_private(home)


def test_folders_that_are_not_the_assistants_are_left_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = own_home(tmp_path / "a" / "b", monkeypatch)
    tmp_path.chmod(0o755)
    private_dir(home / "clips")
    assert mode(tmp_path) == 0o755  # above the home: made if missing, never changed
    assert mode(tmp_path / "a") == mode(tmp_path / "a" / "b") == 0o777 & ~current_umask()
    assert mode(home) == mode(home / "clips") == 0o700
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    private_dir(elsewhere)
    assert mode(elsewhere) == 0o755  # someone else's folder: left as it was
    assert mode(private_dir(elsewhere / "new")) == 0o700


def test_a_home_set_to_the_users_own_home_is_not_changed(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))  # by mistake
    tmp_path.chmod(0o755)
    assert mode(private_dir(tmp_path / "clips")) == 0o700
    assert mode(tmp_path) == 0o755


def test_a_speech_model_unpacked_into_the_data_folder_is_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = own_home(tmp_path, monkeypatch)
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst"):
            bundle.writestr(f"vosk-model-x/{part}", b"x")
    source = ModelSource("vosk-model-x", archive.as_uri(),
                         hashlib.sha256(archive.read_bytes()).hexdigest(), 1)
    model = download(source, home / "models", progress=False)
    assert_modes(home, [home / "models", model, *model.rglob("*")])
    shared = download(source, tmp_path / "shared", progress=False)  # not the assistant's own
    assert mode(shared / "am" / "final.mdl") == 0o666 & ~current_umask()


def test_a_file_left_open_is_tightened_when_written_again(tmp_path: Path) -> None:
    path = tmp_path / "preferences.json"
    path.write_text("{}")
    path.chmod(0o644)
    with private_file(path) as file:
        file.write("{}")
    assert mode(path) == 0o600


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
