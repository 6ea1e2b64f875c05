"""The one error type the command line turns into a plain sentence and an exit status."""

from __future__ import annotations


class DeviceLost(Exception):
    """The sound device stopped in the middle of a session."""


class UserError(Exception):
    """Something the user can fix; the message says what and how, in one sentence."""

    def __init__(self, message: str, exit_status: int = 2) -> None:
        super().__init__(message)
        self.exit_status = exit_status
