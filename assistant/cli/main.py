"""The command line: parse arguments, wire the parts, turn errors into plain sentences."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from assistant.base.errors import UserError
from assistant.base.paths import stand_in_home, unusable_home
from assistant.cli import printing, values
from assistant.cli.keys import HELP
from assistant.cli.launch import INTERRUPTED, JOURNAL_COMMANDS
from assistant.cli.lazy import Handler, subcommands
from assistant.cli.options import debug_option, session_options
from assistant.cli.practices import couple_library
from assistant.cli.quiet import library_lines_hidden
from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import ACCEPTED_FORMS

BROKEN_PIPE = 141  # as a command ended by SIGPIPE: the reader (such as `head`) has gone
MENU = Handler("assistant.cli.menu:run_menu")
RUN = Handler("assistant.cli.session:run_exercise")
BREATHE = Handler("assistant.cli.session:breathe")
WALK = Handler("assistant.cli.session:walk")
DEVICES = Handler("assistant.cli.diagnose:devices")
# What a session prints only follows what is heard: standard output failing never stops
# one, and one can run without the assistant's home. Every other command's answer is
# what it prints, and (but for the sound cards' list) it needs the home.
SESSIONS = (MENU, RUN, BREATHE, WALK)
HOMELESS = (DEVICES,)
# Commands whose options are defined beside their heavy code: named here, and built by
# their own module only when chosen (cli/lazy.py).
LATER = {
    "models": ("speech models for voice commands", "assistant.cli.models:add_parser"),
    "export": ("a practice as an audio file for a phone and two earbuds",
               "assistant.cli.export:add_parser"),
    "voices": ("list, download and manage the voices for --voice",
               "assistant.cli.voices:add_parser"),
    "today": ("what is due today, from the journal", "assistant.cli.journal:add_commands"),
    "history": ("the sessions you have had", "assistant.cli.journal:add_commands"),
    "journal": ("the recordings you chose to keep", "assistant.cli.journal:add_commands"),
    "forget": ("delete the journal and every recording", "assistant.cli.journal:add_commands"),
    "couple": ("who you are: names, and who sees less or stays seated",
               "assistant.cli.couple:add_parser"),
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with printing.watched():  # --help and --version print their answer
            args = _parsed(argv)
        handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", MENU)
        if handler in SESSIONS:
            with printing.forgiving(), library_lines_hidden(not args.debug), _home_for_session():
                return handler(args)
        if handler not in HOMELESS and (unusable := unusable_home()) is not None:
            raise UserError(f"{unusable}.")
        with printing.watched(), library_lines_hidden(not args.debug):
            return handler(args)
    except printing.Unprinted as unprinted:
        return printing.told(unprinted)
    except UserError as error:
        print(f"assistant: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:
        # Nobody reads the rest: end quietly, and keep Python's final flush from complaining.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE


def _parsed(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)  # a number out of range: a UserError
    if rest:  # a command may take its words among its options (export breathe --mode X F)
        if getattr(args, "loose_words", None) is None or any(w[:1] == "-" for w in rest):
            parser.parse_args(argv)  # argparse's own message, and exit status 2
        args.loose_words = rest
    return args


@contextlib.contextmanager
def _home_for_session() -> Iterator[None]:
    """The assistant's home, or where it can never be used, a stand-in the session
    forgets, said once (as a journal that cannot be used is)."""
    unusable = unusable_home()
    if unusable is None:
        yield
        return
    print(f"assistant: {unusable}; this session goes on, but it will not be remembered.",
          file=sys.stderr, flush=True)
    with stand_in_home():
        yield


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="An offline, voice-guided session assistant for couples.",
    )
    parser.epilog = ("With no command, a spoken menu asks which exercise to start; the "
                     "session options (such as --text or --names) may be given to it.")
    parser.add_argument("--version", action=_Version)
    session_options(parser, debug_default=False)
    commands = subcommands(parser, title="commands", metavar="COMMAND")

    listing = commands.add_parser("list", help="list the exercises, with their lengths")
    listing.set_defaults(handler=_list)

    run = commands.add_parser("run", help="guide a session through an exercise",
                              description=f"Guide a session. In text mode: {HELP}")
    run.add_argument("exercise", metavar="EXERCISE",
                     help="an exercise id (see 'assistant list') or the path of a script file")
    session_options(run)
    run.set_defaults(handler=RUN)

    breathe = commands.add_parser(
        "breathe", help="the breathing pacer alone",
        description="Paced breathing with sound cues: a rising tone to breathe in, a falling "
                    "tone to breathe out, a soft low tone to hold.")
    breathe.add_argument("--pattern", default="coherent",
                         help=f"{ACCEPTED_FORMS} (default: %(default)s)")
    length = breathe.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=values.PACER_MINUTES,
                        help="how long to breathe (default: 5)")
    length.add_argument("--cycles", type=values.CYCLES, help="how many breaths to take instead")
    breathe.add_argument("--mode", choices=("together", "alternating", "solo"),
                         default="together",
                         help="together: one cue stream; alternating: one of you breathes in "
                              "while the other breathes out (default: %(default)s)")
    breathe.add_argument("--from-bpm", type=values.FROM_BPM, metavar="BPM",
                         help="start at this many breaths a minute ...")
    breathe.add_argument("--to-bpm", type=values.TO_BPM, metavar="BPM",
                         help="... and change gradually to this many")
    breathe.add_argument("--words", action="store_true", help="speak in, hold and out")
    breathe.add_argument("--counts", action="store_true", help="speak a count each second")
    session_options(breathe)
    breathe.set_defaults(handler=BREATHE)

    walk = commands.add_parser("walk", help="the walking pacer alone",
                               description="A soft footstep tick to walk in step together.")
    walk.add_argument("--spm", type=values.SPM, default=100.0,
                      help=f"steps a minute, {MIN_SPM:g} to {MAX_SPM:g} (default: %(default)g)")
    walk.add_argument("--to-spm", type=values.TO_SPM, metavar="SPM",
                      help="change gradually to this many steps a minute")
    walk.add_argument("--minutes", type=values.PACER_MINUTES, default=10.0,
                      help="how long to walk (default: %(default)g)")
    session_options(walk)
    walk.set_defaults(handler=WALK)

    devices = commands.add_parser("devices", help="list the sound cards")
    devices.set_defaults(handler=DEVICES)

    commands.later("models", *LATER["models"])

    check = commands.add_parser("check", help="diagnose the set-up",
                                description="Check speech synthesis and the sound card, and "
                                            "listen for a few seconds: say something.")
    check.add_argument("--input-device", metavar="DEVICE", help="microphone index or name")
    check.add_argument("--output-device", metavar="DEVICE", help="output index or name")
    check.add_argument("--seconds", type=values.SECONDS, default=3.0,
                       help="how long to listen (default: %(default)g)")
    debug_option(check)
    check.set_defaults(handler=Handler("assistant.cli.diagnose:check"))

    commands.later("export", *LATER["export"])
    commands.later("voices", *LATER["voices"])
    for name in JOURNAL_COMMANDS:
        commands.later(name, *LATER[name])
    return parser


class _Version(argparse._VersionAction):
    """`--version`, looked up in the installed package's metadata only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 given: Any, option_string: str | None = None) -> None:
        self.version = f"%(prog)s {_version()}"
        super().__call__(parser, namespace, given, option_string)


def _version() -> str:
    from importlib import metadata  # email and zip readers: only for --version

    try:
        return metadata.version("couples-assistant")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _list(args: argparse.Namespace) -> int:
    exercises = couple_library()
    width = max(len(e.id) for e in exercises)
    for exercise in exercises:
        print(f"{exercise.id:<{width}}  {exercise.minutes:>3g} min  {exercise.title}")
    return 0
