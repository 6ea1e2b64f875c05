"""A floor handed back to a partner who was cut off: the machine on the virtual clock,
a whole run with real speech detection, and the couple judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.script.library import find_exercise
from assistant.session.actions import StopSounds
from assistant.session.events import (
    Event,
    FloorRepaired,
    SessionEnd,
    SessionStart,
    StepStarted,
    TurnEnd,
    TurnStart,
)
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.session.repair import MAX_REPAIRS
from assistant.testing.couple import PROFILES, Couple
from assistant.testing.drive import CONFIRM_SECONDS as CONFIRM
from assistant.testing.drive import SOUND_SECONDS as SOUND
from assistant.testing.drive import MachineDrive, s
from assistant.testing.experience import judge
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import first_visit, heard_session

HEAD = 'title = "Repair"\nminutes = 5\ninvitation = "Only if you like."\n'
SHARE = HEAD + """[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, tell {B} about your day."
listener = "{B}, just listen."
seconds = 30
[[steps]]
kind = "say"
text = "Now a long and gentle sentence that takes a while to say, all the way through."
"""
TWO_TURNS = SHARE.replace('[[steps]]\nkind = "say"', """[[steps]]
kind = "turn"
partner = "B"
prompt = "{B}, your turn."
listener = "{A}, listen."
seconds = 30
[[steps]]
kind = "say\"""")
TALK = SHARE.replace('partner = "A"', 'partner = "both"').replace(
    'listener = "{B}, just listen."\n', "")
ACTIVITY = TALK.replace("seconds = 30", 'seconds = 30\nfloor = "activity"', 1)

# -- the machine on the virtual clock -------------------------------------------------


class Drive(MachineDrive):
    """The machine of `script`, for Ana and Ben, listening."""

    def __init__(self, script: str, tmp_path: Path) -> None:
        path = tmp_path / "s.toml"
        path.write_text(script, encoding="utf-8")
        plan = build_plan(find_exercise(str(path)), Names("Ana", "Ben"))
        super().__init__(SessionMachine(plan, RATE, "repair", "Repair", listening=True))


def opened(drive: Drive) -> float:
    """Run to the first floor and return when it opened."""
    first = drive.until_next("turn_start")
    assert first is not None
    return first.sample / RATE


def test_a_share_cut_short_is_handed_back_with_the_time_it_had_left(tmp_path: Path) -> None:
    drive = Drive(SHARE, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)  # then quiet: the share ends 6 s later
    drive.until(start + 9.5)
    ended = drive.events("turn_end")
    assert [e.data["reason"] for e in ended] == ["silence"]
    end = ended[0].sample / RATE
    assert end == pytest.approx(start + 9.0)
    # she goes on during the thanks (after the bell), and talks past what was left
    drive.say(end + 1.2, 25.0)
    drive.until()
    repaired = drive.events("floor_repaired")
    assert len(repaired) == 1
    assert repaired[0].data == {"partner": "Ana", "floor": "share", "step": "1", "index": 1,
                                "seconds": pytest.approx(30.0 - 9.0), "repair": 1,
                                "keep": ""}
    at = repaired[0].sample
    assert at == s(end + 1.2 + CONFIRM)
    stops = [t for t, a in drive.log if isinstance(a, StopSounds)]
    assert stops == [at], "the thanks under way stops, at once"
    assert len(drive.events("turn_start")) == 1, "the same floor, not a new one"
    last = drive.events("turn_end")[-1]
    # a fresh 30 s would outlast her 25 s and end for silence; 21 s left ends at her pause
    assert last.data["reason"] == "time"
    assert last.sample == s(end + 1.2 + 25.0 + 0.2)
    speech = next(e for e in drive.events("speech_start") if e.sample > s(end))
    assert speech.data["partner"] == "Ana"
    after = [text for t, text in drive.said() if t > last.sample / RATE - 0.01]
    assert after[0] == "Thank you, Ana." and after[1].startswith("Now a long")
    assert drive.events("session_end")[0].data["reason"] == "completed"


def test_speech_during_the_bell_reopens_the_floor_before_any_prompt(tmp_path: Path) -> None:
    drive = Drive(SHARE, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.until(start + 9.0)
    drive.say(start + 9.2, 3.0)  # while the bell still rings
    drive.until(start + 18.0)
    repaired = drive.events("floor_repaired")
    assert len(repaired) == 1 and repaired[0].sample == s(start + 9.2 + CONFIRM)
    said = [text for t, text in drive.said() if t > start + 9.0]
    assert said == [], "no prompt starts over her, nor in her short pauses"
    drive.until()
    end = drive.events("turn_end")[-1]
    assert end.data["reason"] == "silence" and end.sample == s(start + 12.2 + 6.0)


def test_speech_once_the_next_floor_has_begun_repairs_nothing(tmp_path: Path) -> None:
    drive = Drive(TWO_TURNS, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.until(start + 9.0)  # Ana's share ends for silence at 9 s ...
    while len(drive.events("turn_start")) < 2:
        drive.until(drive.now / RATE + 0.1)
    ben = drive.events("turn_start")[1]
    assert ben.sample - s(start + 9.0) < s(5.0), "still inside the repair window"
    drive.say(ben.sample / RATE + 0.1, 2.0)  # ... and the next speech is Ben's
    drive.until()
    assert drive.events("floor_repaired") == []
    assert drive.events("speech_start")[-1].data["partner"] == "Ben"


def test_speech_after_the_prompt_opening_the_next_floor_answers_it(tmp_path: Path) -> None:
    drive = Drive(TWO_TURNS, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.until(start + 12.0)
    prompt = next(t for t, text in drive.said() if text.startswith("Ben, your turn"))
    drive.say(prompt + SOUND + 0.05, 2.0)  # in the short quiet after Ben's prompt
    drive.until()
    assert drive.events("floor_repaired") == []


def test_a_floor_is_handed_back_at_most_twice(tmp_path: Path) -> None:
    drive = Drive(SHARE, tmp_path)
    start = opened(drive)
    at = start + 1.0
    for _ in range(MAX_REPAIRS + 2):  # each time quiet past the patience, then on again
        drive.say(at, 1.0)
        at += 1.0 + 6.0 + 0.5
    drive.until()
    repaired = drive.events("floor_repaired")
    assert [e.data["repair"] for e in repaired] == list(range(1, MAX_REPAIRS + 1))
    assert [e.data["seconds"] for e in repaired] == pytest.approx([22.0, 15.3])
    ends = drive.events("turn_end")
    assert [e.data["reason"] for e in ends] == ["silence"] * (MAX_REPAIRS + 1)
    assert drive.events("speech_start")[-1].data["partner"] is None
    assert drive.events("session_end")[0].data["reason"] == "completed"


def test_a_command_moves_on_and_nothing_is_handed_back(tmp_path: Path) -> None:
    from assistant.session.commands import Command

    drive = Drive(SHARE, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.until(start + 9.5)
    drive.take(drive.machine.command(Command.NEXT, drive.now))
    drive.say(start + 10.0, 2.0)
    drive.until()
    assert drive.events("floor_repaired") == []


def test_a_talk_is_handed_back_for_any_voice(tmp_path: Path) -> None:
    drive = Drive(TALK, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.until(start + 15.5)  # a talk's patience: 12 s shared silence
    assert drive.events("turn_end")[0].sample == s(start + 15.0)
    drive.say(start + 17.0, 2.0)
    drive.until()
    repaired = drive.events("floor_repaired")
    assert len(repaired) == 1
    assert repaired[0].data["partner"] is None and repaired[0].data["floor"] == "talk"
    assert repaired[0].data["seconds"] == pytest.approx(15.0)
    assert drive.events("speech_start")[-1].data["partner"] == "both"


def test_an_activity_is_never_handed_back(tmp_path: Path) -> None:
    drive = Drive(ACTIVITY, tmp_path)
    start = opened(drive)
    drive.say(start + 1.0, 2.0)
    drive.say(start + 30.5, 2.0)  # just after its time
    drive.until()
    assert [e.data["reason"] for e in drive.events("turn_end")] == ["time"]
    assert drive.events("floor_repaired") == []


# -- a whole run: real speech, real detection, the prompt really cut -------------------


def run(folder: Path, mic: np.ndarray) -> list[dict[str, Any]]:
    folder.mkdir()
    with first_visit(folder):
        return heard_session(SHARE, mic, folder, "--headphones")


def test_a_partner_who_goes_on_over_the_thanks_gets_her_floor_back(tmp_path: Path) -> None:
    first = spoken("This morning I walked to the bakery")
    probe = run(tmp_path / "probe", silence(1.0))
    start = next(e["t"] for e in probe if e["type"] == "turn_start")
    lead = [silence(start + 1.0), first]
    quiet = run(tmp_path / "quiet", np.concatenate([*lead, silence(30.0)]))
    end = next(e["t"] for e in quiet if e["type"] == "turn_end")
    thanks = next(e["t"] for e in quiet if e["type"] == "say_start" and e["t"] > end)
    over = thanks + 0.2
    more = spoken("and the sun was already warm")
    mic = np.concatenate([*lead, silence(over - sum(len(p) for p in lead) / RATE), more,
                          silence(30.0)])
    events = run(tmp_path / "repair", mic)
    repaired = [e for e in events if e["type"] == "floor_repaired"]
    assert len(repaired) == 1 and repaired[0]["partner"] == "Ana"
    assert repaired[0]["seconds"] == pytest.approx(30.0 - (end - start), abs=0.001)
    cut = next(e for e in events if e["type"] == "say_end" and e["t"] > end)
    assert cut["text"] == "Thank you, Ana." and cut["cut"] is True
    assert cut["t"] < over + 0.6, "stopped as soon as she was heard"
    ends = [e for e in events if e["type"] == "turn_end"]
    assert len(ends) == 2 and ends[1]["reason"] == "silence"
    heard_until = [e for e in events if e["type"] == "speech_end"][-1]["t"]
    assert heard_until == pytest.approx(over + len(more) / RATE, abs=0.15)
    assert ends[1]["t"] == pytest.approx(heard_until + 6.0, abs=0.001)
    after = [e for e in events if e["type"] in ("say_start", "say_end") and e["t"] > ends[1]["t"]]
    assert [e["text"] for e in after if e["type"] == "say_end" and not e.get("cut")][:2] == [
        "Thank you, Ana.", SHARE.split('text = "')[1].split('"')[0]]
    assert events[-1]["reason"] == "completed"


# -- the judge ------------------------------------------------------------------------


@pytest.mark.parametrize("repaired", [False, True])
def test_the_judge_counts_a_repair_and_not_an_early_floor(repaired: bool) -> None:
    couple = Couple(PROFILES["typical"], seed=3)
    events: list[Event] = [
        SessionStart(sample=0, exercise="x", title="X", steps=1),
        StepStarted(sample=0, number="1", kind="turn", round=1, index=1),
        TurnStart(sample=s(10.0), partner="Ana", floor="share", seconds=60.0, patience=6.0)]
    for event in events:
        couple(event)
    planned = couple.floors[0].planned
    assert len(planned) >= 2
    cut_at = planned[0].end + s(0.2)  # before she goes on: a floor taken too early
    later = [TurnEnd(sample=cut_at, partner="Ana", floor="share", reason="silence")]
    if repaired:
        later += [FloorRepaired(sample=cut_at + s(0.5), partner="Ana", floor="share",
                                step="1", index=1, seconds=40.0),
                  TurnEnd(sample=s(70.0), partner="Ana", floor="share", reason="time")]
    later.append(SessionEnd(sample=s(75.0), reason="completed"))
    for event in later:
        couple(event)
    lived = judge("x", "typical", [*events, *later], couple)
    if repaired:
        assert lived.early_floors == ()
        assert lived.repairs == (f"share of Ana handed back at {(cut_at + s(0.5)) / RATE:.1f} s "
                                 "with 40.0 s left",)
        assert couple.floors[0].repairs == 1 and couple.floors[0].end == s(70.0)
    else:
        assert len(lived.early_floors) == 1 and lived.repairs == ()
