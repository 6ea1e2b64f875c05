"""The stream clock: the session clock catches up with the sound card after lost time."""

from __future__ import annotations

import pytest

from assistant.audio.streamclock import StreamClock

RATE = 16_000
BLOCK = 512


def run(clock: StreamClock, times: list[float], now: int = 0) -> list[int]:
    """Feed one block per output time, skipping as told; returns the skips."""
    skips = []
    for t in times:
        lag = clock.lag(t, now)
        skips.append(lag)
        now += lag + BLOCK
    return skips


def steady(start: float, blocks: int, first: int = 0) -> list[float]:
    return [start + (first + k) * BLOCK / RATE for k in range(blocks)]


def test_a_steady_stream_never_skips_despite_jitter() -> None:
    times = [t + (0.0005, -0.0007, 0.0001)[k % 3] for k, t in enumerate(steady(10.0, 1000))]
    assert not any(run(StreamClock(RATE), times))


def test_after_a_stall_the_clock_skips_exactly_the_lost_time() -> None:
    before = steady(5.0, 20)
    after = [t + 0.5 for t in steady(5.0, 20, first=20)]  # 0.5 s went by, unrendered
    skips = run(StreamClock(RATE), before + after)
    assert sum(skips) == 8000 and skips.count(8000) == 1
    assert not any(skips[:20])


def test_unsettled_timestamps_never_move_the_clock() -> None:
    times = steady(2.0, 60)
    for k in range(20, 26):  # blocks around an underrun report nonsense
        times[k] += (0.3, -0.2, 0.05)[k % 3]
    assert not any(run(StreamClock(RATE), times))


def test_a_clock_that_skipped_too_far_holds_still_until_it_is_back() -> None:
    before = steady(1.0, 20)
    after = [t - 0.01 for t in steady(1.0, 30, first=20)]  # output now comes 10 ms sooner
    skips = run(StreamClock(RATE), before + after)
    assert sum(skips) == -160 and skips.count(-160) == 1


def test_no_timestamps_means_no_correction() -> None:
    assert not any(run(StreamClock(RATE), [0.0] * 50))


def test_a_new_stream_starts_a_new_origin() -> None:
    clock = StreamClock(RATE)
    run(clock, steady(100.0, 10))
    clock.reset()
    assert not any(run(clock, steady(3.0, 10), now=50_000))


def test_a_new_stream_gets_a_start_up_grace_a_playing_one_does_not() -> None:
    from assistant.audio.live import STALL_SECONDS, START_GRACE_SECONDS, stalled

    assert START_GRACE_SECONDS >= 5.0 and STALL_SECONDS <= 2.5
    assert not stalled(3.0, playing=False)  # a Bluetooth speaker still waking up
    assert stalled(START_GRACE_SECONDS + 0.1, playing=False)
    assert stalled(STALL_SECONDS + 0.1, playing=True)
    assert not stalled(STALL_SECONDS - 0.1, playing=True)


def test_a_jump_of_the_time_base_is_not_taken_for_lost_time() -> None:
    before = steady(5.0, 20)
    after = [t + 3600.0 for t in steady(5.0, 20, first=20)]  # timestamps from a new origin
    assert not any(run(StreamClock(RATE), before + after))


def test_a_stream_closed_while_the_watchdog_looks_is_not_taken_for_a_failure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As a session hands over (the spoken menu to its session), the stream is closed on
    one thread while the watchdog asks it whether it is active on another; PortAudio
    answers a closed stream with an error, which must end the watch quietly."""
    from assistant.audio import live

    monkeypatch.setattr(live, "WATCH_SECONDS", 0.0)
    audio = live.LiveAudio(16_000)

    class ClosedMeanwhile:
        @property
        def active(self) -> bool:
            audio._stream = None  # close() lets go of the stream first...
            raise RuntimeError("Error querying stream [PaErrorCode -9988]")  # ...then closes it

    stream = ClosedMeanwhile()
    audio._stream = stream
    audio._watch(stream)  # returns, and raises nothing
    assert not audio._lost.is_set() and not audio._failed


def test_a_stream_that_stopped_on_its_own_is_marked_failed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.audio import live

    monkeypatch.setattr(live, "WATCH_SECONDS", 0.0)
    audio = live.LiveAudio(16_000)

    class Stopped:
        active = False

    stream = Stopped()
    audio._stream = stream
    audio._watch(stream)
    assert audio._lost.is_set() and audio._failed
