"""Wiring one session: the voice, the mixer, the sound, the listener, the journal."""

from __future__ import annotations

import argparse
import contextlib
import queue
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.audio.cues import CueBank
from assistant.audio.deaf import DeafWatch, microphone_advice
from assistant.audio.io import SESSION_RATE, AudioIO
from assistant.audio.live import LiveAudio
from assistant.audio.loudness import SPEECH_LOUDNESS
from assistant.audio.mixer import Mixer
from assistant.audio.portaudio import offers_stereo
from assistant.audio.virtual import VirtualAudio
from assistant.audio.wallclock import WallClock
from assistant.base.errors import UserError
from assistant.cli import terminal
from assistant.cli.console import KeyboardReader, Presenter
from assistant.cli.options import (
    check_session_options,
    device_spec,
    floor_settings,
    sentence,
    session_couple,
)
from assistant.cli.outputs import forgiving_stdout
from assistant.engine.runner import EventSink, SessionRunner
from assistant.journal.memory import remember
from assistant.journal.preferences import keeps_recordings
from assistant.script.alternatives import for_needs
from assistant.script.library import find_exercise
from assistant.script.model import Exercise
from assistant.script.standalone import breathing_session, walking_session
from assistant.session.commands import Command
from assistant.session.eventlog import EventLog
from assistant.session.machine import SessionMachine
from assistant.session.plan import build_plan
from assistant.session.prompts import plan_prompts
from assistant.session.typed import typed_plan
from assistant.speech.commands.listener import CommandListener
from assistant.speech.commands.models import choose_model
from assistant.speech.commands.recognizer import CommandRecognizer, load_model
from assistant.speech.detector import SpeechDetector, silero
from assistant.speech.echo import EchoCanceller, canceller
from assistant.speech.voice.choice import open_voice, voice_cache
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import SilentVoice, Voice, VoiceSettings

INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C


NO_COMMANDS = ("Voice commands are off, because no speech model is installed. To add one, "
               "run: assistant models download.")


def own_voice_cancelled(args: argparse.Namespace, live: bool) -> EchoCanceller | None:
    """A canceller for the assistant's own voice, where it helps (a sound card's
    microphone, no headphones, not turned off: a microphone file holds no echo); when
    it cannot load, one printed line, never spoken."""
    if not live or args.headphones or getattr(args, "no_echo_cancel", False):
        return None
    echo, notice = canceller(SESSION_RATE)
    if notice:
        print(notice, flush=True)
    return echo


def speech_model(explicit: Path | None) -> tuple[Any | None, str]:
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
class Handover:
    """What the menu hands the session it starts: one clock, one model, one notice."""

    mixer: Mixer
    audio: AudioIO | None  # a virtual run goes on with the menu's files
    model: tuple[Any | None, str]
    deaf: DeafWatch | None = None  # a sound card's microphone, watched since the menu began


def run_exercise(args: argparse.Namespace) -> int:
    return run_session(find_exercise(args.exercise), args)


def start(exercise: Exercise, args: argparse.Namespace) -> int:
    print(f"Starting {exercise.title}.", flush=True)
    return run_session(exercise, args)


def breathe(args: argparse.Namespace) -> int:
    try:
        exercise = breathing_session(
            args.pattern, minutes=args.minutes, cycles=args.cycles, mode=args.mode,
            from_bpm=args.from_bpm, to_bpm=args.to_bpm, words=args.words, counts=args.counts)
    except ValueError as error:
        raise sentence(error) from None
    return run_session(exercise, args)


def walk(args: argparse.Namespace) -> int:
    try:
        exercise = walking_session(args.spm, args.minutes, args.to_spm)
    except ValueError as error:
        raise sentence(error) from None
    return run_session(exercise, args)


def session_voice(args: argparse.Namespace) -> Voice:
    """Speech at the loudness cues are matched to; --volume scales both in the mixer."""
    engine = open_voice(VoiceSettings(args.voice, args.rate), SESSION_RATE, voice_cache())
    return LevelledVoice(engine, SESSION_RATE)


def session_mixer(args: argparse.Namespace) -> Mixer:
    """The session clock, in stereo when asked or when the output device offers it."""
    virtual = args.mic_file is not None or args.out_file is not None
    stereo = args.stereo
    if stereo is None:
        stereo = (not virtual and not args.text
                  and offers_stereo(device_spec(args.output_device)))
    mixer = Mixer(SESSION_RATE, 2 if stereo else 1)
    mixer.gain = args.volume
    return mixer


def run_session(exercise: Exercise, args: argparse.Namespace,
             handover: Handover | None = None) -> int:
    check_session_options(args)
    with forgiving_stdout():
        return _run_session(exercise, args, handover)


def _run_session(exercise: Exercise, args: argparse.Namespace,
                 handover: Handover | None) -> int:
    couple = session_couple(args)
    names = couple.names
    exercise = for_needs(exercise, low_vision=bool(couple.low_vision),
                         seated=bool(couple.seated))
    virtual = args.mic_file is not None or args.out_file is not None
    seed = args.seed if args.seed is not None else random.randrange(2**32)

    voice: Voice
    audio: AudioIO
    mixer = handover.mixer if handover is not None else session_mixer(args)
    voice = SilentVoice() if args.text else session_voice(args)
    if args.text:
        audio = WallClock(SESSION_RATE)
    elif handover is not None and handover.audio is not None:
        audio = handover.audio
    elif virtual:
        audio = VirtualAudio(SESSION_RATE, args.out_file, args.mic_file)
    else:
        output = device_spec(args.output_device)
        audio = LiveAudio(SESSION_RATE, output, device_spec(args.input_device),
                          channels=mixer.channels)

    listening = audio.has_microphone
    if args.model is not None and not listening:
        print("assistant: --model is unused: voice commands need a microphone (a live run "
              "with a sound card, or --mic-file).", file=sys.stderr)
    model = handover.model if handover is not None else None
    if listening and model is None:
        model = speech_model(args.model)
        if model[1]:
            print(model[1], flush=True)  # printed, never spoken: the first words are the exercise's
    log = EventLog(args.events, SESSION_RATE) if args.events else None  # before the journal
    vosk_model = model[0] if listening and model is not None else None
    listener = CommandListener(CommandRecognizer(vosk_model)) if vosk_model is not None else None
    keep = args.keep_recordings or keeps_recordings()
    memory = remember(exercise, names, SESSION_RATE, keep_recordings=keep)
    exercise = memory.exercise
    plan = build_plan(exercise, names, seed, memory.notice, memory.asked, memory.kept)
    if args.text:  # typed, not spoken: the opening teaches keys
        plan = typed_plan(plan)
    if isinstance(voice, LevelledVoice):
        voice.prepare(plan_prompts(plan))  # the whole session's speech, ahead, in order
    live = listening and not virtual
    echo = own_voice_cancelled(args, live)
    half_duplex = live and not args.headphones and echo is None
    deaf = (handover.deaf if handover is not None else None) or (
        DeafWatch(SESSION_RATE, microphone_advice()) if live else None)
    machine = SessionMachine(plan, SESSION_RATE, exercise.id, exercise.title, listening,
                             floor_settings(args, repairable=not half_duplex),
                             exercise.minutes * 60, memory.session, memory.started,
                             memory.pauses)
    detector = SpeechDetector(silero()) if listening else None
    sinks: list[EventSink] = []
    if log:
        sinks.append(log.write)
    sinks += memory.sinks
    inbox: queue.Queue[Command] = queue.Queue()
    keys = not virtual and (args.text or sys.stdin.isatty())
    if not virtual:
        sinks.append(Presenter(text_mode=args.text, plan=plan))
    cues = CueBank(SESSION_RATE, SPEECH_LOUDNESS + args.cue_volume)
    runner = SessionRunner(machine, audio, mixer, voice, cues, sinks, inbox, detector,
                           args.headphones, listener,
                           [memory.recorder.hear] if memory.recorder else [], echo, deaf)
    try:
        # a key acts as it is pressed, for as long as the session runs
        with terminal.keys_at_once() if keys else contextlib.nullcontext(False):
            if keys:
                KeyboardReader(inbox).start()
            runner.run()
    finally:
        if isinstance(voice, LevelledVoice):
            voice.close()
        if log:
            log.close()
    return INTERRUPTED if runner.interrupted else 0
