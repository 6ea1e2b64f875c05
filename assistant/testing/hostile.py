"""Hostile exercise scripts, generated from a seed: the loader's robustness tests use them.

Each one is wrong in a way a careless edit, a broken file or a deliberate attack
could make it: deep nesting, huge or tiny numbers, endless text, invisible text,
control characters, wrong types, broken TOML. Every one must be refused before
anything plays, in one sentence.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

HEADER = 'title = "Fuzz"\nminutes = 5\ninvitation = "Only if you like."\n'


@dataclass(frozen=True)
class Hostile:
    label: str
    content: bytes


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text` (any characters)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: object) -> str:
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, repr(value)) \
            if value == value else "nan"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return str(value)


def _step(fields: dict[str, object]) -> str:
    return "[[steps]]\n" + "".join(f"{toml_string(k)} = {_value(v)}\n" for k, v in fields.items())


def script(*steps: dict[str, object], header: str = HEADER, extra: str = "") -> bytes:
    return (header + extra + "".join(_step(s) for s in steps)).encode("utf-8")


_VALID: dict[str, dict[str, object]] = {
    "say": {"kind": "say", "text": "Hello, {A}."},
    "turn": {"kind": "turn", "partner": "A", "prompt": "{A}, share.", "listener": "{B}, listen.",
             "minutes": 2},
    "silence": {"kind": "silence", "prompt": "Rest.", "minutes": 1, "chime_every": 30},
    "breathe": {"kind": "breathe", "prompt": "Breathe.", "pattern": "box", "cycles": 4},
    "pace": {"kind": "pace", "prompt": "Walk.", "spm": 100, "minutes": 2},
    "ask": {"kind": "ask", "question": "What made you smile?", "seconds": 30},
}
_TEXT_FIELDS = {"say": "text", "turn": "prompt", "silence": "prompt", "breathe": "prompt",
                "pace": "prompt", "ask": "question"}
_TIMED = ("turn", "silence", "pace")

BAD_NUMBERS: tuple[object, ...] = (
    1.7e308, 1e308, 1e300, 1e9, 3601, 86400, float("inf"), float("-inf"), float("nan"), -1, 0,
    -0.0, 10**30, 9223372036854775807, -9223372036854775808, True, "5", [5],
)
BAD_TEXTS: tuple[str, ...] = (
    "", " ", "   \t  ", "\u200b", "\u200b\u200c\u200d", "\u2066\u2069", "\ufeff", "\n\n",
    "x" * 2001, "y" * 65_000, "{A}" * 700, "Hi\x1b[2J there", "Hi\x00", "Hi \u202eereht",
    "Ring\x07", "\x7f", "{C}", "{A", "}", "{{A}}", "{" + "A" * 5000 + "}",
)
ODD_NAMES: tuple[str, ...] = ("\x1b[31mred", "\u202eevil", "a" * 5000, "tab\there", "\x00", "é")


def generate(count: int = 400, seed: int = 12) -> list[Hostile]:
    """`count` hostile scripts (at least one of each family), the same for the same seed."""
    rng = random.Random(seed)
    families = list(_FAMILIES.items())
    found: list[Hostile] = []
    for n in range(count):
        name, make = families[n % len(families)] if n < len(families) else rng.choice(families)
        found.append(Hostile(f"{name}-{n}", make(rng)))
    return found


def _deep_array(rng: random.Random) -> bytes:
    depth = rng.choice((1_000, 5_000, 100_000))
    return (HEADER + "x = " + "[" * depth + "]" * depth + "\n").encode()


def _deep_table(rng: random.Random) -> bytes:
    depth = rng.choice((1_000, 3_000, 20_000))
    return (HEADER + "x = " + "{a = " * depth + "1" + "}" * depth + "\n").encode()


def _deep_step_value(rng: random.Random) -> bytes:
    depth = rng.choice((2_000, 30_000))
    return script(extra="") + ("text2 = " + "[" * depth + "]" * depth + "\n").encode()


def _number(rng: random.Random) -> bytes:
    kind = rng.choice(_TIMED)
    step = {k: v for k, v in _VALID[kind].items() if k not in ("minutes", "seconds")}
    step[rng.choice(("minutes", "seconds"))] = rng.choice(BAD_NUMBERS)
    return script(step)


def _other_number(rng: random.Random) -> bytes:
    kind, field = rng.choice((("say", "pause"), ("turn", "patience"), ("turn", "min_seconds"),
                              ("pace", "spm"), ("pace", "to_spm"), ("ask", "seconds"),
                              ("breathe", "from_bpm"), ("silence", "chime_every")))
    step = {**_VALID[kind], field: rng.choice(BAD_NUMBERS)}
    return script(step)


def _chimes(rng: random.Random) -> bytes:
    return script({**_VALID["silence"], "chime_every": rng.choice((1e-9, 1e-3, 0.5, 0.99))})


def _cycles(rng: random.Random) -> bytes:
    cycles = rng.choice((100_000_000, 10**18, 10**40, 901, 3_601, 0, -5))
    pattern = rng.choice(("box", "coherent", "20-10-20-10", "4-7-8"))
    return script({**_VALID["breathe"], "pattern": pattern, "cycles": cycles})


def _text(rng: random.Random) -> bytes:
    kind = rng.choice(list(_VALID))
    field = rng.choice((_TEXT_FIELDS[kind], "closing", "listener", "handover", "intro"))
    if field not in {"closing"} | set(_TEXT_FIELDS.values()):
        kind = {"listener": "turn", "handover": "turn", "intro": "ask"}[field]
    elif field == "closing" and kind not in ("silence", "breathe", "pace"):
        kind = "silence"
    return script({**_VALID[kind], field: rng.choice(BAD_TEXTS)})


def _top_text(rng: random.Random) -> bytes:
    field = rng.choice(("title", "invitation", "summary"))
    header = HEADER if field == "summary" else "".join(
        line + "\n" for line in HEADER.splitlines() if not line.startswith(field))
    bad = toml_string(rng.choice(BAD_TEXTS))
    return script(_VALID["say"], header=header + f"{field} = {bad}\n")


def _odd_field(rng: random.Random) -> bytes:
    kind = rng.choice(list(_VALID))
    return script({**_VALID[kind], rng.choice(ODD_NAMES): 1})


def _odd_kind(rng: random.Random) -> bytes:
    return script({**_VALID["say"], "kind": rng.choice(ODD_NAMES)})


def _odd_choice(rng: random.Random) -> bytes:
    kind, field = rng.choice((("turn", "partner"), ("breathe", "mode"), ("ask", "partner")))
    return script({**_VALID[kind], field: rng.choice(ODD_NAMES)})


def _pattern(rng: random.Random) -> bytes:
    pattern = rng.choice(("1" * 400 + "-4", "4-" * 3000 + "4", "0.1-0.1", "9" * 50,
                          "\u202ebox", "box\x00", "1e308-1e308", "60-60-60-60"))
    return script({**_VALID["breathe"], "pattern": pattern})


def _deck(rng: random.Random) -> bytes:
    name = rng.choice(ODD_NAMES)
    question = rng.choice(BAD_TEXTS)
    extra = f"[decks]\n{toml_string(name)} = [{toml_string(question)}]\n"
    ask = {"kind": "ask", "deck": name, "count": rng.choice((1, 2, 10**30))}
    return (HEADER + "steps = [" + "{" + ", ".join(
        f"{toml_string(k)} = {_value(v)}" for k, v in ask.items()) + "}]\n" + extra).encode()


def _types(rng: random.Random) -> bytes:
    return rng.choice((
        HEADER.encode() + b'steps = "all of them"\n',
        HEADER.encode() + b"steps = []\n",
        HEADER.encode() + b"steps = [1, 2]\n",
        HEADER.encode() + b"decks = 3\n" + script(_VALID["say"], header=""),
        script({**_VALID["say"], "text": 5}),
        script({**_VALID["turn"], "open": "yes"}),
        script({**_VALID["breathe"], "cycles": 2.5}),
        b'title = 5\nminutes = 5\ninvitation = "x"\n' + script(_VALID["say"], header=""),
        HEADER.encode(),
    ))


def _broken(rng: random.Random) -> bytes:
    good = script(*(_VALID[k] for k in _VALID))
    return rng.choice((
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))),
        good[: rng.randrange(1, len(good))] + b"[[",
        good.replace(b"Hello", b"\xff\xfe"),
        b"\x00" * 100,
        good + b"\n[[steps]]\nkind = \"say\"\ntext = \"unterminated\n",
        b"= = =\n",
    ))


def _big_file(rng: random.Random) -> bytes:
    return script(_VALID["say"]) + b"# " + b"x" * (rng.choice((2, 20)) << 20) + b"\n"


def _many_steps(rng: random.Random) -> bytes:
    count = rng.choice((301, 5_000, 40_000))
    return HEADER.encode() + b"steps = [" + b", ".join(
        [b'{kind = "say", text = "Hi."}'] * count) + b"]\n"


def _long_session(rng: random.Random) -> bytes:
    hours = rng.choice((5, 12, 60))
    return script(*([{**_VALID["silence"], "minutes": 60}] * hours))


def _long_repeat(rng: random.Random) -> bytes:
    inner = [{**_VALID["turn"], "minutes": 60}] * rng.choice((3, 4))
    body = "".join("[[steps.steps]]\n" + "".join(
        f"{toml_string(k)} = {_value(v)}\n" for k, v in step.items()) for step in inner)
    return (HEADER + '[[steps]]\nkind = "repeat"\n' + body).encode()


def _nested_repeat(rng: random.Random) -> bytes:
    depth = rng.choice((2, 50, 400))
    inline = '{kind = "say", text = "Hi."}'
    for _ in range(depth):
        inline = '{kind = "repeat", steps = [' + inline + "]}"
    return (HEADER + f"steps = [{inline}]\n").encode()


def _placeholders(rng: random.Random) -> bytes:
    text = "{A} " * rng.choice((60, 200, 600))
    return script({**_VALID["say"], "text": text})


def _top_minutes(rng: random.Random) -> bytes:
    value = _value(rng.choice(BAD_NUMBERS))
    header = 'title = "Fuzz"\ninvitation = "Only if you like."\n' + f"minutes = {value}\n"
    return script(_VALID["say"], header=header)


_FAMILIES: dict[str, Callable[[random.Random], bytes]] = {
    "deep-array": _deep_array, "deep-table": _deep_table, "deep-step-value": _deep_step_value,
    "duration": _number, "number": _other_number, "chimes": _chimes, "cycles": _cycles,
    "text": _text, "top-text": _top_text, "odd-field": _odd_field, "odd-kind": _odd_kind,
    "odd-choice": _odd_choice, "pattern": _pattern, "deck": _deck, "types": _types,
    "broken-toml": _broken, "big-file": _big_file, "many-steps": _many_steps,
    "long-session": _long_session, "long-repeat": _long_repeat,
    "nested-repeat": _nested_repeat, "placeholders": _placeholders, "top-minutes": _top_minutes,
}
FAMILIES = tuple(_FAMILIES)
