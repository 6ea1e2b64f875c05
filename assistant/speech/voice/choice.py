"""Which voice speaks: `--voice` (a name or a Piper `.onnx` path), else the default.

The default is the installed default Piper voice (or the first English one);
without any, the system's default voice (espeak-ng, macOS's or Windows's). Nothing
is downloaded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.base.errors import UserError
from assistant.speech.voice import system
from assistant.speech.voice.cache import VoiceCache
from assistant.speech.voice.installed import (
    DEFAULT_VOICE,
    default_voice,
    find_installed,
    installed_voices,
)
from assistant.speech.voice.piper import PiperEngine, file_problem
from assistant.speech.voice.rendering import SpeechVoice, VoiceSettings, check_settings, say_once
from assistant.speech.voice.stored import speech_folder


def voice_cache() -> VoiceCache:
    return VoiceCache(speech_folder())


def _system_default() -> system.SystemEngine:
    return system.SystemEngine(system.default_voice_id())


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".onnx")


def unknown_voice(name: str) -> UserError:
    names = ", ".join(v.name for v in installed_voices()) or "none"
    return UserError(f"There is no voice called '{name}' (installed Piper voices: {names}); "
                     "list every voice with 'assistant voices', or download one with "
                     f"'assistant voices download NAME', such as {DEFAULT_VOICE}.")


@dataclass(frozen=True)
class VoiceChoice:
    """Which engine speaks, with which voice, and how to mend a Piper voice file."""

    engine: str  # "piper", or the system's engine: "espeak", "nsss", "sapi5"
    name: str  # the Piper voice's name, or the system voice's id
    model: Path | None = None  # a Piper voice's .onnx file
    fix: str = ""  # what to do if that file turns out missing or damaged


def choose_voice(spec: str | None) -> VoiceChoice:
    """Decide, once, which voice `--voice` (or its absence) means; an unknown name is refused."""
    if spec and _looks_like_path(spec):
        path = Path(spec).expanduser()
        return VoiceChoice("piper", path.name.removesuffix(".onnx"), path,
                           "download it again or choose another with --voice; ")
    if spec:
        installed = find_installed(spec)
        if installed is not None:
            return VoiceChoice("piper", installed.name, installed.model,
                               f"download it again with 'assistant voices download {spec}'; ")
        found = system.find_voice(spec)
        if found is None:
            raise unknown_voice(spec)
        return VoiceChoice(system.platform_engine(), found.id)
    chosen = default_voice()
    if chosen is not None:
        return VoiceChoice("piper", chosen.name, chosen.model,
                           f"download it again with 'assistant voices download {chosen.name}'; ")
    return VoiceChoice(system.platform_engine(), system.default_voice_id())


def open_voice(settings: VoiceSettings, rate: int, cache: VoiceCache | None = None
               ) -> SpeechVoice:
    """The session's voice. A missing Piper voice file falls back to the system's, saying so."""
    check_settings(settings)
    choice = choose_voice(settings.voice)
    if choice.model is None:
        return SpeechVoice(system.SystemEngine(choice.name, choice.engine), settings, rate,
                           cache)
    problem = file_problem(choice.model)
    if problem is not None:
        say_once(f"{problem[:1].upper()}{problem[1:]}; {choice.fix}speaking with "
                 f"{system.label(system.platform_engine())} instead.")
        return SpeechVoice(_system_default(), settings, rate, cache)
    return SpeechVoice(PiperEngine(choice.model, choice.name), settings, rate, cache,
                       _system_default, choice.fix)


@dataclass(frozen=True)
class VoiceRow:
    engine: str  # "piper", or the system's engine
    name: str
    languages: str
    english: bool
    default: bool


@dataclass(frozen=True)
class VoiceListing:
    """The voices that can speak here, and why the system's cannot, if it cannot."""

    rows: tuple[VoiceRow, ...]
    problem: str | None = None


def voice_listing() -> VoiceListing:
    """Every voice `--voice` accepts: installed Piper voices first, then the system's, as
    the engine that renders them lists them (espeak-ng's by id, the others' by name)."""
    piper_default = default_voice()
    rows = [VoiceRow("piper", v.name, v.language, v.english, v == piper_default)
            for v in installed_voices()]
    try:
        found = system.system_voices()
    except UserError as error:
        return VoiceListing(tuple(rows), str(error))
    rows += [VoiceRow(found.engine, v.id if found.engine == "espeak" else v.name,
                      ", ".join(v.languages), system.speaks_english(v),
                      piper_default is None and v.id == found.default)
             for v in found.voices]
    return VoiceListing(tuple(rows))
