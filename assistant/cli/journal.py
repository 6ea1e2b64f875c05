"""The journal on the command line: today, history, journal list|play|delete|export|recover,
forget, couple.

Every line is plain, for a screen reader. Times are shown in the local zone. The
commands that only show or copy open the journal read-only: they never create, move,
rewrite or delete a file. A recording no journal row names is listed as found. Text
read from the journal is printed escaped (`journal/printed.py`); a value that cannot be
read is shown as unknown, and rows that cannot be read at all are counted in one line.
Standard output is the answer's, never mistaken for a file (`cli/printing.py`): a reader
gone ends the command quietly (status 141, as SIGPIPE would), and one full or unusable
is said in one sentence (status 2).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from assistant.base.errors import UserError, cause, unopened
from assistant.base.paths import data_home
from assistant.cli import couple, printing
from assistant.journal.couple import load_couple
from assistant.journal.exporting import ALL_SESSIONS, export
from assistant.journal.forgetting import cached_speech, forget, speech_folder
from assistant.journal.opening import check_folder, trouble
from assistant.journal.preferences import keep_recordings
from assistant.journal.printed import printable
from assistant.journal.records import MAX_ID, UNKNOWN
from assistant.journal.recovery import recover
from assistant.journal.store import CLIPS, FILE_NAME, Journal
from assistant.journal.today import due_today, gentler_line

MOST_SESSIONS = ALL_SESSIONS  # what --limit takes at most


def main(argv: list[str]) -> int:
    """These commands alone, without the imports a session needs: they answer at once."""
    try:
        with printing.watched():
            return _answered(argv)
    except printing.Unprinted as unprinted:
        return printing.told(unprinted)


def _answered(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="assistant")
    add_commands(parser.add_subparsers(metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except UserError as error:
        print(f"assistant: {error}", file=sys.stderr)
        return error.exit_status
    except sqlite3.Error as error:  # the journal failed after it opened, as when a lock came
        print(f"assistant: {trouble(error, data_home() / FILE_NAME)}", file=sys.stderr)
        return 2
    except OSError as error:  # one the verbs did not foresee: still its cause, in a sentence
        where = Path(os.fsdecode(error.filename)) if error.filename else data_home()
        print(f"assistant: {cause(error, where)[:1].upper()}{cause(error, where)[1:]}.",
              file=sys.stderr)
        return 1
    return status


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    today = commands.add_parser("today", help="what is due today, from the journal")
    today.set_defaults(handler=_today)
    history = commands.add_parser("history", help="the sessions you have had")
    history.add_argument("--limit", default="30", help="how many (default: 30)")
    history.set_defaults(handler=_history)
    journal = commands.add_parser("journal", help="the recordings you chose to keep")
    actions = journal.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list the kept recordings")
    listing.set_defaults(handler=_list)
    play = actions.add_parser("play", help="play a recording")
    play.add_argument("id", help="its number, or the file name of a found recording")
    play.set_defaults(handler=_play)
    delete = actions.add_parser("delete", help="delete a recording")
    delete.add_argument("id", help="its number, or the file name of a found recording")
    delete.set_defaults(handler=_delete)
    export = actions.add_parser("export", help="copy everything kept into a folder")
    export.add_argument("folder", type=Path)
    export.add_argument("--force", action="store_true",
                        help="replace files of the same names already in the folder")
    export.set_defaults(handler=_export)
    recover = actions.add_parser("recover", help="save what a damaged journal still holds "
                                                 "into the journal")
    recover.set_defaults(handler=_recover)
    keep = actions.add_parser("keep", help="keep recordings in every session from now on, "
                                           "or not (the same as --keep-recordings each time)")
    keep.add_argument("choice", choices=("on", "off"))
    keep.set_defaults(handler=_keep)
    forget = commands.add_parser("forget", help="delete the journal and every recording")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(handler=_forget)
    couple.add_parser(commands)


def _open(read_only: bool = True) -> Journal:
    journal = Journal(data_home(), read_only)
    if journal.read_only and not read_only:  # another version's: this one changes nothing
        journal.close()
        raise UserError(f"The journal {journal.path} {journal.newer}, so this version "
                        "changes nothing in it; update the assistant to do this.")
    if journal.notice:
        print(f"assistant: {journal.notice}", file=sys.stderr)
    return journal


def _local(moment: datetime | None) -> str:
    return "time unknown" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _number(text: str) -> int | None:
    """A whole number typed in ASCII digits (str.isdigit takes superscripts); else None."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 20 else None


def _left_out(journal: Journal) -> None:
    """One line for the rows of the journal that could not be read at all."""
    if journal.left_out:
        rows = "entry" if journal.left_out == 1 else "entries"
        print(f"assistant: {journal.left_out} {rows} of the journal could not be read and "
              f"{'is' if journal.left_out == 1 else 'are'} left out.", file=sys.stderr)


def _today(args: argparse.Namespace) -> int:
    kept, notice = load_couple(read_only=True)
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
    limit = _number(args.limit)
    if limit is None or not 1 <= limit <= MOST_SESSIONS:
        raise UserError(f"--limit takes a whole number of sessions from 1 to {MOST_SESSIONS}, "
                        "such as 30.")
    journal = _open()
    sessions = journal.sessions(limit=limit)
    if not sessions:
        print("No sessions yet.")
    for s in sessions:
        minutes = None if s.seconds is None else max(1, round(s.seconds / 60))
        length = "length unknown" if minutes is None else \
            f"{minutes} minute{'s' if minutes != 1 else ''}"
        closing = f", {s.closing}" if s.closing else ""
        outcome = "outcome unknown" if s.outcome == UNKNOWN else s.outcome
        print(f"{_local(s.started)}, {printable(s.title)}, {length}, {outcome}{closing}")
    _left_out(journal)
    return 0


def _list(args: argparse.Namespace) -> int:
    journal = _open()
    clips, found = journal.clips(), journal.found()
    if not clips and not found:
        print("No recordings are kept. Sessions keep them only with --keep-recordings.")
    for c in clips:
        length = "length unknown" if c.seconds is None else f"{c.seconds:.0f} seconds"
        print(f"{c.id}: {printable(c.exercise)}, {printable(c.label)}, {printable(c.partner)}, "
              f"{length}, {_local(c.made)}")
    for path in found:
        print(f"found: {printable(path.name)}, a recording the journal does not name (play, "
              "export or delete it by this name)")
    _left_out(journal)
    return 0


def _recording(journal: Journal, which: str) -> tuple[str, Path]:
    """(how to call it, its file) for a recording's number or a found file's name."""
    number = _number(which)
    if number is not None:
        clip = next((c for c in journal.clips() if c.id == number), None)
        if clip is not None:
            return f"Recording {number}", clip.file
    found = next((p for p in journal.found() if p.name == which), None)
    if found is None:
        raise UserError(f"No recording {printable(which)}; 'assistant journal list' shows "
                        "them.")
    return f"The found recording {printable(which)}", found


def _play(args: argparse.Namespace) -> int:
    import sounddevice
    import soundfile

    what, file = _recording(_open(), args.id)
    try:
        samples, rate = soundfile.read(os.fsencode(file), dtype="float32")
    except (OSError, RuntimeError) as error:
        problem = unopened(file)
        if problem is not None:
            raise UserError(f"{what} cannot be read: {problem}.") from None
        raise UserError(f"{what} is not a readable WAV file ({error}).") from None
    try:
        sounddevice.play(samples, rate)
        sounddevice.wait()
    except sounddevice.PortAudioError as error:
        raise UserError(f"{what} cannot be played: no sound output is usable ({error}); "
                        "'assistant journal export FOLDER' copies it to play elsewhere.") from None
    return 0


def _delete(args: argparse.Namespace) -> int:
    journal = _open(read_only=False)
    what, file = _recording(journal, args.id)
    number = _number(args.id)
    if number is not None and 0 < number <= MAX_ID and journal.delete_clip(number) is not None:
        print(f"{what} deleted.")
        return 0
    try:
        file.unlink()
    except OSError as error:
        raise UserError(f"{what} cannot be deleted: {cause(error, file)}.") from None
    print(f"{what} deleted.")
    return 0


def _export(args: argparse.Namespace) -> int:
    done = export(_open(), args.folder, args.force)
    print(f"Exported {done.sessions} session{'s' if done.sessions != 1 else ''} and "
          f"{done.recordings} recording{'s' if done.recordings != 1 else ''} to {args.folder}.")
    return 0


def _recover(args: argparse.Namespace) -> int:
    home = data_home()
    done = recover(home)
    if not done:
        print("Nothing to recover: no damaged journal is waiting.")
    for r in done:
        print(f"Saved {r.sessions} session{'s' if r.sessions != 1 else ''} and {r.clips} "
              f"recording{'s' if r.clips != 1 else ''} ({r.how}); the damaged file is kept "
              f"as {r.source}, to delete when you no longer need it.")
    return 0


def _keep(args: argparse.Namespace) -> int:
    check_folder(data_home())
    try:
        keep_recordings(args.choice == "on")
    except OSError as error:
        raise UserError(f"The choice cannot be saved: {cause(error, data_home())}.") from None
    print("Sessions will keep the recordings their exercises mark." if args.choice == "on"
          else "Sessions will keep no recordings unless you run them with --keep-recordings.")
    return 0


def _forget(args: argparse.Namespace) -> int:
    home, speech = data_home(), speech_folder()
    check_folder(home)
    if not home.is_dir() and not cached_speech(speech):
        print("There is no journal to forget.")
        return 0
    if not args.yes:
        print("This deletes the journal, every kept recording, the couple's profile, the saved "
              "choices and the speech rendered with your names, for good. Type yes to go on: ",
              end="", flush=True)
        if sys.stdin.readline().strip().lower() != "yes":
            print("Nothing was deleted.")
            return 1
    try:  # the assistant's own files, by name: the user's own beside them stay
        left = forget(home, speech)
    except OSError as error:
        where = Path(error.filename) if error.filename else home
        raise UserError(f"Not everything could be deleted: {cause(error, where)}.") from None
    print("The journal, its recordings, the saved choices, the speech rendered with your "
          "names, and the couple's names and needs are deleted.")
    if left:
        print(f"Left in {home / CLIPS}, as the assistant did not make them: {len(left)} "
              f"file{'s' if len(left) != 1 else ''}.")
    return 0
