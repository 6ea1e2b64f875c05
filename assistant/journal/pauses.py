"""Each partner's latest pauses, kept so the next session's patience starts from them.

One row a pause, under the partner's name as the couple's profile gives it (or
"both" for the couple's shared silences in a talk), in the order they were heard.
They are written with the session's outcome, in its transaction; a partner's rows
are replaced as a whole, so only their latest pauses stay. What is read back is
checked only for being a number: the pause book itself ignores values no pause
could have (see `session/patience.py`), so a tampered row never decides a patience.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Collection, Iterable, Mapping

from assistant.session.patience import PatienceRules

LATEST = PatienceRules().remembered  # pauses kept a partner

PAUSES = """
CREATE TABLE IF NOT EXISTS pauses (
    partner TEXT NOT NULL,
    heard INTEGER NOT NULL,
    seconds REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS pauses_by_partner ON pauses (partner, heard);
"""


def keep_pauses(db: sqlite3.Connection, pauses: Mapping[str, Iterable[float]]) -> None:
    """Replace the kept pauses of each partner in `pauses` with their latest (inside the
    caller's transaction); partners not named keep theirs."""
    for partner, heard in pauses.items():
        db.execute("DELETE FROM pauses WHERE partner = ?", (partner,))
        db.executemany("INSERT INTO pauses (partner, heard, seconds) VALUES (?, ?, ?)",
                       [(partner, n, float(s)) for n, s in enumerate(list(heard)[-LATEST:])])


def kept_pauses(db: sqlite3.Connection,
                partners: Collection[str] | None = None) -> dict[str, list[float]]:
    """The kept pauses of `partners` (of everyone, if None), oldest first. Rows that are
    not finite numbers are left out; a journal without the table gives none."""
    try:
        rows = db.execute("SELECT partner, seconds FROM pauses ORDER BY partner, heard")
        found: dict[str, list[float]] = {}
        for partner, seconds in rows:
            if isinstance(partner, str) and (partners is None or partner in partners) \
                    and _number(seconds):
                found.setdefault(partner, []).append(float(seconds))
        return found
    except sqlite3.Error:  # an older or damaged journal: the defaults hold
        return {}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)
