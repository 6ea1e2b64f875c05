"""Load a Vosk model and decode a second of silence: run in a child process.

A damaged model file (a graph cut short, say) can crash Vosk's native code
outright rather than raise, taking the whole process with it. Trying the model
in a throwaway process first turns such a crash into a plain "damaged" report.

Run: python -m assistant.speech.commands.probe MODEL_FOLDER  (exit 0 when the model works)
"""

from __future__ import annotations

import sys

RATE = 16_000


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m assistant.speech.commands.probe MODEL_FOLDER", file=sys.stderr)
        return 2
    import vosk

    vosk.SetLogLevel(-1)
    try:
        model = vosk.Model(argv[0])
        recognizer = vosk.KaldiRecognizer(model, RATE)
        recognizer.AcceptWaveform(bytes(2 * RATE))  # one second of 16-bit silence
        recognizer.FinalResult()
    except Exception as error:  # vosk raises a bare Exception for a model it cannot read
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
