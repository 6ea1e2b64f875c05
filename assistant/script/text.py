"""Checks on text that will be spoken or printed: bounded, visible, free of control codes.

Speech synthesis crashes on very long input, and a message that echoes raw
control or bidi characters can rewrite the terminal line it is printed on, so
text from scripts and the command line is checked here and shown escaped.
"""

from __future__ import annotations

import unicodedata

MAX_TEXT = 2000  # characters of one prompt, names filled in
MAX_NAME = 40  # characters of one partner's name
SHOWN = 40  # characters of a user's value quoted back in a message

# Bidi embeddings, overrides and isolates: they reorder the text printed after them.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ALLOWED_CONTROLS = {"\n", "\t"}


def _odd(char: str) -> bool:
    """A character that should never be printed raw."""
    return char in _BIDI or (not char.isprintable() and char != " ")


def escaped(text: str) -> str:
    """`text` with control, bidi and other invisible characters shown as escapes."""
    return "".join(char.encode("unicode_escape").decode("ascii") if _odd(char) else char
                   for char in text)


def shown(value: object, limit: int = SHOWN) -> str:
    """A user's value, escaped and cut short, to quote back in a one-sentence message."""
    text = escaped(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visible(text: str) -> bool:
    """Whether any character of `text` can be seen or heard: a letter, digit, mark or sign."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def text_problem(text: str, limit: int = MAX_TEXT) -> str | None:
    """What is wrong with a text to be spoken, as a phrase, or None if nothing is."""
    if not visible(text):
        return "must not be empty or invisible"
    if len(text) > limit:
        return f"is {len(text)} characters long; the most is {limit}"
    bad = next((char for char in text
                if char in _BIDI or (unicodedata.category(char) == "Cc"
                                     and char not in _ALLOWED_CONTROLS)), None)
    if bad is not None:
        return f"contains the control character {escaped(bad)}"
    return None
