"""Files a session writes, checked before it starts and kept from stopping it.

An out-file or events file that is the same file as the microphone file, the
journal, a kept recording or each other would overwrite or corrupt it, so the
pair is compared by resolved path and by inode (a symlink or hard link is
caught) and refused before anything is opened. An out-file already there (or a
link) is refused unless `--force`, which replaces the name, never the file a link
names; a name or path too long for the system is refused too. An out-file's suffix
names its format (one it cannot write is refused), and the null device keeps nothing
while the session still runs on the virtual clock. Standard output that is closed,
full or gone (a reader that quit) only loses what would have been shown: the
session that could run goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from assistant.audio.codecs import KNOWN
from assistant.audio.outfile import discards, out_file_codec
from assistant.audio.sidefiles import unnameable
from assistant.base.errors import UserError
from assistant.base.paths import as_text, data_home
from assistant.journal.store import CLIPS, FILE_NAME
from assistant.script.text import escaped, shown

JOURNAL_FILES = ("", "-wal", "-shm", "-journal")  # SQLite's database and its companions


def same_file(one: Path, other: Path) -> bool:
    """Whether writing one would write the other: same resolved path, or same inode."""
    with contextlib.suppress(OSError, ValueError):
        if os.path.realpath(one) == os.path.realpath(other):
            return True
        return os.path.samefile(one, other)
    return False


def _guarded(mic: Path | None) -> list[tuple[str, Path]]:
    """What a session must never write over, with how to name it."""
    home = data_home()
    guarded = [("the journal", home / f"{FILE_NAME}{extra}") for extra in JOURNAL_FILES]
    if mic is not None:
        guarded.insert(0, ("--mic-file", mic))
    with contextlib.suppress(OSError):
        guarded += [("a kept recording", path) for path in sorted((home / CLIPS).iterdir())]
    return guarded


def _in_recordings(path: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        return os.path.realpath(path.parent) == os.path.realpath(data_home() / CLIPS)
    return False


def check_output_paths(mic: Path | None, out: Path | None, events: Path | None,
                       force: bool = False) -> None:
    """Refuse, in one sentence and before anything runs, outputs that would harm a file
    (an existing out-file, unless `force`)."""
    if out is not None and discards(out):
        out = None  # the null device: the session runs on the virtual clock, nothing is kept
    outputs = [(name, path) for name, path in (("--out-file", out), ("--events", events))
               if path is not None]
    if len(outputs) == 2 and same_file(outputs[0][1], outputs[1][1]):
        raise UserError(f"--out-file and --events name the same file ({out}); give each "
                        "its own.")
    for option, path in outputs:
        problem = unnameable(path, temporary=option == "--out-file")
        if problem is not None:
            raise UserError(f"{option} {shown(as_text(path.name))} cannot be written: "
                            f"{problem}.")
        if os.path.isdir(path):
            raise UserError(f"{option} {path} is a folder; give a file's name.")
        if option == "--out-file":
            out_file_codec(path)  # a suffix no format has is refused
            if os.path.exists(path) and not os.path.isfile(path):
                raise UserError(f"--out-file names {path}, which is not a regular file; give "
                                f"a sound file's name ({KNOWN}), or {os.devnull} to keep "
                                "nothing.")
        if not os.path.isdir(path.parent):
            raise UserError(f"{option} names a file in a folder that does not exist "
                            f"({path.parent}); make it first, or choose another.")
        if _in_recordings(path):
            raise UserError(f"{option} names a file among the kept recordings ({path}); "
                            "choose a file elsewhere.")
        for what, guarded in _guarded(mic):
            if same_file(path, guarded):
                raise UserError(f"{option} names the same file as {what} ({guarded}), which "
                                "it would overwrite; choose another file.")
        if option == "--out-file" and not force and os.path.lexists(path):
            raise UserError(f"--out-file names {escaped(as_text(str(path)))}, which already "
                            "exists; add --force to replace it, or choose another name.")


class _Forgiving:
    """Standard output that, once writing fails, quietly writes nowhere."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            self._give_up()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._give_up()

    def isatty(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            return self._stream.isatty()
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _give_up(self) -> None:
        """Point descriptor 1 at /dev/null, so what is still buffered (flushed at exit)
        goes nowhere instead of failing again."""
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


@contextlib.contextmanager
def forgiving_stdout() -> Iterator[None]:
    """Standard output closed, full or gone never ends a session while this holds."""
    before = sys.stdout
    stream = before
    if stream is None:  # started with descriptor 1 closed
        stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stdout = cast(TextIO, _Forgiving(stream))
    try:
        yield
    finally:
        sys.stdout = before
