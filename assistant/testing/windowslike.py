"""The assistant run as it would be where POSIX is missing, on this machine.

`python -m assistant.testing.windowslike ARGS...` runs the command line with ARGS,
as `python -m assistant ARGS...` does, but the assistant's own modules find no
`termios`, `tty` or `fcntl`, and see `os` and `signal` without the calls, flag and
signals that Windows lacks. Every way the assistant chooses by what the system
has (`assistant/system/`) then takes its other branch, and a use left outside it
fails as it would on Windows.

Only the assistant's own imports are changed: the standard library and other
libraries keep the real modules, and rightly take their POSIX branches here
(`shutil.disk_usage` reads `os.statvfs`). An import statement is seen through
`builtins.__import__`, which is told the importing module's name; `importlib`'s
own calls are not. What only Windows has (`msvcrt`, the Windows API) is not made
up here: it has unit tests with stand-ins.
"""

from __future__ import annotations

import builtins
import runpy
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

TAKEN_MODULES = frozenset({"termios", "tty", "fcntl"})
TAKEN_NAMES = {
    "os": frozenset({"fchmod", "statvfs", "getuid", "set_blocking", "getpgrp", "tcgetpgrp",
                     "O_NONBLOCK"}),
    "signal": frozenset({"SIGHUP", "SIGQUIT"}),
}
OWN = "assistant"


class Without(types.ModuleType):
    """A module that lacks some of its names; every other name is the real module's."""

    def __init__(self, real: types.ModuleType, taken: frozenset[str]) -> None:
        super().__init__(real.__name__, real.__doc__)
        self._real, self._taken = real, taken

    def __getattr__(self, name: str) -> Any:  # only names not set on the proxy itself
        if name in self._taken:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(self._real, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._real)) - self._taken)


def _own(importer: str) -> bool:
    return (importer == OWN or importer.startswith(f"{OWN}.")) and importer != __name__


def windows_like_import(real_import: Any) -> Any:
    """`builtins.__import__` as the assistant's own modules would find it on Windows."""
    proxies: dict[str, Without] = {}

    def importing(name: str, globals: Mapping[str, object] | None = None,
                  locals: Mapping[str, object] | None = None,
                  fromlist: Sequence[str] | None = (), level: int = 0) -> types.ModuleType:
        top = name.partition(".")[0]
        if level == 0 and _own(str((globals or {}).get("__name__", ""))):
            if top in TAKEN_MODULES:
                raise ModuleNotFoundError(f"No module named {top!r} (a Windows-like run)",
                                          name=top)
            if top in TAKEN_NAMES and (name == top or not fromlist):  # what binds `os`
                real_import(name, globals, locals, fromlist, level)
                if top not in proxies:
                    proxies[top] = Without(sys.modules[top], TAKEN_NAMES[top])
                return proxies[top]
        module: types.ModuleType = real_import(name, globals, locals, fromlist, level)
        return module

    return importing


def install() -> None:
    """From now on, modules of the assistant imported anew see a Windows-like system."""
    builtins.__import__ = windows_like_import(builtins.__import__)


if __name__ == "__main__":
    install()
    runpy.run_module(OWN, run_name="__main__", alter_sys=True)
