"""The session machine's behaviour for each event, on the virtual clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.script.loader import parse_exercise, tomllib
from assistant.session.actions import Adjust, Play, Record
from assistant.session.commands import Command
from assistant.session.events import Event
from assistant.session.machine import STOP_REPLY, SessionMachine
from assistant.session.plan import SPEECH_GAP, Names, PlannedStep, Speech, build_plan
from assistant.session.rhythm import TEMPO_STEP
from assistant.testing.harness import run_plan
from assistant.testing.sounds import RATE

HEADER = 'title = "Test"\nminutes = 5\ninvitation = "Only if you like."\n'


def plan(steps: str, seed: int = 0) -> tuple[PlannedStep, ...]:
    exercise = parse_exercise(tomllib.loads(HEADER + steps), Path("test.toml"))
    return build_plan(exercise, Names("Ana", "Ben"), seed)


def of_type(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.type == kind]


def seconds(event: Event) -> float:
    return event.sample / RATE


SAY_TWICE = """
[[steps]]
kind = "say"
text = "First."
[[steps]]
kind = "say"
text = "Second."
"""

TURN = """
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, speak."
listener = "{B}, listen."
seconds = 60
handover = "Thank you, {A}."
[[steps]]
kind = "say"
text = "After."
"""


def test_steps_run_in_order_and_the_session_completes() -> None:
    events = run_plan(plan(SAY_TWICE))
    assert [e.type for e in events][:2] == ["session_start", "step"]
    assert [e.data["number"] for e in of_type(events, "step")] == ["0", "1", "2"]
    assert [e.data["text"] for e in of_type(events, "say_start")] == [
        "Test. Only if you like.", "First.", "Second."]
    assert events[-1].type == "session_end" and events[-1].data["reason"] == "completed"


def test_each_prompt_follows_the_last_after_a_short_gap() -> None:
    events = run_plan(plan(SAY_TWICE))
    ends, starts = of_type(events, "say_end"), of_type(events, "say_start")
    for end, following in zip(ends, starts[1:], strict=False):
        assert following.sample - end.sample == round(SPEECH_GAP * RATE)


def test_a_timed_turn_ends_exactly_at_its_limit_then_bell_and_handover() -> None:
    events = run_plan(plan(TURN))
    start, end = of_type(events, "turn_start")[0], of_type(events, "turn_end")[0]
    assert start.data["partner"] == "Ana"
    assert end.data == {"partner": "Ana", "floor": "share", "reason": "time"}
    assert end.sample - start.sample == 60 * RATE
    bell = of_type(events, "cue")[0]
    assert bell.data["kind"] == "bell" and bell.sample == end.sample
    assert "Thank you, Ana." in [e.data["text"] for e in of_type(events, "say_start")]


def test_the_prompt_names_speaker_and_listener() -> None:
    events = run_plan(plan(TURN))
    assert of_type(events, "say_start")[1].data["text"] == "Ana, speak. Ben, listen."


def test_done_ends_the_turn_early_and_the_step_goes_on() -> None:
    events = run_plan(plan(TURN), [(20.0, "done")])
    end = of_type(events, "turn_end")[0]
    assert end.data["reason"] == "command" and seconds(end) == 20.0
    assert "Thank you, Ana." in [e.data["text"] for e in of_type(events, "say_start")]


def test_next_leaves_the_step_at_once() -> None:
    events = run_plan(plan(TURN), [(20.0, "next")])
    end = of_type(events, "turn_end")[0]
    assert end.data["reason"] == "command" and seconds(end) == 20.0
    step = of_type(events, "step")[-1]
    assert step.data["number"] == "2" and seconds(step) == 20.0
    assert "Thank you, Ana." not in [e.data["text"] for e in of_type(events, "say_start")]


def test_next_during_speech_cuts_it_and_logs_where_it_fell_silent() -> None:
    events = run_plan(plan(SAY_TWICE), [(0.05, "next")])
    cut = of_type(events, "say_end")[0]
    assert cut.data.get("cut") is True
    assert seconds(cut) == pytest.approx(0.06)  # 10 ms fade after the cut
    assert of_type(events, "say_start")[1].data["text"] == "First."


def test_back_returns_to_the_previous_step() -> None:
    events = run_plan(plan(SAY_TWICE), [(1.5, "back")])
    numbers = [e.data["number"] for e in of_type(events, "step")]
    assert numbers[:3] == ["0", "1", "0"] and numbers[-1] == "2"


def test_repeat_restarts_the_current_step() -> None:
    events = run_plan(plan(TURN), [(10.0, "repeat")])
    numbers = [e.data["number"] for e in of_type(events, "step")]
    assert numbers == ["0", "1", "1", "2"]
    assert len(of_type(events, "turn_start")) == 2


def test_pause_holds_the_turn_clock_and_resume_continues_it() -> None:
    events = run_plan(plan(TURN), [(20.0, "pause"), (100.0, "resume")])
    start, end = of_type(events, "turn_start")[0], of_type(events, "turn_end")[0]
    paused = 80 * RATE
    assert end.sample - start.sample == 60 * RATE + paused
    assert len(of_type(events, "turn_start")) == 1
    assert [e.data["name"] for e in of_type(events, "command")] == ["pause", "resume"]


def test_nothing_plays_while_paused() -> None:
    silence = """
[[steps]]
kind = "silence"
prompt = "Look."
seconds = 60
chime_every = 10
"""
    events = run_plan(plan(silence), [(12.0, "pause"), (50.0, "resume")])
    cue_times = [seconds(e) for e in of_type(events, "cue")]
    assert not [t for t in cue_times if 12.0 < t < 50.0]
    chimes = [seconds(e) for e in of_type(events, "cue") if e.data["kind"] == "chime"]
    first_bell = next(e for e in of_type(events, "cue") if e.data["kind"] == "bell")
    opened = seconds(first_bell)
    # five chimes in 60 s; those due after the pause come 38 s late, as the pause was
    expected = [opened + k * 10 + (38.0 if opened + k * 10 > 12.0 else 0) for k in range(1, 6)]
    assert chimes == pytest.approx(expected)


def test_pause_during_speech_says_the_prompt_again_on_resume() -> None:
    events = run_plan(plan(SAY_TWICE), [(0.1, "pause"), (5.0, "resume")])
    texts = [e.data["text"] for e in of_type(events, "say_start")]
    assert texts[:2] == ["Test. Only if you like.", "Test. Only if you like."]
    assert seconds(of_type(events, "say_start")[1]) == 5.0


def test_quit_ends_the_session_at_once_and_closes_the_turn() -> None:
    events = run_plan(plan(TURN), [(30.0, "quit")])
    assert of_type(events, "turn_end")[0].data["reason"] == "command"
    assert events[-1].type == "session_end" and events[-1].data["reason"] == "stopped"
    assert seconds(events[-1]) == 30.0


def test_a_spoken_stop_pauses_with_a_reply_and_only_a_second_stop_ends() -> None:
    events = run_plan(plan(TURN), [(30.0, "stop"), (40.0, "stop")])
    reply = of_type(events, "say_start")[-1]
    assert reply.data["text"] == STOP_REPLY and seconds(reply) == 30.0
    assert [e.data["name"] for e in of_type(events, "command")] == ["stop", "stop"]
    assert events[-1].type == "session_end" and seconds(events[-1]) == 40.0


def test_after_a_spoken_stop_continue_resumes_the_turn_where_it_was() -> None:
    events = run_plan(plan(TURN), [(30.0, "stop"), (40.0, "resume")])
    start, end = of_type(events, "turn_start")[0], of_type(events, "turn_end")[0]
    assert end.data["reason"] == "time"
    assert end.sample - start.sample == (60 + 10) * RATE
    assert events[-1].data["reason"] == "completed"


def test_commands_that_do_not_fit_the_state_are_ignored() -> None:
    events = run_plan(plan(TURN), [(0.5, "done"), (1.0, "resume")])
    assert of_type(events, "command") == []
    assert of_type(events, "turn_end")[0].data["reason"] == "time"


def test_an_unknown_command_is_an_error() -> None:
    machine = SessionMachine(plan(SAY_TWICE), RATE)
    machine.start(0)
    with pytest.raises(ValueError, match="unknown command"):
        machine.command(Command.parse("dance"), 10)
    with pytest.raises(TypeError, match="must be a Command"):
        machine.command("next", 10)  # type: ignore[arg-type]


REPEAT = """
[[steps]]
kind = "repeat"
[[steps.steps]]
kind = "turn"
partner = "A"
prompt = "{A}, speak."
listener = "{B}, listen."
seconds = 30
[[steps.steps]]
kind = "say"
text = "{B}, reflect back."
[[steps]]
kind = "say"
text = "End."
"""


def test_repeat_runs_the_block_once_for_each_partner_with_roles_swapped() -> None:
    events = run_plan(plan(REPEAT))
    assert [e.data["partner"] for e in of_type(events, "turn_start")] == ["Ana", "Ben"]
    texts = [e.data["text"] for e in of_type(events, "say_start")]
    assert "Ben, reflect back." in texts and "Ana, reflect back." in texts
    rounds = [(e.data["number"], e.data["round"]) for e in of_type(events, "step")]
    assert rounds == [("0", 1), ("1.1", 1), ("1.2", 1), ("1.1", 2), ("1.2", 2), ("2", 1)]


def test_skip_in_a_round_moves_to_the_other_partners_part() -> None:
    events = run_plan(plan(REPEAT), [(5.0, "skip")])
    steps = [(e.data["number"], e.data["round"]) for e in of_type(events, "step")]
    assert steps == [("0", 1), ("1.1", 1), ("1.1", 2), ("1.2", 2), ("2", 1)]
    assert [e.data["partner"] for e in of_type(events, "turn_start")] == ["Ana", "Ben"]


def test_skip_in_the_last_round_leaves_the_rounds() -> None:
    first = run_plan(plan(REPEAT))
    second_round = next(seconds(e) for e in of_type(first, "step") if e.data["round"] == 2)
    events = run_plan(plan(REPEAT), [(second_round + 2.0, "skip")])
    assert [e.data["number"] for e in of_type(events, "step")][-2:] == ["1.1", "2"]


DECK = """
[decks]
light = ["One?", "Two?", "Three?", "Four?"]
[[steps]]
kind = "ask"
deck = "light"
count = 2
seconds = 5
[[steps]]
kind = "ask"
deck = "light"
count = 2
seconds = 5
"""


def test_deck_questions_are_not_repeated_and_the_seed_fixes_the_order() -> None:
    asked = [b.sounds[0][1].text for s in plan(DECK, seed=3)[1:] for b in s.beats if b.sounds]
    assert sorted(asked) == ["Four?", "One?", "Three?", "Two?"]
    again = [b.sounds[0][1].text for s in plan(DECK, seed=3)[1:] for b in s.beats if b.sounds]
    assert asked == again


def test_answer_windows_are_open_turns_for_both() -> None:
    events = run_plan(plan(DECK))
    turns = of_type(events, "turn_start")
    assert len(turns) == 4 and all(t.data["partner"] == "both" for t in turns)
    assert all(t.data["floor"] == "talk" for t in turns)


def test_the_machine_is_pure_start_returns_actions_without_side_effects() -> None:
    machine = SessionMachine(plan(SAY_TWICE), RATE)
    actions = machine.start(now=123)
    plays = [a for a in actions if isinstance(a, Play)]
    assert len(plays) == 1 and plays[0].at == 123
    records = [a.event.type for a in actions if isinstance(a, Record)]
    assert records == ["session_start", "step"]
    assert machine.next_due is None  # waiting for the prompt to end, not for a timer


BREATHE = """
[[steps]]
kind = "breathe"
prompt = "Breathe."
pattern = "box"
cycles = 2
"""


def test_a_handover_pause_gives_quiet_after_the_handover() -> None:
    events = run_plan(plan(TURN.replace('handover = "Thank you, {A}."',
                                        'handover = "Take a breath."\nhandover_pause = 5')))
    ends, starts = of_type(events, "say_end"), of_type(events, "say_start")
    handover = next(e for e in ends if e.data["text"] == "Take a breath.")
    after = next(e for e in starts if e.data["text"] == "After.")
    assert after.sample - handover.sample == 5 * RATE


def sounds(events: list[Event]) -> list[str]:
    return [e.data["text"] if e.type == "say_start" else e.data["kind"] for e in events
            if e.type == "say_start" or e.type == "cue"]


def test_an_explained_breath_samples_each_cue_once_before_the_first_cue() -> None:
    events = run_plan(plan(BREATHE + "explain = true\n"))
    heard = sounds(events)
    first = heard.index("Breathe.")
    intro = heard[1:first]
    assert [s for s in intro if s in ("in", "out", "hold")] == ["in", "hold", "out"]
    for cue in ("in", "hold", "out"):  # each sample follows the line that explains it
        assert intro[intro.index(cue) - 1].endswith(".")
    assert not any(s.endswith("_b") for s in intro)
    assert heard[first + 1:].count("in") == 2  # the two cycles, after the explanation


def test_alternating_breath_introduces_each_partners_sounds_by_name() -> None:
    events = run_plan(plan(BREATHE.replace('pattern = "box"', 'pattern = "equal"')
                           + 'mode = "alternating"\nexplain = true\n'))
    heard = sounds(events)
    intro = heard[1:heard.index("Breathe.")]
    cues = [s for s in intro if s in ("in", "out", "in_b", "out_b")]
    assert cues == ["in", "out", "in_b", "out_b"]
    for cue, name in (("in", "Ana"), ("out", "Ana"), ("in_b", "Ben"), ("out_b", "Ben")):
        assert intro[intro.index(cue) - 1].startswith(name)


def test_a_plain_breath_has_no_explanation() -> None:
    heard = sounds(run_plan(plan(BREATHE)))
    assert heard[1] == "Breathe." and heard[2] == "in"


def test_breathing_resumes_on_its_grid_after_a_pause() -> None:
    plain = run_plan(plan(BREATHE))
    first = next(e for e in of_type(plain, "cue") if e.data["kind"] == "in")
    pause_at = seconds(first) + 6.0  # in the middle of the first hold
    paused = run_plan(plan(BREATHE), [(pause_at, "pause"), (pause_at + 30, "resume")])

    def rhythm(events: list[Event]) -> list[tuple[float, str]]:
        return [(seconds(e), e.data["kind"]) for e in of_type(events, "cue")
                if e.data["kind"] != "bell"]

    shifted = [(t + 30 if t > pause_at else t, kind) for t, kind in rhythm(plain)]
    assert rhythm(paused) == [(pytest.approx(t), kind) for t, kind in shifted]


def test_slower_stretches_the_breath_under_way_and_those_after() -> None:
    plain = run_plan(plan(BREATHE))
    first = seconds(next(e for e in of_type(plain, "cue") if e.data["kind"] == "in"))
    at = first + 5.0  # one second into the first hold (4..8 s)
    events = run_plan(plan(BREATHE), [(at, "slower")])
    rhythm = [seconds(e) - first for e in of_type(events, "cue") if e.data["kind"] != "bell"]
    stretch = TEMPO_STEP
    expected = [0.0, 4.0, 5.0 + 3.0 * stretch]  # the rest of the hold, slowed
    while len(expected) < 8:
        expected.append(expected[-1] + 4.0 * stretch)
    assert rhythm == pytest.approx(expected)
    command = of_type(events, "command")[0]
    assert command.data == {"name": "slower", "tempo": round(1 / stretch, 3)}
    assert seconds(command) == pytest.approx(at)


def test_faster_is_bounded_and_quickens_the_voice_outside_a_rhythm() -> None:
    machine = SessionMachine(plan(TURN), RATE)
    machine.start(0)
    actions = machine.command(Command.FASTER, 100)
    assert Adjust("rate", up=True) in actions
    many = [(10.0 + k * 0.1, "faster") for k in range(12)]
    events = run_plan(plan(BREATHE), many)
    tempos = [e.data["tempo"] for e in of_type(events, "command")]
    assert tempos[-1] == 2.0 and len(tempos) < 12


def _plays(actions: list[object]) -> list[Play]:
    return [a for a in actions if isinstance(a, Play)]


def _first_prompt_over(machine: SessionMachine) -> int:
    """Start, let the opening prompt end, and return when the next one falls due."""
    token = _plays(machine.start(0))[0].token
    machine.sound_ended(token, RATE)
    due = machine.next_due
    assert due == RATE + round(SPEECH_GAP * RATE)
    return due


def test_a_prompt_due_while_a_partner_speaks_waits_for_their_pause() -> None:
    machine = SessionMachine(plan(SAY_TWICE), RATE, listening=True)
    due = _first_prompt_over(machine)
    machine.voice(True, due - 100)
    assert _plays(machine.tick(due)) == []
    released = machine.voice(False, due + 2 * RATE)
    assert [p.at for p in _plays(released)] == [due + 2 * RATE]
    waited = [a.event for a in released if isinstance(a, Record) and a.event.type == "waited"]
    assert waited and waited[0].data["seconds"] == 2.0


def test_a_prompt_waits_for_a_pause_at_most_eight_seconds() -> None:
    machine = SessionMachine(plan(SAY_TWICE), RATE, listening=True)
    due = _first_prompt_over(machine)
    machine.voice(True, due - 100)
    machine.tick(due)
    assert machine.next_due == due + 8 * RATE
    assert [p.at for p in _plays(machine.tick(due + 8 * RATE))] == [due + 8 * RATE]


def test_the_reply_to_stop_is_said_even_over_a_partner() -> None:
    machine = SessionMachine(plan(TURN), RATE, listening=True)
    machine.start(0)
    machine.voice(True, 10 * RATE)
    actions = machine.command(Command.STOP, 10 * RATE)
    assert [p.sound for p in _plays(actions)] == [Speech(STOP_REPLY)]
    assert machine.state == "paused"


def test_turn_start_logs_the_patience_its_floor_uses() -> None:
    steps = """
[[steps]]
kind = "turn"
partner = "A"
seconds = 5
prompt = "Go on."
listener = "Listen."
[[steps]]
kind = "turn"
partner = "B"
seconds = 5
prompt = "Go on."
listener = "Listen."
floor = "answer"
[[steps]]
kind = "turn"
partner = "A"
seconds = 5
prompt = "Go on."
listener = "Listen."
patience = 9
[[steps]]
kind = "turn"
partner = "both"
seconds = 5
prompt = "Go on."
listener = "Listen."
floor = "activity"
"""
    events = run_plan(plan(steps))
    patience = [e.data["patience"] for e in of_type(events, "turn_start")]
    assert patience == [6.0, 2.5, 9.0, None]
    line = of_type(events, "turn_start")[0].to_dict(RATE)
    assert Event.from_dict(line, RATE) == of_type(events, "turn_start")[0]
