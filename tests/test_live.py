"""Live runs through PortAudio into a private PulseAudio null sink.

These run in real time, so each is a few seconds long.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from assistant.testing.pulse import PulseServer
from assistant.testing.sounds import RATE, silence, spoken
from tests.conftest import read_events

pytestmark = pytest.mark.live

SHORT = """
title = "Short"
minutes = 1
invitation = "Only if you like."
[[steps]]
kind = "silence"
prompt = "Rest."
seconds = 1
"""


@pytest.fixture(autouse=True)
def _no_process_left_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that fails mid-way (a timeout, under load) leaves no session running."""
    started: list[subprocess.Popen[Any]] = []

    class Tracked(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(subprocess, "Popen", Tracked)
    yield
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    with PulseServer(tmp_path / "pulse") as server:
        yield server


def test_a_live_session_plays_speech_and_cues_on_the_sound_card(pulse: PulseServer,
                                                                 tmp_path: Path) -> None:
    script, log, recording = tmp_path / "short.toml", tmp_path / "e.jsonl", tmp_path / "rec.wav"
    script.write_text(SHORT, encoding="utf-8")
    recorder = subprocess.Popen(
        ["parecord", "--device=speaker.monitor", "--rate=16000", "--channels=1",
         "--file-format=wav", str(recording)], env=pulse.env)
    try:
        result = subprocess.run(  # --debug: ALSA's own underrun lines are counted below
            [sys.executable, "-m", "assistant", "run", str(script), "--events", str(log),
             "--debug"], env=pulse.env, capture_output=True, text=True, timeout=60)
    finally:
        recorder.terminate()
        recorder.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert "Short. Only if you like." in result.stdout
    events = read_events(log)
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "completed"
    assert [e["kind"] for e in events if e["type"] == "cue"] == ["bell", "bell"]

    audio, rate = soundfile.read(str(recording), dtype="float32")
    heard = onsets(audio, rate)
    assert len(heard), "nothing reached the sound card"
    bells = [e["t"] for e in events if e["type"] == "cue"]
    speech = [e["t"] for e in events if e["type"] == "say_start"]
    # The monitor only delivers once something plays, so the recording starts inside the
    # first prompt. Anchor on the first bell (a sharp attack); every later logged start
    # must be heard where the log puts it. On a busy machine underruns can shift a sound
    # until the clock catches up (a quarter second was seen with the cores overloaded
    # many times over), so the bound here holds under any load: every sound within half
    # a second of its place, where a clock that lost time would drift by whole seconds.
    # The precision on a quiet machine is a benchmark (scripts/bench_cue_timing.py).
    anchor = min(heard, key=lambda h: abs(h - (heard[0] + bells[0] - speech[0])))
    for logged, tolerance in [*((t, 0.5) for t in bells), *((t, 0.5) for t in speech[1:])]:
        expected = anchor + logged - bells[0]
        assert min(abs(h - expected) for h in heard) < tolerance, f"no onset near {logged}"


def onsets(audio: np.ndarray, rate: int, frame: float = 0.005) -> list[float]:
    """Times where the level jumps up out of near-silence or steps up sharply."""
    size = round(frame * rate)
    frames = audio[: len(audio) // size * size].reshape(-1, size)
    level = np.sqrt(np.mean(frames**2, axis=1))
    found = []
    for i in range(1, len(level)):
        if level[i] > 0.01 and level[i] > 3 * max(level[i - 1], 1e-4):
            first = np.flatnonzero(np.abs(frames[i]) > 0.005)
            found.append((i * size + (first[0] if len(first) else 0)) / rate)
    return found


def test_a_missing_output_device_is_a_plain_error(pulse: PulseServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "eye-contact", "--output-device", "nowhere"],
        env=pulse.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "assistant devices" in result.stderr
    assert "Traceback" not in result.stderr


def test_devices_lists_the_sound_server(pulse: PulseServer) -> None:
    result = subprocess.run([sys.executable, "-m", "assistant", "devices"], env=pulse.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "default output" in result.stdout


LISTEN = """
title = "Listen"
minutes = 2
invitation = "Only if you like."
[[steps]]
kind = "turn"
partner = "A"
prompt = "{A}, your turn."
listener = "{B}, listen."
seconds = 60
"""


def speak_in_a_live_turn(pulse: PulseServer, folder: Path, script: str, speech: np.ndarray,
                         *options: str) -> list[dict[str, Any]]:
    """Run `script` live; once its turn starts, play `speech` into the microphone; the
    finished session's events."""
    path, log = folder / "session.toml", folder / "e.jsonl"
    path.write_text(script, encoding="utf-8")
    session = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", str(path), "--events", str(log),
         "--names", "Ana,Ben", *options], env=pulse.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (log.exists() and "turn_start" in log.read_text()):
        assert time.monotonic() < deadline and session.poll() is None, "no turn started"
        time.sleep(0.05)
    pulse.play_into_mic(speech)
    _, err = session.communicate(timeout=30)
    assert session.returncode == 0, err
    return read_events(log)


def test_a_live_turn_hears_the_partner_and_ends_after_the_patience(
        pulse: PulseServer, tmp_path: Path) -> None:
    """Real time, about ten seconds: speech played into the virtual microphone."""
    said = spoken("I had a calm and happy day and I am glad to be here")
    events = speak_in_a_live_turn(pulse, tmp_path, LISTEN, np.concatenate([silence(0.5), said]),
                                  "--patience", "2")
    kinds = [e["type"] for e in events]
    assert "speech_start" in kinds and "speech_end" in kinds
    end = next(e for e in events if e["type"] == "turn_end")
    assert end["reason"] == "silence" and end["partner"] == "Ana"
    # the last end of speech before the turn's (a loaded machine may stutter the played
    # speech, which the detector rightly hears as a pause and a new start)
    speech_end = [e for e in events if e["type"] == "speech_end" and e["t"] <= end["t"]][-1]
    assert end["t"] - speech_end["t"] == pytest.approx(2.0, abs=0.05)


TALK_OVER = LISTEN.replace("seconds = 60", "seconds = 4")  # a partner will talk past it


def test_live_the_bell_after_a_turn_waits_for_the_partner_to_pause(
        pulse: PulseServer, tmp_path: Path) -> None:
    """Real time, about fifteen seconds: a partner talks on past a short turn's time."""
    # about ten seconds of talk, so it spans the turn's four seconds however late a busy
    # machine starts playing it into the microphone
    talk = spoken("I had a calm day and I am glad to be here, and there is one more thing "
                  "I would like to say about the weekend, and about the walk we took by the "
                  "river on Sunday morning")
    events = speak_in_a_live_turn(pulse, tmp_path, TALK_OVER,
                                  np.concatenate([silence(0.3), talk]))
    start = next(e["t"] for e in events if e["type"] == "turn_start")
    end = next(e for e in events if e["type"] == "turn_end")
    starts = [e["t"] for e in events if e["type"] == "speech_start"]
    ends = [e["t"] for e in events if e["type"] == "speech_end"]
    spans = list(zip(starts, ends, strict=False))
    assert any(a <= start + 4.0 < b for a, b in spans), "the partner was not talking at 4 s"
    assert end["reason"] == "time" and end["t"] > start + 4.0, "ended while they spoke"
    assert not any(a < end["t"] < b for a, b in spans), "the turn ended mid-speech"
    bell = next(e["t"] for e in events if e["type"] == "cue" and e["kind"] == "bell")
    assert bell >= end["t"] and not any(a < bell < b for a, b in spans), \
        "the bell rang over the partner"


def test_a_missing_input_device_is_a_plain_error(pulse: PulseServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "eye-contact", "--input-device",
         "no-such-mic"], env=pulse.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no-such-mic" in result.stderr and "assistant devices" in result.stderr


def test_no_microphone_at_all_points_to_mic_file_and_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice

    from assistant.audio.live import LiveAudio
    from assistant.audio.mixer import Mixer
    from assistant.base.errors import UserError

    def no_input(**settings: object) -> None:
        raise sounddevice.PortAudioError("no input device")

    monkeypatch.setattr(sounddevice, "check_output_settings", lambda **settings: None)
    monkeypatch.setattr(sounddevice, "check_input_settings", no_input)
    with pytest.raises(UserError) as error:
        LiveAudio(16_000).open(Mixer(16_000))
    assert "--mic-file" in str(error.value) and "--text" in str(error.value)


@pytest.mark.parametrize("debug", [False, True])
def test_a_device_that_fails_mid_session_pauses_it_and_loses_nothing(tmp_path: Path,
                                                                      debug: bool) -> None:
    """Real time, about six seconds: the sound server dies under a running session.

    PortAudio reports the failure on its own standard error; the user sees none of it,
    unless they ask with --debug."""
    log = tmp_path / "e.jsonl"
    with PulseServer(tmp_path / "pulse") as server:
        session = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "eye-contact", "--events", str(log),
             *(["--debug"] if debug else [])],
            env=server.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not (log.exists() and "say_start" in log.read_text()):
            assert time.monotonic() < deadline and session.poll() is None, "no speech"
            time.sleep(0.05)
        server.__exit__()  # the device goes away
        deadline = time.monotonic() + 10
        while "device_lost" not in log.read_text():
            assert time.monotonic() < deadline and session.poll() is None, "not noticed"
            time.sleep(0.05)
        session.send_signal(signal.SIGINT)
        out, err = session.communicate(timeout=15)
    assert session.returncode == 130 and "Traceback" not in err
    library_lines = [line for line in err.splitlines() if not line.startswith("assistant:")]
    assert bool(library_lines) == debug, err
    assert "The sound device stopped, so the session is paused." in out
    events = read_events(log)
    types = [e["type"] for e in events]
    assert types[:3] == ["session_start", "step", "say_start"]
    assert types[-3:] == ["device_lost", "command", "session_end"]
    commands = [e["name"] for e in events if e["type"] == "command"]
    assert commands == ["pause", "quit"] and events[-1]["reason"] == "stopped"


def test_check_reports_the_microphone_level_and_speech(pulse: PulseServer) -> None:
    """Real time, about four seconds."""
    check = subprocess.Popen([sys.executable, "-m", "assistant", "check"], env=pulse.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert check.stdout is not None
    for line in check.stdout:
        if line.startswith("Listening"):
            break
    pulse.play_into_mic(spoken("Hello, can you hear me clearly?"))
    out, err = check.communicate(timeout=30)
    assert check.returncode == 0, out + err
    assert "speech synthesis: ok" in out and "sound output: ok" in out
    assert "voice commands:" in out
    mic = next(line for line in out.splitlines() if line.startswith("microphone"))
    assert "dBFS" in mic and "speech detected" in mic


def test_the_spoken_menu_on_a_sound_card_takes_a_typed_number_at_once(
        pulse: PulseServer, tmp_path: Path) -> None:
    """Real time, a few seconds: the number cuts the welcome short, the session starts."""
    log = tmp_path / "e.jsonl"
    menu = subprocess.Popen([sys.executable, "-m", "assistant", "--events", str(log)],
                            env=pulse.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert menu.stdin is not None
    deadline = time.monotonic() + 30
    def running() -> bool:
        if menu.poll() is None:
            return True
        raise AssertionError(menu.communicate()[1])

    while not (log.exists() and "say_start" in log.read_text()):
        assert time.monotonic() < deadline and running()
        time.sleep(0.05)
    menu.stdin.write("3\n")
    menu.stdin.flush()
    while "session_start" not in log.read_text():
        assert time.monotonic() < deadline and running()
        time.sleep(0.05)
    menu.send_signal(signal.SIGINT)
    out, err = menu.communicate(timeout=15)
    assert menu.returncode == 130 and err == ""
    events = read_events(log)
    welcome_end = next(e for e in events if e["type"] == "say_end")
    assert welcome_end["text"].startswith("Welcome.") and welcome_end.get("cut")
    choice = next(e for e in events if e["type"] == "menu_choice")
    assert choice["by"] == "typed" and choice["exercise"] == "breathe-in-sync"
    assert "Breathing in sync. Let us begin." in out.splitlines()


OVER_PROMPT = ("Sit comfortably and let your shoulders drop. Notice the weight of your "
               "hands, and the floor under your feet. In a moment each of you will have a "
               "turn to speak.")
OVER = LISTEN.split("[[steps]]")[0] + f'[[steps]]\nkind = "say"\ntext = "{OVER_PROMPT}"\n'


def test_live_a_partner_speaking_over_a_prompt_with_its_echo_ducks_it(
        pulse: PulseServer, tmp_path: Path) -> None:
    """Real time, about fifteen seconds: the speaker's sound loops back into the
    microphone (an echo as a room makes it), and a partner speaks over the prompt."""
    pulse.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=mic",
                "latency_msec=40")
    path, log = tmp_path / "over.toml", tmp_path / "e.jsonl"
    path.write_text(OVER, encoding="utf-8")
    session = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", str(path), "--events", str(log),
         "--names", "Ana,Ben"], env=pulse.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (log.exists() and "Sit comfortably" in log.read_text()):
        assert time.monotonic() < deadline and session.poll() is None, "no prompt"
        time.sleep(0.05)
    time.sleep(2.0)  # the prompt's own echo is heard, and must not duck it
    pulse.play_into_mic(spoken("I would love a quiet morning with you this weekend"))
    _, err = session.communicate(timeout=60)
    assert session.returncode == 0, err
    events = read_events(log)
    start = next(e["t"] for e in events if e["type"] == "say_start"
                 and e["text"].startswith("Sit comfortably"))
    barges = [e for e in events if e["type"] == "barge_in"]
    assert barges, "the partner ducked the voice"
    assert barges[0]["first_word"] / RATE >= start + 1.5, "its own echo never did"
    assert any(e["type"] == "say_end" and e.get("cut") for e in events)
