"""What the assistant says when asked "how much time", "where are we", or for help."""

from __future__ import annotations

from assistant.session.plan import Beat, PlannedStep

HELP = {
    "turn": "While you speak you can say: I'm done, pause, or stop.",
    "paused": "You can say: continue, next, go back, repeat, skip, stop, how much time, "
              "or where are we.",
    "guiding": "You can say: next, go back, repeat, skip, pause, stop, slower, faster, "
               "louder, softer, how much time, or where are we.",
}


def time_left(part_seconds: float | None, session_seconds: float) -> str:
    """The part's time is counted from its own end; the session's from its listed length."""
    session = ("the session is nearly over" if session_seconds < 60
               else f"about {_minutes(session_seconds)} in the whole session")
    if part_seconds is None:
        return ("The session is nearly over." if session_seconds < 60
                else f"About {_minutes(session_seconds)} left in the session.")
    part = ("Less than a minute left in this part" if part_seconds < 60
            else f"About {_minutes(part_seconds)} left in this part")
    return f"{part}, and {session}."


def where(title: str, index: int, count: int, step: PlannedStep, beat: Beat) -> str:
    return (f"This is {title or 'the session'}, step {index + 1} of {count}: "
            f"{_describe(step, beat)}.")


def spoken_list(items: list[str]) -> str:
    """"a", "a and b", "a, b and c": a list as it is said."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


_KINDS = {"say": "listening to the guide", "silence": "a quiet time together",
          "breathe": "breathing together", "pace": "walking together",
          "ask": "a question for you", "turn": "a turn",
          "replay": "listening to what you kept from before"}


def _describe(step: PlannedStep, beat: Beat) -> str:
    if beat.turn and beat.turn != "both" and beat.floor != "activity":
        return f"{beat.turn}'s turn to speak"
    return _KINDS.get(step.kind, step.kind)
