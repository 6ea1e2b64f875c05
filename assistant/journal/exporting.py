"""`assistant journal export`: what the journal keeps, copied into a folder of the user's.

The copies hold the sessions, the closing answers and the partners' names, so they are
the user's alone: a folder the export makes is 0700 (one the user already had keeps its
modes), and every file is 0600. A file already in the folder is never replaced unless
asked (`force`). Nothing appears half-written: every file is first written whole beside
its final name under a temporary name of its own, and only when all of them are written
are they renamed into place; if anything fails, the temporary files (and a folder the
export made) are removed, and the message names the disk of the folder written to.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from assistant.base import critical
from assistant.base.errors import UserError, cause
from assistant.base.paths import as_text, private_dir
from assistant.journal.store import Journal

INDEX = "journal.json"
PART_PREFIX, PART_SUFFIX = ".export-", ".part"
CHUNK = 1 << 20
ALL_SESSIONS = 1_000_000


@dataclass(frozen=True)
class Exported:
    sessions: int
    recordings: int


@dataclass(frozen=True)
class _Copy:
    name: str  # in the target folder
    source: Path | None  # a recording to copy, or None for the index
    data: bytes = b""  # the index's text


def _file_name(text: str) -> str:
    """`text` as one file name the file system takes, in any locale: no separators, and
    its UTF-8 bytes where the locale's encoding has no letter for a character."""
    safe = "".join("-" if char in (os.sep, "\0") else char for char in text)
    return os.fsdecode(safe.encode("utf-8", "surrogateescape"))


def _planned(journal: Journal) -> tuple[list[_Copy], int, int]:
    """Every file the export writes, the index last; how many sessions and recordings."""
    copies, clips = [], []
    for c in journal.clips():
        name = _file_name(f"{c.id}-{c.exercise}-{c.label.replace(' ', '-')}.wav")
        there = c.file.is_file()
        if there:
            copies.append(_Copy(name, c.file))
        clips.append({"id": c.id, "exercise": c.exercise, "label": c.label,
                      "partner": c.partner, "seconds": c.seconds,
                      "made": c.made.isoformat() if c.made else None,
                      "file": as_text(name) if there else None})
    for path in journal.found():
        if not path.is_file():  # a pipe or a folder named like a recording: none to copy
            continue
        copies.append(_Copy(f"found-{path.name}", path))
        clips.append({"found": True, "file": as_text(f"found-{path.name}")})
    sessions = [{"exercise": s.exercise, "title": s.title,
                 "started": s.started.isoformat() if s.started else None,
                 "seconds": s.seconds, "outcome": s.outcome, "closing": s.closing}
                for s in journal.sessions(limit=ALL_SESSIONS)]
    index = json.dumps({"sessions": sessions, "clips": clips}, indent=2, ensure_ascii=False)
    copies.append(_Copy(INDEX, None, index.encode("utf-8")))
    return copies, len(sessions), len(clips)


def _refuse_existing(folder: Path, copies: list[_Copy]) -> None:
    there = [c.name for c in copies if os.path.lexists(folder / c.name)]
    if there:
        more = f" and {len(there) - 1} more" if len(there) > 1 else ""
        raise UserError(f"{folder} already holds {as_text(there[0])}{more}, which the export "
                        "would replace; choose another folder, or add --force to replace "
                        f"{'them' if more else 'it'}.")


def _copy(source: Path, out: IO[bytes]) -> None:
    """`source` into `out`; a failure to read it is told by the recording's own name."""
    try:
        reader = open(source, "rb")  # noqa: SIM115
    except OSError as error:
        raise UserError(f"The journal cannot be exported: {cause(error, source)}.") from None
    with reader:
        while True:
            try:
                block = reader.read(CHUNK)
            except OSError as error:
                raise UserError(f"The journal cannot be exported: "
                                f"{cause(error, source)}.") from None
            if not block:
                return
            out.write(block)


@contextlib.contextmanager
def _temporaries() -> Iterator[list[str]]:
    """The temporary files written so far, every one removed if the export fails."""
    made: list[str] = []
    try:
        yield made
    except BaseException:
        for name in made:
            with contextlib.suppress(OSError):
                os.unlink(name)
        raise


def _write(folder: Path, copy: _Copy, made: list[str]) -> str:
    with critical.deferred():  # a stop between making and naming it would leave it behind
        descriptor, temporary = tempfile.mkstemp(prefix=PART_PREFIX, suffix=PART_SUFFIX,
                                                 dir=folder)  # 0600
        made.append(temporary)
    with os.fdopen(descriptor, "wb") as out:
        if copy.source is None:
            out.write(copy.data)
        else:
            _copy(copy.source, out)
        out.flush()
        os.fsync(out.fileno())
    return temporary


def export(journal: Journal, folder: Path, force: bool = False) -> Exported:
    """Copy the journal's sessions and recordings into `folder`, all or nothing new."""
    copies, sessions, recordings = _planned(journal)
    if not force:
        _refuse_existing(folder, copies)
    new = not os.path.lexists(folder)
    where = folder
    try:
        private_dir(folder)
        with _temporaries() as made:
            written = []
            for copy in copies:
                where = folder / copy.name
                written.append((_write(folder, copy, made), where))
            for temporary, final in written:
                where = final
                os.replace(temporary, final)
                made.remove(temporary)
    except BaseException as error:
        if new:  # nothing of it stays: the folder it made goes too, once empty
            _removed(folder)
        if isinstance(error, OSError):
            raise UserError(f"The journal cannot be exported: {cause(error, where)}.") from None
        raise
    _synced(folder)
    return Exported(sessions, recordings)


def _removed(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _synced(folder: Path) -> None:
    """The renames made lasting where a folder can be synced (not on Windows)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
