"""Piper's official voice catalog: what can be downloaded, and installing a voice safely.

The catalog (`voices.json`) lists each file of each voice with its size and MD5.
A download is checked against both, in a hidden scratch folder beside the
voices; only whole, checked files (0600, in the 0700 voices folder) are renamed
into place (the model last, so a voice never looks installed before it is whole).
A failed or interrupted download leaves the folder as it was.
`$ASSISTANT_PIPER_VOICES_URL` points the catalog elsewhere (a mirror, or a local
server in tests).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.base.errors import UserError
from assistant.base.paths import private_dir, private_file

ENV_CATALOG = "ASSISTANT_PIPER_VOICES_URL"
CATALOG_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0"
CHUNK = 1 << 16
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class CatalogFile:
    path: str  # relative to the catalog's base address
    size: int
    md5: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogVoice:
    name: str
    language: str
    files: tuple[CatalogFile, ...]  # the .onnx.json first, the .onnx last

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)


def catalog_url() -> str:
    return os.environ.get(ENV_CATALOG, CATALOG_URL).rstrip("/")


def parse_catalog(data: dict[str, Any]) -> dict[str, CatalogVoice]:
    """The voices of a `voices.json`, keeping only each voice's model and its settings."""
    voices = {}
    for name, entry in data.items():
        try:
            files = [CatalogFile(path, int(info["size_bytes"]), str(info["md5_digest"]))
                     for path, info in entry["files"].items()
                     if path.endswith((".onnx", ".onnx.json"))]
            language = str(entry.get("language", {}).get("code", name.split("-", 1)[0]))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        files.sort(key=lambda f: f.path.endswith(".onnx"))  # settings first, model last
        if len(files) == 2:
            voices[name] = CatalogVoice(name, language, tuple(files))
    return voices


def fetch_catalog(base: str | None = None) -> dict[str, CatalogVoice]:
    base = base or catalog_url()
    try:
        with urllib.request.urlopen(f"{base}/voices.json", timeout=TIMEOUT_SECONDS) as response:
            data = json.load(response)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"Cannot reach Piper's voice catalog at {base} ({reason}); nothing "
                        "was installed. Check the network, or copy a voice's .onnx and "
                        ".onnx.json files into the voices folder.") from None
    except ValueError:
        raise UserError(f"Piper's voice catalog at {base} is not readable; nothing was "
                        "installed.") from None
    if not isinstance(data, dict):
        raise UserError(f"Piper's voice catalog at {base} is not readable; nothing was "
                        "installed.")
    return parse_catalog(data)


def install(voice: CatalogVoice, into: Path, base: str | None = None,
            progress: bool = True) -> Path:
    """Download, check and install a voice; returns its model path. On failure (or
    Ctrl-C) `into` is left exactly as it was."""
    from tqdm import tqdm

    base = base or catalog_url()
    private_dir(into)
    with tempfile.TemporaryDirectory(prefix=f".{voice.name}.", dir=into) as scratch, \
            tqdm(total=voice.size, unit="B", unit_scale=True, desc=voice.name,
                 disable=not progress) as bar:
        fetched = [_fetch(f"{base}/{file.path}", Path(scratch) / file.name, file, voice, bar)
                   for file in voice.files]
        placed: list[Path] = []
        try:
            for path in fetched:  # the model last: until it is there, the voice is not
                os.replace(path, into / path.name)
                placed.append(into / path.name)
        except BaseException:
            for path in placed:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
    return into / voice.files[-1].name


def _fetch(url: str, target: Path, file: CatalogFile, voice: CatalogVoice, bar: Any) -> Path:
    digest, received = hashlib.md5(usedforsecurity=False), 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response, \
                private_file(target, "wb") as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"The download of {voice.name} failed ({file.name}: {reason}); "
                        "nothing was installed. Try again when the network allows.") from None
    if received != file.size:
        raise UserError(f"The download of {voice.name} was cut short ({file.name}: "
                        f"{received} of {file.size} bytes); nothing was installed. Try again.")
    if digest.hexdigest() != file.md5:
        raise UserError(f"The download of {voice.name} does not match the MD5 the catalog "
                        f"lists for {file.name} (expected {file.md5}, got "
                        f"{digest.hexdigest()}); nothing was installed.")
    return target
