"""The journal on the command line: today, history, journal list|play|delete|export, forget,
couple.

Every line is plain, for a screen reader. Times are shown in the local zone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError
from assistant.base.paths import data_home
from assistant.cli import couple
from assistant.journal.couple import COUPLE, load_couple
from assistant.journal.preferences import keep_recordings
from assistant.journal.store import CLIPS, FILE_NAME, Journal
from assistant.journal.today import due_today, gentler_line


def main(argv: list[str]) -> int:
    """These commands alone, without the imports a session needs: they answer at once."""
    parser = argparse.ArgumentParser(prog="assistant")
    add_commands(parser.add_subparsers(metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except UserError as error:
        print(f"assistant: {error}", file=sys.stderr)
        return error.exit_status
    return status


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    today = commands.add_parser("today", help="what is due today, from the journal")
    today.set_defaults(handler=_today)
    history = commands.add_parser("history", help="the sessions you have had")
    history.add_argument("--limit", type=int, default=30, help="how many (default: 30)")
    history.set_defaults(handler=_history)
    journal = commands.add_parser("journal", help="the recordings you chose to keep")
    actions = journal.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list the kept recordings")
    listing.set_defaults(handler=_list)
    play = actions.add_parser("play", help="play a recording")
    play.add_argument("id", type=int)
    play.set_defaults(handler=_play)
    delete = actions.add_parser("delete", help="delete a recording")
    delete.add_argument("id", type=int)
    delete.set_defaults(handler=_delete)
    export = actions.add_parser("export", help="copy everything kept into a folder")
    export.add_argument("folder", type=Path)
    export.set_defaults(handler=_export)
    keep = actions.add_parser("keep", help="keep recordings in every session from now on, "
                                           "or not (the same as --keep-recordings each time)")
    keep.add_argument("choice", choices=("on", "off"))
    keep.set_defaults(handler=_keep)
    forget = commands.add_parser("forget", help="delete the journal and every recording")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(handler=_forget)
    couple.add_parser(commands)


def _open() -> Journal:
    journal = Journal(data_home())
    if journal.notice:
        print(f"assistant: {journal.notice}", file=sys.stderr)
    return journal


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _today(args: argparse.Namespace) -> int:
    kept, notice = load_couple()
    if notice:
        print(f"assistant: {notice}", file=sys.stderr)
    print(f"For {kept.describe()}")
    journal = _open()
    if gentler := gentler_line(journal, command=True):
        print(gentler)
    suggestions = due_today(journal)
    if not suggestions:
        print("Nothing is due today. Any practice is welcome.")
    for exercise, title in suggestions:
        print(f"Due: {title} (assistant run {exercise})")
    return 0


def _history(args: argparse.Namespace) -> int:
    sessions = _open().sessions(limit=args.limit)
    if not sessions:
        print("No sessions yet.")
    for s in sessions:
        minutes = max(1, round(s.seconds / 60))
        closing = f", {s.closing}" if s.closing else ""
        print(f"{_local(s.started)}, {s.title}, {minutes} minute{'s' if minutes != 1 else ''}, "
              f"{s.outcome}{closing}")
    return 0


def _list(args: argparse.Namespace) -> int:
    clips = _open().clips()
    if not clips:
        print("No recordings are kept. Sessions keep them only with --keep-recordings.")
    for c in clips:
        print(f"{c.id}: {c.exercise}, {c.label}, {c.partner}, {c.seconds:.0f} seconds, "
              f"{_local(c.made)}")
    return 0


def _play(args: argparse.Namespace) -> int:
    import sounddevice
    import soundfile

    clip = next((c for c in _open().clips() if c.id == args.id), None)
    if clip is None:
        raise UserError(f"No recording {args.id}; 'assistant journal list' shows them.")
    try:
        samples, rate = soundfile.read(str(clip.file), dtype="float32")
    except (OSError, RuntimeError) as error:
        raise UserError(f"Recording {args.id} cannot be read ({error}).") from None
    sounddevice.play(samples, rate)
    sounddevice.wait()
    return 0


def _delete(args: argparse.Namespace) -> int:
    if _open().delete_clip(args.id) is None:
        raise UserError(f"No recording {args.id}; 'assistant journal list' shows them.")
    print(f"Recording {args.id} deleted.")
    return 0


def _export(args: argparse.Namespace) -> int:
    journal = _open()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for c in journal.clips():
        name = f"{c.id}-{c.exercise}-{c.label.replace(' ', '-')}.wav"
        if c.file.exists():
            shutil.copy(c.file, folder / name)
        clips.append({"id": c.id, "exercise": c.exercise, "label": c.label,
                      "partner": c.partner, "seconds": c.seconds, "made": c.made.isoformat(),
                      "file": name})
    sessions = [{"exercise": s.exercise, "title": s.title, "started": s.started.isoformat(),
                 "seconds": s.seconds, "outcome": s.outcome, "closing": s.closing}
                for s in journal.sessions(limit=1_000_000)]
    (folder / "journal.json").write_text(json.dumps({"sessions": sessions, "clips": clips},
                                                    indent=2, ensure_ascii=False))
    print(f"Exported {len(sessions)} sessions and {len(clips)} recordings to {folder}.")
    return 0


def _keep(args: argparse.Namespace) -> int:
    keep_recordings(args.choice == "on")
    print("Sessions will keep the recordings their exercises mark." if args.choice == "on"
          else "Sessions will keep no recordings unless you run them with --keep-recordings.")
    return 0


def _forget(args: argparse.Namespace) -> int:
    home = data_home()
    if not args.yes:
        print("This deletes the journal, every kept recording and the couple's profile, for "
              "good. Type yes to go on: ",
              end="", flush=True)
        if sys.stdin.readline().strip().lower() != "yes":
            print("Nothing was deleted.")
            return 1
    for extra in ("", "-wal", "-shm"):
        (home / f"{FILE_NAME}{extra}").unlink(missing_ok=True)
    shutil.rmtree(home / CLIPS, ignore_errors=True)
    (home / COUPLE).unlink(missing_ok=True)
    print("The journal, its recordings and the couple's names and needs are deleted.")
    return 0
