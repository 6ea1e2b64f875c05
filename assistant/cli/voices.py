"""`assistant voices`: list the voices, download a Piper voice, empty the speech cache."""

from __future__ import annotations

import argparse
import os
import sys
import time

from assistant.audio.io import SESSION_RATE
from assistant.base.errors import UserError
from assistant.session.prompts import library_prompts
from assistant.speech.voice.catalog import fetch_catalog, install
from assistant.speech.voice.choice import open_voice, voice_cache, voice_listing
from assistant.speech.voice.installed import DEFAULT_VOICE, find_installed, voices_dir
from assistant.speech.voice.rendering import VoiceSettings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    voices = commands.add_parser(
        "voices", help="list, download and manage the voices for --voice",
        description="With no action: list the voices that can speak here, each with its "
                    "engine: installed Piper voices, then the system's own (espeak on Linux, "
                    "nsss on macOS, sapi5 on Windows).")
    voices.set_defaults(handler=_list)
    actions = voices.add_subparsers(metavar="ACTION")
    download = actions.add_parser("download", help="install a voice from Piper's catalog")
    download.add_argument("name", nargs="?", default=DEFAULT_VOICE,
                          help="a catalog voice name (default: %(default)s)")
    download.set_defaults(handler=_download)
    clear = actions.add_parser("clear-cache", help="delete all rendered speech")
    clear.set_defaults(handler=_clear_cache)


def _list(args: argparse.Namespace) -> int:
    listing = voice_listing()
    if not listing.rows:
        raise UserError(listing.problem or "No voice can speak here.")
    width = max(len(row.name) for row in listing.rows)
    lines = ["* default voice, E speaks English. Piper voices live in "
             f"{voices_dir()}; add one with 'assistant voices download NAME'."]
    for row in listing.rows:
        marks = ("*" if row.default else " ") + ("E" if row.english else " ")
        lines.append(f"{marks} {row.engine:<9} {row.name:<{width}}  {row.languages}")
    if listing.problem:
        lines.append(f"The system's voice cannot speak: {listing.problem}")
    try:
        print("\n".join(lines), flush=True)
    except BrokenPipeError:  # read only in part (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _download(args: argparse.Namespace) -> int:
    name = args.name
    if find_installed(name) is None:
        catalog = fetch_catalog()
        voice = catalog.get(name)
        if voice is None:
            english = sorted(n for n, v in catalog.items() if v.language.startswith("en"))
            raise UserError(f"Piper's catalog has no voice called '{name}'; English voices "
                            f"include {', '.join(english[:8]) or 'none'}.")
        print(f"Downloading {name} (about {voice.size / 1e6:.0f} MB) into {voices_dir()} ...",
              flush=True)
        install(voice, voices_dir())
    print(f"{name} is installed.", flush=True)
    render_library(name)
    return 0


def render_library(name: str) -> None:
    """Render the library's name-free prompts with this voice, so sessions start at once."""
    from tqdm import tqdm

    voice = open_voice(VoiceSettings(name), SESSION_RATE, voice_cache())
    prompts = library_prompts()
    started = time.perf_counter()
    voice.prepare(prompts)
    for text in tqdm(prompts, desc=f"rendering the library's prompts with {name}",
                     unit="prompt"):
        voice.render(text)
    print(f"Rendered {len(prompts)} prompts in {time.perf_counter() - started:.0f} s; "
          "sessions start speaking at once.", flush=True)


def _clear_cache(args: argparse.Namespace) -> int:
    cache = voice_cache()
    freed = cache.clear()
    print(f"Emptied the speech cache in {cache.folder} ({freed / 1e6:.1f} MB freed).")
    return 0
