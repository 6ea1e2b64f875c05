"""Nothing lost, nothing loud: outputs that cannot hurt inputs, whole files on every
ending and a full disk, a checked speech cache, and no sample past the limiter."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.audio.mixer import CEILING, Mixer
from assistant.audio.wavfile import WavReader, WavWriter, _WholeWrites
from assistant.base.errors import UserError
from assistant.base.scratch import scratch_folder, sweep
from assistant.cli.main import main
from assistant.journal.store import CLIPS, FILE_NAME
from assistant.session.eventlog import EventLog
from assistant.session.events import SessionEnd
from assistant.speech.voice.cache import CacheKey, VoiceCache
from tests.conftest import read_events

RATE = 16_000
ASSISTANT = [sys.executable, "-m", "assistant"]
SHORT = ["breathe", "--cycles", "1"]  # a real session of a few prompts, run flat out
LOUDEST = round(CEILING * 32768)  # the ceiling, as a 16-bit sample


def tone(seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def one_sentence(err: str) -> bool:
    return "Traceback" not in err and len(err.strip().splitlines()) == 1


@contextlib.contextmanager
def small_disk(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 64 KB filesystem; where mounting is not allowed, a fault at the write after
    64 KB stands in for it."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        left = {"bytes": 64 * 1024}
        real_write, real_file_write = os.write, _WholeWrites.write

        def counted(size: int) -> None:
            left["bytes"] -= size
            if left["bytes"] < 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def write(fd: int, data: bytes) -> int:
            counted(len(data))
            return real_write(fd, data)

        def file_write(self: _WholeWrites, data: bytes) -> int:
            counted(len(data))
            return real_file_write(self, data)

        monkeypatch.setattr("assistant.session.eventlog.os.write", write)
        monkeypatch.setattr(_WholeWrites, "write", file_write)
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


# paths that cannot hurt each other


def _mic(tmp_path: Path) -> Path:
    mic = tmp_path / "mic.wav"
    soundfile.write(str(mic), tone(0.5), RATE)
    return mic


@pytest.mark.parametrize("case", ["out=mic", "out=symlink to mic", "out=hard link to mic",
                                  "events=mic", "out=journal", "out=events",
                                  "events=recording"])
def test_an_output_naming_an_input_is_refused_before_anything_runs(
        case: str, tmp_path: Path, _private_home: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    mic = _mic(tmp_path)
    journal = _private_home / FILE_NAME
    journal.write_bytes(b"SQLite format 3\0 a journal")
    recording = _private_home / CLIPS / "kept.wav"
    recording.parent.mkdir()
    recording.write_bytes(mic.read_bytes())
    (tmp_path / "link.wav").symlink_to(mic)
    os.link(mic, tmp_path / "hard.wav")
    option, target = case.split("=")
    path = {"mic": mic, "symlink to mic": tmp_path / "link.wav", "journal": journal,
            "hard link to mic": tmp_path / "hard.wav", "events": tmp_path / "same",
            "recording": recording}[target]
    before = {p: p.read_bytes() for p in (mic, journal, recording)}
    args = [*SHORT, "--mic-file", str(mic), f"--{option.replace('out', 'out-file')}", str(path)]
    if target == "events":
        args += ["--events", str(path)]
    assert main(args) == 2
    assert one_sentence(capsys.readouterr().err)
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "same").exists()


def test_a_device_out_file_and_an_unread_fifo_log_are_refused_not_replaced_or_waited_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "zero.wav"  # a device under a sound file's name (/dev/null discards)
    device.symlink_to("/dev/zero")
    assert main([*SHORT, "--out-file", str(device)]) == 2
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode)  # still the device
    fifo = tmp_path / "events"
    os.mkfifo(fifo)
    assert main([*SHORT, "--out-file", str(tmp_path / "o.wav"), "--events", str(fifo)]) == 2
    assert not (tmp_path / "o.wav").exists()
    err = capsys.readouterr().err
    assert err.count("assistant: ") == 2 and "Traceback" not in err


def test_an_out_file_at_a_link_replaces_the_link_never_the_file_it_names(
        tmp_path: Path) -> None:
    real, link = tmp_path / "real.wav", tmp_path / "link.wav"
    link.symlink_to(real)
    writer = WavWriter(link, RATE)
    writer.write(tone(0.1))
    writer.close()
    assert not link.is_symlink() and not real.exists()
    assert soundfile.info(str(link)).frames == round(0.1 * RATE)


def test_the_out_file_appears_whole_and_private_only_when_finished(tmp_path: Path) -> None:
    path = tmp_path / "o.wav"
    writer = WavWriter(path, RATE)
    writer.write(tone(0.25))
    assert not path.exists()  # written beside it meanwhile
    hidden = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(hidden) == 1 and stat.S_IMODE(hidden[0].stat().st_mode) == 0o600
    writer.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and list(tmp_path.iterdir()) == [path]
    assert soundfile.info(str(path)).frames == round(0.25 * RATE)


def test_an_existing_events_file_is_made_private_and_a_cut_line_ended(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"t": 1.0, "type": "session_end", "reason": "completed"}\n{"t": 2',
                    encoding="utf-8")
    path.chmod(0o644)
    log = EventLog(path, RATE)
    log.write(SessionEnd(sample=RATE, reason="completed"))
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"t": 2' and lines[2].startswith('{"t": 1.0')


# every ending leaves a clean record


def test_a_full_disk_keeps_a_whole_wav_and_whole_lines_and_the_session_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with small_disk(tmp_path / "disk", monkeypatch) as disk:
        out, log = disk / "o.wav", disk / "e.jsonl"
        assert main([*SHORT, "--out-file", str(out), "--events", str(log)]) == 0
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("could not be written further") >= 1
        info = soundfile.info(str(out))  # readable, and its header tells the truth
        assert info.frames > 0 and out.stat().st_size == 44 + 2 * info.frames
        text = log.read_text(encoding="utf-8")
        assert text == "" or text.endswith("\n")  # only whole lines
        read_events(log)


def test_events_to_dev_full_is_one_sentence_and_the_session_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.wav"
    assert main([*SHORT, "--out-file", str(out), "--events", "/dev/full"]) == 0
    assert one_sentence(capsys.readouterr().err)
    assert soundfile.info(str(out)).frames > 0
    assert stat.S_IMODE(os.stat("/dev/full").st_mode) == 0o666  # a device is never changed


@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_stdout_full_or_closed_never_stops_a_session(stdout: str, tmp_path: Path) -> None:
    log = tmp_path / "e.jsonl"
    with open("/dev/full", "w") as full:
        shown = full if stdout == "full" else subprocess.DEVNULL
        ran = subprocess.run([*ASSISTANT, *SHORT, "--mic-file", str(_mic(tmp_path)),
                              "--events", str(log)], stdout=shown, stderr=subprocess.PIPE,
                             text=True, timeout=120, check=False,
                             preexec_fn=(lambda: os.close(1)) if stdout == "closed" else None)
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert read_events(log)[-1]["type"] == "session_end"


def test_a_stdout_whose_reader_has_gone_never_stops_a_session(tmp_path: Path) -> None:
    log = tmp_path / "e.jsonl"
    session = subprocess.Popen([*ASSISTANT, *SHORT, "--mic-file", str(_mic(tmp_path)),
                                "--events", str(log)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert session.stdout is not None
    session.stdout.close()  # as `| head -0` leaves it
    _, err = session.communicate(timeout=120)
    assert session.returncode == 0 and "Traceback" not in err, err
    assert read_events(log)[-1]["type"] == "session_end"


def test_a_non_ascii_out_file_in_a_c_locale_is_written(tmp_path: Path) -> None:
    out = tmp_path / "sortie-é.wav"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    ran = subprocess.run([*ASSISTANT, *SHORT, "--out-file", str(out)], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert soundfile.info(str(out)).frames > 0


def test_scratch_folders_go_at_exit_and_a_crashed_run_s_go_next_time(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    code = ("from assistant.base.scratch import scratch_folder\n"
            "scratch_folder('assistant-voice').__enter__()\n")  # never left: exit removes it
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert list(tmp_path.iterdir()) == []
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"assistant-voice-{dead.pid}-abc"
    left.mkdir()
    (left / "speech.wav").write_bytes(b"RIFF")
    assert sweep("assistant-voice", tmp_path) == 1 and not left.exists()
    with scratch_folder("assistant-voice") as folder:
        assert folder.is_dir()
    assert not folder.exists()


# no sound louder than the limiter


def key(text: str) -> CacheKey:
    return CacheKey("espeak", "en", 175, RATE, text)


@pytest.mark.parametrize("damage", ["nan", "noise", "zeros", "swapped", "truncated"])
def test_a_damaged_cached_prompt_is_never_played_and_is_removed(damage: str,
                                                                 tmp_path: Path) -> None:
    cache = VoiceCache(tmp_path / "voice")
    cache.put(key("a"), tone(0.2))
    cache.put(key("b"), 0.5 * tone(0.2))
    path, other = (cache.folder / f"{key(t).digest()}.npy" for t in ("a", "b"))
    raw = bytearray(path.read_bytes())
    body = slice(128 + 32, len(raw))  # past the .npy header and the checksum
    if damage == "nan":
        raw[body] = np.full(len(raw[body]) // 4, np.nan, dtype=np.float32).tobytes()
    elif damage == "noise":
        raw[body] = np.random.default_rng(1).bytes(len(raw[body]))
    elif damage == "zeros":
        raw[body] = bytes(len(raw[body]))
    elif damage == "truncated":
        raw = raw[:300]
    else:
        raw = bytearray(other.read_bytes())
    path.write_bytes(bytes(raw))
    assert cache.get(key("a")) is None and not path.exists()
    assert np.array_equal(cache.get(key("b")), 0.5 * tone(0.2)) or damage == "swapped"


@pytest.mark.parametrize("blocked", ["a file in its place", "permission denied"])
def test_a_cache_folder_that_cannot_be_used_is_bypassed_in_one_line(
        blocked: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "voice"
    if blocked == "a file in its place":
        folder.write_text("not a folder")
    else:
        folder.mkdir(mode=0o000)

        def denied(path: object) -> list[str]:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr("assistant.speech.voice.cache.os.listdir", denied)
    cache = VoiceCache(folder)
    assert not cache.has(key("a")) and cache.get(key("a")) is None
    cache.put(key("a"), tone(0.1))
    assert cache.get(key("a")) is None
    assert one_sentence(capsys.readouterr().err)


def test_clearing_a_cache_that_cannot_be_listed_is_one_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()

    def denied(self: Path) -> Iterator[Path]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(Path, "iterdir", denied)
    monkeypatch.setattr("assistant.cli.voices.voice_cache", lambda: VoiceCache(folder))
    assert main(["voices", "clear-cache"]) == 2
    assert one_sentence(capsys.readouterr().err)


def test_the_mixer_silences_non_finite_samples_and_never_passes_its_ceiling(
        capsys: pytest.CaptureFixture[str]) -> None:
    mixer = Mixer(RATE, 2)
    rng = np.random.default_rng(5)
    wild = [np.array([np.nan, np.inf, -np.inf, 1.0], dtype=np.float32),
            np.full(4000, 3e38, dtype=np.float32), (1e6 * rng.standard_normal(8000))
            .astype(np.float32), np.full(100, -np.inf, dtype=np.float32)]
    for n, clip in enumerate(wild):
        mixer.schedule(clip, 100 * n, pan=-1 + n)
        mixer.schedule(clip, 100 * n)  # on top of itself: a sum past float32's range
    out = mixer.render(RATE)
    assert np.isfinite(out).all() and np.abs(out).max() <= CEILING
    assert capsys.readouterr().err.count("\n") == 1  # said once


@pytest.mark.parametrize("damage", ["nan", "noise", "zeros"])
def test_no_session_sample_passes_the_ceiling_whatever_the_cache_holds(
        damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))  # a cache of its own
    assert main([*SHORT, "--out-file", str(tmp_path / "warm.wav")]) == 0
    prompts = list((tmp_path / "home" / "cache" / "voice").glob("*.npy"))
    assert prompts
    rng = np.random.default_rng(9)
    for path in prompts:
        raw = bytearray(path.read_bytes())
        size = len(raw) - 160
        raw[160:] = {"nan": np.full(size // 4, np.nan, dtype=np.float32).tobytes(),
                     "noise": rng.bytes(size), "zeros": bytes(size)}[damage]
        path.write_bytes(bytes(raw))
    out = tmp_path / "o.wav"
    assert main([*SHORT, "--out-file", str(out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    samples, _ = soundfile.read(str(out), dtype="int16")
    warm, _ = soundfile.read(str(tmp_path / "warm.wav"), dtype="int16")
    assert np.abs(samples.astype(np.int32)).max() <= LOUDEST
    assert np.array_equal(samples, warm)  # the prompts were rendered again, the same


# bounded inputs


def test_a_mic_file_at_a_rate_no_microphone_has_is_refused_without_memory(
        tmp_path: Path) -> None:
    path = tmp_path / "1hz.wav"
    soundfile.write(str(path), np.zeros(2000, dtype=np.int16), 1, subtype="PCM_16")
    tracemalloc.start()
    with pytest.raises(UserError, match="1 Hz"):
        WavReader(path, RATE, "microphone file")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * 2**20


def test_a_many_channel_mic_file_is_read_in_bounded_blocks(tmp_path: Path) -> None:
    path = tmp_path / "wide.wav"
    soundfile.write(str(path), np.zeros((20_000, 256), dtype=np.int16), RATE)
    reader = WavReader(path, RATE)
    tracemalloc.start()
    block = reader.read(100)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    reader.close()
    assert len(block) == 100 and peak < 2 * 2**20


def test_a_fifo_as_the_mic_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "mic.wav"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="FIFO"):
        WavReader(fifo, RATE, "microphone file")
