"""The sound file formats the assistant writes, chosen by a file's suffix, each with
libsndfile's own encoder: an export and a session's out-file take the same ones.

Opus is the one to recommend for a phone: speech at about 30 kbit/s a channel,
well under 3 MB for ten minutes of stereo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Codec:
    suffix: str
    format: str
    subtype: str
    # encoder settings by channel count (0: any); see `settings`
    options: dict[int, dict[str, Any]] = field(default_factory=dict)
    lossy: bool = True
    chapters: str = "vorbis"  # how chapters are tagged: vorbis comments, id3, or none
    headroom: float = 1.0  # dB under the peak limit to limit at first: peaks between samples
    # and, for a lossy codec, what its decoder adds

    def settings(self, channels: int) -> dict[str, Any]:
        chosen = self.options.get(channels, self.options.get(0, {}))
        return dict(chosen)


# Opus: a higher compression level is a lower bitrate; stereo at 0.94 is about 35 kbit/s.
CODECS = {
    ".opus": Codec(".opus", "OGG", "OPUS", {1: {"compression_level": 0.88},
                                            2: {"compression_level": 0.94}}, headroom=2.0),
    ".ogg": Codec(".ogg", "OGG", "VORBIS", {0: {"compression_level": 0.6}}),
    ".mp3": Codec(".mp3", "MP3", "MPEG_LAYER_III",
                  {0: {"compression_level": 0.6, "bitrate_mode": "VARIABLE"}}, chapters="id3"),
    ".flac": Codec(".flac", "FLAC", "PCM_16", lossy=False, headroom=0.6),
    ".wav": Codec(".wav", "WAV", "PCM_16", lossy=False, chapters="none", headroom=0.6),
}
KNOWN = ", ".join(CODECS)


def codec_for(path: Path) -> Codec | None:
    """The format `path`'s suffix names, if it is one of these."""
    return CODECS.get(path.suffix.lower())
