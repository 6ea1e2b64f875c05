"""The turn keeper's rules, on sample times."""

from __future__ import annotations

from assistant.speech.turns import Encourage, End, Reprompt, TurnKeeper, TurnSettings, Warn

R = 100  # samples a second, to keep the arithmetic readable


def run_until_end(keeper: TurnKeeper, limit: int = 10**9) -> tuple[int, list[object]]:
    """Advance from timer to timer until the turn ends; return when, and every action."""
    actions: list[object] = []
    while (due := keeper.due()) is not None and due < limit:
        actions += keeper.tick(due)
        if any(isinstance(a, End) for a in actions):
            return due, actions
    raise AssertionError("the turn never ended")


def test_an_open_turn_ends_after_the_patience_not_during_shorter_pauses() -> None:
    keeper = TurnKeeper(0, R, limit=120, open=True, settings=TurnSettings(patience=2.0))
    keeper.speech_started(1 * R)
    keeper.speech_ended(5 * R, now=5 * R + 20)
    assert keeper.tick(6 * R + 99) == []  # a 1.99 s pause: still their turn
    keeper.speech_started(6 * R + 99)
    keeper.speech_ended(9 * R, now=9 * R + 20)
    assert keeper.due() == 11 * R
    assert keeper.tick(11 * R) == [End("silence")]


def test_an_open_turn_keeps_its_minimum_time() -> None:
    keeper = TurnKeeper(0, R, limit=120, open=True,
                        settings=TurnSettings(patience=2.0, min_seconds=30))
    keeper.speech_started(R)
    keeper.speech_ended(3 * R, now=3 * R)
    when, actions = run_until_end(keeper)
    assert when == 30 * R and actions[-1] == End("silence")


def test_a_timed_turn_hands_over_at_the_first_pause_after_its_limit() -> None:
    keeper = TurnKeeper(0, R, limit=90, open=False)
    keeper.speech_started(R)
    assert keeper.tick(60 * R) == [Warn()]  # 30 s before the limit
    assert keeper.tick(90 * R) == []  # still speaking at the limit: wait for a pause
    assert keeper.speech_ended(95 * R, now=95 * R + 30) == [End("time")]


def test_a_timed_turn_does_not_wait_forever_for_a_pause() -> None:
    keeper = TurnKeeper(0, R, limit=90, open=False, settings=TurnSettings(grace=20))
    keeper.speech_started(R)
    when, actions = run_until_end(keeper)
    assert when == 110 * R and actions[-1] == End("time")


def test_a_timed_turn_is_not_ended_by_silence_but_gets_one_quiet_word() -> None:
    keeper = TurnKeeper(0, R, limit=180, open=False)
    keeper.speech_started(R)
    keeper.speech_ended(10 * R, now=10 * R)
    assert keeper.tick(30 * R) == [Encourage()]
    keeper.speech_started(40 * R)
    keeper.speech_ended(50 * R, now=50 * R)
    when, actions = run_until_end(keeper)
    assert when == 180 * R and actions[-1] == End("time")
    assert Encourage() not in actions, "at most one 'take your time' a turn"


def test_no_speech_gets_one_reprompt_then_moves_on() -> None:
    keeper = TurnKeeper(0, R, limit=180, open=True, settings=TurnSettings(no_response=15))
    when, actions = run_until_end(keeper)
    assert actions == [Reprompt(), End("no_response")]
    assert when == 30 * R


def test_speech_after_the_reprompt_keeps_the_turn() -> None:
    keeper = TurnKeeper(0, R, limit=180, open=True)
    assert keeper.tick(15 * R) == [Reprompt()]
    keeper.speech_started(20 * R)
    keeper.speech_ended(40 * R, now=40 * R)
    when, actions = run_until_end(keeper)
    assert when == 42 * R and actions == [End("silence")]


def test_a_pause_shifts_every_time() -> None:
    keeper = TurnKeeper(0, R, limit=60, open=False)
    keeper.shift(100 * R)
    when, actions = run_until_end(keeper)
    assert when == (100 + 30) * R and actions[-1] == End("no_response")
