"""The mixer timeline (the session clock), cue synthesis, and WAV files in and out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.audio.cues import KINDS, CueBank, placement, synthesise
from assistant.audio.loudness import PEAK_CEILING, SPEECH_LOUDNESS, levelled, loudness
from assistant.audio.mixer import CEILING, CUT_FADE_SECONDS, Mixer
from assistant.audio.virtual import VirtualAudio
from assistant.audio.wavfile import read_wav
from assistant.base.errors import UserError

RATE = 16_000


def ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=np.float32)


def test_a_clip_sounds_exactly_at_its_sample_across_block_edges() -> None:
    mixer = Mixer(RATE)
    assert mixer.schedule(ones(100), at=1000) == 1000
    out = np.concatenate([mixer.render(300) for _ in range(5)])
    assert mixer.now == 1500
    assert np.flatnonzero(out).tolist() == list(range(1000, 1100))


def test_overlapping_clips_add_and_the_limiter_keeps_the_sum_below_full_scale() -> None:
    mixer = Mixer(RATE)
    mixer.schedule(ones(10) * 0.4, at=0)
    mixer.schedule(ones(10) * 0.4, at=5)
    mixer.schedule(ones(10) * 0.4, at=5)
    out = mixer.render(20)
    assert out[0] == pytest.approx(0.4) and out[5] == pytest.approx(CEILING)
    assert np.abs(out).max() <= CEILING + 1e-6


def test_the_limiter_lets_go_smoothly_and_leaves_quiet_sound_alone() -> None:
    mixer = Mixer(RATE)
    mixer.gain = 2.0
    mixer.schedule(ones(RATE) * 0.8, at=0)  # 1.6 after the gain: held at the ceiling
    mixer.schedule(ones(RATE) * 0.2, at=RATE)  # 0.4: once the limiter has let go, untouched
    out = mixer.render(RATE * 2)
    assert np.abs(out).max() <= CEILING + 1e-6
    assert np.all(np.abs(np.diff(out[RATE:])) < 0.01), "no step as the limiter lets go"
    assert out[-1] == pytest.approx(0.4, abs=1e-4)


def test_a_stereo_mixer_places_clips_left_and_right_on_the_same_clock() -> None:
    mixer = Mixer(RATE, channels=2)
    mixer.schedule(ones(10) * 0.5, at=0, pan=-1.0)
    mixer.schedule(ones(10) * 0.5, at=20, pan=1.0)
    mixer.schedule(ones(10) * 0.5, at=40)
    out = mixer.render(50)
    assert out.shape == (50, 2) and mixer.now == 50
    assert np.all(out[:10, 0] == 0.5) and not np.any(out[:10, 1])
    assert np.all(out[20:30, 1] == 0.5) and not np.any(out[20:30, 0])
    assert np.allclose(out[40:50], 0.5 / np.sqrt(2))  # centred, at the same power


def test_a_clip_scheduled_in_the_past_starts_now() -> None:
    mixer = Mixer(RATE)
    mixer.render(500)
    assert mixer.schedule(ones(10), at=100) == 500


def test_cut_drops_future_clips_and_fades_the_current_one() -> None:
    mixer = Mixer(RATE)
    mixer.schedule(ones(RATE), at=0)
    mixer.schedule(ones(10), at=RATE * 2)
    mixer.render(100)
    silent_by = mixer.cut()
    fade = round(CUT_FADE_SECONDS * RATE)
    assert silent_by == 100 + fade
    out = mixer.render(RATE * 3)
    assert np.all(np.diff(out[:fade]) <= 0), "fades out, no click"
    assert not np.any(out[fade:])
    assert mixer.idle


def test_skip_to_moves_the_clock_without_sound() -> None:
    mixer = Mixer(RATE)
    mixer.skip_to(RATE * 60)
    assert mixer.now == RATE * 60


@pytest.mark.parametrize("kind", KINDS)
def test_cues_are_as_loud_as_speech_soft_and_start_and_end_without_a_click(kind: str) -> None:
    cue = CueBank(RATE).get(kind)
    assert loudness(cue, RATE) == pytest.approx(SPEECH_LOUDNESS, abs=0.1)
    assert 0.05 < np.abs(cue).max() <= PEAK_CEILING + 1e-6
    assert abs(cue[0]) < 1e-3 and abs(cue[-1]) < 1e-3


def test_cue_volume_sets_cues_apart_from_the_voice() -> None:
    quieter = CueBank(RATE, SPEECH_LOUDNESS - 6).get("in")
    assert loudness(quieter, RATE) == pytest.approx(SPEECH_LOUDNESS - 6, abs=0.1)


def spectral_centroid(signal: np.ndarray) -> float:
    power = np.abs(np.fft.rfft(signal)) ** 2
    return float((power * np.fft.rfftfreq(len(signal), 1 / RATE)).sum() / power.sum())


@pytest.mark.parametrize("kind", ["in", "out", "hold"])
def test_the_partners_cues_sit_an_octave_or_more_apart(kind: str) -> None:
    a, b = synthesise(kind, RATE), synthesise(f"{kind}_b", RATE)
    assert np.log2(spectral_centroid(a) / spectral_centroid(b)) >= 1.0


def test_the_partners_cues_differ_in_timbre_not_only_in_pitch() -> None:
    """B's cue has a tremolo and odd partials: its envelope wavers where A's is steady."""
    def waver(signal: np.ndarray) -> float:
        frames = np.abs(signal[: len(signal) // 160 * 160]).reshape(-1, 160).max(axis=1)
        middle = frames[len(frames) // 3 : 2 * len(frames) // 3]
        return float(middle.std() / middle.mean())

    assert waver(synthesise("in_b", RATE)) > 3 * waver(synthesise("in", RATE))


def test_partner_a_sounds_left_b_right_and_shared_cues_in_the_middle() -> None:
    assert placement("in", "Ana") < 0 < placement("out_b", "Ben")
    assert placement("in", "") == placement("bell", "") == 0


def test_levelled_sound_never_peaks_above_the_ceiling() -> None:
    click = np.zeros(RATE, dtype=np.float32)
    click[100] = 0.01
    assert np.abs(levelled(click, RATE, SPEECH_LOUDNESS)).max() <= PEAK_CEILING + 1e-6


def test_the_cue_bank_makes_each_cue_once() -> None:
    bank = CueBank(RATE)
    assert bank.get("bell") is bank.get("bell")
    with pytest.raises(ValueError):
        bank.get("gong")


def test_a_mic_file_of_any_rate_and_channels_becomes_16k_mono(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    t = np.arange(44_100) / 44_100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    soundfile.write(str(path), np.stack([tone, tone], axis=1), 44_100)
    samples = read_wav(path, 16_000)
    assert samples.ndim == 1 and abs(len(samples) - 16_000) <= 1
    assert np.abs(samples).max() == pytest.approx(0.5, rel=0.02)


def test_a_mic_file_that_is_not_a_wav_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio")
    with pytest.raises(UserError, match=r"notes\.wav is not a readable WAV"):
        VirtualAudio(RATE, mic_file=path)


def test_the_virtual_speaker_writes_every_sample_played(tmp_path: Path) -> None:
    import queue

    path = tmp_path / "out.wav"
    audio, mixer = VirtualAudio(RATE, out_file=path), Mixer(RATE)
    audio.open(mixer)
    mixer.schedule(ones(1000) * 0.5, at=RATE * 3 + 7)
    audio.advance(RATE * 5, queue.Queue())
    audio.close()
    written, rate = soundfile.read(str(path), dtype="float32")
    assert rate == RATE and len(written) == RATE * 5
    assert np.flatnonzero(written).tolist() == list(range(RATE * 3 + 7, RATE * 3 + 1007))


@pytest.mark.parametrize("case", ["speech-like", "cue", "short tick", "stereo", "low hum",
                                  "gated pauses"])
def test_the_meter_agrees_with_pyloudnorm(case: str) -> None:
    """The session's own BS.1770 meter against the reference implementation."""
    import pyloudnorm

    rng = np.random.default_rng(3)
    t = np.arange(RATE * 3) / RATE
    noise = rng.standard_normal(len(t)) * 0.05
    signals = {
        "speech-like": noise * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)),
        "cue": np.asarray(synthesise("in_b", RATE), dtype=np.float64) * 0.3,
        "short tick": np.asarray(synthesise("step", RATE), dtype=np.float64) * 0.3,
        "stereo": np.stack([noise, 0.3 * noise], axis=1),
        "low hum": 0.5 * np.sin(2 * np.pi * 30 * t),
        "gated pauses": np.concatenate([noise, np.zeros(RATE * 4), noise * 0.01]),
    }
    signal = signals[case]
    block = min(0.4, len(signal) / RATE)
    reference = pyloudnorm.Meter(RATE, block_size=block).integrated_loudness(signal)
    assert loudness(signal, RATE) == pytest.approx(reference, abs=0.05)


def test_a_long_mic_file_is_streamed_in_blocks_with_the_same_samples(tmp_path: Path) -> None:
    """Read in small steps, a resampled stereo file gives what reading it whole gives."""
    from assistant.audio.wavfile import READ_SAMPLES, WavReader

    path = tmp_path / "long.wav"
    rng = np.random.default_rng(3)
    frames = 3 * READ_SAMPLES + 123
    stereo = (0.1 * rng.standard_normal((frames, 2))).astype(np.float32)
    soundfile.write(str(path), stereo, 48_000, subtype="FLOAT")
    reader = WavReader(path, 16_000)
    pieces = [reader.read(1000) for _ in range(20)]
    assert all(len(piece) == 1000 for piece in pieces)
    rest = reader.read(10**9)
    assert reader.ended
    streamed = np.concatenate([*pieces, rest])
    whole = read_wav(path, 16_000)
    assert abs(len(streamed) - frames / 3) <= 2 and len(streamed) == len(whole)
    assert np.allclose(streamed, whole, atol=1e-6)


def test_the_virtual_mic_pads_silence_after_the_file_ends(tmp_path: Path) -> None:
    import queue

    path = tmp_path / "mic.wav"
    soundfile.write(str(path), np.full(8000, 0.25, dtype=np.float32), RATE, subtype="FLOAT")
    audio, mixer = VirtualAudio(RATE, mic_file=path), Mixer(RATE)
    audio.open(mixer)
    audio.advance(RATE, queue.Queue())
    heard = audio.read_mic()
    audio.close()
    assert len(heard) == RATE and audio.input_ended
    assert np.allclose(heard[:8000], 0.25) and not heard[8000:].any()
