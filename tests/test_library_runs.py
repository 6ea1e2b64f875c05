"""Every exercise runs end to end on the virtual clock with real synthesised speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.audio.cues import CueBank
from assistant.cli.main import main
from assistant.script.library import exercise_ids, find_exercise
from assistant.script.wordings import Visit, for_visit
from assistant.session.plan import Names, build_plan
from tests.conftest import read_events

RATE = 16_000
CUE_LENGTHS = {kind: len(CueBank(RATE).get(kind)) for kind in
               ("bell", "chime", "in", "out", "hold", "in_b", "out_b", "hold_b", "step")}


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_exercise_runs_to_completion_with_speech_where_the_log_says(
        exercise_id: str, tmp_path: Path) -> None:
    out, log = tmp_path / "out.wav", tmp_path / "events.jsonl"
    status = main(["run", exercise_id, "--out-file", str(out), "--events", str(log),
                   "--names", "Ana,Ben", "--seed", "7"])
    assert status == 0
    events = read_events(log)

    # every step is reached, in order, and the session completes; with nobody heard, every
    # floor runs to its time, the longest a session can be: never shorter than stated
    exercise = find_exercise(exercise_id)
    plan = build_plan(for_visit(exercise, Visit()), Names("Ana", "Ben"), 7)  # a first visit
    assert [e["index"] for e in events if e["type"] == "step"] == list(range(len(plan)))
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "completed"
    assert exercise.minutes * 60 <= events[-1]["t"]
    if exercise_id == "daily-check-in":  # a check-in for every day stays short
        assert events[-1]["t"] <= 10 * 60

    audio, rate = soundfile.read(str(out), dtype="float32")
    assert rate == RATE
    assert len(audio) == round(events[-1]["t"] * RATE)

    # real speech (not silence) exactly between each say_start and say_end
    sounding = np.zeros(len(audio), dtype=bool)
    starts = [e for e in events if e["type"] == "say_start"]
    ends = [e for e in events if e["type"] == "say_end"]
    assert len(starts) == len(ends) > 0
    for start, end in zip(starts, ends, strict=True):
        assert start["text"] == end["text"]
        a, b = round(start["t"] * RATE), round(end["t"] * RATE)
        segment = audio[a:b]
        assert b - a > RATE // 4, "a prompt lasts at least a quarter second"
        assert np.sqrt(np.mean(segment**2)) > 0.02, f"no speech for {start['text']!r}"
        assert abs(segment[0]) > 0 and abs(segment[-1]) > 0, "speech begins and ends on the mark"
        sounding[a:b] = True
    for cue in (e for e in events if e["type"] == "cue"):
        a = round(cue["t"] * RATE)
        assert np.abs(audio[a : a + CUE_LENGTHS[cue["kind"]]]).max() > 0.01
        sounding[a : a + CUE_LENGTHS[cue["kind"]]] = True
    # and nothing at all where the log says nothing plays
    assert not np.any(audio[~sounding]), "sound outside every logged sound"
