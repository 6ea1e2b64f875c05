"""The process's entry point: a signal ends it cleanly from the first instant.

Stopping signals become KeyboardInterrupt (`cli/signals.py`) before the
heavy imports, which are not cut in the middle (numpy, cut off, reports a broken
install instead), so a Ctrl-C during start-up ends without a traceback; once the
program is done, a late signal just ends the process, as signals do by default.
"""

from __future__ import annotations

import os
import sys

INTERRUPTED = 130  # the shell's status for a process ended by Ctrl-C
JOURNAL_COMMANDS = ("today", "history", "journal", "forget", "couple")


def _standard_descriptors() -> None:
    """A closed stdin, stdout or stderr is opened on /dev/null: otherwise the next file
    opened (the out-file, the event log) would take its number, and what is printed
    would land in it."""
    for number in (0, 1, 2):
        try:
            os.fstat(number)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != number:
                os.dup2(opened, number)
                os.close(opened)
    # Python leaves them None when started without; stdin then reads as a pipe that has
    # ended, so a typed session runs on to its time limits as after its last piped line
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main() -> int:
    status = INTERRUPTED
    try:
        status = _started()
    except KeyboardInterrupt:
        status = INTERRUPTED
    finally:
        from assistant.cli import signals

        signals.default_signals()
    from assistant.cli import printing

    return printing.settled(status)  # what is still buffered, told as any failed print


def _started() -> int:
    from assistant.cli import signals

    signals.stop_on_signals()
    with signals.deferred():  # a stream cut in the middle of its set-up cannot report
        _standard_descriptors()
        readable_streams()
    refused = _unsupported()
    if refused:
        print(f"assistant: {refused}", file=sys.stderr)
        return 2
    if sys.argv[1:2] and sys.argv[1] in JOURNAL_COMMANDS:  # light: no sound, no speech
        unusable = _unusable_home(sys.argv[1:])
        if unusable:
            print(f"assistant: {unusable}.", file=sys.stderr)
            return 2
        from assistant.cli.journal import main as journal

        return journal(sys.argv[1:])
    with signals.deferred():  # a library cut off mid-import can fail in odd ways
        from assistant.cli.main import main as run

    return run()


def _unsupported() -> str | None:
    """Why this machine cannot be served, said before anything fails deep in a library
    that has no build here (a source install, or a wheel forced past its markers)."""
    from assistant.system.support import refusal, this_platform

    return refusal(this_platform())


def _unusable_home(argv: list[str]) -> str | None:
    """Why the journal's commands cannot run at all: a home that can never be used
    (their help needs none)."""
    if "-h" in argv or "--help" in argv:
        return None
    from assistant.base.paths import unusable_home

    return unusable_home()


def readable_streams() -> None:
    """In a C locale stdout and stderr take ASCII alone: a name or path beyond it is shown
    escaped rather than ending the program."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # closed, or not a text stream of its own
                continue


if __name__ == "__main__":
    sys.exit(main())
