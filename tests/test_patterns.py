"""Breathing patterns: presets, custom IN-HOLD-OUT-HOLD forms, and what is refused."""

from __future__ import annotations

import pytest

from assistant.pacing.patterns import PRESETS, BreathPattern, parse_pattern


def phases(text: str) -> tuple[tuple[str, float], ...]:
    return parse_pattern(text).phases


def test_coherent_is_five_and_a_half_breaths_a_minute_with_equal_in_and_out() -> None:
    pattern = parse_pattern("coherent")
    assert [kind for kind, _ in pattern.phases] == ["in", "out"]
    (_, breathe_in), (_, breathe_out) = pattern.phases
    assert breathe_in == pytest.approx(breathe_out)
    assert breathe_in == pytest.approx(60 / 5.5 / 2)
    assert pattern.breaths_per_minute == pytest.approx(5.5)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("box", (("in", 4.0), ("hold", 4.0), ("out", 4.0), ("hold", 4.0))),
        ("4-7-8", (("in", 4.0), ("hold", 7.0), ("out", 8.0))),
        ("equal", (("in", 4.0), ("out", 4.0))),
    ],
)
def test_preset_phases(name: str, expected: tuple[tuple[str, float], ...]) -> None:
    pattern = parse_pattern(name)
    assert pattern.phases == expected
    assert pattern.name == name


def test_sigh_is_two_inhales_then_a_long_exhale() -> None:
    pattern = parse_pattern("sigh")
    assert [kind for kind, _ in pattern.phases] == ["in", "in", "out"]
    (_, first), (_, second), (_, out) = pattern.phases
    assert out > first + second


def test_every_preset_is_a_comfortable_rate() -> None:
    assert set(PRESETS) == {"coherent", "box", "4-7-8", "sigh", "equal"}
    for name in PRESETS:
        pattern = parse_pattern(name)
        assert 1 <= pattern.breaths_per_minute <= 30, name


def test_preset_names_ignore_case_and_surrounding_space() -> None:
    assert parse_pattern("  Box ") == parse_pattern("box")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4-2-6-0", (("in", 4.0), ("hold", 2.0), ("out", 6.0))),
        ("4-2-6-1", (("in", 4.0), ("hold", 2.0), ("out", 6.0), ("hold", 1.0))),
        ("4-6", (("in", 4.0), ("out", 6.0))),  # IN-OUT
        ("4-7-6", (("in", 4.0), ("hold", 7.0), ("out", 6.0))),  # IN-HOLD-OUT
        ("3.5-0-4.5-0", (("in", 3.5), ("out", 4.5))),
        ("4-0.5-4-0", (("in", 4.0), ("hold", 0.5), ("out", 4.0))),  # shortest hold
        ("1-1", (("in", 1.0), ("out", 1.0))),  # 30 breaths a minute, the fastest
        ("30-30", (("in", 30.0), ("out", 30.0))),  # one breath a minute, the slowest
    ],
)
def test_custom_forms(text: str, expected: tuple[tuple[str, float], ...]) -> None:
    pattern = parse_pattern(text)
    assert pattern.phases == expected
    assert pattern.cycle_seconds == pytest.approx(sum(seconds for _, seconds in expected))


def test_custom_pattern_rate() -> None:
    pattern = parse_pattern("4-2-6-0")
    assert isinstance(pattern, BreathPattern)
    assert pattern.cycle_seconds == pytest.approx(12.0)
    assert pattern.breaths_per_minute == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("wave", "unknown breathing pattern", id="unknown-name"),
        pytest.param("4-x-8", "unknown breathing pattern", id="not-a-number"),
        pytest.param("", "unknown breathing pattern", id="empty"),
        pytest.param("4", "unknown breathing pattern", id="one-number"),
        pytest.param("4-4-4-4-4", "unknown breathing pattern", id="five-numbers"),
        pytest.param("-4-4", "unknown breathing pattern", id="negative"),
        pytest.param("4--4", "unknown breathing pattern", id="double-dash"),
        pytest.param("0-0-0-0", "at least 0.5 s", id="all-zero"),
        pytest.param("200-0-0-0", "at least 0.5 s", id="no-out-phase"),
        pytest.param("0-4", "at least 0.5 s", id="no-in-phase"),
        pytest.param("0.1-0.1", "at least 0.5 s", id="300-breaths-a-minute"),
        pytest.param("0.5-0.5", "60.0 breaths a minute", id="60-breaths-a-minute"),
        pytest.param("4-0.2-4-0", "hold shorter than 0.5 s", id="short-hold-in"),
        pytest.param("4-0-4-0.2", "hold shorter than 0.5 s", id="short-hold-out"),
        pytest.param("30-10-30-0", "breaths a minute", id="cycle-over-60s"),
        pytest.param("31-30", "breaths a minute", id="in-out-over-60s"),
    ],
)
def test_rejected_patterns_name_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match="IN-HOLD-OUT-HOLD") as caught:
        parse_pattern(text)
    message = str(caught.value)
    assert reason in message
    assert f"'{text}'" in message
    assert "coherent" in message  # the presets are listed too
