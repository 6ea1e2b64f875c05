"""The session machine's rules: which command moves it from which state to which.

Every trigger is a `Command` value (plus begin, done and complete); the machine
ignores a trigger that makes no sense in its state. A spoken "stop" is a safety
word: it pauses at once, and only a second one ends the session.
"""

from __future__ import annotations

from typing import Any

LEAVE = ["running", "paused"]
RULES: list[dict[str, Any]] = [
    {"trigger": "begin", "source": "idle", "dest": "running", "after": "_on_begin"},
    {"trigger": "pause", "source": "running", "dest": "paused", "after": "_on_pause"},
    {"trigger": "resume", "source": "paused", "dest": "running", "after": "_on_resume"},
    {"trigger": "done", "source": "running", "dest": None, "after": "_on_done"},
    {"trigger": "next", "source": LEAVE, "dest": "running", "after": "_on_next"},
    {"trigger": "skip", "source": LEAVE, "dest": "running", "after": "_on_skip"},
    {"trigger": "back", "source": LEAVE, "dest": "running", "after": "_on_back"},
    {"trigger": "repeat", "source": LEAVE, "dest": "running", "after": "_on_repeat"},
    {"trigger": "slower", "source": "running", "dest": None, "after": "_on_slower"},
    {"trigger": "faster", "source": "running", "dest": None, "after": "_on_faster"},
    {"trigger": "louder", "source": LEAVE, "dest": None, "after": "_on_louder"},
    {"trigger": "softer", "source": LEAVE, "dest": None, "after": "_on_softer"},
    {"trigger": "time", "source": LEAVE, "dest": None, "after": "_on_time"},
    {"trigger": "where", "source": LEAVE, "dest": None, "after": "_on_where"},
    {"trigger": "help", "source": LEAVE, "dest": None, "after": "_on_help"},
    {"trigger": "good", "source": LEAVE, "dest": None, "after": "_on_good"},
    {"trigger": "too_much", "source": LEAVE, "dest": None, "after": "_on_too_much"},
    # a spoken "stop" is a safety word: it pauses at once, and only a second one ends
    {"trigger": "stop", "source": "running", "dest": "paused", "after": "_on_stop_pause"},
    {"trigger": "stop", "source": ["idle", "paused"], "dest": "ended", "after": "_on_stop"},
    {"trigger": "quit", "source": ["idle", *LEAVE], "dest": "ended", "after": "_on_quit"},
    {"trigger": "complete", "source": "running", "dest": "ended", "after": "_on_complete"},
]
