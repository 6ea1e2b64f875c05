"""The command line: parse arguments, wire the parts, turn errors into plain sentences."""

from __future__ import annotations

import argparse
import queue
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import diagnose, menu, voicecmd
from assistant.audio.cues import CueBank
from assistant.audio.io import SESSION_RATE, AudioIO
from assistant.audio.live import LiveAudio, WallClock, import_sounddevice
from assistant.audio.mixer import Mixer
from assistant.audio.virtual import VirtualAudio
from assistant.console import HELP, KeyboardReader, Presenter
from assistant.errors import UserError
from assistant.pacing.pacer import MAX_SPM, MIN_SPM
from assistant.pacing.patterns import ACCEPTED_FORMS
from assistant.prompts import plan_prompts
from assistant.runner import EventSink, SessionRunner
from assistant.session.eventlog import EventLog
from assistant.session.library import find_exercise, load_library
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.session.script import Exercise
from assistant.session.standalone import breathing_session, walking_session
from assistant.speech import models as speech_models
from assistant.speech.detector import SpeechDetector, silero
from assistant.speech.listener import CommandListener
from assistant.speech.models import DEFAULT_MODEL, KNOWN_MODELS, choose_model, models_dir
from assistant.speech.recognizer import CommandRecognizer, load_model
from assistant.speech.turns import TurnSettings
from assistant.speech.voice import SilentVoice, SpeechVoice, Voice, VoiceSettings
from assistant.speech.voice_choice import open_voice, voice_cache


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if not hasattr(args, "handler"):
            return _menu()
        result: int = args.handler(args)
        return result
    except UserError as error:
        print(f"assistant: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="An offline, voice-guided session assistant for couples.",
    )
    parser.epilog = "With no command, a spoken menu asks which exercise to start."
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
    check.set_defaults(handler=_check)

    voicecmd.add_parser(commands)
    return parser


def _session_options(parser: argparse.ArgumentParser) -> None:
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
                        default=TurnSettings.patience,
                        help="quiet that ends an open turn (default: %(default)g s)")
    parser.add_argument("--voice", help="voice id or name (see 'assistant voices')")
    parser.add_argument("--rate", type=int, default=VoiceSettings.rate,
                        help="speech rate in words a minute (default: %(default)s)")
    parser.add_argument("--volume", type=float, default=VoiceSettings.volume,
                        help="speech volume from 0 to 1 (default: %(default)s)")
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


def _menu() -> int:
    exercises = load_library()
    model = _speech_model(None)  # loaded once, for the menu and the session after it
    chosen, sound = menu.choose(exercises, model[0], VoiceSettings())
    print(f"Starting {chosen.title}.", flush=True)
    args = _parser().parse_args(["run", chosen.id, *([] if sound else ["--text"])])
    return _session(chosen, args, model)


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


def _session(exercise: Exercise, args: argparse.Namespace,
             model: tuple[Any | None, str] | None = None) -> int:
    names = _names(args.names)
    virtual = args.mic_file is not None or args.out_file is not None
    if args.text and virtual:
        raise UserError("--text runs in real time; leave out --mic-file and --out-file with it.")
    if not 0.5 <= args.patience <= 30:
        raise UserError("--patience takes 0.5 to 30 seconds of quiet, such as 2.")
    seed = args.seed if args.seed is not None else random.randrange(2**32)

    voice: Voice
    audio: AudioIO
    if args.text:
        voice, audio = SilentVoice(), WallClock(SESSION_RATE)
    else:
        voice = open_voice(VoiceSettings(args.voice, args.rate, args.volume), SESSION_RATE,
                           voice_cache())
        if virtual:
            audio = VirtualAudio(SESSION_RATE, args.out_file, args.mic_file)
        else:
            device = _device(args.output_device)
            audio = LiveAudio(SESSION_RATE, device, _device(args.input_device))

    listening = audio.has_microphone
    if listening and model is None:
        model = _speech_model(args.model)
    vosk_model, notice = model if listening and model is not None else (None, "")
    listener = CommandListener(CommandRecognizer(vosk_model)) if vosk_model is not None else None
    plan = build_plan(exercise, names, seed, notice)
    if isinstance(voice, SpeechVoice):
        voice.prepare(plan_prompts(plan))  # the whole session's speech, ahead, in order
    machine = SessionMachine(plan, SESSION_RATE, exercise.id, exercise.title, listening,
                             TurnSettings(patience=args.patience), exercise.minutes * 60)
    detector = SpeechDetector(silero()) if listening else None
    sinks: list[EventSink] = []
    log = EventLog(args.events, SESSION_RATE) if args.events else None
    if log:
        sinks.append(log.write)
    inbox: queue.Queue[str] = queue.Queue()
    if not virtual:
        sinks.append(Presenter(text_mode=args.text))
        if args.text or sys.stdin.isatty():
            KeyboardReader(inbox).start()
    try:
        SessionRunner(machine, audio, Mixer(SESSION_RATE), voice, CueBank(SESSION_RATE), sinks,
                      inbox, detector, args.headphones, listener).run()
    finally:
        if isinstance(voice, SpeechVoice):
            voice.close()
        if log:
            log.close()
    return 0


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
