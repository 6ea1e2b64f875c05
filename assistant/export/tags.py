"""Title, album, artist, a comment, and chapters, written into the file with mutagen.

MP3 takes ID3v2.3 frames (CHAP for each chapter, one CTOC listing them in order),
which phones' podcast players read; Ogg and FLAC take Vorbis comments in the
CHAPTERxxx form. libsndfile's MP3 has no ID3 header yet, so one is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.flac import FLAC
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TIT2, TPE1, CTOCFlags, ID3NoHeaderError
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from assistant.export.chapters import Chapter
from assistant.export.formats import Codec

UNUSED_OFFSET = 0xFFFFFFFF  # a CHAP frame's byte offsets, when times are given instead


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    comment: str


def write_tags(path: Path, codec: Codec, tags: Tags, chapters: Sequence[Chapter],
               seconds: float) -> None:
    """Tag the file at `path`, which is whole and in `codec`'s format; a failure to write
    comes out as the OSError behind it (a full disk, say)."""
    try:
        if codec.chapters == "id3":
            _id3(path, tags, chapters, seconds)
        elif codec.chapters == "vorbis":
            _vorbis(path, codec, tags, chapters)
    except MutagenError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, OSError):
            raise cause from None
        raise


def _id3(path: Path, tags: Tags, chapters: Sequence[Chapter], seconds: float) -> None:
    try:
        frames = ID3(path)
    except ID3NoHeaderError:
        frames = ID3()
    frames.add(TIT2(encoding=3, text=tags.title))
    frames.add(TALB(encoding=3, text=tags.album))
    frames.add(TPE1(encoding=3, text=tags.artist))
    frames.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    ids = [f"chp{number}" for number in range(len(chapters))]
    frames.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                    child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
    ends = [chapter.start for chapter in chapters[1:]] + [seconds]
    for element, chapter, end in zip(ids, chapters, ends, strict=True):
        frames.add(CHAP(element_id=element, start_time=round(chapter.start * 1000),
                        end_time=round(end * 1000), start_offset=UNUSED_OFFSET,
                        end_offset=UNUSED_OFFSET,
                        sub_frames=[TIT2(encoding=3, text=chapter.name)]))
    frames.save(path, v2_version=3)


def _vorbis(path: Path, codec: Codec, tags: Tags, chapters: Sequence[Chapter]) -> None:
    kinds = {"OPUS": OggOpus, "VORBIS": OggVorbis, "PCM_16": FLAC}
    audio = kinds[codec.subtype](path)
    if audio.tags is None:
        audio.add_tags()
    audio["TITLE"], audio["ALBUM"] = tags.title, tags.album
    audio["ARTIST"], audio["COMMENT"] = tags.artist, tags.comment
    for number, chapter in enumerate(chapters, 1):
        audio[f"CHAPTER{number:03d}"] = timestamp(chapter.start)
        audio[f"CHAPTER{number:03d}NAME"] = chapter.name
    audio.save()


def timestamp(seconds: float) -> str:
    """HH:MM:SS.mmm, as the Vorbis chapter extension writes times."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis:03d}"
