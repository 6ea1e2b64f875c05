"""Text mode for screen readers: a plain line for every phase, an answer to every key."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from assistant.cli.console import UNKNOWN, Presenter, parse_key
from assistant.script.model import Exercise, SilenceStep
from assistant.script.standalone import breathing_session
from assistant.session.events import (
    CommandTaken,
    CueSounded,
    Event,
    SayStart,
    SessionEnd,
    StepStarted,
)
from assistant.session.plan import Names, build_plan
from tests.test_cli import TextSession

QUIET = Exercise("quiet", "Quiet", 2, "Only if you like.",
                 (SilenceStep(prompt="Look at each other.", seconds=60.0, chime_every=None,
                              closing=""),))


def printed(plan: object, events: list[Event]) -> list[str]:
    out = io.StringIO()
    presenter = Presenter(out, text_mode=True, plan=plan)  # type: ignore[arg-type]
    for event in events:
        presenter(event)
    return out.getvalue().splitlines()


def test_a_quiet_phase_says_when_it_starts_and_ends() -> None:
    plan = build_plan(QUIET, Names())
    lines = printed(plan, [
        StepStarted(sample=0, number="1", kind="silence", round=1, index=1),
        SayStart(sample=0, text="Look at each other."),
        CueSounded(sample=100, kind="bell", partner="both"),
        CueSounded(sample=200, kind="bell", partner="both"),
        SessionEnd(sample=300, reason="completed"),
    ])
    assert lines == ["Look at each other.", "Quiet phase, one minute.", "Quiet phase ends.",
                     "Session complete."]


def test_a_phase_left_early_still_says_it_ended() -> None:
    plan = build_plan(QUIET, Names())
    lines = printed(plan, [
        StepStarted(sample=0, number="1", kind="silence", round=1, index=1),
        CueSounded(sample=100, kind="bell", partner="both"),
        CommandTaken(sample=150, name="next"),
        SessionEnd(sample=150, reason="completed"),
    ])
    assert lines == ["Quiet phase, one minute.", "Next step.", "Quiet phase ends.",
                     "Session complete."]


def test_alternating_breathing_prints_each_partner_by_name() -> None:
    exercise = breathing_session("4-4", cycles=1, mode="alternating")
    plan = build_plan(exercise, Names("Ana", "Ben"))
    lines = printed(plan, [
        StepStarted(sample=0, number="1", kind="breathe", round=1, index=1),
        CueSounded(sample=10, kind="in", partner="Ana"),
        CueSounded(sample=10, kind="out_b", partner="Ben"),
        CueSounded(sample=20, kind="bell", partner="both"),
    ])
    assert lines == ["Breathing, 8 seconds.", "Ana: breathe in.", "Ben: breathe out.",
                     "Breathing ends."]


def test_every_key_has_a_command_and_an_unknown_one_a_short_answer() -> None:
    for key, name in [("l", "time"), ("w", "where"), ("g", "good"), ("t", "too_much"),
                      (">", "louder"), ("<", "softer"), ("+", "faster"), ("-", "slower"),
                      ("louder", "louder")]:
        assert parse_key(key) == name
    assert parse_key("x") is None
    assert len(UNKNOWN.format(key="x").split()) <= 6


def test_keys_get_feedback_in_a_real_text_session(tmp_path: Path) -> None:
    """Real time, about two seconds."""
    session = TextSession(tmp_path)
    session.wait_for("Two stars and a wish.")
    for key, answer in [(">", "Louder."), ("<", "Softer."), ("x", "Unknown key 'x'"),
                        ("l", "left in the session"), ("w", "This is Two stars and a wish"),
                        ("+", "Faster."), ("d", "nothing to end")]:
        session.type(f"{key}\n")
        session.wait_for(answer)
    session.type("q\n")
    assert session.finish() == 0


def run_text(*args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "assistant", *args, "--text"],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_walk_text_prints_the_walk() -> None:
    """Real time, about five seconds."""
    lines = run_text("walk", "--minutes", "0.05", "--spm", "100")
    start = lines.index("Walking, 3 seconds, 100 steps a minute.")
    assert lines.index("Walking ends.") > start
    assert lines[-1] == "Session complete."


def test_breathe_text_prints_each_phase() -> None:
    """Real time, about six seconds."""
    lines = run_text("breathe", "--pattern", "2-2", "--cycles", "1")
    start = lines.index("Breathing, 4 seconds.")
    assert lines[start + 1 : start + 4] == ["Breathe in.", "Breathe out.", "Breathing ends."]
