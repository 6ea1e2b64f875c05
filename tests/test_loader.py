"""The exercise loader: a malformed script is refused with its file, step and field named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.base.errors import UserError
from assistant.script.library import exercise_ids, find_exercise, load_library
from assistant.script.loader import KINDS, ScriptError, load_exercise
from assistant.script.model import (
    AskStep,
    BreatheStep,
    Exercise,
    FloorKind,
    PaceStep,
    RepeatStep,
    ReplayStep,
    SayStep,
    SilenceStep,
    Step,
    TurnStep,
)
from assistant.script.wordings import Visit, for_visit
from assistant.session.plan import Names, Speech, build_plan

SAY = """
[[steps]]
kind = "say"
text = "Hello."
"""

TURN = """
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, tell {B} about your day."
listener = "{B}, just listen."
"""

REPEAT = """
[[steps]]
kind = "repeat"
"""

def script(
    steps: str = SAY,
    *,
    title: str | None = '"Test"',
    minutes: str | None = "5",
    invitation: str | None = '"This is an invitation; skip anything."',
    extra: str = "",
) -> str:
    """A valid minimal exercise; a top-level field given as None is left out."""
    lines = [
        f"{name} = {value}"
        for name, value in (("title", title), ("minutes", minutes), ("invitation", invitation))
        if value is not None
    ]
    return "\n".join(lines) + "\n" + extra + "\n" + steps


def write(folder: Path, text: str, name: str = "exercise.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(folder: Path, steps: str = SAY, **top: str | None) -> Exercise:
    return load_exercise(write(folder, script(steps, **top)))


def refused(folder: Path, steps: str = SAY, **top: str | None) -> ScriptError:
    path = write(folder, script(steps, **top))
    with pytest.raises(ScriptError) as caught:
        load_exercise(path)
    error = caught.value
    assert error.path == str(path)
    assert str(error).startswith(f"{path}")
    assert str(error).endswith(f": {error.problem}")
    return error


def assert_located(error: ScriptError, step: str, field: str, fragment: str) -> None:
    assert (error.step, error.field) == (step, field), str(error)
    assert fragment in error.problem, str(error)
    if step:
        assert f"step {step}," in str(error) or f"step {step}:" in str(error)
    if field:
        assert f"field '{field}'" in str(error)


# --- the helpers themselves ------------------------------------------------------------------


def test_minimal_script_loads(tmp_path: Path) -> None:
    exercise = load(tmp_path)
    assert exercise == Exercise(
        id="exercise",
        title="Test",
        minutes=5.0,
        invitation="This is an invitation; skip anything.",
        steps=(SayStep("Hello."),),
        path=tmp_path / "exercise.toml",
    )


# --- the file as a whole ---------------------------------------------------------------------


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, script() + '\n[[steps]\nkind = "say"\n')
    with pytest.raises(ScriptError) as caught:
        load_exercise(path)
    error = caught.value
    assert (error.step, error.field) == ("", "")
    assert str(error).startswith(f"{path}: is not valid TOML (")
    assert "line" in error.problem  # the parser's own location is passed on


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(script(SAY.replace("Hello.", "Grüß dich.")).encode("latin-1"))
    with pytest.raises(ScriptError) as caught:
        load_exercise(path)
    assert (caught.value.step, caught.value.field) == ("", "")
    assert str(caught.value) == f"{path}: is not UTF-8 text"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ScriptError) as caught:
        load_exercise(path)
    assert str(caught.value).startswith(f"{path}: cannot be read (")


# --- top-level fields ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["title", "minutes", "invitation"])
def test_missing_top_level_field(tmp_path: Path, name: str) -> None:
    error = refused(tmp_path, **{name: None})
    assert_located(error, "", name, "is missing")


@pytest.mark.parametrize("name", ["title", "invitation"])
@pytest.mark.parametrize("value", ['""', '"   "'])
def test_empty_top_level_text(tmp_path: Path, name: str, value: str) -> None:
    assert_located(refused(tmp_path, **{name: value}), "", name, "must not be empty")


def test_title_must_be_text(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, title="3"), "", "title", "must be text")


@pytest.mark.parametrize("value", ["0", "-5", "0.0", '"ten"', "true", "false", "nan"])
def test_minutes_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    assert_located(refused(tmp_path, minutes=value), "", "minutes", "must be a positive number")


def test_fractional_minutes_accepted(tmp_path: Path) -> None:
    assert load(tmp_path, minutes="7.5").minutes == 7.5


def test_unknown_top_level_field(tmp_path: Path) -> None:
    error = refused(tmp_path, extra='colour = "blue"')
    assert_located(error, "", "colour", "is not a known field")
    assert "title" in error.problem and "steps" in error.problem  # the known ones are listed


def test_summary_must_be_text(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, extra="summary = 4"), "", "summary", "must be text")


def test_steps_missing(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, steps=""), "", "steps", "is missing")


def test_steps_empty_list(tmp_path: Path) -> None:
    error = refused(tmp_path, steps="steps = []")
    assert_located(error, "", "steps", "must list at least one step")


def test_steps_must_be_a_list(tmp_path: Path) -> None:
    error = refused(tmp_path, steps='[steps]\nkind = "say"\ntext = "Hi."')
    assert_located(error, "", "steps", "must be a list")


@pytest.mark.parametrize("value", ['"say"', "3", '["say"]'])
def test_step_that_is_not_a_table(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, steps=f'steps = [{{ kind = "say", text = "Hi." }}, {value}]')
    assert_located(error, "2", "", "must be a table")
    assert "field" not in str(error)


# --- kinds and unknown fields ----------------------------------------------------------------


def test_missing_kind(tmp_path: Path) -> None:
    error = refused(tmp_path, SAY + '\n[[steps]]\ntext = "No kind."\n')
    assert_located(error, "2", "kind", "is missing")


def test_unknown_kind_lists_the_known_kinds(tmp_path: Path) -> None:
    error = refused(tmp_path, '[[steps]]\nkind = "dance"\n')
    assert_located(error, "1", "kind", "unknown kind 'dance'")
    for kind in ("say", "turn", "silence", "breathe", "pace", "ask", "repeat"):
        assert kind in error.problem
    assert set(KINDS) == {"say", "turn", "silence", "breathe", "pace", "ask", "replay", "repeat"}


def test_kind_must_be_text(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, "[[steps]]\nkind = 1\n"), "1", "kind", "must be text")


@pytest.mark.parametrize(
    "step",
    [
        SAY,
        TURN + "seconds = 30\n",
        '[[steps]]\nkind = "silence"\nprompt = "Be still."\nseconds = 30\n',
        '[[steps]]\nkind = "breathe"\nprompt = "Breathe."\ncycles = 3\n',
        '[[steps]]\nkind = "pace"\nprompt = "Walk."\nspm = 90\nseconds = 30\n',
        '[[steps]]\nkind = "ask"\nquestion = "How was it?"\n',
        REPEAT + '\n[[steps.steps]]\nkind = "say"\ntext = "Hi."\n',
    ],
    ids=["say", "turn", "silence", "breathe", "pace", "ask", "repeat"],
)
def test_unknown_field_in_a_step(tmp_path: Path, step: str) -> None:
    # The extra key is placed right after `kind`, so it belongs to the outer step.
    kind_line = next(line for line in step.splitlines() if line.startswith("kind ="))
    error = refused(tmp_path, SAY + step.replace(kind_line, kind_line + "\nvolume = 11", 1))
    assert_located(error, "2", "volume", "is not a known field")
    assert "kind" in error.problem  # the known fields are listed


def test_misspelt_field_is_named(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + "minute = 2\n")
    assert_located(error, "1", "minute", "is not a known field")
    assert "minutes" in error.problem and "seconds" in error.problem


# --- say -------------------------------------------------------------------------------------


def test_say_text_missing(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, '[[steps]]\nkind = "say"\n'), "1", "text", "is missing")


def test_say_text_empty(tmp_path: Path) -> None:
    error = refused(tmp_path, '[[steps]]\nkind = "say"\ntext = ""\n')
    assert_located(error, "1", "text", "must not be empty")


@pytest.mark.parametrize("value", ["-1", '"5"', "true"])
def test_say_pause_must_be_positive(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, SAY + f"pause = {value}\n")
    assert_located(error, "1", "pause", "must be a positive number")


def test_say_pause_read(tmp_path: Path) -> None:
    assert load(tmp_path, SAY + "pause = 7.5\n").steps == (SayStep("Hello.", 7.5),)


# --- turn ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["partner", "prompt", "listener"])
def test_turn_required_text_missing(tmp_path: Path, name: str) -> None:
    lines = [line for line in TURN.splitlines() if not line.startswith(f"{name} =")]
    error = refused(tmp_path, "\n".join(lines) + "\nseconds = 30\n")
    assert_located(error, "1", name, "is missing")


def test_turn_duration_missing(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN)
    assert_located(error, "1", "minutes", "is missing (give minutes or seconds)")


@pytest.mark.parametrize("value", ['"C"', '"a"', '"Both"', '""'])
def test_turn_partner_must_be_a_b_or_both(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, TURN.replace('partner = "A"', f"partner = {value}") + "seconds = 9")
    assert_located(error, "1", "partner", "must be one of A, B, both, not ")


def test_turn_partner_must_be_text(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN.replace('partner = "A"', "partner = 1") + "seconds = 9")
    assert_located(error, "1", "partner", "must be text")


def test_turn_minutes_and_seconds_both_given(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + "minutes = 2\nseconds = 30\n")
    assert_located(error, "1", "seconds", "give minutes or seconds, not both")


@pytest.mark.parametrize(
    ("duration", "field"),
    [("minutes = 0", "minutes"), ("seconds = -30", "seconds"), ('seconds = "30"', "seconds"),
     ("minutes = true", "minutes")],
)
def test_turn_duration_must_be_positive(tmp_path: Path, duration: str, field: str) -> None:
    error = refused(tmp_path, TURN + duration + "\n")
    assert_located(error, "1", field, "must be a positive number")


def test_turn_duration_must_be_finite(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + "seconds = inf\n")
    assert_located(error, "1", "seconds", "must be a positive number")


@pytest.mark.parametrize("kind", ["share", "answer", "talk", "activity"])
def test_turn_floor_kinds_load(tmp_path: Path, kind: str) -> None:
    partner = "both" if kind in ("talk", "activity") else "A"
    text = TURN.replace('partner = "A"', f'partner = "{partner}"')
    step = load(tmp_path, text + f'seconds = 30\nfloor = "{kind}"\n').steps[0]
    assert isinstance(step, TurnStep) and step.floor.value == kind


def test_turn_floor_defaults_to_a_share_for_one_and_a_talk_for_both(tmp_path: Path) -> None:
    one = load(tmp_path, TURN + "seconds = 30\n").steps[0]
    both = load(tmp_path, TURN.replace('"A"', '"both"', 1) + "seconds = 30\n").steps[0]
    assert isinstance(one, TurnStep) and one.floor.value == "share"
    assert isinstance(both, TurnStep) and both.floor.value == "talk"


def test_an_unknown_floor_kind_is_named(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + 'seconds = 30\nfloor = "chat"\n')
    assert_located(error, "1", "floor", "must be one of share, answer, talk, activity")


def test_a_share_for_both_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN.replace('"A"', '"both"', 1) + 'seconds = 30\nfloor = "share"\n')
    assert_located(error, "1", "floor", "a share is for one partner")


@pytest.mark.parametrize("value", ["0.2", "31", "1e9"])
def test_turn_patience_must_be_sensible(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, TURN + f"seconds = 30\npatience = {value}\n")
    assert_located(error, "1", "patience", "must be 0.5 to 30 seconds of quiet")


def test_ask_patience_must_be_sensible(tmp_path: Path) -> None:
    error = refused(tmp_path, '[[steps]]\nkind = "ask"\nquestion = "Q?"\npatience = 45\n')
    assert_located(error, "1", "patience", "must be 0.5 to 30 seconds of quiet")


def test_turn_minimum_must_fit_in_the_step(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + "seconds = 30\nmin_seconds = 40\n")
    assert_located(error, "1", "min_seconds", "must not be longer than the step")


def test_turn_handover_pause_read(tmp_path: Path) -> None:
    (step,) = load(tmp_path, TURN + 'seconds = 30\nhandover = "Take a breath."\n'
                               "handover_pause = 5\n").steps
    assert isinstance(step, TurnStep)
    assert step.handover_pause == 5.0


@pytest.mark.parametrize("value", ["0", "-2", '"5"'])
def test_turn_handover_pause_must_be_positive(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, TURN + f"seconds = 30\nhandover_pause = {value}\n")
    assert_located(error, "1", "handover_pause", "must be a positive number")


def test_the_old_open_field_is_refused_by_name(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + "seconds = 30\nopen = true\n")
    assert_located(error, "1", "open", "is not a known field")


# --- silence ---------------------------------------------------------------------------------

SILENCE = '[[steps]]\nkind = "silence"\nprompt = "Hold each other."\nseconds = 60\n'


@pytest.mark.parametrize("value", ["0", "-10", '"30"'])
def test_silence_chime_every_must_be_positive(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, SILENCE + f"chime_every = {value}\n")
    assert_located(error, "1", "chime_every", "must be a positive number")


def test_silence_duration_missing(tmp_path: Path) -> None:
    error = refused(tmp_path, SILENCE.replace("seconds = 60\n", ""))
    assert_located(error, "1", "minutes", "is missing")


def test_silence_prompt_missing(tmp_path: Path) -> None:
    error = refused(tmp_path, SILENCE.replace('prompt = "Hold each other."\n', ""))
    assert_located(error, "1", "prompt", "is missing")


# --- breathe ---------------------------------------------------------------------------------

BREATHE = '[[steps]]\nkind = "breathe"\nprompt = "Breathe with the sound."\n'


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ('"4-x-8"', "unknown breathing pattern '4-x-8'"),
        ('"waves"', "unknown breathing pattern 'waves'"),
        ('"200-0-0-0"', "at least 0.5 s"),  # no out phase at all
        ('"40-0-30-0"', "breaths a minute"),  # a 70 s breath
        ('"0.5-0.5"', "breaths a minute"),  # 60 breaths a minute
        ('"4-0.2-4-0"', "hold shorter than"),
    ],
)
def test_breathe_bad_pattern(tmp_path: Path, pattern: str, fragment: str) -> None:
    error = refused(tmp_path, BREATHE + f"pattern = {pattern}\ncycles = 4\n")
    assert_located(error, "1", "pattern", fragment)
    assert "IN-HOLD-OUT-HOLD" in error.problem


def test_breathe_pattern_must_be_text(tmp_path: Path) -> None:
    error = refused(tmp_path, BREATHE + "pattern = 4\ncycles = 4\n")
    assert_located(error, "1", "pattern", "must be text")


@pytest.mark.parametrize("duration", ["minutes = 2", "seconds = 90"])
def test_breathe_duration_and_cycles_both_given(tmp_path: Path, duration: str) -> None:
    error = refused(tmp_path, BREATHE + f"{duration}\ncycles = 4\n")
    assert_located(error, "1", "cycles", "give exactly one of minutes, seconds or cycles")


def test_breathe_neither_duration_nor_cycles(tmp_path: Path) -> None:
    error = refused(tmp_path, BREATHE)
    assert_located(error, "1", "minutes", "give exactly one of minutes, seconds or cycles")


@pytest.mark.parametrize("value", ["0", "-2"])
def test_breathe_cycles_at_least_one(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, BREATHE + f"cycles = {value}\n")
    assert_located(error, "1", "cycles", "must be a whole number of at least 1")


@pytest.mark.parametrize("value", ["2.5", '"4"', "true"])
def test_breathe_cycles_must_be_whole(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, BREATHE + f"cycles = {value}\n")
    assert_located(error, "1", "cycles", "must be a whole number")


@pytest.mark.parametrize("value", ['"duet"', '"Together"', '""'])
def test_breathe_mode_not_allowed(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, BREATHE + f"mode = {value}\ncycles = 4\n")
    assert_located(error, "1", "mode", "must be one of solo, together, alternating")


def test_breathe_explain_read(tmp_path: Path) -> None:
    (step,) = load(tmp_path, BREATHE + "cycles = 4\nexplain = true\n").steps
    assert isinstance(step, BreatheStep) and step.explain


def test_breathe_explain_must_be_true_or_false(tmp_path: Path) -> None:
    error = refused(tmp_path, BREATHE + 'cycles = 4\nexplain = "yes"\n')
    assert_located(error, "1", "explain", "must be true or false")


def test_breathe_prompt_missing(tmp_path: Path) -> None:
    error = refused(tmp_path, '[[steps]]\nkind = "breathe"\ncycles = 4\n')
    assert_located(error, "1", "prompt", "is missing")


# --- pace ------------------------------------------------------------------------------------

PACE = '[[steps]]\nkind = "pace"\nprompt = "Walk together."\nseconds = 60\n'


@pytest.mark.parametrize("value", ["0", "-90", '"90"'])
def test_pace_spm_not_positive(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, PACE + f"spm = {value}\n")
    assert_located(error, "1", "spm", "must be a positive number")


@pytest.mark.parametrize("value", ["500", "29.9", "201"])
def test_pace_spm_out_of_range(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, PACE + f"spm = {value}\n")
    assert_located(error, "1", "spm", "must be 30 to 200 steps a minute")


@pytest.mark.parametrize("value", ["30", "200"])
def test_pace_spm_range_is_inclusive(tmp_path: Path, value: str) -> None:
    (step,) = load(tmp_path, PACE + f"spm = {value}\n").steps
    assert isinstance(step, PaceStep)
    assert step.spm == float(value)


def test_pace_to_spm_out_of_range(tmp_path: Path) -> None:
    error = refused(tmp_path, PACE + "spm = 90\nto_spm = 250\n")
    assert_located(error, "1", "to_spm", "must be 30 to 200 steps a minute")


def test_pace_to_spm_not_positive(tmp_path: Path) -> None:
    error = refused(tmp_path, PACE + "spm = 90\nto_spm = 0\n")
    assert_located(error, "1", "to_spm", "must be a positive number")


def test_pace_spm_missing(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, PACE), "1", "spm", "is missing")


def test_pace_duration_missing(tmp_path: Path) -> None:
    error = refused(tmp_path, PACE.replace("seconds = 60\n", "") + "spm = 90\n")
    assert_located(error, "1", "minutes", "is missing")


# --- ask and decks ---------------------------------------------------------------------------

DECKS = '[decks]\nwarm = ["What made you laugh?", "What are you looking forward to?"]\n'
ASK = '[[steps]]\nkind = "ask"\n'


def test_ask_question_and_deck_both_given(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + 'question = "How was it?"\ndeck = "warm"\n', extra=DECKS)
    assert_located(error, "1", "deck", "give exactly one of question or deck")


def test_ask_neither_question_nor_deck(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + "seconds = 20\n", extra=DECKS)
    assert_located(error, "1", "question", "give exactly one of question or deck")


def test_ask_unknown_deck_lists_the_decks(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + 'deck = "hot"\n', extra=DECKS)
    assert_located(error, "1", "deck", "no deck named 'hot' (decks: warm)")


def test_ask_deck_without_any_decks(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + 'deck = "warm"\n')
    assert_located(error, "1", "deck", "no deck named 'warm' (decks: none defined)")


@pytest.mark.parametrize("count", ["3", "0", "-1"])
def test_ask_count_outside_the_deck(tmp_path: Path, count: str) -> None:
    error = refused(tmp_path, ASK + f'deck = "warm"\ncount = {count}\n', extra=DECKS)
    assert_located(error, "1", "count", "must be 1 to 2, the size of deck 'warm'")


def test_ask_count_above_one_for_a_single_question(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + 'question = "How was it?"\ncount = 2\n')
    assert_located(error, "1", "count", "only a deck can give more than one question")


@pytest.mark.parametrize("value", ["1.5", '"2"'])
def test_ask_count_must_be_whole(tmp_path: Path, value: str) -> None:
    error = refused(tmp_path, ASK + f'deck = "warm"\ncount = {value}\n', extra=DECKS)
    assert_located(error, "1", "count", "must be a whole number")


def test_ask_partner_must_be_a_b_or_both(tmp_path: Path) -> None:
    error = refused(tmp_path, ASK + 'question = "How was it?"\npartner = "C"\n')
    assert_located(error, "1", "partner", "must be one of A, B, both, not 'C'")


def test_ask_answer_time_defaults_to_30_seconds(tmp_path: Path) -> None:
    (step,) = load(tmp_path, ASK + 'question = "How was it?"\n').steps
    assert step == AskStep(questions=("How was it?",), count=1, partner="both", seconds=30.0)


@pytest.mark.parametrize(
    ("decks", "field", "fragment"),
    [
        pytest.param('decks = ["a", "b"]', "decks", "must be a table of question lists",
                     id="not-a-table"),
        pytest.param('[decks]\nwarm = "What made you laugh?"', "decks.warm",
                     "must be a non-empty list of questions", id="not-a-list"),
        pytest.param("[decks]\nwarm = []", "decks.warm",
                     "must be a non-empty list of questions", id="empty-list"),
        pytest.param('[decks]\nwarm = ["Fine?", 3]', "decks.warm",
                     "must hold only non-empty text", id="non-string-entry"),
        pytest.param('[decks]\nwarm = ["Fine?", "  "]', "decks.warm",
                     "must hold only non-empty text", id="blank-entry"),
        pytest.param('[decks]\nwarm = ["Fine?", "Ask {C}."]', "decks.warm",
                     "unknown placeholder '{C}'", id="bad-placeholder"),
    ],
)
def test_decks_malformed(tmp_path: Path, decks: str, field: str, fragment: str) -> None:
    assert_located(refused(tmp_path, extra=decks), "", field, fragment)


# --- placeholders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Hello {C}.", "unknown placeholder '{C}' (use {A} or {B})"),
        ("Hello {a}.", "unknown placeholder '{a}'"),
        ("Hello {name}.", "unknown placeholder '{name}'"),
        ("Hello {}.", "unknown placeholder '{}'"),
        ("Hello {A.", "has an unmatched brace"),
        ("Hello A}.", "has an unmatched brace"),
        ("Hello {A}}.", "has an unmatched brace"),
        ("Hello }{.", "has an unmatched brace"),
    ],
)
def test_bad_placeholder_in_step_text(tmp_path: Path, text: str, fragment: str) -> None:
    error = refused(tmp_path, SAY.replace("Hello.", text))
    assert_located(error, "1", "text", fragment)


def test_bad_placeholder_in_top_level_text(tmp_path: Path) -> None:
    error = refused(tmp_path, title='"A talk for {you}"')
    assert_located(error, "", "title", "unknown placeholder '{you}'")


def test_bad_placeholder_in_optional_field(tmp_path: Path) -> None:
    error = refused(tmp_path, TURN + 'seconds = 30\nhandover = "Thanks, {B"\n')
    assert_located(error, "1", "handover", "has an unmatched brace")


def test_a_and_b_placeholders_accepted(tmp_path: Path) -> None:
    exercise = load(
        tmp_path, SAY.replace("Hello.", "{A} and {B}, hello. {B}{A}"), title='"For {A} and {B}"'
    )
    assert exercise.title == "For {A} and {B}"
    assert exercise.steps == (SayStep("{A} and {B}, hello. {B}{A}"),)


# --- repeat ----------------------------------------------------------------------------------


def test_repeat_with_empty_steps(tmp_path: Path) -> None:
    error = refused(tmp_path, SAY + REPEAT + "steps = []\n")
    assert_located(error, "2", "steps", "must list at least one step")


def test_repeat_without_steps(tmp_path: Path) -> None:
    assert_located(refused(tmp_path, SAY + REPEAT), "2", "steps", "is missing")


def test_nested_repeat(tmp_path: Path) -> None:
    steps = SAY + REPEAT + '\n[[steps.steps]]\nkind = "repeat"\n'
    error = refused(tmp_path, steps)
    assert_located(error, "2.1", "kind", "a repeat cannot hold another repeat")
    assert ", step 2.1, field 'kind': " in str(error)


def test_error_inside_a_repeat_names_the_inner_step(tmp_path: Path) -> None:
    inner = (
        '\n[[steps.steps]]\nkind = "say"\ntext = "One."\n'
        '\n[[steps.steps]]\nkind = "say"\ntext = "Two."\n'
        + TURN.replace("[[steps]]", "[[steps.steps]]").replace('"A"', '"X"')
        + "seconds = 30\n"
    )
    error = refused(tmp_path, SAY + REPEAT + inner + SAY)
    assert_located(error, "2.3", "partner", "must be one of A, B")
    assert ", step 2.3, field 'partner': " in str(error)


def test_inner_step_that_is_not_a_table(tmp_path: Path) -> None:
    error = refused(tmp_path, SAY + REPEAT + 'steps = [{ kind = "say", text = "Hi." }, "say"]\n')
    assert_located(error, "2.2", "", "must be a table")


# --- a valid script with every kind ----------------------------------------------------------

EVERYTHING = """
title = "Everything"
minutes = 20
invitation = "An invitation: skip anything. Is it a good stretch, or too much?"
summary = "Every kind of step."

[decks]
warm = ["What made you laugh, {B}?", "What are you looking forward to?", "What was easy?"]
deep = ["What do you need?"]

[[steps]]
kind = "say"
text = "Welcome, {A} and {B}."
pause = 5

[[steps]]
kind = "turn"
partner = "B"
prompt = "{B}, tell {A} about your week."
listener = "{A}, just listen."
minutes = 1.5
floor = "answer"
handover = "Thank you."

[[steps]]
kind = "silence"
prompt = "Look at each other."
minutes = 2
chime_every = 30
closing = "Let your gaze soften."

[[steps]]
kind = "breathe"
prompt = "Breathe in a box."
pattern = "box"
mode = "solo"
cycles = 4

[[steps]]
kind = "breathe"
prompt = "Breathe as one."
seconds = 90
closing = "Breathe freely."

[[steps]]
kind = "breathe"
prompt = "{A} in, {B} out."
pattern = "4-2-6-0"
mode = "alternating"
minutes = 3

[[steps]]
kind = "pace"
prompt = "Walk together."
spm = 90
to_spm = 110
minutes = 3
closing = "Stop gently."

[[steps]]
kind = "ask"
deck = "warm"
count = 2
partner = "A"
seconds = 45
intro = "A few questions."

[[steps]]
kind = "ask"
question = "Was this a good stretch, or too much?"

[[steps]]
kind = "repeat"

[[steps.steps]]
kind = "turn"
partner = "A"
prompt = "{A}, share a wish."
listener = "{B}, listen."
seconds = 60

[[steps.steps]]
kind = "say"
text = "Now {B} answers."

[[steps]]
kind = "ask"
deck = "deep"
partner = "B"
minutes = 1
"""


def test_every_kind_loads_into_the_expected_steps(tmp_path: Path) -> None:
    path = write(tmp_path, EVERYTHING, name="every-kind.toml")
    exercise = load_exercise(path)
    assert exercise.id == "every-kind"
    assert exercise.path == path
    assert exercise.title == "Everything"
    assert exercise.minutes == 20.0
    assert exercise.summary == "Every kind of step."
    assert exercise.invitation.startswith("An invitation")
    expected: tuple[Step, ...] = (
        SayStep("Welcome, {A} and {B}.", pause=5.0),
        TurnStep(partner="B", prompt="{B}, tell {A} about your week.",
                 listener="{A}, just listen.", seconds=90.0, floor=FloorKind.ANSWER,
                 handover="Thank you."),
        SilenceStep(prompt="Look at each other.", seconds=120.0, chime_every=30.0,
                    closing="Let your gaze soften."),
        BreatheStep(prompt="Breathe in a box.", pattern="box", mode="solo", seconds=None,
                    cycles=4),
        BreatheStep(prompt="Breathe as one.", pattern="coherent", mode="together",
                    seconds=90.0, cycles=None, closing="Breathe freely."),
        BreatheStep(prompt="{A} in, {B} out.", pattern="4-2-6-0", mode="alternating",
                    seconds=180.0, cycles=None),
        PaceStep(prompt="Walk together.", spm=90.0, seconds=180.0, to_spm=110.0,
                 closing="Stop gently."),
        AskStep(questions=("What made you laugh, {B}?", "What are you looking forward to?",
                           "What was easy?"),
                count=2, partner="A", seconds=45.0, intro="A few questions.", deck="warm",
                floor=FloorKind.SHARE),
        AskStep(questions=("Was this a good stretch, or too much?",), count=1, partner="both",
                seconds=30.0),
        RepeatStep((
            TurnStep(partner="A", prompt="{A}, share a wish.", listener="{B}, listen.",
                     seconds=60.0),
            SayStep("Now {B} answers."),
        )),
        AskStep(questions=("What do you need?",), count=1, partner="B", seconds=60.0,
                deck="deep", floor=FloorKind.SHARE),
    )
    assert exercise.steps == expected
    for step in exercise.steps:
        if isinstance(step, (TurnStep, SilenceStep, PaceStep, AskStep)):
            assert isinstance(step.seconds, float)


# --- the library lookup ----------------------------------------------------------------------


def test_find_exercise_unknown_id_lists_the_ids(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as caught:
        find_exercise("no-such-id")
    message = str(caught.value)
    assert "'no-such-id'" in message
    for name in ("daily-check-in", "eye-contact", "walk-in-sync"):
        assert name in message


def test_find_exercise_malformed_file_names_file_step_and_field(tmp_path: Path) -> None:
    bad = TURN.replace('"A"', '"C"') + "seconds = 30\n"
    path = write(tmp_path, script(SAY + bad), name="my-bad-exercise.toml")
    with pytest.raises(UserError) as caught:
        find_exercise(str(path))
    message = str(caught.value)
    assert "my-bad-exercise.toml" in message
    assert "step 2" in message
    assert "field 'partner'" in message
    assert "must be one of A, B" in message


def test_find_exercise_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as caught:
        find_exercise("missing.toml")
    assert "missing.toml" in str(caught.value)


def test_find_exercise_by_path_and_by_id(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, script(), name="mine.toml")
    assert find_exercise(str(path)).id == "mine"
    monkeypatch.chdir(tmp_path)
    assert find_exercise("mine.toml").steps == (SayStep("Hello."),)
    assert find_exercise("eye-contact").id == "eye-contact"


# --- the shipped library ---------------------------------------------------------------------

LIBRARY_IDS = {
    "daily-check-in", "appreciation", "connection-journal", "mindful-listening",
    "responsive-reach", "problem-solving", "physical-synchrony", "two-stars-one-wish",
    "values-alignment", "memory-map", "weekly-reflection", "eye-contact", "sustained-hug",
    "breathe-in-sync", "partner-breathing", "walk-in-sync", "mirror-play", "balance-play",
    "curiosity-questions", "play-together", "rituals", "snuggle", "playful-touch", "senses",
}
TOUCH = {"snuggle", "playful-touch", "senses", "sustained-hug", "physical-synchrony",
         "balance-play", "partner-breathing", "breathe-in-sync", "curiosity-questions"}
BREATHING = {"breathe-in-sync", "partner-breathing", "physical-synchrony", "weekly-reflection",
             "snuggle"}
FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself|we|us|our|ours|ourselves)\b|\bi'",
                          re.IGNORECASE)
MOVES = re.compile(r"\b(stand up|fetch|go and|step outside|sit on opposite|move apart|"
                   r"find a place|find a quiet|find your position|find a position|"
                   r"find a comfortable|"
                   r"make a little room|clear a|make some space|stand facing|lift one foot)\b",
                   re.IGNORECASE)


def all_steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if isinstance(step, RepeatStep):
            yield from all_steps(step.steps)


@pytest.fixture(scope="module")
def library() -> dict[str, Exercise]:
    return {exercise.id: exercise for exercise in load_library()}


def test_library_has_exactly_the_expected_exercises(library: dict[str, Exercise]) -> None:
    assert len(LIBRARY_IDS) == 24
    assert set(library) == LIBRARY_IDS
    assert set(exercise_ids()) == LIBRARY_IDS


def test_library_invitations(library: dict[str, Exercise]) -> None:
    for exercise in library.values():
        text = exercise.invitation.lower()
        assert "invitation" in text, exercise.id
        assert re.search(r"\bskip|\bleave out\b", text), exercise.id  # anything may be skipped
        assert "good stretch" in text and "too much" in text, exercise.id
        assert "say skip" in text, exercise.id  # the opening says how
        assert exercise.title and exercise.summary and exercise.minutes > 0, exercise.id


def test_library_ends_by_asking_stretch_or_too_much(library: dict[str, Exercise]) -> None:
    for exercise in library.values():
        check = exercise.steps[-1]
        assert isinstance(check, AskStep), exercise.id
        assert len(check.questions) == 1 and not check.deck, exercise.id
        question = check.questions[0].lower()
        assert "good stretch" in question and "too much" in question, exercise.id
        # and then one line for "too much" (worth talking over, perhaps with a therapist),
        # in one of several wordings
        last = for_visit(exercise, Visit()).steps[-1]
        assert isinstance(last, SayStep), exercise.id
        assert "too much" in last.text and "therapist" in last.text, exercise.id


def test_touch_exercises_ask_for_consent_before_any_touch(
        library: dict[str, Exercise]) -> None:
    for name in TOUCH:
        asks = [s for s in library[name].steps if isinstance(s, AskStep) and not s.deck]
        consent = next((s for s in asks if "out loud" in s.questions[0]), None)
        assert consent is not None, name
        before = library[name].steps[: library[name].steps.index(consent)]
        assert not any(isinstance(s, (TurnStep, SilenceStep, BreatheStep, PaceStep, RepeatStep))
                       for s in before), name


def test_prompts_that_ask_for_a_move_give_time_for_it(library: dict[str, Exercise]) -> None:
    for exercise in library.values():
        for step in all_steps(exercise.steps):
            if isinstance(step, SayStep) and MOVES.search(step.text):
                assert step.pause >= 4, (exercise.id, step.text)


def test_a_handover_that_promises_a_breath_gives_one(library: dict[str, Exercise]) -> None:
    for exercise in library.values():
        for step in all_steps(exercise.steps):
            if isinstance(step, TurnStep) and re.search(r"breath|moment", step.handover):
                assert step.handover_pause >= 3, (exercise.id, step.handover)


def test_breathing_exercises_explain_their_sounds_first(library: dict[str, Exercise]) -> None:
    for name in BREATHING:
        breathes = [s for s in all_steps(library[name].steps) if isinstance(s, BreatheStep)]
        assert breathes[0].explain, name
        assert not any(s.explain for s in breathes[1:]), name  # said once


def test_daily_check_in_is_short(library: dict[str, Exercise]) -> None:
    assert library["daily-check-in"].minutes <= 10


def test_physical_synchrony_stretches_together_and_holds_hands_while_talking(
        library: dict[str, Exercise]) -> None:
    steps = list(all_steps(library["physical-synchrony"].steps))
    stretches = [s for s in steps if isinstance(s, SayStep) and "stretch" in s.text.lower()]
    assert len(stretches) >= 2
    talks = [s for s in steps if isinstance(s, TurnStep)]
    assert talks and all("hand" in s.prompt or "hand" in s.listener for s in talks)


def test_connection_journal_partners_take_turns_writing(library: dict[str, Exercise]) -> None:
    rounds = [s for s in library["connection-journal"].steps if isinstance(s, RepeatStep)]
    writing = [s for r in rounds for s in r.steps
               if isinstance(s, TurnStep) and "write" in s.prompt]
    assert len(writing) == 1 and writing[0].partner == "A"  # once for each, in turn


def test_library_breathing_modes(library: dict[str, Exercise]) -> None:
    for name, mode in (("breathe-in-sync", "together"), ("partner-breathing", "alternating")):
        breathes = [s for s in all_steps(library[name].steps) if isinstance(s, BreatheStep)]
        assert breathes, name
        assert {step.mode for step in breathes} == {mode}, name


def test_walk_in_sync_ramps_its_pace(library: dict[str, Exercise]) -> None:
    paces = [s for s in all_steps(library["walk-in-sync"].steps) if isinstance(s, PaceStep)]
    assert any(s.to_spm is not None and s.to_spm != s.spm for s in paces)


def curiosity_decks(library: dict[str, Exercise]) -> dict[str, tuple[str, ...]]:
    return {step.deck: step.questions for step in all_steps(library["curiosity-questions"].steps)
            if isinstance(step, AskStep) and step.deck}


def test_curiosity_questions_has_three_sets_and_at_least_thirty_six(
        library: dict[str, Exercise]) -> None:
    decks = curiosity_decks(library)
    assert list(decks) == ["light", "closer", "deep"]  # in order of rising closeness
    assert sum(len(questions) for questions in decks.values()) >= 36
    for name, questions in decks.items():
        assert len(questions) >= 12, name
        assert len(set(questions)) == len(questions), name


def test_every_question_is_addressed_to_the_partner_answering(
        library: dict[str, Exercise]) -> None:
    """Spoken by the assistant, "me" would mean the assistant: never the first person."""
    for exercise in library.values():
        for step in all_steps(exercise.steps):
            if isinstance(step, AskStep):
                for question in step.questions:
                    assert not FIRST_PERSON.search(question), (exercise.id, question)
    questions = [q for deck in curiosity_decks(library).values() for q in deck]
    assert all(re.search(r"\byou(r)?\b", q, re.IGNORECASE) for q in questions)


@pytest.mark.parametrize("seed", range(5))
def test_a_curiosity_draw_grows_closer_from_first_to_last(library: dict[str, Exercise],
                                                          seed: int) -> None:
    decks = curiosity_decks(library)
    level = {q: n for n, questions in enumerate(decks.values()) for q in questions}
    plan = build_plan(library["curiosity-questions"], Names(), seed)
    asked = [sound.text for step in plan for beat in step.beats for _, sound in beat.sounds
             if isinstance(sound, Speech) and sound.text in level]
    levels = [level[q] for q in asked]
    assert len(asked) == len(set(asked)) >= 6
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == 2


def test_the_curiosity_questions_say_once_that_any_can_be_passed(
        library: dict[str, Exercise]) -> None:
    said = [s.text for s in library["curiosity-questions"].steps if isinstance(s, SayStep)]
    assert sum("passed" in text and "say skip" in text for text in said) == 1


def test_library_uses_only_valid_durations(library: dict[str, Exercise]) -> None:
    for exercise in library.values():
        for step in all_steps(exercise.steps):
            seconds = getattr(step, "seconds", None)
            if seconds is not None:
                assert 0 < seconds < exercise.minutes * 60, (exercise.id, step)


# --- keep and replay ------------------------------------------------------------------------


def test_a_floor_can_name_what_its_recording_keeps(tmp_path: Path) -> None:
    step = load(tmp_path, TURN + 'seconds = 30\nkeep = "agreed change"\n').steps[0]
    assert isinstance(step, TurnStep) and step.keep == "agreed change"


@pytest.mark.parametrize("label", ['"Agreed!"', '"a/b"', '"Memory"'])
def test_a_keep_label_is_plain_words(tmp_path: Path, label: str) -> None:
    error = refused(tmp_path, TURN + f"seconds = 30\nkeep = {label}\n")
    assert_located(error, "1", "keep", "must be a few lowercase words")


def test_a_replay_step_loads(tmp_path: Path) -> None:
    step = load(tmp_path, '[[steps]]\nkind = "replay"\nlabel = "memory"\ncount = 3\n'
                          'intro = "Earlier memories."\n').steps[0]
    assert step == ReplayStep(label="memory", count=3, intro="Earlier memories.")


@pytest.mark.parametrize(("extra", "field", "problem"), [
    ("", "label", "is missing"),
    ('label = "memory"\ncount = 0\n', "count", "from 1 to 10"),
    ('label = "memory"\nexercise = "../etc"\n', "exercise", "must be an exercise id"),
])
def test_a_replay_step_is_checked(tmp_path: Path, extra: str, field: str, problem: str) -> None:
    error = refused(tmp_path, '[[steps]]\nkind = "replay"\n' + extra)
    assert_located(error, "1", field, problem)
