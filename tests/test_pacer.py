"""Pacers: the cue grid of breathing and walking, ramps, and tempo changes mid-way."""

from __future__ import annotations

import itertools

import pytest

from assistant.pacing.pacer import Pacer, breathing, walking
from assistant.pacing.patterns import parse_pattern


def onset_times(pacer: Pacer, until: float = 1e9) -> list[float]:
    return [o.t for o in pacer.between(0, until) if o.cues]


def test_box_breathing_puts_a_cue_every_four_seconds() -> None:
    pacer = Pacer(breathing(parse_pattern("box"), cycles=3))
    onsets = pacer.between(0, 1e9)
    assert [o.t for o in onsets] == pytest.approx([4.0 * k for k in range(12)])
    assert [o.cues[0] for o in onsets[:4]] == ["in", "hold", "out", "hold"]
    assert pacer.end == pytest.approx(48.0)


def test_a_timed_pacer_stops_at_its_time() -> None:
    pacer = Pacer(breathing(parse_pattern("equal"), seconds=30))
    assert onset_times(pacer) == pytest.approx([4.0 * k for k in range(8)])
    assert pacer.end == 30


def test_alternating_gives_partner_b_the_opposite_phase() -> None:
    onsets = Pacer(breathing(parse_pattern("equal"), cycles=2, alternating=True)).between(0, 99)
    assert [o.cues for o in onsets] == [("in", "out_b"), ("out", "in_b")] * 2


def test_slowing_reaches_the_target_rate_on_schedule() -> None:
    pacer = Pacer(breathing(parse_pattern("coherent"), seconds=300, from_bpm=6, to_bpm=5))
    cycle_starts = [o.t for o in pacer.between(0, 1e9) if o.cues[0] == "in"]
    lengths = [b - a for a, b in itertools.pairwise(cycle_starts)]
    assert lengths[0] == pytest.approx(10.0)  # 6 a minute at the start
    assert lengths[-1] > 11.9  # nearly 5 a minute by the last whole cycle
    assert pacer.spec.tempo.at(300 - 12) == 5  # the schedule arrives in time for a last cycle
    assert all(b >= a for a, b in itertools.pairwise(lengths)), "slows steadily"
    ramp_end = 300 - 12  # the last whole cycle runs at the target
    for start, length in zip(cycle_starts, lengths, strict=False):
        assert length == pytest.approx(60 / (6 - min(start / ramp_end, 1)))


def test_walking_ramps_from_one_step_rate_to_another() -> None:
    pacer = Pacer(walking(90, 60, to_spm=120))
    steps = onset_times(pacer)
    gaps = [b - a for a, b in itertools.pairwise(steps)]
    assert gaps[0] == pytest.approx(60 / 90)
    assert gaps[-1] == pytest.approx(60 / 120, rel=0.01)
    assert 60 < len(steps) < 120


def test_a_tempo_change_continues_the_current_phase_smoothly() -> None:
    pacer = Pacer(breathing(parse_pattern("equal"), seconds=60))
    pacer.between(0, 10)
    pacer.scale_tempo(0.5, now=5.0)  # half speed, one second into an 'out' phase (4..8)
    after = onset_times(pacer)
    # 3 s of the out phase were left; at half speed they take 6 s; then 8 s phases
    assert after[:4] == pytest.approx([0.0, 4.0, 11.0, 19.0])
    assert pacer.between(10.5, 11.5)[0].cues == ("in",)


def test_spoken_words_and_counts_share_the_grid() -> None:
    onsets = Pacer(breathing(parse_pattern("4-2-6-0"), cycles=1, words=True,
                             counts=True)).between(0, 99)
    spoken = [(o.t, o.speech) for o in onsets]
    assert spoken[:4] == [(0.0, "in"), (1.0, "two"), (2.0, "three"), (3.0, "four")]
    assert (4.0, "hold") in spoken and (6.0, "out") in spoken and (11.0, "six") in spoken
