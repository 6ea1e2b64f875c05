"""The file formats an export writes, chosen by suffix, each with libsndfile's own encoder.

Opus is the one to recommend: speech at about 30 kbit/s a channel, well under
3 MB for ten minutes of stereo. Everything is written a second at a time:
libsndfile's Vorbis encoder crashes on one long write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import soundfile
from tqdm import tqdm

from assistant.base.errors import UserError

BLOCK_SECONDS = 1.0
TARGET_LOUDNESS = -16.0  # LUFS: what podcasts and spoken word aim at for phones
PEAK_LIMIT = -1.0  # dBTP, as a player decodes the file


@dataclass(frozen=True)
class Codec:
    suffix: str
    format: str
    subtype: str
    # encoder settings by channel count (0: any); see `settings`
    options: dict[int, dict[str, Any]] = field(default_factory=dict)
    lossy: bool = True
    chapters: str = "vorbis"  # how chapters are tagged: vorbis comments, id3, or none
    headroom: float = 1.0  # dB below the peak limit to limit at first: the decoder's overshoot

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
    ".flac": Codec(".flac", "FLAC", "PCM_16", lossy=False, headroom=0.3),
    ".wav": Codec(".wav", "WAV", "PCM_16", lossy=False, chapters="none", headroom=0.3),
}
KNOWN = ", ".join(CODECS)


def codec_for(path: Path) -> Codec:
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise UserError(f"{path.name} has no suffix an export can write; use one of {KNOWN} "
                        "(.opus is the smallest for a phone).")
    return codec


def encode(samples: npt.NDArray[np.float32], rate: int, codec: Codec,
           file: str | IO[bytes], progress: bool = False) -> None:
    """Write (frames, channels) samples in `codec` to a path or an open binary file, with
    a bar (on a terminal) when asked."""
    channels = samples.shape[1]
    block = round(BLOCK_SECONDS * rate)
    clean = np.nan_to_num(samples, nan=0.0, posinf=0.0, neginf=0.0)  # NaN stops LAME dead
    with soundfile.SoundFile(file, "w", rate, channels, codec.subtype, format=codec.format,
                             **codec.settings(channels)) as out:
        for start in tqdm(range(0, len(clean), block), desc=f"Encoding {codec.suffix}",
                          unit="s", leave=False, disable=None if progress else True):
            out.write(clean[start:start + block])
