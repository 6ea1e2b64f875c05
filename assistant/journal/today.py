"""What is due today, from the sessions the journal remembers.

A practice found too much is named by the title the journal kept for it, so a pacer
(`assistant breathe`, `walk`) or a couple's own script, which the library does not
hold, is named as well as any; sessions whose time cannot be read count for nothing.
What is suggested is named as the couple will do it (a low-vision or seated version
goes by its own title); sessions are told apart by the practice's id alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from assistant.base.errors import UserError
from assistant.base.paths import data_home
from assistant.journal.printed import printable
from assistant.journal.store import Journal, SessionRecord
from assistant.session.answers import spoken_list

if TYPE_CHECKING:
    from assistant.journal.couple import Couple

DAILY, WEEKLY = "daily-check-in", "weekly-reflection"
PHYSICAL = ("walk-in-sync", "physical-synchrony", "sustained-hug", "breathe-in-sync",
            "partner-breathing", "mirror-play", "balance-play", "play-together", "eye-contact")
PHYSICAL_EVERY = timedelta(days=3)
GENTLE = ("breathe-in-sync", "two-stars-one-wish", "snuggle", "daily-check-in")
PACERS = {"breathe": "assistant breathe", "walk": "assistant walk"}  # built in code


def too_much(sessions: Sequence[SessionRecord]) -> bool:
    """Whether the latest closing answer among `sessions` (latest first) was "too much":
    a session left without an answer says nothing of how it felt."""
    answered = next((s for s in sessions if s.closing), None)
    return answered is not None and answered.closing == "too much"


def gentler_after(sessions: Sequence[SessionRecord]) -> tuple[SessionRecord, str] | None:
    """(the session found too much, the id of a gentler practice to try) when the latest
    answered session closed with "too much"; sessions come latest first."""
    if not too_much(sessions):
        return None
    hard = next(s for s in sessions if s.closing)
    return hard, next(e for e in GENTLE if e != hard.exercise)


def due(sessions: Sequence[SessionRecord], now: datetime) -> list[str]:
    """What is due, as (exercise id) suggestions, most pressing first."""
    def last(exercise: str) -> datetime | None:
        done = [s.started for s in sessions if s.exercise == exercise and s.started]
        return max(done) if done else None

    suggestions = []
    daily = last(DAILY)
    if daily is None or daily.astimezone(now.tzinfo).date() != now.date():
        suggestions.append(DAILY)
    weekly = last(WEEKLY)
    if weekly is None or now - weekly >= timedelta(days=7):
        suggestions.append(WEEKLY)
    never = [e for e in PHYSICAL if last(e) is None]
    done = sorted((when, e) for e in PHYSICAL if (when := last(e)) is not None)
    if never:
        suggestions.append(never[0])
    elif done and now - done[0][0] >= PHYSICAL_EVERY:
        suggestions.append(done[0][1])
    return suggestions


def _couple(couple: Couple | None) -> Couple:
    """The couple given, or the one kept, read only (trouble with it is told elsewhere)."""
    from assistant.journal.couple import load_couple

    return couple if couple is not None else load_couple(read_only=True)[0]


def due_today(journal: Journal, couple: Couple | None = None) -> list[tuple[str, str]]:
    """(exercise id, title as the couple does it) of what is due now, most pressing first."""
    from assistant.journal.practices import title_for

    now = datetime.now().astimezone()
    kept = _couple(couple)
    return [(e, title_for(e, kept)) for e in due(journal.sessions(limit=10_000), now)]


def due_line(couple: Couple | None = None) -> str:
    """What is due, as one sentence for the menu to say; empty if the journal says nothing."""
    try:
        journal = Journal(data_home(), read_only=True)
        titles = [title for _, title in due_today(journal, couple)]
        gentler = gentler_line(journal, couple=couple)
    except (OSError, sqlite3.Error, UserError):
        return ""
    return " ".join(filter(None, (gentler, f"Due today: {spoken_list(titles)}." if titles
                                  else "")))


def gentler_line(journal: Journal, command: bool = False, couple: Couple | None = None) -> str:
    """After "too much", one sentence suggesting a gentler practice; else nothing. The
    practice found too much is named by its kept title, printable whatever it holds."""
    from assistant.journal.practices import title_for

    found = gentler_after(journal.sessions(limit=50))
    if found is None:
        return ""
    hard, gentle = found
    title = printable(hard.title)
    how = f" (assistant run {gentle})" if command else ""
    pacer = PACERS.get(hard.exercise)
    then = ""
    if pacer is not None:
        then = f", so '{pacer}' will be shorter and steadier" if command else \
            ", so it will be shorter and steadier next time"
    return (f"Last time, {title} felt like too much{then}. Something gentler today: "
            f"{title_for(gentle, _couple(couple))}{how}.")
