"""The command line: parse arguments, wire the parts, turn errors into plain sentences."""

from __future__ import annotations

import argparse
import os
import queue
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.audio.cues import CueBank
from assistant.audio.io import SESSION_RATE, AudioIO
from assistant.audio.live import LiveAudio, WallClock, import_sounddevice, offers_stereo
from assistant.audio.loudness import SPEECH_LOUDNESS
from assistant.audio.mixer import Mixer
from assistant.audio.virtual import VirtualAudio
from assistant.base.errors import DeviceLost, UserError
from assistant.cli import diagnose
from assistant.cli import journal as journal_commands
from assistant.cli import spoken_menu as menu
from assistant.cli import voices as voicecmd
from assistant.cli.console import HELP, KeyboardReader, Presenter, stdin_lines
from assistant.cli.quiet import library_lines_hidden
from assistant.engine.runner import EventSink, SessionRunner
from assistant.journal.memory import remember
from assistant.journal.preferences import keeps_recordings
from assistant.journal.today import due_line
from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import ACCEPTED_FORMS
from assistant.script.library import find_exercise, load_library
from assistant.script.model import Exercise
from assistant.script.standalone import breathing_session, walking_session
from assistant.script.text import MAX_NAME, shown, text_problem
from assistant.session.commands import Command
from assistant.session.eventlog import EventLog
from assistant.session.floor import PATIENCE_RANGE, FloorSettings
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.session.prompts import plan_prompts
from assistant.speech.commands import models as speech_models
from assistant.speech.commands.listener import CommandListener
from assistant.speech.commands.models import DEFAULT_MODEL, KNOWN_MODELS, choose_model, models_dir
from assistant.speech.commands.recognizer import CommandRecognizer, load_model
from assistant.speech.detector import SpeechDetector, silero
from assistant.speech.voice.choice import open_voice, voice_cache
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import SilentVoice, Voice, VoiceSettings

CUE_VOLUME_RANGE = (-20.0, 6.0)  # decibels from the voice's loudness
INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C
BROKEN_PIPE = 141  # as a command ended by SIGPIPE: the reader (such as `head`) has gone


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with library_lines_hidden(not args.debug):
            if not hasattr(args, "handler"):
                return _menu(args)
            result: int = args.handler(args)
            return result
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="An offline, voice-guided session assistant for couples.",
    )
    parser.epilog = ("With no command, a spoken menu asks which exercise to start; the "
                     "session options (such as --text or --names) may be given to it.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _session_options(parser, debug_default=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    listing = commands.add_parser("list", help="list the exercises, with their lengths")
    listing.set_defaults(handler=_list)

    run = commands.add_parser("run", help="guide a session through an exercise",
                              description=f"Guide a session. In text mode: {HELP}")
    run.add_argument("exercise", metavar="EXERCISE",
                     help="an exercise id (see 'assistant list') or the path of a script file")
    _session_options(run)
    run.set_defaults(handler=_run)

    breathe = commands.add_parser(
        "breathe", help="the breathing pacer alone",
        description="Paced breathing with sound cues: a rising tone to breathe in, a falling "
                    "tone to breathe out, a soft low tone to hold.")
    breathe.add_argument("--pattern", default="coherent",
                         help=f"{ACCEPTED_FORMS} (default: %(default)s)")
    length = breathe.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, help="how long to breathe (default: 5)")
    length.add_argument("--cycles", type=int, help="how many breaths to take instead")
    breathe.add_argument("--mode", choices=("together", "alternating", "solo"),
                         default="together",
                         help="together: one cue stream; alternating: one of you breathes in "
                              "while the other breathes out (default: %(default)s)")
    breathe.add_argument("--from-bpm", type=float, metavar="BPM",
                         help="start at this many breaths a minute ...")
    breathe.add_argument("--to-bpm", type=float, metavar="BPM",
                         help="... and change gradually to this many")
    breathe.add_argument("--words", action="store_true", help="speak in, hold and out")
    breathe.add_argument("--counts", action="store_true", help="speak a count each second")
    _session_options(breathe)
    breathe.set_defaults(handler=_breathe)

    walk = commands.add_parser("walk", help="the walking pacer alone",
                               description="A soft footstep tick to walk in step together.")
    walk.add_argument("--spm", type=float, default=100.0,
                      help=f"steps a minute, {MIN_SPM:g} to {MAX_SPM:g} (default: %(default)g)")
    walk.add_argument("--to-spm", type=float, metavar="SPM",
                      help="change gradually to this many steps a minute")
    walk.add_argument("--minutes", type=float, default=10.0,
                      help="how long to walk (default: %(default)g)")
    _session_options(walk)
    walk.set_defaults(handler=_walk)

    devices = commands.add_parser("devices", help="list the sound cards")
    devices.set_defaults(handler=_devices)

    models = commands.add_parser("models", help="speech models for voice commands")
    model_commands = models.add_subparsers(required=True, metavar="ACTION")
    download = model_commands.add_parser("download", help="fetch a model into models/")
    download.add_argument("name", nargs="?", default=DEFAULT_MODEL,
                          choices=sorted(KNOWN_MODELS), help="default: %(default)s")
    download.set_defaults(handler=_models_download)
    listing = model_commands.add_parser("list", help="installed and downloadable models")
    listing.set_defaults(handler=_models_list)
    verify = model_commands.add_parser("verify", help="check a model's files and load it")
    verify.add_argument("path", nargs="?", type=Path,
                        help="a model folder (default: the one sessions would use)")
    verify.set_defaults(handler=_models_verify)

    check = commands.add_parser("check", help="diagnose the set-up",
                                description="Check speech synthesis and the sound card, and "
                                            "listen for a few seconds: say something.")
    check.add_argument("--input-device", metavar="DEVICE", help="microphone index or name")
    check.add_argument("--output-device", metavar="DEVICE", help="output index or name")
    check.add_argument("--seconds", type=float, default=3.0,
                       help="how long to listen (default: %(default)g)")
    _debug_option(check)
    check.set_defaults(handler=_check)

    voicecmd.add_parser(commands)
    journal_commands.add_commands(commands)
    return parser


def _debug_option(parser: argparse.ArgumentParser,
                  default: object = argparse.SUPPRESS) -> None:
    # SUPPRESS under a command: there, leaving it out keeps what was given before it
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show the sound and speech libraries' own messages")


def _version() -> str:
    try:
        return metadata.version("couples-assistant")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _session_options(parser: argparse.ArgumentParser,
                     debug_default: object = argparse.SUPPRESS) -> None:
    """The options of a session; the menu takes them too, for the session it starts."""
    _debug_option(parser, debug_default)
    parser.add_argument("--names", default="Alex,Sam", metavar="A,B",
                        help="the partners' names, comma-separated (default: Alex,Sam)")
    parser.add_argument("--text", action="store_true",
                        help="print prompts and take typed commands; no sound card needed")
    parser.add_argument("--mic-file", type=Path, metavar="WAV",
                        help="a WAV file to use as the microphone (runs on the virtual clock)")
    parser.add_argument("--out-file", type=Path, metavar="WAV",
                        help="write everything played to this WAV (runs on the virtual clock)")
    parser.add_argument("--events", type=Path, metavar="FILE",
                        help="append the session's events to this JSON Lines file")
    parser.add_argument("--output-device", metavar="DEVICE",
                        help="output device index or name (see 'assistant devices')")
    parser.add_argument("--input-device", metavar="DEVICE",
                        help="microphone index or name (see 'assistant devices')")
    parser.add_argument("--headphones", action="store_true",
                        help="you wear headphones: hear partners even while the assistant "
                             "speaks")
    parser.add_argument("--model", type=Path, metavar="PATH",
                        help="a Vosk model folder for voice commands (default: "
                             "$ASSISTANT_VOSK_MODEL, then models/)")
    parser.add_argument("--patience", type=float, metavar="SECONDS",
                        default=FloorSettings.share_patience,
                        help="quiet after speech that passes on a partner's share "
                             "(default: %(default)g s)")
    parser.add_argument("--voice", help="voice id or name (see 'assistant voices')")
    parser.add_argument("--rate", type=int, default=VoiceSettings.rate,
                        help="speech rate in words a minute (default: %(default)s)")
    parser.add_argument("--volume", type=float, default=1.0,
                        help="loudness of everything, speech and cues, from 0 to 1 "
                             "(default: %(default)s)")
    parser.add_argument("--cue-volume", type=float, default=0.0, metavar="DB",
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
    parser.add_argument("--seed", type=int,
                        help="fix the order questions are drawn in (default: random)")


def _list(args: argparse.Namespace) -> int:
    exercises = load_library()
    width = max(len(e.id) for e in exercises)
    for exercise in exercises:
        print(f"{exercise.id:<{width}}  {exercise.minutes:>3g} min  {exercise.title}")
    return 0


def _names(text: str) -> Names:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise UserError("--names takes two different names separated by a comma, such as Ana,Ben.")
    if any("{" in part or "}" in part for part in parts):
        raise UserError("--names cannot contain braces.")
    for part in parts:
        problem = text_problem(part, MAX_NAME)
        if problem is not None:
            raise UserError(f"--names takes names of 1 to {MAX_NAME} visible characters; the "
                            f"name '{shown(part)}' {problem}.")
    return Names(*parts)


def _run(args: argparse.Namespace) -> int:
    return _session(find_exercise(args.exercise), args)


NO_COMMANDS = ("Voice commands are off, because no speech model is installed. To add one, "
               "run: assistant models download.")


def _speech_model(explicit: Path | None) -> tuple[Any | None, str]:
    """The Vosk model for voice commands, or None and a notice to say once: sessions go on."""
    folder = choose_model(explicit)
    if folder is None:
        return None, NO_COMMANDS
    try:
        return load_model(folder), ""
    except UserError as error:
        print(f"assistant: {error} The session goes on without voice commands.",
              file=sys.stderr)
        return None, "Voice commands are off: the speech model could not be loaded."


@dataclass(frozen=True)
class _Handover:
    """What the menu hands the session it starts: one clock, one model, one notice."""

    mixer: Mixer
    audio: AudioIO | None  # a virtual run goes on with the menu's files
    model: tuple[Any | None, str]


def _menu(args: argparse.Namespace) -> int:
    exercises = load_library()
    _check_session_options(args)
    out = sys.stdout
    lines = stdin_lines()
    due = due_line()
    if args.text:
        menu.print_menu(exercises, out)
        print(" ".join(filter(None, (menu.introduction(False, False), due))), flush=True)
        return _start(menu.typed_choice(exercises, lines, out), args)
    model = _speech_model(args.model)  # loaded once, for the menu and the session after it
    mixer = _mixer(args)
    origin = mixer.now  # where the microphone starts, once the audio is open
    audio, problem = _menu_audio(args, mixer)
    if audio is None:
        menu.print_menu(exercises, out)
        print(f"{problem} Using the typed menu.", flush=True)
        print(" ".join(filter(None, (menu.introduction(False, False), due))), flush=True)
        args.text = True
        return _start(menu.typed_choice(exercises, lines, out), args)
    log = EventLog(args.events, SESSION_RATE) if args.events else None
    listener = None
    if model[0] is not None and audio.has_microphone:
        listener = CommandListener(CommandRecognizer(model[0], menu.title_book(exercises)))
    try:
        chosen = menu.SpokenMenu(
            exercises, audio, mixer, _voice(args), lines, out, SpeechDetector(silero()),
            listener, [log.write] if log else [], " ".join(filter(None, (model[1], due))),
            args.headphones, origin).run()
    except DeviceLost:
        print("The sound device stopped. Type the practice's number, then Enter; the "
              "session will be in text.", flush=True)
        args.text = True
        return _start(menu.typed_choice(exercises, lines, out), args)
    except BaseException:
        audio.close()
        raise
    finally:
        if log:
            log.close()
    virtual = args.mic_file is not None or args.out_file is not None
    if not virtual:
        audio.close()  # the session opens the sound card with its own settings
    return _session(chosen.exercise, args, _Handover(mixer, audio if virtual else None, model))


def _menu_audio(args: argparse.Namespace, mixer: Mixer) -> tuple[AudioIO | None, str]:
    """The menu's sound: the virtual files, or the sound card with its microphone if
    there is one; None and why when there is no sound card (the menu is then typed)."""
    if args.mic_file is not None or args.out_file is not None:
        audio: AudioIO = VirtualAudio(SESSION_RATE, args.out_file, args.mic_file)
        audio.open(mixer)
        return audio, ""
    output, microphone = _device(args.output_device), _device(args.input_device)
    problem = ""
    for listen in (True, False):
        audio = LiveAudio(SESSION_RATE, output, microphone, listen=listen,
                          channels=mixer.channels)
        try:
            audio.open(mixer)
            return audio, ""
        except UserError as error:
            problem = problem or str(error)
    return None, problem


def _start(exercise: Exercise, args: argparse.Namespace) -> int:
    print(f"Starting {exercise.title}.", flush=True)
    return _session(exercise, args)


def _breathe(args: argparse.Namespace) -> int:
    try:
        exercise = breathing_session(
            args.pattern, minutes=args.minutes, cycles=args.cycles, mode=args.mode,
            from_bpm=args.from_bpm, to_bpm=args.to_bpm, words=args.words, counts=args.counts)
    except ValueError as error:
        raise _sentence(error) from None
    return _session(exercise, args)


def _walk(args: argparse.Namespace) -> int:
    try:
        exercise = walking_session(args.spm, args.minutes, args.to_spm)
    except ValueError as error:
        raise _sentence(error) from None
    return _session(exercise, args)


def _sentence(error: ValueError) -> UserError:
    text = str(error)
    return UserError(f"{text[:1].upper()}{text[1:]}.")


def _check_session_options(args: argparse.Namespace) -> None:
    _names(args.names)
    if not 0.0 <= args.volume <= 1.0:
        raise UserError("--volume must be between 0 and 1, such as 0.8.")
    low, high = CUE_VOLUME_RANGE
    if not low <= args.cue_volume <= high:
        raise UserError(f"--cue-volume takes {low:g} to {high:g} decibels, such as -6.")
    virtual = args.mic_file is not None or args.out_file is not None
    if args.text and virtual:
        raise UserError("--text runs in real time; leave out --mic-file and --out-file with it.")
    low, high = PATIENCE_RANGE
    if not low <= args.patience <= high:
        raise UserError(f"--patience takes {low:g} to {high:g} seconds of quiet, such as 6.")


def _voice(args: argparse.Namespace) -> Voice:
    """Speech at the loudness cues are matched to; --volume scales both in the mixer."""
    engine = open_voice(VoiceSettings(args.voice, args.rate), SESSION_RATE, voice_cache())
    return LevelledVoice(engine, SESSION_RATE)


def _mixer(args: argparse.Namespace) -> Mixer:
    """The session clock, in stereo when asked or when the output device offers it."""
    virtual = args.mic_file is not None or args.out_file is not None
    stereo = args.stereo
    if stereo is None:
        stereo = not virtual and not args.text and offers_stereo(_device(args.output_device))
    mixer = Mixer(SESSION_RATE, 2 if stereo else 1)
    mixer.gain = args.volume
    return mixer


def _session(exercise: Exercise, args: argparse.Namespace,
             handover: _Handover | None = None) -> int:
    _check_session_options(args)
    names = _names(args.names)
    virtual = args.mic_file is not None or args.out_file is not None
    seed = args.seed if args.seed is not None else random.randrange(2**32)

    voice: Voice
    audio: AudioIO
    mixer = handover.mixer if handover is not None else _mixer(args)
    voice = SilentVoice() if args.text else _voice(args)
    if args.text:
        audio = WallClock(SESSION_RATE)
    elif handover is not None and handover.audio is not None:
        audio = handover.audio
    elif virtual:
        audio = VirtualAudio(SESSION_RATE, args.out_file, args.mic_file)
    else:
        device = _device(args.output_device)
        audio = LiveAudio(SESSION_RATE, device, _device(args.input_device),
                          channels=mixer.channels)

    listening = audio.has_microphone
    if args.model is not None and not listening:
        print("assistant: --model is unused: voice commands need a microphone (a live run "
              "with a sound card, or --mic-file).", file=sys.stderr)
    model = handover.model if handover is not None else None
    if listening and model is None:
        model = _speech_model(args.model)
        if model[1]:
            print(model[1], flush=True)  # printed, never spoken: the first words are the exercise's
    vosk_model = model[0] if listening and model is not None else None
    listener = CommandListener(CommandRecognizer(vosk_model)) if vosk_model is not None else None
    keep = args.keep_recordings or keeps_recordings()
    memory = remember(exercise, names, SESSION_RATE, keep_recordings=keep)
    exercise = memory.exercise
    plan = build_plan(exercise, names, seed, memory.notice, memory.asked, memory.kept)
    if isinstance(voice, LevelledVoice):
        voice.prepare(plan_prompts(plan))  # the whole session's speech, ahead, in order
    machine = SessionMachine(plan, SESSION_RATE, exercise.id, exercise.title, listening,
                             FloorSettings(share_patience=args.patience),
                             exercise.minutes * 60, memory.session, memory.started)
    detector = SpeechDetector(silero()) if listening else None
    sinks: list[EventSink] = []
    log = EventLog(args.events, SESSION_RATE) if args.events else None
    if log:
        sinks.append(log.write)
    sinks += memory.sinks
    inbox: queue.Queue[Command] = queue.Queue()
    if not virtual:
        sinks.append(Presenter(text_mode=args.text, plan=plan))
        if args.text or sys.stdin.isatty():
            KeyboardReader(inbox).start()
    cues = CueBank(SESSION_RATE, SPEECH_LOUDNESS + args.cue_volume)
    runner = SessionRunner(machine, audio, mixer, voice, cues, sinks, inbox, detector,
                           args.headphones, listener,
                           [memory.recorder.hear] if memory.recorder else [])
    try:
        runner.run()
    finally:
        if isinstance(voice, LevelledVoice):
            voice.close()
        if log:
            log.close()
    return INTERRUPTED if runner.interrupted else 0


def _check(args: argparse.Namespace) -> int:
    print("Checking speech synthesis and sound output ...", flush=True)
    findings = [diagnose.check_voice(), diagnose.check_model(),
                diagnose.check_output(_device(args.output_device))]
    print(f"Listening for {args.seconds:g} seconds: say something ...", flush=True)
    findings.append(diagnose.check_microphone(_device(args.input_device), args.seconds))
    for finding in findings:
        print(f"{finding.part}: {'ok' if finding.ok else 'PROBLEM'}, {finding.detail}")
    return 0 if all(finding.ok for finding in findings) else 1


def _models_download(args: argparse.Namespace) -> int:
    source = KNOWN_MODELS[args.name]
    print(f"Downloading {source.name} (about {source.megabytes} MB) into {models_dir()} ...")
    target = speech_models.download(source)
    print(f"Installed {target}.")
    return 0


def _models_list(args: argparse.Namespace) -> int:
    installed = speech_models.installed_models()
    print(f"Models in {models_dir()}:" if installed else f"No models in {models_dir()}.")
    for folder in installed:
        print(f"  {folder.name}")
    chosen = choose_model()
    if chosen is not None:
        print(f"Sessions use: {chosen}")
    print("Downloadable: " + ", ".join(f"{name} (about {source.megabytes} MB)"
                                       for name, source in KNOWN_MODELS.items()))
    return 0


def _models_verify(args: argparse.Namespace) -> int:
    folder = args.path or choose_model()
    if folder is None:
        raise UserError("There is no speech model to verify; add one with "
                        "'assistant models download'.", exit_status=1)
    started = time.perf_counter()
    model = load_model(folder)
    seconds = time.perf_counter() - started
    book = CommandRecognizer(model).book
    print(f"{folder}: whole, loads in {seconds:.1f} s, command phrases: {book.language}.")
    return 0


def _device(spec: str | None) -> int | str | None:
    return int(spec) if spec is not None and spec.isdigit() else spec


def _devices(args: argparse.Namespace) -> int:
    sd = import_sounddevice()
    devices = sd.query_devices()
    if not len(devices):
        print("No sound devices were found. Use --text, or --out-file FILE.wav.")
        return 0
    default_in, default_out = sd.default.device
    for index, device in enumerate(devices):
        marks = ("  default input" if index == default_in else "") + (
            "  default output" if index == default_out else "")
        print(f"{index:>3}  {device['name']}  (in {device['max_input_channels']}, "
              f"out {device['max_output_channels']}){marks}")
    return 0
