"""One practice to one file: rendered, brought to loudness, encoded, tagged, renamed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.export.formats import TARGET_LOUDNESS, codec_for
from assistant.export.mastering import master
from assistant.export.render import RenderSettings, render
from assistant.export.tags import Tags, write_tags
from assistant.export.target import write_atomically
from assistant.script.model import Exercise
from assistant.speech.voice.rendering import Voice

ARTIST = "Couples session assistant"


@dataclass(frozen=True)
class Exported:
    path: Path
    seconds: float
    loudness: float  # LUFS, as decoded
    true_peak: float  # dBTP, as decoded
    size: int  # bytes


def export_file(exercise: Exercise, voice: Voice, path: Path, settings: RenderSettings,
                loudness: float = TARGET_LOUDNESS, title: str = "") -> Exported:
    """Write `exercise` to `path` as a couple would hear it with no microphone."""
    codec = codec_for(path)
    rendered = render(exercise, voice, settings)
    mastered = master(rendered.samples, rendered.rate, codec, loudness,
                      progress=settings.progress)
    names = settings.names
    tags = Tags(title=title or exercise.title, album=f"Practices for {names.a} and {names.b}",
                artist=ARTIST, comment=exercise.summary or exercise.invitation)
    write_atomically(path, mastered.data, lambda temporary: write_tags(
        temporary, codec, tags, rendered.chapters, rendered.seconds))
    return Exported(path, rendered.seconds, mastered.loudness, mastered.true_peak,
                    len(mastered.data))


def length_text(seconds: float) -> str:
    """"12 min 5 s": a file's length as a person reads it."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
