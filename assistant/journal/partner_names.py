"""The partners' names: two a listener can tell apart, each on one line, neither an option word.

Two names are the same when they read and sound the same: compared after NFKC
(full-width letters, ligatures and the two spellings of "é" are one), with
invisible format characters (Unicode's Cf: zero-width spaces, soft hyphens)
set aside, case folded and spaces collapsed. A name is kept as typed, in NFC,
so a name that needs a zero-width joiner keeps it.
"""

from __future__ import annotations

import unicodedata

from assistant.base.errors import UserError
from assistant.base.paths import as_text
from assistant.script.text import MAX_NAME, escaped, shown, text_problem
from assistant.session.plan import Names

OPTION_WORDS = ("A", "B", "both", "none")  # what --low-vision and --seated take besides names
_BREAKS = {"Zl", "Zp"}  # line and paragraph separators: a printed line broken in two
_BLANK = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}  # letters that show nothing


def name_key(name: str) -> str:
    """What a name is when read or heard, for comparing two names."""
    compatible = unicodedata.normalize("NFKC", name)
    seen = "".join(char for char in compatible if unicodedata.category(char) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", seen.casefold()).split())


def is_option_word(name: str) -> bool:
    """Whether the name reads as one of the words --low-vision and --seated take."""
    return name_key(name) in {word.casefold() for word in OPTION_WORDS}


def name_problem(name: str) -> str | None:
    """What keeps one name from being printed on one line and heard, as a phrase."""
    if "{" in name or "}" in name:
        return "contains a brace"
    control = next((char for char in name if unicodedata.category(char) == "Cc"), None)
    if control is not None:
        return f"contains the control character {escaped(control)}"
    broken = next((char for char in name if unicodedata.category(char) in _BREAKS), None)
    if broken is not None:
        return (f"contains the line or paragraph separator {escaped(broken)}, which splits "
                "it over two lines")
    if not any(char not in _BLANK for char in name_key(name) if not char.isspace()):
        return "must not be empty or invisible"
    return text_problem(name, MAX_NAME)


def names_of(text: str, option: str = "--names") -> Names:
    """Two names from `A,B`, or the one sentence that says why they cannot be used."""
    parts = [unicodedata.normalize("NFC", as_text(part)).strip()
             for part in as_text(text).split(",")]
    if len(parts) != 2 or not all(parts):
        raise UserError(f"{option} takes two different names separated by a comma, such as "
                        "Ana,Ben.")
    for part in parts:
        problem = name_problem(part)
        if problem is not None:
            raise UserError(f"{option} takes names of 1 to {MAX_NAME} visible characters on "
                            f"one line; the name '{shown(part)}' {problem}.")
    first, second = parts
    if name_key(first) == name_key(second):
        raise UserError(f"{option} takes two names you can tell apart, and '{shown(first)}' "
                        f"and '{shown(second)}' read and sound the same (they differ only in "
                        "case, width, accents' spelling or invisible characters); use names "
                        "such as Ana,Ben.")
    word = next((part for part in parts if is_option_word(part)), None)
    if word is not None:
        raise UserError(f"{option} cannot take '{shown(word)}' as a name, because A, B, both "
                        "and none already mean partners in --low-vision and --seated; choose "
                        "another name.")
    return Names(first, second)
