"""The assistant as a couple installs it: built into a wheel, installed into a fresh
virtual environment outside the checkout, and run from there.

The wheel is installed without its dependencies, which the new environment borrows
from the test environment's own site-packages (a path, not its `.pth` files, so the
checkout's editable install stays out of sight): every line of the assistant and every
file of its package data must then come from the wheel itself.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import made_once

CHECKOUT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def build_and_install(folder: Path) -> None:
    source = folder / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(CHECKOUT / "assistant", source / "assistant",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(CHECKOUT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(folder / "dist"), str(source)],
                   check=True, timeout=TIMEOUT, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder / "venv")],
                   check=True, timeout=TIMEOUT)
    python = venv_python(folder)
    wheel = next((folder / "dist").glob("couples_assistant-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=TIMEOUT, capture_output=True)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(python), "-c", where],
                             check=True, capture_output=True, text=True).stdout.strip()
    borrowed = [*site.getsitepackages(), sysconfig.get_path("purelib")]
    (Path(purelib) / "borrowed.pth").write_text("\n".join(dict.fromkeys(borrowed)) + "\n")


def venv_python(folder: Path) -> Path:
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    return folder / "venv" / bin_dir / ("python.exe" if os.name == "nt" else "python")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return made_once(tmp_path_factory, "wheel", build_and_install)


def run(installed: Path, where: Path, *args: str, stdin: str = "",
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    bin_dir = installed / "venv" / ("Scripts" if os.name == "nt" else "bin")
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent", "PYTHONPATH": "", **(env or {})}
    return subprocess.run([str(bin_dir / "assistant"), *args], cwd=where, input=stdin,
                          capture_output=True, text=True, timeout=TIMEOUT, env=env)


def test_the_wheel_holds_the_package_data(installed: Path) -> None:
    wheel = next((installed / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/exercises/daily-check-in.toml" in names
    assert any(name.startswith("assistant/speech/commands/phrases/") for name in names)
    assert not [name for name in names if name.startswith(("tests/", "scripts/"))]


def test_every_line_comes_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    found = subprocess.run([str(venv_python(installed)), "-c",
                            "import assistant.exercises as e; print(e.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": ""}).stdout.strip()
    assert Path(found).is_relative_to(installed / "venv")


def test_version_and_list_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    version = run(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("assistant ")
    listed = run(installed, tmp_path, "list")
    assert listed.returncode == 0 and "daily-check-in" in listed.stdout
    assert len(listed.stdout.splitlines()) == 24


def test_a_typed_session_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    typed = run(installed, tmp_path, "run", "two-stars-one-wish", "--text", "--names", "Ana,Ben",
                stdin="n\nq\n")
    assert typed.returncode == 0, typed.stderr
    assert "Traceback" not in typed.stderr
    assert "Session stopped." in typed.stdout


def test_a_virtual_session_and_an_export_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    soundfile.write(str(tmp_path / "mic.wav"), np.zeros(32_000, dtype=np.float32), 16_000)
    session = run(installed, tmp_path, "breathe", "--mode", "alternating", "--cycles", "2",
                  "--names", "Ana,Ben", "--mic-file", "mic.wav", "--out-file", "out.wav")
    assert session.returncode == 0, session.stderr
    played, rate = soundfile.read(str(tmp_path / "out.wav"))
    assert len(played) > 20 * rate and np.abs(played).max() > 0.05  # a voice and cues
    export = run(installed, tmp_path, "export", "breathe", "--cycles", "2", "--names", "Ana,Ben",
                 "e.flac")
    assert export.returncode == 0, export.stderr
    assert soundfile.info(str(tmp_path / "e.flac")).duration > 20


def test_models_are_looked_for_in_the_checkout_or_the_users_data(installed: Path,
                                                                 tmp_path: Path) -> None:
    from assistant.speech.commands.models import models_dir

    assert models_dir() == CHECKOUT / "models"  # a checkout's own models/, as README says
    if sys.platform.startswith("linux"):  # where XDG_DATA_HOME decides the data folder
        listed = run(installed, tmp_path, "models", "list",
                     env={"XDG_DATA_HOME": str(tmp_path / "data")})
        assert listed.returncode == 0
        assert f"No models in {tmp_path / 'data' / 'assistant' / 'models'}." in listed.stdout
