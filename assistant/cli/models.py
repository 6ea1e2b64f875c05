"""`assistant models download|list|verify`: Vosk models for voice commands."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.base.errors import UserError
from assistant.speech.commands import models as speech_models
from assistant.speech.commands.models import DEFAULT_MODEL, KNOWN_MODELS, choose_model, models_dir
from assistant.speech.commands.recognizer import CommandRecognizer, load_model


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = commands.add_parser("models", help="speech models for voice commands")
    model_commands = models.add_subparsers(required=True, metavar="ACTION")
    fetch = model_commands.add_parser("download", help="fetch a model into models/")
    fetch.add_argument("name", nargs="?", default=DEFAULT_MODEL,
                       choices=sorted(KNOWN_MODELS), help="default: %(default)s")
    fetch.set_defaults(handler=download)
    shown = model_commands.add_parser("list", help="installed and downloadable models")
    shown.set_defaults(handler=listing)
    check = model_commands.add_parser("verify", help="check a model's files and load it")
    check.add_argument("path", nargs="?", type=Path,
                       help="a model folder (default: the one sessions would use)")
    check.set_defaults(handler=verify)


def download(args: argparse.Namespace) -> int:
    source = KNOWN_MODELS[args.name]
    print(f"Downloading {source.name} (about {source.megabytes} MB) into {models_dir()} ...")
    target = speech_models.download(source)
    print(f"Installed {target}.")
    return 0


def listing(args: argparse.Namespace) -> int:
    installed = speech_models.installed_models()
    print(f"Models in {models_dir()}:" if installed else f"No models in {models_dir()}.")
    for folder in installed:
        print(f"  {folder.name}")
    chosen = choose_model()
    if chosen is not None:
        print(f"Sessions use: {chosen}")
    print("Downloadable: " + ", ".join(f"{name} (about {source.megabytes} MB)"
                                       for name, source in KNOWN_MODELS.items()))
    return 0


def verify(args: argparse.Namespace) -> int:
    folder = args.path or choose_model()
    if folder is None:
        raise UserError("There is no speech model to verify; add one with "
                        "'assistant models download'.", exit_status=1)
    started = time.perf_counter()
    model = load_model(folder, always_try=True)  # asked to check: check again
    seconds = time.perf_counter() - started
    book = CommandRecognizer(model).book
    print(f"{folder}: whole, loads in {seconds:.1f} s, command phrases: {book.language}.")
    return 0
