"""`assistant check` and `assistant devices`: look at each part of the set-up and say plainly
what works."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.audio.deaf import DeafWatch, microphone_advice
from assistant.audio.devices import Cards, device_lines
from assistant.audio.io import SESSION_RATE
from assistant.audio.mixer import Samples
from assistant.audio.portaudio import Endpoints, endpoints, import_sounddevice
from assistant.base.errors import UserError
from assistant.cli.options import device_spec
from assistant.speech.commands.models import choose_model
from assistant.speech.commands.recognizer import CommandRecognizer, load_model
from assistant.speech.detector import SpeechDetector, SpeechStarted, WindowCutter, silero
from assistant.speech.voice import system
from assistant.speech.voice.choice import open_voice
from assistant.speech.voice.rendering import VoiceSettings


@dataclass(frozen=True)
class Finding:
    part: str
    ok: bool
    detail: str


def check_voice() -> Finding:
    try:
        voice = open_voice(VoiceSettings(), SESSION_RATE)
        samples = voice.render("Ready.")
    except UserError as error:
        return Finding("speech synthesis", False, str(error))
    name = getattr(voice.engine, "name", getattr(voice.engine, "voice_id", ""))
    engine = "Piper" if voice.engine.engine == "piper" else system.label(voice.engine.engine)
    return Finding("speech synthesis", len(samples) > 0, f"{engine} speaks ({name})")


def check_model() -> Finding:
    folder = choose_model()
    if folder is None:
        return Finding("voice commands", True, "off: no speech model (sessions work without; "
                                               "add one with 'assistant models download')")
    try:
        book = CommandRecognizer(load_model(folder)).book
    except UserError as error:
        return Finding("voice commands", False, str(error))
    return Finding("voice commands", True, f"{folder.name} loads, phrases: {book.language}")


def check_output(device: str | int | None) -> Finding:
    sd = import_sounddevice()
    try:
        ends = endpoints(None, device)
        sd.check_output_settings(device=ends.output, channels=1, samplerate=SESSION_RATE,
                                 extra_settings=ends.output_extra)
        name = sd.query_devices(ends.output, "output")["name"]
    except (ValueError, sd.PortAudioError) as error:
        return Finding("sound output", False, f"none usable ({error}); use --text or "
                                              "--out-file")
    return Finding("sound output", True, str(name))


def listen(ends: Endpoints, seconds: float) -> Samples:
    sd = import_sounddevice()
    recording = sd.rec(round(seconds * SESSION_RATE), samplerate=SESSION_RATE, channels=1,
                       dtype="float32", device=ends.input, extra_settings=ends.input_extra,
                       blocking=True)
    return np.asarray(recording[:, 0], dtype=np.float32)


def check_microphone(device: str | int | None, seconds: float,
                     record: Callable[[Endpoints, float], Samples] = listen) -> Finding:
    sd = import_sounddevice()
    try:
        ends = endpoints(device, None)
        sd.check_input_settings(device=ends.input, channels=1, samplerate=SESSION_RATE,
                                extra_settings=ends.input_extra)
        name = str(sd.query_devices(ends.input, "input")["name"])
        audio = record(ends, seconds)
    except (ValueError, sd.PortAudioError) as error:
        return Finding("microphone", False, f"none usable ({error}); use --mic-file or --text")
    if DeafWatch(SESSION_RATE).feed(audio) is not None:  # only exact zeros, for seconds
        advice = microphone_advice(name)
        return Finding("microphone", False, advice[:1].lower() + advice[1:])
    return Finding("microphone", True, f"{name}: {describe(audio)}")


def describe(audio: Samples) -> str:
    """Level and whether speech was heard, for a few seconds of microphone."""
    rms = float(np.sqrt(np.mean(audio**2))) if len(audio) else 0.0
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    detector = SpeechDetector(silero())
    heard = any(isinstance(event, SpeechStarted)
                for start, window in WindowCutter().cut(audio)
                for event in detector.feed(window, start))
    level = f"level {_db(rms)} dBFS, peak {_db(peak)} dBFS"
    if peak < 1e-4:
        return f"{level}: silent, is it muted?"
    return f"{level}; speech {'detected' if heard else 'not detected'}"


def _db(value: float) -> str:
    return f"{20 * np.log10(max(value, 1e-6)):.0f}"


def check(args: argparse.Namespace) -> int:
    print("Checking speech synthesis and sound output ...", flush=True)
    findings = [check_voice(), check_model(),
                check_output(device_spec(args.output_device))]
    print(f"Listening for {args.seconds:g} seconds: say something ...", flush=True)
    findings.append(check_microphone(device_spec(args.input_device), args.seconds))
    for finding in findings:
        print(f"{finding.part}: {'ok' if finding.ok else 'PROBLEM'}, {finding.detail}")
    return 0 if all(finding.ok for finding in findings) else 1


def devices(args: argparse.Namespace) -> int:
    sd = import_sounddevice()
    cards = Cards.of(sd.query_devices(), sd.query_hostapis(), sd.default.hostapi)
    if not cards.devices:
        print("No sound devices were found. Use --text, or --out-file FILE.wav.")
        return 0
    default_in, default_out = sd.default.device
    for line in device_lines(cards, default_in, default_out):
        print(line)
    return 0
