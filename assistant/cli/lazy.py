"""Commands whose code is imported only once one of them is chosen.

The sound and speech libraries take most of a second to import on a busy machine;
`--help`, `--version` and `list` need none of them. So a command names its function
as "module:function" (`Handler`), and a command whose options are defined beside its
heavy code is listed by name and one line of help, its parser built by its own module
only when it is chosen (`Commands.later`).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.base.critical import deferred

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable when run
    SubParsers = argparse._SubParsersAction


def imported(target: str) -> Any:
    """The object `target` ("package.module:name") names; a stopping signal waits until
    the import is whole (a library cut off mid-import can fail in odd ways)."""
    module, name = target.split(":")
    with deferred():
        return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Handler:
    """A command's function, imported when the command runs."""

    target: str

    def __call__(self, args: argparse.Namespace) -> int:
        function: Callable[[argparse.Namespace], int] = imported(self.target)
        return function(args)


class Commands(SubParsers):
    """Subcommands, some built when chosen by their own module's `add_parser(commands)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builders: dict[str, str] = {}

    def later(self, name: str, summary: str, builder: str) -> None:
        """List `name` with its one line of help; `builder` adds its parser when chosen."""
        self.add_parser(name, help=summary)
        self._builders[name] = builder

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        chosen = values[0] if isinstance(values, list) and values else None
        if isinstance(chosen, str) and chosen in self._builders:
            self.choices[chosen] = self.built(chosen)
        super().__call__(parser, namespace, values, option_string)

    def built(self, name: str) -> argparse.ArgumentParser:
        """The parser `name`'s own module builds, as it would stand among these commands."""
        add: Callable[[SubParsers], None] = imported(self._builders.pop(name))
        alone = argparse.ArgumentParser().add_subparsers(prog=self._prog_prefix,
                                                         parser_class=self._parser_class)
        add(alone)
        parser: argparse.ArgumentParser = alone.choices[name]
        return parser


def subcommands(parser: argparse.ArgumentParser, **options: Any) -> Commands:
    """`parser.add_subparsers(**options)`, as `Commands`."""
    commands = parser.add_subparsers(action=Commands, **options)
    assert isinstance(commands, Commands)
    return commands
