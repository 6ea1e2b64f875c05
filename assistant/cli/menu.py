"""The spoken menu of `assistant` with no command, wired to the session it starts."""

from __future__ import annotations

import argparse
import sys

from assistant.audio.deaf import DeafWatch, microphone_advice
from assistant.audio.io import SESSION_RATE, AudioIO
from assistant.audio.live import LiveAudio
from assistant.audio.mixer import Mixer
from assistant.audio.virtual import VirtualAudio
from assistant.base.errors import DeviceLost, UserError
from assistant.cli import spoken_menu, terminal
from assistant.cli.console import stdin_lines
from assistant.cli.options import check_session_options, device_spec, session_couple
from assistant.cli.session import (
    Handover,
    run_session,
    session_mixer,
    session_voice,
    speech_model,
    start,
)
from assistant.journal.practices import library_for
from assistant.journal.today import due_line
from assistant.script.model import Exercise
from assistant.session.eventlog import EventLog
from assistant.speech.commands.listener import CommandListener
from assistant.speech.commands.recognizer import CommandRecognizer
from assistant.speech.detector import SpeechDetector, silero


def run_menu(args: argparse.Namespace) -> int:
    check_session_options(args)
    exercises = library_for(session_couple(args))  # each read under the title it goes by
    # one key a read from the menu's first word to the end of the session it starts
    with terminal.keys_at_once():
        return _run_menu(exercises, args)


def _run_menu(exercises: list[Exercise], args: argparse.Namespace) -> int:
    out = sys.stdout
    lines = terminal.TypedLines(stdin_lines(), out)
    due = due_line(session_couple(args))
    if args.text:
        spoken_menu.print_menu(exercises, out)
        print(" ".join(filter(None, (spoken_menu.introduction(False, False), due))), flush=True)
        return start(spoken_menu.typed_choice(exercises, lines, out), args)
    model = speech_model(args.model)  # loaded once, for the menu and the session after it
    mixer = session_mixer(args)
    origin = mixer.now  # where the microphone starts, once the audio is open
    audio, problem = menu_audio(args, mixer)
    if audio is None:
        spoken_menu.print_menu(exercises, out)
        print(f"{problem} Using the typed menu.", flush=True)
        print(" ".join(filter(None, (spoken_menu.introduction(False, False), due))), flush=True)
        args.text = True
        return start(spoken_menu.typed_choice(exercises, lines, out), args)
    log = EventLog(args.events, SESSION_RATE) if args.events else None
    listener = None
    # a sound card's microphone is watched for exact zeros from here to the session's end
    live = isinstance(audio, LiveAudio) and audio.has_microphone
    deaf = DeafWatch(SESSION_RATE, microphone_advice()) if live else None
    if model[0] is not None and audio.has_microphone:
        listener = CommandListener(CommandRecognizer(model[0], spoken_menu.title_book(exercises)))
    try:
        chosen = spoken_menu.SpokenMenu(
            exercises, audio, mixer, session_voice(args), lines, out, SpeechDetector(silero()),
            listener, [log.write] if log else [], " ".join(filter(None, (model[1], due))),
            args.headphones, origin, deaf).run()
    except DeviceLost:
        print("The sound device stopped. Type the practice's number, then Enter; the "
              "session will be in text.", flush=True)
        args.text = True
        return start(spoken_menu.typed_choice(exercises, lines, out), args)
    except BaseException:
        audio.close()
        raise
    finally:
        if log:
            log.close()
    virtual = args.mic_file is not None or args.out_file is not None
    if not virtual:
        audio.close()  # the session opens the sound card with its own settings
    return run_session(chosen.exercise, args, Handover(mixer, audio if virtual else None, model,
                                                   deaf))


def menu_audio(args: argparse.Namespace, mixer: Mixer) -> tuple[AudioIO | None, str]:
    """The menu's sound: the virtual files, or the sound card with its microphone if
    there is one; None and why when there is no sound card (the menu is then typed)."""
    if args.mic_file is not None or args.out_file is not None:
        audio: AudioIO = VirtualAudio(SESSION_RATE, args.out_file, args.mic_file)
        audio.open(mixer)
        return audio, ""
    output, microphone = device_spec(args.output_device), device_spec(args.input_device)
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
