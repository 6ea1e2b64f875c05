"""What an export writes: the formats a file's suffix can name (the same a session's
out-file takes, `audio/codecs.py`), and the loudness a phone on the move needs."""

from __future__ import annotations

from pathlib import Path

from assistant.audio import codecs
from assistant.audio.codecs import CODECS, KNOWN, Codec
from assistant.base.errors import UserError

__all__ = ["CODECS", "KNOWN", "PEAK_LIMIT", "TARGET_LOUDNESS", "Codec", "codec_for"]

TARGET_LOUDNESS = -16.0  # LUFS: what podcasts and spoken word aim at for phones
PEAK_LIMIT = -1.0  # dBTP, as a player decodes the file


def codec_for(path: Path) -> Codec:
    codec = codecs.codec_for(path)
    if codec is None:
        raise UserError(f"{path.name} has no suffix an export can write; use one of {KNOWN} "
                        "(.opus is the smallest for a phone).")
    return codec
