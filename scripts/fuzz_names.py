"""Fuzz surface of the partners' names: two a couple cannot tell apart, or that break a line.

Pairs equal after NFKC without Unicode's invisible (Cf) characters and case folded, a
name with a line or paragraph separator or a control character, an option word in any
case or width, only invisible characters, too long, a bidi override, and names that
must pass, given to `couple --names`, `run --names` (with `s` typed four times, then
`q`) and `export --names`; some as a C locale's undecoded bytes (surrogates in argv).
Judged: names accepted that should be refused, names a couple can tell apart refused,
and a printed line split in two. The verdict is reached here, apart from the program's
own checks.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_profile import COUPLE, shim_env, split_line
from fuzz_surfaces import Setup, home_of
from fuzz_trial import Trial

C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
OPTION_WORDS = {"a", "b", "both", "none"}


def _key(name: str) -> str:
    seen = "".join(c for c in unicodedata.normalize("NFKC", name)
                   if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", seen.casefold()).split())


def verdict(text: str) -> str:
    """'refuse: why', 'accept', or 'either' (a bidi control: refusing it is fair too)."""
    parts = [unicodedata.normalize("NFC", p).strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        return "refuse: not two names"
    for part in parts:
        if any(unicodedata.category(c) in ("Zl", "Zp", "Cc") for c in part):
            return "refuse: a separator or a control character"
        if not any(unicodedata.category(c)[0] in "LNPS" for c in _key(part)):
            return "refuse: nothing visible"
        if _key(part) in OPTION_WORDS:
            return "refuse: an option word"
        if len(part) > 40:
            return "refuse: longer than 40 characters"
    if _key(parts[0]) == _key(parts[1]):
        return "refuse: the same name"
    bidi = any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)
    return "either" if bidi else "accept"


NAMES: dict[str, str | bytes] = {  # bytes: given undecoded under a C locale
    "Zoé in its two spellings": "Zo\u00e9,Zoe\u0301", "Zoé and Zoë": "Zo\u00e9,Zo\u00eb",
    "a zero-width space": "Ana,A\u200bna", "a soft hyphen": "Ana,An\u00ada",
    "full-width letters": "Ana,\uff21\uff4e\uff41", "a ligature": "\ufb01ona,Fiona",
    "ß and SS": "Stra\u00dfe,STRASSE", "Ana and ANA": "Ana,ANA",
    "a line separator": "Ana,Be\u2028n", "a paragraph separator": "Ana,Be\u2029n",
    "next line U+0085": "Ana,Be\u0085n", "only invisible characters": "Ana,\u200b\u200d\u2060",
    "a": "a,Ben", "B": "Ana,B", "BOTH": "BOTH,Ben", "nOnE": "Ana,nOnE",
    "full-width both": "\uff42\uff4f\uff54\uff48,Ben", "both with a zero-width space":
    "bo\u200bth,Ben", "40 characters": "Ana," + "B" * 40, "41 characters": "Ana," + "B" * 41,
    "10,000 characters": "Ana," + "n" * 10_000, "a bell": "Ana,Be\x07n",
    "an escape sequence": "Ana,Be\x1b[31mn", "a carriage return": "Ana,Be\rn",
    "a tab": "Ana,Be\tn", "a right-to-left override": "\u202eNaomi,Ben",
    "an override hiding a repeat": "\u202eAna,Ana",
    "an Arabic name": "\u0644\u064a\u0644\u0649,Ben",
    "an emoji joined by ZWJ": "Ana,\U0001f469\u200d\U0001f4bb",
    "C locale: Zoé in its two spellings": b"Zo\xc3\xa9,Zoe\xcc\x81",
    "C locale: Zoé and Åsa": b"Zo\xc3\xa9,\xc3\x85sa",
    "C locale: a zero-width space": b"Ana,A\xe2\x80\x8bna",
    "C locale: a line separator": b"Ana,Be\xe2\x80\xa8n",
    "C locale: bytes not UTF-8": b"Ana,Be\xffn",
}
NAME_COMMANDS: dict[str, list[str]] = {
    "couple --names": ["couple", "--names"],
    "run --names": ["run", "daily-check-in", "--text", "--names"],
    "export --names": ["export", "daily-check-in", "CASE/o.wav", "--minutes", "7", "--names"]}


def _names_case(given: str | bytes, command: str) -> Setup:
    text = given.decode("utf-8", "replace") if isinstance(given, bytes) else given
    judged = verdict(text)

    def setup(case: Path, template: Path) -> Trial:
        home = home_of(case, template)[0]
        out = case / "stdout.txt"
        env = shim_env(home, stdout=str(out), stdin="s\n" * 4 + "q\n")
        if isinstance(given, bytes):
            env |= C_LOCALE
        args = [a.replace("CASE", str(case)) for a in NAME_COMMANDS[command]]
        done = {"couple --names": home / COUPLE, "run --names": out, "export --names":
                case / "o.wav"}[command]

        def kept() -> str:
            accepted = done.is_file() and done.stat().st_size > 0
            if accepted and judged.startswith("refuse"):
                return f"accepted names it should refuse ({judged[8:]})"
            return split_line(out)

        def misleads(said: str) -> str:
            wrong = judged == "accept" and "--names" in said
            return f"refused names a couple can tell apart: {said.strip()}" if wrong else ""
        return Trial([*args, os.fsdecode(given)], env, kept=kept, misleads=misleads)
    return setup


NAME_CASES: dict[str, Setup] = {f"{label}: {command}": _names_case(given, command)
                                for label, given in NAMES.items() for command in NAME_COMMANDS}
