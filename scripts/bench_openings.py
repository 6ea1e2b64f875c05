"""How long the openings are: a first visit's whole invitation against a later visit's
short reminder, spoken by espeak-ng at the default rate, title included.

    .venv/bin/python scripts/bench_openings.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = 16_000


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from assistant.script.library import load_library
    from assistant.script.wordings import REMINDERS, Visit, for_visit
    from assistant.speech.voice.rendering import SystemVoice, VoiceSettings

    voice = SystemVoice(VoiceSettings(), RATE, Path(tempfile.mkdtemp()) / "voice")

    def seconds(text: str) -> float:
        return len(voice.render(text)) / RATE

    library = load_library()
    first = [seconds(f"{e.title}. {for_visit(e, Visit()).invitation}") for e in library]
    repeat = [seconds(f"{e.title}. {for_visit(e, Visit(n, n)).invitation}")
              for e in library for n in range(1, len(REMINDERS) + 1)]
    alone = [seconds(reminder) for reminder in REMINDERS]
    print("| opening | mean | shortest | longest |")
    print("|---|---:|---:|---:|")
    for name, values in (("first visit: title, invitation, stop and continue", first),
                         ("later visits: title and reminder", repeat),
                         ("the reminder alone", alone)):
        print(f"| {name} | {statistics.mean(values):.1f} s | {min(values):.1f} s | "
              f"{max(values):.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
