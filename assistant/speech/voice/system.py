"""The system's own voice, through pyttsx3's driver for the platform: the voice that is there
when no Piper voice is installed. espeak-ng on Linux, the macOS voices (NSSpeechSynthesizer,
driver `nsss`) on a Mac, SAPI5's voices on Windows.

Every rendering runs in a short-lived child process that owns its engine alone
(`system_child.py`). espeak-ng keeps state between utterances inside a process (its
voice settings, and wave-generator state that changes how the next utterance
sounds), and pyttsx3 shares one espeak-ng between every engine of a process: alone
in a child, the rate and voice asked for are the ones used, and the same text, voice
and rate always give the same samples. The macOS and Windows engines write a file
inside a native run loop (AppKit's, COM's), which in a child of its own blocks
nothing of the session's. A prompt costs a child (about 0.15 s with espeak-ng), and
it is rendered once, then cached.

The macOS and Windows voices are listed in a child too: their native objects belong
to the thread that made them, and a listing may be wanted on the speech worker (when
a damaged Piper voice gives way). espeak-ng is listed here, quickly and with no loop.

pyttsx3's newer macOS driver, `avspeech`, only speaks to the sound card (it cannot
write a file), so the Mac's voice comes through `nsss`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import soundfile

from assistant.audio.mixer import Samples
from assistant.audio.wavfile import resample, to_mono
from assistant.base.errors import UserError
from assistant.base.scratch import scratch_folder
from assistant.system.install import install_hint

CHILD = "assistant.speech.voice.system_child"
CHILD_TIMEOUT_SECONDS = 60.0
ATTEMPTS = 3  # a child that fails without saying why is tried again
CANNOT_START, NO_SUCH_VOICE = 3, 2  # the child's exit statuses (see system_child.py)
ENGINES = {"darwin": "nsss", "win32": "sapi5"}  # pyttsx3's drivers; espeak elsewhere
LABELS = {"espeak": "espeak-ng", "nsss": "the macOS voice", "sapi5": "the Windows voice"}
PIPER = "or add a Piper voice with 'assistant voices download'"


def platform_engine(platform: str | None = None) -> str:
    """The pyttsx3 driver that speaks on this platform."""
    return ENGINES.get(platform or sys.platform, "espeak")


def label(engine: str) -> str:
    return LABELS.get(engine, engine)


def remedy(engine: str) -> str:
    """What brings this engine back, in this platform's own terms."""
    if engine == "nsss":
        return ("macOS's own voices need nothing installed: choose or repair one in System "
                f"Settings > Accessibility > Spoken Content, {PIPER}")
    if engine == "sapi5":
        return ("Windows's own voices need nothing installed: add or repair one in Settings > "
                f"Time & language > Speech, {PIPER}")
    hint = install_hint(apt="espeak-ng", brew="espeak-ng", winget=None)
    return f"install espeak-ng ({hint}) {PIPER}"


def last_line(message: str) -> str:
    """The line of a child's report that says why (a traceback's last), cut short."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no reason given"


def unavailable(engine: str, reason: str) -> UserError:
    return UserError(f"Speech synthesis with {label(engine)} is not available "
                     f"({last_line(reason)}); {remedy(engine)}.")


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class SystemVoices:
    """One engine's voices, and the one it speaks with when none is chosen."""

    engine: str
    default: str
    voices: tuple[VoiceInfo, ...]


def _child(engine: str, args: list[str], text: str = "") -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([sys.executable, "-m", CHILD, *args], input=text.encode(),
                              capture_output=True, timeout=CHILD_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise unavailable(engine, f"no answer within {CHILD_TIMEOUT_SECONDS:.0f} s") from None


def _listed_here(engine: str) -> SystemVoices:
    try:
        import pyttsx3

        tts: Any = pyttsx3.init(engine)
    except (OSError, RuntimeError, ImportError) as error:
        raise unavailable(engine, str(error)) from None
    voices = tuple(VoiceInfo(str(v.id), str(v.name), tuple(str(x) for x in (v.languages or ())))
                   for v in tts.getProperty("voices"))
    return SystemVoices(engine, str(tts.getProperty("voice") or "gmw/en"), voices)


def _listed_in_child(engine: str) -> SystemVoices:
    done = _child(engine, ["list", engine])
    if done.returncode != 0:
        raise unavailable(engine, done.stderr.decode(errors="replace")
                          or f"exit status {done.returncode}")
    found = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return SystemVoices(engine, found["default"], tuple(
        VoiceInfo(id, name, tuple(languages)) for id, name, languages in found["voices"]))


def system_voices(engine: str | None = None) -> SystemVoices:
    """The voices of this platform's engine (or of `engine`); nothing is synthesised."""
    engine = engine or platform_engine()
    return _listed_here(engine) if engine == "espeak" else _listed_in_child(engine)


def list_voices(engine: str | None = None) -> list[VoiceInfo]:
    return list(system_voices(engine).voices)


def default_voice_id(engine: str | None = None) -> str:
    """The voice the system speaks with when none is chosen."""
    return system_voices(engine).default


def find_voice(wanted: str, voices: list[VoiceInfo] | None = None) -> VoiceInfo | None:
    """The voice with this id or name (any case), or whose id ends in it: `de` for espeak-ng's
    `gmw/de`, `Samantha` for macOS's `com.apple.voice.compact.en-US.Samantha`."""
    for voice in voices if voices is not None else list_voices():
        if wanted == voice.id or wanted.casefold() == voice.name.casefold() or \
                voice.id.endswith((f"/{wanted}", f".{wanted}", f"\\{wanted}")):
            return voice
    return None


def speaks_english(voice: VoiceInfo) -> bool:
    return any(lang.lower().startswith("en") for lang in voice.languages) or \
        voice.id.split("/")[-1].startswith("en")


class SystemEngine:
    """Renders text with one of the system's voices; each call is independent of the ones
    before. Voice ids belong to one engine, so the engine is part of every cache key."""

    def __init__(self, voice_id: str, engine: str | None = None) -> None:
        self.voice_id = voice_id
        self.engine = engine or platform_engine()

    @property
    def identity(self) -> str:
        return self.voice_id

    def load(self) -> None:
        """Nothing to load: each rendering starts its own engine."""

    def synthesize(self, text: str, words_per_minute: int, rate: int) -> Samples:
        suffix = ".aiff" if self.engine == "nsss" else ".wav"  # NSSpeechSynthesizer writes AIFF
        why = ""
        with scratch_folder("assistant-voice") as folder:
            path = folder / f"speech{suffix}"
            for _attempt in range(ATTEMPTS):
                path.unlink(missing_ok=True)  # what a failed try left is not this one's
                done = _child(self.engine, ["render", self.engine, self.voice_id,
                                            str(words_per_minute), str(path)], text)
                why = done.stderr.decode(errors="replace") or f"exit status {done.returncode}"
                if done.returncode == 0 and path.is_file():
                    return self._read(str(path), rate)
                if done.returncode == CANNOT_START:
                    raise unavailable(self.engine, why)
                if done.returncode == NO_SUCH_VOICE:
                    raise UserError(f"There is no voice '{self.voice_id}' for "
                                    f"{label(self.engine)}; list the voices with "
                                    "'assistant voices'.")
        raise unavailable(self.engine, f"it gave no sound: {last_line(why)}")

    def _read(self, path: str, rate: int) -> Samples:
        try:
            data, file_rate = soundfile.read(path, dtype="float32", always_2d=True)
        except (RuntimeError, OSError) as error:  # soundfile's own errors are RuntimeErrors
            raise unavailable(self.engine, f"its sound file cannot be read: {error}") from None
        return resample(to_mono(data), file_rate, rate)
