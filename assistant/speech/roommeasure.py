"""The room measured from one stretch of the assistant's own sound.

Given what was played (the far end) and what the microphone heard over the same
session samples, the echo path's impulse response is estimated by regularised
deconvolution (the cross-spectrum over the far end's power), so a partner speaking
over it, or the room's noise, only adds noise to the estimate and never moves it.
From that response:

- the delay is where it peaks (the direct path), on the session clock: what the
  card reports and what it does not;
- the level is the echo's energy (the far end through the estimated path, its noise
  shrunk away) against the far end's, in dB;
- the ring is how long the echo lasts once the sound stops: after the direct path
  arrives, the time for the echo of the stretch's loud part (the 90th percentile of
  its 20 ms frames' power) to fall to the room's noise floor, or by 60 dB, whichever
  comes first. After a steady sound stops its echo falls along the response's
  Schroeder curve (the energy still to come), so the ring is where the loud part's
  level plus that curve meets the floor. The curve comes from a line fitted to the
  response's energy envelope (in dB) from its direct path down to near the estimate's
  own noise, extrapolated past it.

The acausal half of the deconvolution (lags before anything played could be heard)
holds noise alone: its level is the estimate's noise, and the direct path's height
over it counts towards the measurement's confidence. A partner speaking over the
assistant shows as frames the estimated echo leaves well above the noise: those
are set aside and the path estimated again from the rest (the delay and level hold
well; the ring less so), and the confidence falls with the square of their share,
so a stretch talked over much is not kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft

from assistant.audio.mixer import Samples

RATE = 16_000
FRAME_SECONDS = 0.02  # levels are measured in frames this long
BIN_SECONDS = 0.005  # the response's envelope is smoothed over this long
SMOOTH_BINS = 4  # and where it meets the estimate's noise found over this many bins
TALK_OVER_NOISE = 4.0  # a frame is a partner's when what is left over the echo is this
WIDEN = 3  # frames either side of them too: a voice's soft start and end
TALK_OVER_ECHO = 0.5  # much more power than the room's noise, and than the echo


@dataclass(frozen=True)
class ProbeSettings:
    """How the room is measured; times in seconds, levels in dB."""

    max_delay: float = 0.6  # the echo's direct path arrives within this
    window: float = 1.6  # of response looked at after a played sample (delay and ring)
    regularise: float = 0.001  # against the far end's mean power: quiet bands count little
    sound_db: float = -50.0  # dBFS: a far-end frame louder than this is sound
    least_sound: float = 1.0  # a stretch with less played sound than this is not measured
    least_peak_db: float = 25.0  # the direct path over the estimate's noise, at confidence 0
    full_peak_db: float = 45.0  # ... and at confidence 1
    least_fall_db: float = 10.0  # of decay seen before a ring is fitted
    loud_percentile: float = 90.0  # the echo's level the ring falls from


@dataclass(frozen=True)
class RoomMeasure:
    """The echo path as measured: delay and ring in seconds, the echo's level against
    what was played in dB, and a confidence from 0 to 1."""

    delay_s: float
    ring_s: float
    echo_db: float
    confidence: float

    def guard_s(self, low: float = 0.2, high: float = 1.5) -> float:
        """How long after its own sound stops the microphone still hears it."""
        return min(high, max(low, self.delay_s + self.ring_s))

    def to_event(self) -> dict[str, float]:
        """The fields of a `room` event."""
        return {"delay": round(self.delay_s, 3), "ring": round(self.ring_s, 3),
                "echo_db": round(self.echo_db, 1), "confidence": round(self.confidence, 2),
                "guard": round(self.guard_s(), 3)}


def db(power: float) -> float:
    return 10 * math.log10(max(power, 1e-12))


def frame_powers(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """The mean power of each whole 20 ms frame."""
    size = round(FRAME_SECONDS * rate)
    whole = len(samples) // size * size
    frames = samples[:whole].astype(np.float64).reshape(-1, size)
    powers: np.ndarray = np.mean(frames**2, axis=1)
    return powers


def ring_seconds(loud_db: float, noise_db: float, start_db: float, slope: float) -> float:
    """When an echo `loud_db` loud, whose Schroeder curve is `start_db` just after its
    direct path and falls `slope` dB a second, has reached `noise_db` or fallen 60 dB."""
    to_floor = (loud_db + start_db - noise_db) / slope
    return max(0.0, min(to_floor, (60.0 + start_db) / slope))


def measure(played: Samples, heard: Samples, noise_db: float, rate: int = RATE,
            settings: ProbeSettings | None = None) -> RoomMeasure | None:
    """The room from one stretch: `played` and `heard` start at the same session sample
    and are as long; `heard` should run `settings.window` past the last played sound.
    None if too little was played, or the echo cannot be told from the rest."""
    s = settings or ProbeSettings()
    x, y = played.astype(np.float64), heard.astype(np.float64)
    sounding = frame_powers(played, rate) > 10 ** (s.sound_db / 10)
    if np.count_nonzero(sounding) * FRAME_SECONDS < s.least_sound:
        return None
    path = _Path(x, s, rate)
    first = path.estimate(y)
    peak_db = db(float(first.causal[first.delay] ** 2) / max(first.noise, 1e-30))
    talk = _other_speech(y - first.echo, first.echo, noise_db, rate)
    clean = 1.0 - float(np.mean(talk[sounding[: len(talk)]])) if len(talk) else 1.0
    confidence = clean**2 * min(1.0, max(0.0, (peak_db - s.least_peak_db)
                                         / (s.full_peak_db - s.least_peak_db)))
    if confidence <= 0.0:
        return None
    found = first
    if talk.any():
        # where a partner spoke the microphone is not listened to: the echo is measured
        # from the rest, its level made up for the played sound whose echo fell there
        frame = round(FRAME_SECONDS * rate)
        listened = np.ones(len(y))
        listened[: len(talk) * frame] = 1.0 - np.repeat(talk, frame)
        landed = np.concatenate([listened[first.delay :], np.ones(first.delay)])
        found = path.estimate(y * listened, max(0.05, float(np.sum(landed * x**2)
                                                             / np.sum(x**2))))
    echo_db = db(float(np.sum(found.echo**2))) - db(float(np.sum(x**2)))
    fitted = _decay(found, rate, s.least_fall_db)
    if fitted is None:
        return None
    start_db, slope = fitted
    loud_db = db(float(np.percentile(frame_powers(found.echo, rate), s.loud_percentile)))
    ring = ring_seconds(loud_db, noise_db, start_db, slope)
    return RoomMeasure(found.delay / rate, ring, echo_db, confidence)


@dataclass(frozen=True)
class _Estimate:
    causal: np.ndarray  # the response over the window, as estimated
    noise: float  # the estimate's noise power a sample (from its acausal half)
    delay: int  # samples: where it peaks
    path: np.ndarray  # the response with its noise shrunk away
    echo: np.ndarray  # the far end through `path`: what the microphone heard of it


class _Path:
    """Estimates of the echo path from one stretch's far end, by regularised
    deconvolution."""

    def __init__(self, far: np.ndarray, settings: ProbeSettings, rate: int) -> None:
        self.rate, self.length = rate, len(far)
        self.size = scipy.fft.next_fast_len(2 * len(far), real=True)
        self.far = scipy.fft.rfft(far, self.size)
        power = np.abs(self.far) ** 2
        self.inverse = np.conj(self.far) / (power + settings.regularise * np.mean(power))
        self.window = round(settings.window * rate)
        self.most = round(settings.max_delay * rate)

    def estimate(self, heard: np.ndarray, scale: float = 1.0) -> _Estimate:
        size, window = self.size, self.window
        response = scipy.fft.irfft(self.inverse * scipy.fft.rfft(heard, size), size) / scale
        causal = response[:window]
        noise = float(np.mean(response[size - window : size - round(0.005 * self.rate)] ** 2))
        delay = int(np.argmax(np.abs(causal[: self.most])))
        path = _shrunk(causal, noise, delay, self.rate)
        echo = scipy.fft.irfft(scipy.fft.rfft(path, size) * self.far, size)[: self.length]
        return _Estimate(causal, noise, delay, path, echo)


def _other_speech(residual: np.ndarray, echo: np.ndarray, noise_db: float,
                  rate: int) -> np.ndarray:
    """The 20 ms frames where the microphone holds much more than the echo and the
    room's noise (a partner speaking), and the frames either side."""
    left, expected = frame_powers(residual, rate), frame_powers(echo, rate)
    talk = (left > TALK_OVER_NOISE * 10 ** (noise_db / 10)) & (left > TALK_OVER_ECHO * expected)
    for _ in range(WIDEN):
        talk[1:] |= talk[:-1].copy()
        talk[:-1] |= talk[1:].copy()
    return talk


def _bins(samples: np.ndarray, rate: int) -> np.ndarray:
    size = round(BIN_SECONDS * rate)
    whole = len(samples) // size * size
    means: np.ndarray = np.mean(samples[:whole].reshape(-1, size), axis=1)
    return means


def _shrunk(causal: np.ndarray, noise: float, delay: int, rate: int) -> np.ndarray:
    """The response with its noise shrunk away (a Wiener gain on its smoothed energy),
    and nothing before the direct path's arrival."""
    size = round(BIN_SECONDS * rate)
    energy = np.convolve(causal**2, np.ones(size) / size, mode="same")
    gain = np.clip(1.0 - noise / np.maximum(energy, 1e-30), 0.0, 1.0)
    path = causal * gain
    path[: max(0, delay - round(0.002 * rate))] = 0.0
    shrunk: np.ndarray = path
    return shrunk


def _decay(found: _Estimate, rate: int, least_fall: float) -> tuple[float, float] | None:
    """The response's Schroeder curve from its direct path on, as (its level in dB just
    after the direct path, against the whole path's energy; its fall in dB a second),
    from a line fitted to the energy envelope (the estimate's noise taken off) down to
    where it meets that noise."""
    noise, total = found.noise, float(np.sum(found.path**2))
    bins = _bins(found.causal[found.delay :] ** 2, rate)  # bins[0] holds the direct path
    smooth = np.convolve(bins, np.ones(SMOOTH_BINS) / SMOOTH_BINS, mode="same")
    above = smooth[1:] > 2.0 * noise
    end = int(np.argmin(above)) if not above.all() else len(above)  # where noise is as loud
    if total <= 0.0 or end < 3:
        return None
    levels = 10 * np.log10(np.maximum(bins[1 : end + 1] - noise, noise * 0.1))
    times = (np.arange(1, end + 1) + 0.5) * BIN_SECONDS
    slope, intercept = np.polyfit(times, levels, 1)
    if slope >= 0.0 or -slope * times[-1] < least_fall:
        return None
    fall = float(-slope)
    # the energy still to come after time t of an envelope of 10^((a - f t)/10) a sample:
    # rate 10^((a - f t)/10) / (f ln10 / 10); from the direct path on (t = 0)
    after_direct = 10 ** (intercept / 10) * rate / (fall * math.log(10) / 10)
    return db(after_direct) - db(total), fall
