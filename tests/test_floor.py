"""The floor rules of each kind, as pure logic on sample times."""

from __future__ import annotations

from assistant.script.model import FloorKind
from assistant.session.floor import End, Floor, FloorAction, Reprompt, Warn

R = 100  # samples a second: small numbers, the same rules


def run(floor: Floor, speech: list[tuple[float, float]], until: float = 10_000
        ) -> tuple[float, list[FloorAction]]:
    """Feed speech (start, end seconds) and tick every timer; when it ended, and what it did."""
    events = sorted([(s * R, "start") for s, _ in speech] + [(e * R, "end") for _, e in speech])
    actions: list[FloorAction] = []
    while True:
        due = floor.due()
        upcoming = events[0][0] if events else None
        if (due is None or due > until * R) and upcoming is None:
            return until, actions
        if upcoming is not None and (due is None or upcoming <= due):
            at, kind = events.pop(0)
            done = floor.speech_started(int(at)) if kind == "start" else \
                floor.speech_ended(int(at), int(at))
        else:
            assert due is not None
            at, done = due, floor.tick(due)
        actions += done
        if any(isinstance(a, End) for a in done):
            return at / R, actions


def reasons(actions: list[FloorAction]) -> list[str]:
    return [a.reason for a in actions if isinstance(a, End)]


def test_a_share_keeps_thinking_pauses_of_five_seconds_and_ends_six_after_the_last_word() -> None:
    speech = [(2, 10), (15, 20), (24.9, 30)]  # pauses of 5 and 4.9 s
    ended, actions = run(Floor(FloorKind.SHARE, 0, R, 180), speech)
    assert reasons(actions) == ["silence"] and ended == 36.0


def test_a_share_ends_at_its_time_at_the_next_pause() -> None:
    ended, actions = run(Floor(FloorKind.SHARE, 0, R, 60), [(1, 58), (58.5, 63.2)])
    assert reasons(actions) == ["time"] and ended == 63.2
    assert actions.count(Warn()) == 0  # a minute is too short to need a warning chime


def test_a_long_share_warns_once_thirty_seconds_before_its_time() -> None:
    _, actions = run(Floor(FloorKind.SHARE, 0, R, 180), [(1, 185)])
    assert actions.count(Warn()) == 1 and reasons(actions) == ["time"]


def test_a_share_with_no_speech_is_reprompted_once_and_stays_open_a_minute() -> None:
    ended, actions = run(Floor(FloorKind.SHARE, 0, R, 180), [])
    assert actions.count(Reprompt()) == 1 and reasons(actions) == ["no_response"]
    assert ended == 60.0


def test_a_short_share_with_no_speech_stays_open_its_whole_length() -> None:
    ended, actions = run(Floor(FloorKind.SHARE, 0, R, 45), [])
    assert ended == 45.0 and reasons(actions) == ["no_response"]


def test_a_thinker_who_starts_at_forty_seconds_keeps_the_floor() -> None:
    ended, actions = run(Floor(FloorKind.SHARE, 0, R, 180), [(40, 55)])
    assert reasons(actions) == ["silence"] and ended == 61.0


def test_an_answer_ends_two_and_a_half_seconds_after_the_reply() -> None:
    ended, actions = run(Floor(FloorKind.ANSWER, 0, R, 30), [(1, 4), (5, 7)])
    assert reasons(actions) == ["silence"] and ended == 9.5


def test_a_talk_outlasts_one_partner_thinking() -> None:
    ended, actions = run(Floor(FloorKind.TALK, 0, R, 120), [(1, 10), (20, 30)])
    assert reasons(actions) == ["silence"] and ended == 42.0


def test_an_activity_ignores_silence_and_speech_and_never_reprompts() -> None:
    ended, actions = run(Floor(FloorKind.ACTIVITY, 0, R, 90), [(30, 31), (60, 89)])
    assert actions == [End("time")] and ended == 90.0


def test_patience_and_minimum_are_per_step() -> None:
    floor = Floor(FloorKind.SHARE, 0, R, 120, patience=3.0, min_seconds=20.0)
    ended, _ = run(floor, [(1, 5)])
    assert ended == 20.0
    ended, _ = run(Floor(FloorKind.SHARE, 0, R, 120, patience=3.0), [(1, 5)])
    assert ended == 8.0


def test_a_pause_moves_every_time_on() -> None:
    floor = Floor(FloorKind.SHARE, 0, R, 60)
    floor.shift(10 * R)
    ended, actions = run(floor, [])
    assert ended == 70.0 and reasons(actions) == ["no_response"]
