"""List the voices of one pyttsx3 engine, or render one utterance with it, alone in this process.

Usage, with ENGINE one of pyttsx3's drivers (espeak, nsss, sapi5):
  python -m assistant.speech.voice.system_child list ENGINE
      prints {"default": ID, "voices": [[ID, NAME, [LANGUAGE, ...]], ...]} as JSON
  python -m assistant.speech.voice.system_child render ENGINE VOICE_ID WORDS_PER_MINUTE OUT
      with the text on standard input; OUT is written as WAV (as AIFF by nsss)
Exit status 3: the engine cannot be started (why, on standard error); 2: it has no such voice;
4: it wrote no sound.

espeak-ng is driven through pyttsx3's binding of its library, in synchronous
mode. pyttsx3's own engine starts it asynchronously, where settings are applied
on espeak-ng's thread: under load its starting rate (200) now and then landed
after ours, and about one fresh render in 40 came out too fast. In synchronous
mode the voice, the rate and the utterance are applied in order on this thread.

The macOS and Windows engines write the file themselves (`save_to_file`) in
pyttsx3's run loop (`runAndWait`), which may take as long as it likes here: the
session waits for this process on its speech worker, never in its own loops.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import wave
from typing import Any


class CannotStart(Exception):
    """The engine's library or driver is missing or does not start."""


def _pyttsx3(engine: str) -> Any:
    try:
        import pyttsx3

        return pyttsx3.init(engine)
    except Exception as error:  # a driver raises what its platform's API raises (COM, AppKit)
        raise CannotStart(str(error) or type(error).__name__) from None


def list_voices(engine: str) -> int:
    tts = _pyttsx3(engine)
    voices = [[str(v.id), str(v.name), [str(lang) for lang in (v.languages or ())]]
              for v in tts.getProperty("voices")]
    print(json.dumps({"default": str(tts.getProperty("voice") or ""), "voices": voices}))
    return 0


def render_espeak(voice_id: str, words_per_minute: int, text: str, out: str) -> int:
    try:
        from pyttsx3.drivers import _espeak
    except (OSError, RuntimeError, ImportError) as error:  # RuntimeError: no library found
        raise CannotStart(str(error)) from None
    rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
    if rate <= 0:
        raise CannotStart("espeak-ng could not be started")
    chunks: list[bytes] = []

    def collect(wav: Any, count: int, events: Any) -> int:
        if count > 0:
            chunks.append(ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short)))
        return 0

    _espeak.SetSynthCallback(collect)  # the binding wraps it and keeps it alive
    if _espeak.SetVoiceByName(voice_id.encode()) != 0:  # first: a voice resets the rate
        print(f"espeak-ng has no voice {voice_id}", file=sys.stderr)
        return 2
    _espeak.SetParameter(_espeak.RATE, words_per_minute, 0)
    _espeak.Synth(text.encode(), flags=_espeak.ENDPAUSE | _espeak.CHARS_UTF8)
    with wave.open(out, "wb") as file:  # the standard library: this process starts fast
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(b"".join(chunks))
    return 0


def render_to_file(engine: str, voice_id: str, words_per_minute: int, text: str,
                   out: str) -> int:
    """The engine's own file output; its errors come as pyttsx3 'error' notices, not raised."""
    tts = _pyttsx3(engine)
    if voice_id not in {str(v.id) for v in tts.getProperty("voices")}:
        print(f"{engine} has no voice {voice_id}", file=sys.stderr)
        return 2
    failures: list[str] = []
    tts.connect("error", lambda **notice: failures.append(str(notice.get("exception"))))
    tts.setProperty("voice", voice_id)
    tts.setProperty("rate", words_per_minute)
    tts.save_to_file(text, out)
    tts.runAndWait()
    if failures:
        raise CannotStart(failures[0])
    if not os.path.isfile(out) or os.path.getsize(out) == 0:
        print(f"{engine} wrote no sound", file=sys.stderr)
        return 4
    return 0


def main(argv: list[str]) -> int:
    command, engine = argv[0], argv[1]
    try:
        if command == "list":
            return list_voices(engine)
        voice_id, words_per_minute, out = argv[2], int(argv[3]), argv[4]
        text = sys.stdin.buffer.read().decode()
        if engine == "espeak":
            return render_espeak(voice_id, words_per_minute, text, out)
        return render_to_file(engine, voice_id, words_per_minute, text, out)
    except CannotStart as error:
        print(error, file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
