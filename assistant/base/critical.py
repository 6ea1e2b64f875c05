"""Short critical steps that a stopping signal must not cut in the middle.

Speech synthesis writes its file from the engine's own thread, and a rendered
block must reach the out-file whole: inside `deferred()` a stopping signal is
remembered, and raised as KeyboardInterrupt as soon as the step is done. The
command line installs the signal handlers (`cli/signals.py`); they ask
`interrupt()` whether to raise now.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_depth = 0
_pending = False


def interrupt() -> None:
    """A stopping signal arrived: raise KeyboardInterrupt now, or when the step is done."""
    global _pending
    if _depth:
        _pending = True
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold back a stopping signal until the block is done, then raise it."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _pending:
            _pending = False
            raise KeyboardInterrupt
