"""Text from the journal as a terminal shows it: control characters escaped, cut short.

Anyone with the user's account can change the journal, so a title, label or file
name read from it may hold escape sequences that would clear or rewrite the
terminal; every command that prints text from the journal prints it through here.
"""

from __future__ import annotations

from assistant.script.text import shown

LONGEST = 120  # characters of one value on a printed line


def printable(value: object, limit: int = LONGEST) -> str:
    """`value` with control, bidi and invisible characters as escapes, on one line."""
    return shown(value, limit)
