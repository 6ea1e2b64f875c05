"""One practice to one file: rendered, brought to loudness, encoded, tagged, renamed.

The rendered samples wait in a private file beside the target, and the file is
encoded under a temporary name there too, so memory stays the same for ten
minutes or four hours, a full disk is found where the file goes, and every
ending (done, failed, stopped by a signal) leaves the target whole or untouched
and no temporary file behind; what a run killed outright leaves, the next one beside
it sweeps a day later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.audio.io import SESSION_RATE
from assistant.audio.sidefiles import SPOOL
from assistant.export.formats import TARGET_LOUDNESS, codec_for
from assistant.export.mastering import master
from assistant.export.render import RenderSettings, render
from assistant.export.spool import Spool
from assistant.export.tags import Tags, write_tags
from assistant.export.target import beside, publish, told_if_unwritten
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
    names = settings.names
    tags = Tags(title=title or exercise.title, album=f"Practices for {names.a} and {names.b}",
                artist=ARTIST, comment=exercise.summary or exercise.invitation)
    with told_if_unwritten(path), beside(path, SPOOL) as (_, raw), \
            beside(path) as (temporary, out):
        spool = Spool(raw, SESSION_RATE, settings.channels)
        rendered = render(exercise, voice, settings, spool.write)
        mastered = master(spool, codec, out, temporary, loudness, progress=settings.progress)
        raw.truncate(0)  # the rendered samples are no longer needed: room for the tags
        write_tags(temporary, codec, tags, rendered.chapters, rendered.seconds)
        size = temporary.stat().st_size
        publish(out, temporary, path)
    return Exported(path, rendered.seconds, mastered.loudness, mastered.true_peak, size)


def length_text(seconds: float) -> str:
    """"12 min 5 s": a file's length as a person reads it."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
