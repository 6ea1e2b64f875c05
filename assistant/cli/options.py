"""The session options shared by run, breathe, walk and the menu, and their checks."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from assistant.base.errors import UserError
from assistant.cli import values
from assistant.journal.couple import Couple, changed, load_couple
from assistant.journal.partner_names import names_of
from assistant.script.model import PATIENCE_RANGE
from assistant.session.floor import FloorSettings
from assistant.session.plan import Names

CUE_VOLUME_RANGE = (-20.0, 6.0)  # decibels from the voice's loudness


def debug_option(parser: argparse.ArgumentParser,
                  default: object = argparse.SUPPRESS) -> None:
    # SUPPRESS under a command: there, leaving it out keeps what was given before it
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show the sound and speech libraries' own messages")


def couple_options(parser: argparse.ArgumentParser) -> None:
    """Who the couple is, over what `assistant couple` keeps: for a session or an export."""
    parser.add_argument("--names", metavar="A,B",
                        help="the partners' names, comma-separated (default: those 'assistant "
                             "couple' keeps, else Alex,Sam)")
    parser.add_argument("--low-vision", metavar="WHO",
                        help="who sees less: A, B, both, none, or a name (default: as "
                             "'assistant couple' keeps it)")
    parser.add_argument("--seated", metavar="WHO",
                        help="who stays seated: A, B, both, none, or a name (default: as "
                             "'assistant couple' keeps it)")


def session_options(parser: argparse.ArgumentParser,
                     debug_default: object = argparse.SUPPRESS) -> None:
    """The options of a session; the menu takes them too, for the session it starts."""
    debug_option(parser, debug_default)
    couple_options(parser)
    parser.add_argument("--text", action="store_true",
                        help="print prompts and take typed commands; no sound card needed")
    parser.add_argument("--mic-file", type=Path, metavar="WAV",
                        help="a WAV file to use as the microphone (runs on the virtual clock)")
    parser.add_argument("--out-file", type=Path, metavar="FILE",
                        help="write everything played to this file, in the format its "
                             "suffix names (.wav, .flac, .opus, .ogg, .mp3), or to "
                             f"{os.devnull} to keep nothing (runs on the virtual clock)")
    parser.add_argument("--force", action="store_true", help="replace an existing out-file")
    parser.add_argument("--events", type=Path, metavar="FILE",
                        help="append the session's events to this JSON Lines file")
    parser.add_argument("--output-device", metavar="DEVICE",
                        help="output device index or name (see 'assistant devices')")
    parser.add_argument("--input-device", metavar="DEVICE",
                        help="microphone index or name (see 'assistant devices')")
    parser.add_argument("--headphones", action="store_true",
                        help="you wear headphones: hear partners even while the assistant "
                             "speaks")
    parser.add_argument("--no-echo-cancel", action="store_true",
                        help="do not cancel the assistant's own voice from the microphone: "
                             "the microphone rests while it speaks (half duplex)")
    parser.add_argument("--model", type=Path, metavar="PATH",
                        help="a Vosk model folder for voice commands (default: "
                             "$ASSISTANT_VOSK_MODEL, then models/)")
    parser.add_argument("--patience", type=values.PATIENCE, metavar="SECONDS",
                        help="a fixed quiet after speech that passes on a partner's share "
                             "(default: it follows each partner's own pauses, from "
                             f"{FloorSettings.share_patience:g} s)")
    parser.add_argument("--voice", help="voice id or name (see 'assistant voices')")
    parser.add_argument("--rate", type=values.RATE, default=values.DEFAULT_RATE,
                        help="speech rate in words a minute (default: %(default)s)")
    parser.add_argument("--volume", type=values.VOLUME, default=1.0,
                        help="loudness of everything, speech and cues, from 0 to 1 "
                             "(default: %(default)s)")
    parser.add_argument("--cue-volume", type=values.cue_volume(*CUE_VOLUME_RANGE), default=0.0,
                        metavar="DB",
                        help="cues' loudness against the voice's, in decibels, from "
                             f"{CUE_VOLUME_RANGE[0]:g} to {CUE_VOLUME_RANGE[1]:g} (default: "
                             "%(default)g, as loud as speech)")
    placement = parser.add_mutually_exclusive_group()
    placement.add_argument("--stereo", dest="stereo", action="store_true", default=None,
                           help="partner A's cues on the left, B's on the right (default: "
                                "when the output device has two channels)")
    placement.add_argument("--mono", dest="stereo", action="store_false",
                           help="everything in the middle, on one channel")
    parser.add_argument("--keep-recordings", action="store_true",
                        help="keep what you say in the steps an exercise marks (an agreement, "
                             "a memory) in your private journal, to hear again later")
    parser.add_argument("--seed", type=values.SEED,
                        help="fix the order questions are drawn in (default: random)")


def partner_names(text: str) -> Names:
    """The two names of `--names`, checked as the couple's stored names are."""
    return names_of(text)


def session_couple(args: argparse.Namespace) -> Couple:
    """The couple `assistant couple` keeps, with this session's options over it."""
    couple, notice = load_couple()
    told: set[str] = vars(args).setdefault("couple_notices", set())
    if notice and notice not in told:  # checked, then used: said once
        told.add(notice)
        print(f"assistant: {notice}", file=sys.stderr)
    return changed(couple, args.names, args.low_vision, args.seated)


def check_session_options(args: argparse.Namespace) -> None:
    session_couple(args)
    if not 0.0 <= args.volume <= 1.0:
        raise UserError("--volume must be between 0 and 1, such as 0.8.")
    low, high = CUE_VOLUME_RANGE
    if not low <= args.cue_volume <= high:
        raise UserError(f"--cue-volume takes {low:g} to {high:g} decibels, such as -6.")
    virtual = args.mic_file is not None or args.out_file is not None
    if args.text and virtual:
        raise UserError("--text runs in real time; leave out --mic-file and --out-file with it.")
    low, high = PATIENCE_RANGE
    if args.patience is not None and not low <= args.patience <= high:
        raise UserError(f"--patience takes {low:g} to {high:g} seconds of quiet, such as 6.")
    from assistant.cli.outputs import check_output_paths  # sound files: not at start-up

    check_output_paths(args.mic_file, args.out_file, args.events,
                       getattr(args, "force", False))


def floor_settings(args: argparse.Namespace, repairable: bool = True) -> FloorSettings:
    """Patience that follows each partner's pauses, unless `--patience` fixes it, or a
    floor cut short could not be handed back (half duplex: the microphone rests while
    the assistant speaks, so a partner who goes on is not heard)."""
    if args.patience is None:
        return FloorSettings(adaptive=repairable)
    return FloorSettings(share_patience=args.patience, adaptive=False)


def device_spec(spec: str | None) -> int | str | None:
    return int(spec) if spec is not None and spec.isdigit() else spec


def sentence(error: ValueError) -> UserError:
    text = str(error)
    return UserError(f"{text[:1].upper()}{text[1:]}.")
