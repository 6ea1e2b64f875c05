"""What is due today, from the sessions the journal remembers."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from assistant.base.paths import data_home
from assistant.journal.store import Journal, JournalError, SessionRecord
from assistant.session.answers import spoken_list

DAILY, WEEKLY = "daily-check-in", "weekly-reflection"
PHYSICAL = ("walk-in-sync", "physical-synchrony", "sustained-hug", "breathe-in-sync",
            "partner-breathing", "mirror-play", "balance-play", "play-together", "eye-contact")
PHYSICAL_EVERY = timedelta(days=3)
GENTLE = ("breathe-in-sync", "two-stars-one-wish", "snuggle", "daily-check-in")


def gentler_after(sessions: list[SessionRecord]) -> tuple[str, str] | None:
    """(the practice found too much, a gentler one to try) when the latest session
    closed with "too much"; sessions come latest first."""
    answered = [s for s in sessions if s.closing]
    if not answered or answered[0].closing != "too much":
        return None
    hard = answered[0].exercise
    return hard, next(e for e in GENTLE if e != hard)


def due(sessions: list[SessionRecord], now: datetime) -> list[str]:
    """What is due, as (exercise id) suggestions, most pressing first."""
    def last(exercise: str) -> datetime | None:
        done = [s.started for s in sessions if s.exercise == exercise]
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


def due_today(journal: Journal) -> list[tuple[str, str]]:
    """(exercise id, title) of what is due now, most pressing first."""
    from assistant.script.library import find_exercise

    now = datetime.now().astimezone()
    return [(e, find_exercise(e).title) for e in due(journal.sessions(limit=10_000), now)]


def due_line() -> str:
    """What is due, as one sentence for the menu to say; empty if the journal says nothing."""
    try:
        journal = Journal(data_home(), read_only=True)
        titles = [title for _, title in due_today(journal)]
        gentler = gentler_line(journal)
    except (OSError, sqlite3.Error, JournalError):
        return ""
    return " ".join(filter(None, (gentler, f"Due today: {spoken_list(titles)}." if titles
                                  else "")))


def gentler_line(journal: Journal, command: bool = False) -> str:
    """After "too much", one sentence suggesting a gentler practice; else nothing."""
    from assistant.script.library import find_exercise

    gentler = gentler_after(journal.sessions(limit=50))
    if gentler is None:
        return ""
    hard, gentle = (find_exercise(e).title for e in gentler)
    how = f" (assistant run {gentler[1]})" if command else ""
    return f"Last time, {hard} felt like too much. Something gentler today: {gentle}{how}."
