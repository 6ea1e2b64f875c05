"""Patience that follows each partner's own pauses: the rule, and the machine on the
virtual clock with a partner whose pauses grow longer mid-session."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.cli.options import floor_settings, session_options
from assistant.script.library import find_exercise
from assistant.script.model import FloorKind
from assistant.session.floor import FloorSettings
from assistant.session.machine import SessionMachine
from assistant.session.patience import SHARED, PauseBook
from assistant.session.plan import Names, build_plan
from assistant.testing.drive import MachineDrive

RATE = 16_000
TURNS = 8
SCRIPT = 'title = "Turns"\nminutes = 10\ninvitation = "Only if you like."\n' + "".join(
    f'[[steps]]\nkind = "turn"\npartner = "A"\nprompt = "{{A}}, turn {n}."\n'
    f'listener = "{{B}}, listen."\nseconds = 90\n' for n in range(TURNS))


def test_defaults_hold_until_a_few_pauses_are_heard() -> None:
    book = PauseBook()
    for seconds in (1.0, 1.2, 0.8):
        book.heard("Ana", seconds)
    assert book.patience(FloorKind.SHARE, "Ana") == 6.0
    assert book.patience(FloorKind.ANSWER, "Ana") == 2.5
    book.heard("Ana", 1.1)
    assert 3.0 <= book.patience(FloorKind.SHARE, "Ana") < 6.0  # type: ignore[operator]
    assert book.patience(FloorKind.SHARE, "Ben") == 6.0  # Ben's own pauses, not Ana's
    assert book.patience(FloorKind.ACTIVITY, "Ana") is None


def test_a_share_follows_long_pauses_within_three_to_eight_seconds() -> None:
    fluent, thinker = PauseBook(), PauseBook()
    for n in range(20):
        fluent.heard("Ana", 0.5 + 0.05 * n)
        thinker.heard("Ana", 2.0 + 0.3 * n)
    assert fluent.patience(FloorKind.SHARE, "Ana") == 3.0
    assert fluent.patience(FloorKind.ANSWER, "Ana") == 1.975  # the median and a margin
    assert thinker.patience(FloorKind.SHARE, "Ana") == 8.0


def test_a_talk_follows_shared_silences_never_under_five_seconds() -> None:
    book = PauseBook()
    for _ in range(6):
        book.heard(SHARED, 1.0)
    assert book.patience(FloorKind.TALK, "both") == 5.0
    book.heard(SHARED, 4.0)  # one partner thought a while before taking it up
    assert book.patience(FloorKind.TALK, "both") == 6.0  # rare, but never to be cut
    for _ in range(30):
        book.heard(SHARED, 9.0)
    assert book.patience(FloorKind.TALK, "both") == 12.0  # never over the default


def test_a_rare_long_pause_keeps_a_share_patient() -> None:
    book = PauseBook()
    for _ in range(9):
        book.heard("Ana", 1.0)
    assert book.patience(FloorKind.SHARE, "Ana") == 3.0
    book.heard("Ana", 3.6)
    assert book.patience(FloorKind.SHARE, "Ana") == 5.4  # the longest, half again


def test_stored_pauses_carry_over_but_odd_values_are_ignored() -> None:
    book = PauseBook(known={"Ana": [1.0, 1.0, 1.0, 1.0, -3.0, 400.0, float("nan")]})
    assert len(book.pauses["Ana"]) == 4
    assert book.patience(FloorKind.SHARE, "Ana") == 3.0
    assert PauseBook(known=book.kept()).kept() == book.kept()


def lived(pause_of_turn: list[float], settings: FloorSettings, tmp_path: Path) -> list[float]:
    """Run the turns on the virtual clock, Ana speaking 2 s utterances separated by the
    turn's pause, three of them a turn; return each turn's patience."""
    path = tmp_path / "turns.toml"
    path.write_text(SCRIPT, encoding="utf-8")
    plan = build_plan(find_exercise(str(path)), Names("Ana", "Ben"))
    drive = MachineDrive(SessionMachine(plan, RATE, "turns", "Turns", True, settings))
    patience: list[float] = []
    while (turn := drive.until_next("turn_start")) is not None:
        patience.append(float(turn.data["patience"]))
        at = turn.sample / RATE + 1.0
        for _ in range(3):
            drive.say(at, 2.0)
            at += 2.0 + pause_of_turn[len(patience) - 1]
    return patience


def test_a_partner_who_slows_down_mid_session_is_given_longer(tmp_path: Path) -> None:
    pauses = [1.0] * 4 + [3.5] * 4
    adaptive = lived(pauses, FloorSettings(), tmp_path)
    assert adaptive[:2] == [6.0, 6.0]  # nothing heard yet: the default
    assert adaptive[3] == 3.0  # short pauses: a short patience
    assert adaptive[-1] >= 4.5  # longer pauses heard, even those that outlasted it
    assert adaptive == sorted(adaptive[:2], reverse=True) + adaptive[2:]


def test_patience_adapts_by_default_and_the_option_fixes_it(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    session_options(parser)
    assert floor_settings(parser.parse_args([])).adaptive
    fixed = lived([1.0] * TURNS, floor_settings(parser.parse_args(["--patience", "7"])),
                  tmp_path)
    assert fixed == [7.0] * TURNS
