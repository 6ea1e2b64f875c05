"""Vosk models on disk: where they are, whether they are whole, and fetching one safely.

A model is a folder. Vosk is only ever given a folder path: `Model(lang=...)`
would download on its own, which this assistant never does behind the user's
back. A download is checked against a recorded SHA-256 and unpacked into a
hidden temporary folder that is renamed into place only when whole, so an
interrupted or corrupt download never leaves a half model that looks complete.
That folder is named after the downloading process, so a later run can tell a
download cut off by a crash or SIGKILL from one under way, and remove it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from assistant.base.errors import UserError
from assistant.base.paths import own_root, private_dir, private_file, private_tree
from assistant.system.process import alive

ENV_MODEL = "ASSISTANT_VOSK_MODEL"
ENV_MODELS_DIR = "ASSISTANT_MODELS_DIR"
CHUNK = 1 << 16
PARTIAL = ".partial-"  # in the name of a download's scratch folder, before the process id


@dataclass(frozen=True)
class ModelSource:
    name: str
    url: str
    sha256: str
    megabytes: int


DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
KNOWN_MODELS = {
    DEFAULT_MODEL: ModelSource(
        DEFAULT_MODEL,
        "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
        "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
        40,
    ),
}


def models_dir() -> Path:
    """The project's models/ folder when run from a checkout, else the user's data folder."""
    if ENV_MODELS_DIR in os.environ:
        return Path(os.environ[ENV_MODELS_DIR])
    checkout = Path(__file__).resolve().parents[3]  # models.py, commands, speech, assistant
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    return Path(user_data_dir("assistant")) / "models"


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a folder on the way that cannot be entered
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def missing_parts(folder: Path) -> list[str]:
    """What a Vosk model folder lacks (empty when it has all it needs)."""
    if not _is_dir(folder):
        return ["the folder itself"]
    missing = [part for part in ("am/final.mdl", "conf/model.conf")
               if not _is_file(folder / part)]
    graph = folder / "graph"
    if not (_is_file(graph / "HCLG.fst") or _is_file(graph / "HCLr.fst")):
        missing.append("graph/HCLG.fst or graph/HCLr.fst")
    return missing


def unreadable(folder: Path) -> Path | None:
    """The first file or folder of a model this process may not read, if any."""
    if not os.access(folder, os.R_OK | os.X_OK):
        return folder
    for root, folders, files in os.walk(folder, onerror=None):
        for name in folders:
            if not os.access(Path(root) / name, os.R_OK | os.X_OK):
                return Path(root) / name
        for name in files:
            if not os.access(Path(root) / name, os.R_OK):
                return Path(root) / name
    return None


def installed_models(folder: Path | None = None) -> list[Path]:
    folder = folder or models_dir()
    if not _is_dir(folder) or not os.access(folder, os.R_OK | os.X_OK):
        return []
    return sorted(p for p in folder.iterdir() if _is_dir(p) and not p.name.startswith(".")
                  and not missing_parts(p))


def choose_model(explicit: Path | None = None) -> Path | None:
    """--model, then $ASSISTANT_VOSK_MODEL, then the first whole model in models/."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_MODEL):
        return Path(os.environ[ENV_MODEL])
    found = installed_models()
    return found[0] if found else None


def model_problem(folder: Path) -> str | None:
    """None if `folder` looks like a whole Vosk model, else what is wrong, as a sentence."""
    if _exists(folder):
        blocked = unreadable(folder)
        if blocked is not None:
            return (f"The speech model at {folder} cannot be read: permission is denied for "
                    f"{blocked}; give your user read access (chmod -R u+rX {folder}).")
    elif _exists(folder.parent) and not os.access(folder.parent, os.X_OK):
        return (f"The speech model at {folder} cannot be reached: permission is denied for "
                f"{folder.parent}.")
    missing = missing_parts(folder)
    if not missing:
        return None
    if missing == ["the folder itself"]:
        return f"There is no speech model at {folder}; add one with 'assistant models download'."
    return (f"{folder} is not a whole Vosk model (missing {', '.join(missing)}); "
            "download it again with 'assistant models download'.")


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except OSError:
        return False
    return True


_SCRATCH = re.compile(r"^\.(?P<model>.+?)" + re.escape(PARTIAL) + r"(?P<pid>\d+)-")


def remove_stale_downloads(into: Path | None = None) -> list[Path]:
    """Remove scratch folders of downloads whose process has gone (killed, crashed)."""
    into = into or models_dir()
    if not _is_dir(into):
        return []
    removed = []
    with contextlib.suppress(OSError):
        for entry in into.iterdir():
            found = _SCRATCH.match(entry.name)
            old_style = entry.name.startswith(tuple(f".{name}." for name in KNOWN_MODELS))
            if (found and not alive(int(found["pid"]))) or (old_style and not found):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def download(source: ModelSource, into: Path | None = None, progress: bool = True) -> Path:
    """Fetch, check and unpack a model; on any failure `into` is left as it was.

    Ctrl-C, SIGTERM or SIGHUP (which the command line turns into KeyboardInterrupt)
    leave through the scratch folder's context, which removes it."""
    into = into or models_dir()
    target = into / source.name
    if not missing_parts(target):
        return target
    if own_root(into) is not None:  # the user's data folder: private like the rest of it
        private_dir(into)
    else:  # the checkout's models/ or $ASSISTANT_MODELS_DIR: the folder's own choice
        into.mkdir(parents=True, exist_ok=True)
    remove_stale_downloads(into)
    prefix = f".{source.name}{PARTIAL}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=into) as scratch:
        archive = Path(scratch) / "model.zip"
        digest = _fetch(source, archive, progress)
        if digest != source.sha256:
            raise UserError(
                f"The download of {source.name} does not match its recorded SHA-256 "
                f"(expected {source.sha256}, got {digest}); nothing was installed.")
        unpacked = Path(scratch) / "unpacked"
        try:
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(unpacked)
        except zipfile.BadZipFile:
            raise UserError(f"The download of {source.name} is not a zip archive; nothing was "
                            "installed.") from None
        folder = unpacked / source.name
        if missing_parts(folder):
            raise UserError(f"The archive for {source.name} does not hold a whole model; "
                            "nothing was installed.")
        private_tree(folder)  # in the user's data folder, private like the rest of it
        if target.exists():  # a broken earlier copy: replace it whole
            shutil.rmtree(target)
        folder.rename(target)
    return target


def _fetch(source: ModelSource, archive: Path, progress: bool) -> str:
    from tqdm import tqdm

    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(source.url, timeout=30) as response, \
                private_file(archive, "wb") as file:
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tqdm(total=total, unit="B", unit_scale=True, desc=source.name,
                      disable=not progress) as bar:
                while chunk := response.read(CHUNK):
                    file.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise UserError(f"The download of {source.name} was cut short; nothing was "
                                "installed. Try again.")
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"Cannot download {source.name} from {source.url} ({reason}); "
                        "nothing was installed. Check the network, or copy the model folder "
                        f"into {archive.parent.parent}.") from None
    return digest.hexdigest()
