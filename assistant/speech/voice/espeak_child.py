"""Render one utterance with espeak-ng, alone in this process.

Usage: python -m assistant.speech.voice.espeak_child VOICE_ID WORDS_PER_MINUTE OUT.wav,
with the text on standard input. Exit status 3: espeak-ng is not available.

espeak-ng is driven through pyttsx3's binding of its library, in synchronous
mode. pyttsx3's own engine starts it asynchronously, where settings are applied
on espeak-ng's thread: under load its starting rate (200) now and then landed
after ours, and about one fresh render in 40 came out too fast. In synchronous
mode the voice, the rate and the utterance are applied in order on this thread.
"""

from __future__ import annotations

import ctypes
import sys
import wave
from typing import Any


def main(argv: list[str]) -> int:
    voice_id, words_per_minute, out = argv[0], int(argv[1]), argv[2]
    text = sys.stdin.buffer.read().decode()
    try:
        from pyttsx3.drivers import _espeak
    except (OSError, ImportError) as error:
        print(error, file=sys.stderr)
        return 3
    rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
    if rate <= 0:
        print("espeak-ng could not be started", file=sys.stderr)
        return 3
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
