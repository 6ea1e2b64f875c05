"""`assistant export`: a practice, a pacer or a week of practices as audio files to take
along, rendered on the virtual clock with no microphone."""

from __future__ import annotations

import argparse
import contextlib
import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError
from assistant.base.paths import data_home
from assistant.cli import values
from assistant.cli.options import (
    CUE_VOLUME_RANGE,
    couple_options,
    debug_option,
    sentence,
    session_couple,
)
from assistant.cli.session import session_voice
from assistant.export.fit import fitted, scaled
from assistant.export.formats import CODECS, KNOWN, PEAK_LIMIT, TARGET_LOUDNESS, codec_for
from assistant.export.practice import DAYS, for_a_file, needs_microphone, week
from assistant.export.render import RenderSettings
from assistant.export.target import check_new, check_target, write_atomically
from assistant.journal.couple import Couple
from assistant.journal.practices import as_done_by
from assistant.journal.store import Journal, JournalError, SessionRecord
from assistant.pacing.patterns import ACCEPTED_FORMS
from assistant.script.library import find_exercise
from assistant.script.model import Exercise
from assistant.script.standalone import breathing_session, walking_session
from assistant.session.plan import Names
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import Voice, VoiceSettings

LOUDNESS_RANGE = (-30.0, -10.0)  # LUFS
PACERS = ("breathe", "walk")
PLAYLIST = "week.m3u"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "export", help="a practice as an audio file for a phone and two earbuds",
        description="Render a practice as a couple hears it with no microphone, to a file "
                    f"a phone can play: {KNOWN} by the file's suffix (.opus is the "
                    "smallest). 'breathe' and 'walk' take the pacers' own options.")
    parser.add_argument("practice", nargs="?", metavar="PRACTICE",
                        help="an exercise id, the path of a script, breathe or walk")
    parser.add_argument("file", nargs="?", metavar="FILE", help="the file to write")
    parser.add_argument("--week", type=Path, metavar="FOLDER",
                        help="instead: what 'today' suggests for each of the next seven "
                             "days, as numbered files and a playlist in FOLDER")
    parser.add_argument("--days", type=values.DAYS, default=DAYS, help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true",
                        help="replace files already there (FILE, or the week's files and "
                             "playlist)")
    parser.add_argument("--format", default="opus", choices=[suffix[1:] for suffix in CODECS],
                        help="the files' format with --week (default: %(default)s)")
    parser.add_argument("--minutes", type=values.PRACTICE_MINUTES,
                        help="shorten the timed parts to about this many minutes; for "
                             "breathe and walk, how long to breathe or walk")
    parser.add_argument("--loudness", type=float, default=TARGET_LOUDNESS, metavar="LUFS",
                        help="integrated loudness, from -30 to -10 (default: %(default)g)")
    parser.add_argument("--mono", action="store_true",
                        help="one channel for one speaker (default: stereo, A's cues on the "
                             "left earbud and B's on the right)")
    couple_options(parser)
    parser.add_argument("--voice", help="voice id or name (see 'assistant voices')")
    parser.add_argument("--rate", type=values.RATE, default=VoiceSettings.rate,
                        help="speech rate in words a minute (default: %(default)s)")
    parser.add_argument("--cue-volume", type=values.cue_volume(*CUE_VOLUME_RANGE), default=0.0,
                        metavar="DB",
                        help="cues' loudness against the voice's, in decibels")
    parser.add_argument("--seed", type=values.SEED, help="fix the order questions are drawn in")
    pacers = parser.add_argument_group("breathe and walk")
    pacers.add_argument("--pattern", default="coherent", help=ACCEPTED_FORMS)
    pacers.add_argument("--cycles", type=values.CYCLES,
                        help="how many breaths, instead of --minutes")
    pacers.add_argument("--mode", choices=("together", "alternating", "solo"),
                        default="together", help="how to breathe (default: %(default)s)")
    pacers.add_argument("--from-bpm", type=values.FROM_BPM, metavar="BPM")
    pacers.add_argument("--to-bpm", type=values.TO_BPM, metavar="BPM")
    pacers.add_argument("--words", action="store_true", help="speak in, hold and out")
    pacers.add_argument("--counts", action="store_true", help="speak a count each second")
    pacers.add_argument("--spm", type=values.SPM, default=100.0, help="steps a minute")
    pacers.add_argument("--to-spm", type=values.TO_SPM, metavar="SPM",
                        help="change gradually to this many steps a minute")
    pacers.add_argument("--back", action="store_true",
                        help="and back to --spm in the second half of the walk")
    debug_option(parser)
    parser.set_defaults(handler=export, loose_words=[])


def export(args: argparse.Namespace) -> int:
    _check(args)
    words = [w for w in (args.practice, args.file) if w is not None] + args.loose_words
    if args.week is not None:
        if words:
            raise UserError("--week takes no practice: it renders what 'today' suggests.")
        return _week(args)
    if len(words) != 2:
        raise UserError("export takes a practice and a file, such as: assistant export "
                        "walk-in-sync walk.opus; or --week FOLDER.")
    args.practice, args.file = words
    path = Path(args.file)
    exercise, inputs = _practice(args)
    check_target(path, inputs, args.force)
    codec_for(path)
    exercise = _for_couple(exercise, args)  # the version done is the one fitted and named
    if args.minutes is not None and args.practice not in PACERS:
        exercise = fitted(exercise, args.minutes, _couple(args).names, args.rate)
    from assistant.export.file import export_file, length_text  # scipy: only when exporting

    voice = session_voice(args)
    try:
        done = export_file(for_a_file(exercise), voice, path, _settings(args), args.loudness)
    finally:
        _close(voice)
    print(f"Wrote {path}: {length_text(done.seconds)}, {done.size / 1e6:.1f} MB, "
          f"{done.loudness:.1f} LUFS.")
    if done.loudness < args.loudness - 1.0:
        print(f"Its short cues' peaks, held under {PEAK_LIMIT:g} dBTP, keep it quieter than "
              f"{args.loudness:g} LUFS.")
    return 0


def _couple(args: argparse.Namespace) -> Couple:
    """The stored couple with this export's options over it, found once."""
    if getattr(args, "couple", None) is None:
        args.couple = session_couple(args)
    couple: Couple = args.couple
    return couple


def _for_couple(exercise: Exercise, args: argparse.Namespace) -> Exercise:
    """The practice as this couple does it (low vision, seated), under its own title:
    taken before fitting, so the steps shortened are the ones spoken."""
    return as_done_by(exercise, _couple(args))


def _check(args: argparse.Namespace) -> None:
    _couple(args)
    low, high = LOUDNESS_RANGE
    if not low <= args.loudness <= high:
        raise UserError(f"--loudness takes {low:g} to {high:g} LUFS, such as -16.")
    low, high = CUE_VOLUME_RANGE
    if not low <= args.cue_volume <= high:
        raise UserError(f"--cue-volume takes {low:g} to {high:g} decibels, such as -6.")


def _settings(args: argparse.Namespace, offset: int = 0) -> RenderSettings:
    seed = args.seed + offset if args.seed is not None else random.randrange(2**32)
    return RenderSettings(_couple(args).names, seed, 1 if args.mono else 2,
                          args.cue_volume)


def _practice(args: argparse.Namespace) -> tuple[Exercise, list[Path]]:
    """The exercise to render, and the files it was read from (never to be written)."""
    try:
        if args.practice == "breathe":
            return breathing_session(
                args.pattern, minutes=args.minutes, cycles=args.cycles, mode=args.mode,
                from_bpm=args.from_bpm, to_bpm=args.to_bpm, words=args.words,
                counts=args.counts), []
        if args.practice == "walk":
            return walking_session(args.spm, args.minutes or 10.0, args.to_spm, args.back), []
    except ValueError as error:
        raise sentence(error) from None
    inputs = [Path(args.practice)] if Path(args.practice).suffix == ".toml" else []
    if args.voice and Path(args.voice).suffix == ".onnx":
        inputs.append(Path(args.voice))
    return find_exercise(args.practice), inputs


@dataclass(frozen=True)
class _Planned:
    path: Path
    title: str
    exercise: Exercise


def _week(args: argparse.Namespace) -> int:
    folder: Path = args.week
    if not 1 <= args.days <= 31:
        raise UserError("--days takes 1 to 31 days, such as 7.")
    check_target(folder / PLAYLIST, force=True)  # the folder; what is there, just below
    planned, skipped = _planned_week(args)
    check_new(folder, [*(p.path for p in planned), folder / PLAYLIST], args.force)
    from assistant.export.file import export_file  # scipy: only when exporting

    lines = ["#EXTM3U"]
    voice = session_voice(args)
    try:
        for number, plan in enumerate(planned, 1):
            print(f"{plan.path.name}: {plan.title}", flush=True)
            done = export_file(for_a_file(plan.exercise), voice, plan.path,
                               _settings(args, number), args.loudness, plan.title)
            lines += [f"#EXTINF:{round(done.seconds)},{plan.title}", plan.path.name]
    finally:
        _close(voice)
    write_atomically(folder / PLAYLIST, ("\n".join(lines) + "\n").encode(), lambda _: None)
    print(f"Wrote {len(planned)} files and {PLAYLIST} in {folder}.")
    if skipped:
        print("Skipped, as they need the computer's microphone: "
              f"{', '.join(skipped.values())}.")
    return 0


def _planned_week(args: argparse.Namespace) -> tuple[list[_Planned], dict[str, str]]:
    """Each file of the week, named and fitted before any is rendered; and the titles of
    the practices left out, by exercise id."""
    names = _couple(args).names
    planned: list[_Planned] = []
    skipped: dict[str, str] = {}
    for day in week(_sessions(), datetime.now().astimezone(), args.days):
        for exercise_id in day.exercises:
            exercise = _for_couple(find_exercise(exercise_id), args)
            if needs_microphone(exercise):
                skipped[exercise_id] = exercise.title
                continue
            if args.minutes is not None:
                exercise = _fitted_or_shortest(exercise, args.minutes, names, args.rate)
            name = f"{len(planned) + 1:02d}-day{day.number}-{exercise_id}.{args.format}"
            planned.append(_Planned(args.week / name, f"Day {day.number}: {exercise.title}",
                                    exercise))
    return planned, skipped


def _sessions() -> list[SessionRecord]:
    """The journal's sessions, read without writing (none if it cannot be read)."""
    try:
        with contextlib.closing(Journal(data_home(), read_only=True)) as journal:
            return journal.sessions(limit=10_000)
    except (OSError, sqlite3.Error, JournalError):
        return []


def _fitted_or_shortest(exercise: Exercise, minutes: float, names: Names,
                        rate: int) -> Exercise:
    try:
        return fitted(exercise, minutes, names, rate)
    except UserError:
        return scaled(exercise, 0.0)  # a week goes on: this day's practice at its shortest


def _close(voice: Voice) -> None:
    if isinstance(voice, LevelledVoice):
        voice.close()
