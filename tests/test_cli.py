"""The command line: listing, text mode driven through standard input, and plain errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli.main import main
from assistant.script.library import exercise_ids, find_exercise
from tests.conftest import read_events

ASSISTANT = [sys.executable, "-m", "assistant"]


def test_list_shows_every_exercise_with_its_minutes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(exercise_ids()) == 24
    first = lines[0].split()
    exercise = find_exercise(first[0])
    assert first[1] == f"{exercise.minutes:g}" and first[2] == "min"


class TextSession:
    """A text-mode session in a child process, read line by line as a screen reader would."""

    def __init__(self, tmp_path: Path, exercise: str = "two-stars-one-wish") -> None:
        self.events = tmp_path / "events.jsonl"
        self.process = subprocess.Popen(
            [*ASSISTANT, "run", exercise, "--text", "--names", "Ana,Ben",
             "--events", str(self.events)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []

    def wait_for(self, fragment: str) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if fragment in line:
                return line
        raise AssertionError(f"never printed {fragment!r}; printed {self.lines}")

    def type(self, keys: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(keys)
        self.process.stdin.flush()

    def finish(self) -> int:
        out, err = self.process.communicate(timeout=30)
        self.lines += out.splitlines()
        assert "Traceback" not in err
        return self.process.returncode


def test_text_mode_is_driven_by_typed_keys(tmp_path: Path) -> None:
    """Runs in real time (about two seconds): prompts as printed lines, keys as commands."""
    session = TextSession(tmp_path)
    session.wait_for("Two stars and a wish.")
    session.type("n\nn\n")
    session.wait_for("Ana: your turn")
    session.type("\n")  # Enter ends the turn
    session.wait_for("Ana, now share one wish")
    session.type("p\n")
    session.wait_for("Paused.")
    session.type("p\n")
    session.wait_for("Resuming.")
    session.type("q\n")
    assert session.finish() == 0
    assert session.lines[-1] == "Session stopped."

    events = read_events(session.events)
    commands = [e["name"] for e in events if e["type"] == "command"]
    assert commands == ["next", "next", "done", "pause", "resume", "quit"]
    turn_end = next(e for e in events if e["type"] == "turn_end")
    assert turn_end == {**turn_end, "partner": "Ana", "reason": "command"}
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "stopped"
    # printed prompts are plain lines: no markup for a screen reader to stumble on
    assert not [line for line in session.lines if line.startswith(("[", "*", "#", "-"))]


def test_ctrl_c_stops_cleanly_logs_the_end_and_exits_130(tmp_path: Path) -> None:
    session = TextSession(tmp_path)
    session.wait_for("Two stars and a wish.")
    session.process.send_signal(signal.SIGINT)
    assert session.finish() == 130
    events = read_events(session.events)
    assert events[-1]["type"] == "session_end" and events[-1]["reason"] == "stopped"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}  # no sound server at all
    return subprocess.run([*ASSISTANT, *args], capture_output=True, text=True, timeout=60,
                          env=env)


def assert_plain_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    for fragment in fragments:
        assert fragment in message


def test_an_unknown_exercise_is_named_and_the_ids_listed() -> None:
    assert_plain_error(run_cli("run", "no-such-thing", "--text"), "no-such-thing",
                       "daily-check-in", "walk-in-sync")


def test_a_malformed_script_names_file_step_and_field(tmp_path: Path) -> None:
    script = tmp_path / "mine.toml"
    script.write_text('title = "Mine"\nminutes = 5\ninvitation = "Only if you like."\n'
                      '[[steps]]\nkind = "say"\ntext = "Hi."\n'
                      '[[steps]]\nkind = "turn"\npartner = "C"\n', encoding="utf-8")
    assert_plain_error(run_cli("run", str(script), "--text"), "mine.toml", "step 2",
                       "'partner'")


def test_a_live_run_without_a_sound_card_points_to_text_and_out_file() -> None:
    assert_plain_error(run_cli("run", "eye-contact"), "--text", "--out-file")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--names", "Ana"], "--names"),
        (["--names", "Ana,Ana"], "--names"),
        (["--text", "--out-file", "x.wav"], "--text"),
        (["--rate", "5"], "--rate"),
        (["--volume", "3"], "--volume"),
        (["--voice", "klingon-xx", "--out-file", "x.wav"], "assistant voices"),
        (["--mic-file", "missing.wav"], "missing.wav"),
    ],
)
def test_bad_options_get_one_plain_sentence(args: list[str], fragment: str,
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert_plain_error(run_cli("run", "eye-contact", *args), fragment)


def test_a_wrong_flag_is_a_usage_error() -> None:
    result = run_cli("run", "eye-contact", "--no-such-flag")
    assert result.returncode == 2 and "--no-such-flag" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_speech_synthesis_names_the_package(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import pyttsx3

    def broken_init(*_: object) -> None:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(pyttsx3, "init", broken_init)
    # an empty speech cache of its own: prompts another test cached would hide the engine
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    status = main(["run", "eye-contact", "--out-file", str(tmp_path / "o.wav"),
                   "--events", str(tmp_path / "e.jsonl")])
    assert status == 2
    assert "espeak-ng" in capsys.readouterr().err


def test_version_names_the_release() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("assistant 0.")


def test_output_piped_into_a_reader_that_has_gone_ends_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `head` does once it has its line
    result = subprocess.run([*ASSISTANT, "list"], stdout=write_end, stderr=subprocess.PIPE,
                            text=True, timeout=60)
    os.close(write_end)
    assert result.stderr == "" and result.returncode == 141


START = Path(__file__).parent.parent / "scripts" / "start.sh"


def test_start_script_opens_the_menu_and_passes_options_through(tmp_path: Path) -> None:
    env = {**os.environ, "PULSE_SERVER": "unix:/nonexistent"}
    result = subprocess.run([str(START), "--text", "--names", "Ana,Ben"], input="7\nq\n",
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "1. Mutual appreciation (9 minutes)" in lines
    assert "Starting Eye contact." in lines and lines[-1] == "Session stopped."
    assert "Using the typed menu." not in result.stdout  # --text reached the menu
