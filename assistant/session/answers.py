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
    if part_seconds is None:
        return f"About {_minutes(session_seconds)} left in the session."
    return (f"About {_minutes(part_seconds)} left in this part, and about "
            f"{_minutes(session_seconds)} in the whole session.")


def where(title: str, index: int, count: int, step: PlannedStep, beat: Beat) -> str:
    return (f"This is {title or 'the session'}, step {index + 1} of {count}: "
            f"{_describe(step, beat)}.")


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


_KINDS = {"say": "listening to the guide", "silence": "a quiet time together",
          "breathe": "breathing together", "pace": "walking together",
          "ask": "a question for you", "turn": "a turn"}


def _describe(step: PlannedStep, beat: Beat) -> str:
    if beat.turn and beat.turn != "both":
        return f"{beat.turn}'s turn to speak"
    return _KINDS.get(step.kind, step.kind)
