"""Piper voices from the catalog, served from a local HTTP server: checked, atomic, clean."""

from __future__ import annotations

import hashlib
import http.server
import json
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.base.errors import UserError
from assistant.cli.main import main
from assistant.speech.voice import catalog as voice_catalog
from assistant.speech.voice.catalog import CatalogVoice, fetch_catalog, install, parse_catalog

NAME = "en_US-test-low"
FOLDER = "en/en_US/test/low"
MODEL = b"onnx model bytes " * 5000
SETTINGS = json.dumps({"audio": {"sample_rate": 16000}}).encode()


def catalog(model_md5: str | None = None) -> dict[str, object]:
    def entry(body: bytes, md5: str | None = None) -> dict[str, object]:
        return {"size_bytes": len(body), "md5_digest": md5 or hashlib.md5(body).hexdigest()}

    return {NAME: {"key": NAME, "language": {"code": "en_US"}, "quality": "low",
                   "files": {f"{FOLDER}/{NAME}.onnx": entry(MODEL, model_md5),
                             f"{FOLDER}/{NAME}.onnx.json": entry(SETTINGS),
                             f"{FOLDER}/MODEL_CARD": entry(b"card")}}}


class Catalog:
    """A local stand-in for Piper's voice catalog; `cut_model` sends half the model."""

    def __init__(self, listing: dict[str, object], cut_model: bool = False) -> None:
        self.files = {"/voices.json": json.dumps(listing).encode(),
                      f"/{FOLDER}/{NAME}.onnx": MODEL,
                      f"/{FOLDER}/{NAME}.onnx.json": SETTINGS}
        self.cut_model = cut_model

    def __enter__(self) -> str:
        files, cut_model = self.files, self.cut_model

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = cut_model and self.path.endswith(".onnx")
                self.wfile.write(body[: len(body) // 2] if cut else body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def voices(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "mine.onnx").write_bytes(b"a voice already here")
    yield folder


def contents(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def only_voice(base: str) -> CatalogVoice:
    return fetch_catalog(base)[NAME]


def test_the_catalog_keeps_each_voices_model_and_settings() -> None:
    voice = parse_catalog(catalog())[NAME]
    assert voice.language == "en_US" and voice.size == len(MODEL) + len(SETTINGS)
    assert [f.name for f in voice.files] == [f"{NAME}.onnx.json", f"{NAME}.onnx"]
    assert parse_catalog({"broken": {"files": None}}) == {}


def test_a_good_download_is_checked_and_installed(voices: Path) -> None:
    with Catalog(catalog()) as base:
        model = install(only_voice(base), voices, base, progress=False)
    assert model == voices / f"{NAME}.onnx" and model.read_bytes() == MODEL
    assert contents(voices) == sorted(["mine.onnx", f"{NAME}.onnx", f"{NAME}.onnx.json"])


def test_a_checksum_mismatch_leaves_the_voices_as_they_were(voices: Path) -> None:
    before = contents(voices)
    with Catalog(catalog(model_md5="0" * 32)) as base, pytest.raises(UserError, match="MD5"):
        install(only_voice(base), voices, base, progress=False)
    assert contents(voices) == before


def test_a_download_cut_short_leaves_the_voices_as_they_were(voices: Path) -> None:
    before = contents(voices)
    with Catalog(catalog(), cut_model=True) as base, pytest.raises(UserError):
        install(only_voice(base), voices, base, progress=False)
    assert contents(voices) == before


def test_ctrl_c_during_a_download_leaves_the_voices_as_they_were(
        voices: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fetch = voice_catalog._fetch

    def interrupted(url: str, *args: object) -> Path:
        if url.endswith(".onnx"):  # the settings file came whole, then Ctrl-C
            raise KeyboardInterrupt
        return real_fetch(url, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(voice_catalog, "_fetch", interrupted)
    before = contents(voices)
    with Catalog(catalog()) as base, pytest.raises(KeyboardInterrupt):
        install(only_voice(base), voices, base, progress=False)
    assert contents(voices) == before


def test_ctrl_c_while_moving_into_place_takes_back_what_was_moved(
        voices: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = voice_catalog.os.replace

    def interrupted(source: Path, target: Path) -> None:
        if str(target).endswith(".onnx"):
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(voice_catalog.os, "replace", interrupted)
    before = contents(voices)
    with Catalog(catalog()) as base, pytest.raises(KeyboardInterrupt):
        install(only_voice(base), voices, base, progress=False)
    assert contents(voices) == before


def test_voices_download_from_the_command_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    rendered: list[str] = []
    monkeypatch.setattr("assistant.cli.voices.render_library", rendered.append)
    with Catalog(catalog()) as base:
        monkeypatch.setenv("ASSISTANT_PIPER_VOICES_URL", base)
        assert main(["voices", "download", NAME]) == 0
        assert main(["voices", "download", "xx_XX-nobody-low"]) == 2
    out, err = capsys.readouterr()
    assert (tmp_path / "home" / "voices" / f"{NAME}.onnx").read_bytes() == MODEL
    voices = tmp_path / "home" / "voices"
    assert stat.S_IMODE(voices.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in voices.iterdir()} == {0o600}
    assert f"{NAME} is installed." in out and rendered == [NAME]
    assert "no voice called 'xx_XX-nobody-low'" in err and NAME in err


def test_an_unreachable_catalog_is_one_plain_sentence(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_PIPER_VOICES_URL", "http://127.0.0.1:9")
    assert main(["voices", "download"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Cannot reach Piper's voice catalog" in err[0]
    assert not (tmp_path / "home" / "voices").exists() or \
        contents(tmp_path / "home" / "voices") == []
