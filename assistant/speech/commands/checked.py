"""Models already tried in a child process, so each is tried once, not every session.

Trying a model costs a second or two of loading it twice; a model whose files have
not changed since it loaded and decoded cleanly is taken as sound. Any change to a
file (size or time) makes it a new model, tried again. The marks are cache: lost,
they only cost one more try.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from assistant.base.paths import cache_home, private_dir, private_file


def mark_of(folder: Path) -> Path | None:
    """Where the mark of this model, as its files are now, is kept (None: unreadable)."""
    digest = hashlib.sha256(str(folder.resolve()).encode())
    try:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0"
                              f"{stat.st_mtime_ns}\n".encode())
    except OSError:
        return None
    return cache_home() / "checked-models" / digest.hexdigest()


def leave_mark(mark: Path, folder: Path) -> None:
    """Note that the model in `folder`, as `mark` describes it, loaded cleanly."""
    with contextlib.suppress(OSError):  # a cache that cannot be written costs a probe
        private_dir(mark.parent)
        with private_file(mark) as file:
            file.write(f"{folder}\n")
