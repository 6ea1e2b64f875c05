"""`assistant couple`: the partners' names, and who sees less or stays seated, kept once."""

from __future__ import annotations

import argparse
import sys

from assistant.journal.couple import change_couple, load_couple


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    couple = commands.add_parser(
        "couple", help="who you are: names, and who sees less or stays seated",
        description="Show the couple the assistant knows, or change it. Sessions, the menu "
                    "and 'today' use it; 'run' options change it for one session.")
    couple.add_argument("--names", metavar="A,B", help="the partners' names, such as Ana,Ben")
    couple.add_argument("--low-vision", metavar="WHO",
                        help="who sees less: A, B, both, none, or a partner's name")
    couple.add_argument("--seated", metavar="WHO",
                        help="who needs to stay seated: A, B, both, none, or a partner's name")
    couple.set_defaults(handler=_couple)


def _couple(args: argparse.Namespace) -> int:
    given = (args.names, args.low_vision, args.seated)
    if all(value is None for value in given):
        couple, notice = load_couple()
        _tell(notice)
        print(couple.describe())
        return 0
    couple = change_couple(*given, tell=_tell)
    print("Kept: " + couple.describe())
    return 0


def _tell(notice: str) -> None:
    if notice:
        print(f"assistant: {notice}", file=sys.stderr, flush=True)
