"""A simulated room around the couple simulator's microphone.

A session without headphones hears itself: what the speaker plays comes back into
the microphone through the room, late and reverberant, over a fan's noise and the
mains' hum, and the two partners are rarely equally loud. A room here is that,
sample-exact on the session clock: the mixer's rendered output (its far end) is
convolved with a synthetic impulse response (exponentially decaying noise after a
direct path, reaching -60 dB at the reverberation time), delayed by what the
simulated sound card reports plus an unreported extra, brought to a level against
the partners' speech, and added to their speech with the room's noise.

Some rooms are harder: a phone's small speaker plays no bass (its echo is
high-passed), and an echo path can change mid-session when someone moves (a
second impulse response, delay and level, crossfaded in at a session time).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.fft
import scipy.signal

from assistant.audio.loudness import SPEECH_LOUDNESS
from assistant.audio.mixer import Samples

RATE = 16_000
SOFTER_DB = 10.0  # one partner speaks this much softer than the other
PARTNER_RMS = 0.1  # about the louder partner's speech level (espeak at 0.8 peak): -20 dBFS
VOICE_RMS = 10 ** (SPEECH_LOUDNESS / 20)  # the assistant's speech, brought to -23 LUFS
PART = 512  # samples: the convolution's shortest block; the echo can be no earlier than this
LONGEST_PART = 2048  # a later echo is worked out in longer blocks: fewer, cheaper per sample
NOISE_LOOP_SECONDS = 7.3  # noise is drawn once and looped, so a room costs little


@dataclass(frozen=True)
class Move:
    """Someone moves mid-session: from session time `at` on the echo takes another path
    (its own impulse response, delay and level), crossfaded in over `fade`."""

    at: float
    extra_delay: float  # the new unreported delay
    echo_db: float  # the new level, against the louder partner's speech
    fade: float = 0.05


@dataclass(frozen=True)
class Room:
    """A place where a session is held; levels in dB, times in seconds."""

    name: str
    rt60: float  # reverberation time: the echo's tail falls 60 dB in this long
    echo_db: float  # the assistant's echo against the louder partner's speech
    card_latency: float  # output plus input latency, as the sound card reports it
    extra_delay: float  # how much later the echo really arrives
    fan_db: float | None  # pink noise, dBFS RMS
    hum_db: float | None  # 50 Hz mains hum with two harmonics, dBFS RMS
    direct: float = 0.5  # share of the echo's energy in its direct path
    softer: str = "B"  # the partner who speaks SOFTER_DB softer
    highpass: float | None = None  # Hz: a small speaker plays nothing much below this
    move: Move | None = None


ROOMS = {
    # a laptop's own speakers, half a metre away in a soft room: loud, close, a fan
    "laptop-on-bed": Room("laptop-on-bed", rt60=0.3, echo_db=3.0, card_latency=0.04,
                          extra_delay=0.0, fan_db=-58.0, hum_db=None, direct=0.7),
    # a small speaker on a kitchen table between them: tiles and glass ring longer
    "kitchen-table": Room("kitchen-table", rt60=0.5, echo_db=-4.0, card_latency=0.04,
                          extra_delay=0.06, fan_db=-64.0, hum_db=-62.0, softer="A"),
    # a speaker across a bare living room: quieter, late, mostly reverberation
    "speaker-across-room": Room("speaker-across-room", rt60=0.8, echo_db=-12.0,
                                card_latency=0.06, extra_delay=0.15, fan_db=-62.0,
                                hum_db=-66.0, direct=0.25),
    # a Bluetooth speaker in the living room: as loud as a partner, its link's buffers
    # unreported; 40 s in, someone carries it to the shelf: the link catches up 50 ms
    # later and the echo comes 5 dB softer, by another path
    "bluetooth-living-room": Room("bluetooth-living-room", rt60=0.6, echo_db=0.0,
                                  card_latency=0.06, extra_delay=0.18, fan_db=-60.0,
                                  hum_db=-68.0, direct=0.4,
                                  move=Move(at=40.0, extra_delay=0.23, echo_db=-5.0)),
    # a phone on the nightstand between them: a tiny speaker, loud and thin, in a soft room
    "phone-on-nightstand": Room("phone-on-nightstand", rt60=0.3, echo_db=6.0,
                                card_latency=0.03, extra_delay=0.04, fan_db=-66.0,
                                hum_db=None, direct=0.6, highpass=300.0),
    # a speaker on a shelf, as loud as a partner and 100 ms later than the card says:
    # where half duplex's fixed guard after the assistant's own sound fell short
    "speaker-on-shelf": Room("speaker-on-shelf", rt60=0.6, echo_db=0.0, card_latency=0.04,
                             extra_delay=0.10, fan_db=-62.0, hum_db=-66.0, direct=0.4),
}


@functools.cache
def impulse_response(rt60: float, direct: float, rate: int = RATE, seed: int = 0) -> Samples:
    """A synthetic room impulse response with unit energy: a direct path, then a diffuse
    tail of decaying noise (-60 dB at `rt60`), starting 3 ms later."""
    rng = np.random.default_rng(seed)
    n = round(rt60 * rate)
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * np.exp(-3 * math.log(10) * t / rt60)
    tail[: round(0.003 * rate)] = 0.0
    tail *= math.sqrt((1 - direct) / float(np.sum(tail**2)))
    tail[0] = math.sqrt(direct)
    return tail.astype(np.float32)


@functools.cache
def _highpassed(rt60: float, direct: float, cutoff: float, rate: int, seed: int) -> Samples:
    """The impulse response through a small speaker (4th-order high-pass), unit energy."""
    ir = np.concatenate([impulse_response(rt60, direct, rate, seed),
                         np.zeros(round(0.02 * rate), dtype=np.float32)])  # its own ring
    sos = scipy.signal.butter(4, cutoff, "highpass", fs=rate, output="sos")
    thin = np.asarray(scipy.signal.sosfilt(sos, ir), dtype=np.float64)
    unit: Samples = (thin / math.sqrt(float(np.sum(thin**2)))).astype(np.float32)
    return unit


def echo_path(room: Room, moved: bool = False, rate: int = RATE,
              seed: int = 0) -> tuple[int, Samples]:
    """The echo's delay (samples, never under PART) and its impulse response at level,
    before the room's move or after it: what the microphone hears of a played sample."""
    extra, db = room.extra_delay, room.echo_db
    if moved:
        assert room.move is not None
        extra, db, seed = room.move.extra_delay, room.move.echo_db, seed + 1
    if room.highpass is None:
        ir = impulse_response(room.rt60, room.direct, rate, seed)
    else:
        ir = _highpassed(room.rt60, room.direct, room.highpass, rate, seed)
    gain = 10 ** (db / 20) * PARTNER_RMS / VOICE_RMS
    return max(PART, round((room.card_latency + extra) * rate)), ir * np.float32(gain)


def moved_share(room: Room, start: int, count: int, rate: int = RATE) -> Samples:
    """How much of the microphone's echo comes by the moved path, sample by sample."""
    if room.move is None:
        return np.zeros(count, dtype=np.float32)
    at, fade = room.move.at * rate, max(1.0, room.move.fade * rate)
    share: Samples = np.clip((np.arange(start, start + count) - at) / fade, 0.0,
                             1.0).astype(np.float32)
    return share


@functools.cache
def _noise_loop(kind: str, db: float, rate: int, seed: int) -> Samples:
    from assistant.testing.sounds import noise

    return noise(kind, NOISE_LOOP_SECONDS, 10 ** (db / 20), rate, seed)


class _Path:
    """One echo path: uniformly partitioned convolution, so a long impulse response
    costs a few short transforms a block, and silence nothing."""

    def __init__(self, delay: int, ir: Samples) -> None:
        self.delay = delay
        # a block's echo is due `delay` after it began, so blocks up to that long will do
        self.part = part = min(LONGEST_PART, 1 << (delay.bit_length() - 1))
        ir = np.concatenate([ir, np.zeros(-len(ir) % part, dtype=np.float32)])
        parts = scipy.fft.rfft(ir.reshape(-1, part), 2 * part)  # the IR's partitions (complex64)
        # the latest blocks' spectra in a ring (the newest at _newest); the partitions are
        # kept reversed and twice over, so the slice that lines up with the ring is a view
        self._history = np.zeros_like(parts)
        self._newest = 0
        self._facing = np.concatenate([parts[::-1], parts[::-1]])
        self._pair = np.zeros(2 * part, dtype=np.float32)  # the block before, and this one
        self._pending = np.zeros(0, dtype=np.float32)  # rendered, not yet a whole block
        self._blocks = self._quiet_blocks = 0

    def feed(self, origin: int, mono: Samples) -> list[tuple[int, Samples]]:
        """Rendered samples on (the first block began at `origin`): the echo they make,
        as (session sample, samples) to add to what the microphone hears."""
        self._pending = np.concatenate([self._pending, mono]) if len(self._pending) else mono
        rings = []
        while len(self._pending) >= self.part:
            at = origin + self._blocks * self.part + self.delay
            ring = self._convolve(self._pending[: self.part])
            if ring is not None:
                rings.append((at, ring))
            self._pending = self._pending[self.part :]
        return rings

    def _convolve(self, part: Samples) -> Samples | None:
        self._blocks += 1
        if part.any():
            self._quiet_blocks = 0
        elif self._quiet_blocks >= len(self._history):  # the tail has rung out
            if self._quiet_blocks == len(self._history):
                self._history[:] = 0
                self._pair[:] = 0
                self._quiet_blocks += 1
            return None
        else:
            self._quiet_blocks += 1
        count = len(self._history)
        self._newest = (self._newest + 1) % count
        pair, half = self._pair, self.part
        pair[:half] = pair[half:]
        pair[half:] = part
        self._history[self._newest] = scipy.fft.rfft(pair)
        # block newest - k meets partition k: ring slot j meets partition (newest - j) mod K
        facing = self._facing[count - 1 - self._newest : 2 * count - 1 - self._newest]
        ring: Samples = scipy.fft.irfft(np.einsum("kf,kf->f", self._history, facing))
        return ring[self.part :]


class RoomSound:
    """One session's room: told what the speaker played, it says what the microphone
    hears, given what the couple said (their speech already at its level)."""

    def __init__(self, room: Room, rate: int = RATE, seed: int = 0) -> None:
        self.room, self.rate = room, rate
        self._paths = [_Path(*echo_path(room, False, rate, seed))]
        if room.move is not None:
            self._paths.append(_Path(*echo_path(room, True, rate, seed)))
        self.delay = self._paths[0].delay
        self._echo = np.zeros(0, dtype=np.float32)  # the echo from sample _base on
        self._base = 0
        self._origin: int | None = None  # the session sample of the first block
        self._noise = np.zeros(round(NOISE_LOOP_SECONDS * rate), dtype=np.float32)
        if room.fan_db is not None:
            self._noise += _noise_loop("pink", room.fan_db, rate, seed)
        if room.hum_db is not None:
            self._noise += _noise_loop("hum", room.hum_db, rate, seed)

    @property
    def reported_latency(self) -> int:
        """What the simulated sound card reports: output plus input, in samples."""
        return round(self.room.card_latency * self.rate)

    def levels(self) -> dict[str, float]:
        """Each partner's gain: one of them SOFTER_DB softer."""
        soft = float(10 ** (-SOFTER_DB / 20))
        return {"A": soft if self.room.softer == "A" else 1.0,
                "B": soft if self.room.softer == "B" else 1.0}

    def played(self, start: int, block: Samples) -> None:
        """The mixer rendered `block` from session sample `start` (mono or stereo)."""
        mono = (block if block.ndim == 1 else block.mean(axis=1)).astype(np.float32, copy=False)
        if self._origin is None:
            self._origin = start
        for moved, path in enumerate(self._paths):
            for at, ring in path.feed(self._origin, mono):
                if self.room.move is not None:  # each path at its share of the crossfade
                    share = moved_share(self.room, at, len(ring), self.rate)
                    ring = ring * (share if moved else 1 - share)
                self._add(at, ring)

    def _add(self, at: int, ring: Samples) -> None:
        if at < self._base:  # already heard: only what is still to come can be added
            ring, at = ring[self._base - at :], self._base
        need = at - self._base + len(ring)
        if need > len(self._echo):
            self._echo = np.concatenate([self._echo, np.zeros(need - len(self._echo),
                                                               dtype=np.float32)])
        self._echo[at - self._base : at - self._base + len(ring)] += ring

    def hear(self, start: int, speech: Samples) -> Samples:
        """What the microphone picks up from session sample `start`: the couple's
        `speech`, the echo of what was played, and the room's noise."""
        out = speech.astype(np.float32, copy=True)
        end = start + len(out)
        if self._base < end:
            lo = max(start, self._base)
            part = self._echo[lo - self._base : end - self._base]
            out[lo - start : lo - start + len(part)] += part
            self._echo = self._echo[max(0, end - self._base) :]
            self._base = end
        out += _looped(self._noise, start, len(out))
        return out


def _looped(loop: Samples, start: int, count: int) -> Samples:
    """`count` samples of an endless repeat of `loop`, from sample `start` of it on."""
    at = start % len(loop)
    if at + count <= len(loop):
        return loop[at : at + count]
    return np.resize(np.roll(loop, -at), count)  # once a loop: np.resize repeats it
