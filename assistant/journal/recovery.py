"""`assistant journal recover`: what damaged journals still hold, saved into the journal.

A journal found damaged is set aside first; then every journal set aside (now or by an
earlier session) gives up each session, question and recording row that can be read,
and is renamed `*.recovered.sqlite3`, kept for the user to delete when satisfied.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from assistant.journal.opening import RECOVERED, pending
from assistant.journal.salvage import salvage
from assistant.journal.store import Journal


@dataclass(frozen=True)
class Recovered:
    source: Path  # the damaged file, as it is kept now
    sessions: int
    clips: int
    how: str


def recover(folder: Path) -> list[Recovered]:
    """Save what every damaged journal in `folder` holds into its journal."""
    journal = Journal(folder)  # sets the journal aside first if it is damaged itself
    done = []
    try:
        for source in pending(folder):
            found = salvage(source)
            sessions, clips = journal.take(found.rows)
            kept = source.with_name(f"{source.stem}{RECOVERED}{source.suffix}")
            for extra in ("-wal", "-shm", ""):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{source}{extra}").rename(f"{kept}{extra}")
            done.append(Recovered(kept, sessions, clips, found.how))
    finally:
        journal.close()
    return done
