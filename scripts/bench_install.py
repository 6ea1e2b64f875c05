"""From nothing to a first spoken word, as a couple installing the wheel meets it.

Builds the wheel, makes a fresh virtual environment in a temporary folder outside the
checkout, installs the wheel there with its dependencies (from the package index, or
pip's cache when it holds them), and starts a session through a private PulseAudio
server: it prints how long each part took, and the time from the session's launch to
its first sound at the speaker. Needs the package index (or a warm pip cache) and
PulseAudio; it is a measurement, not a test.

    .venv/bin/python scripts/bench_install.py [--exercise daily-check-in]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, command: Sequence[str], **options: object) -> float:
    print(f"{label} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    subprocess.run(list(command), check=True, **options)  # type: ignore[call-overload]
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="daily-check-in",
                        help="the practice whose first word is timed (default: daily-check-in)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from assistant.testing.pulse import PulseServer

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = folder / "source"
        shutil.copytree(ROOT / "assistant", source / "assistant",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        build = timed("building the wheel", [sys.executable, "-m", "pip", "wheel", "-q",
                                             "--no-deps", "-w", str(folder / "dist"),
                                             str(source)])
        wheel = next((folder / "dist").glob("couples_assistant-*.whl"))
        venv = timed("making a fresh virtual environment",
                     [sys.executable, "-m", "venv", str(folder / "venv")])
        bin_dir = folder / "venv" / ("Scripts" if os.name == "nt" else "bin")
        install = timed("installing the wheel and its dependencies",
                        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)])
        home = folder / "home"
        with PulseServer(folder / "pulse") as pulse:
            env = {**pulse.env, "ASSISTANT_HOME": str(home)}
            command = [str(bin_dir / "assistant"), "run", args.exercise, "--names", "Ana,Ben"]
            first_visit = pulse.first_sound_after_launch(command, env)
            returning = pulse.first_sound_after_launch(command, env)
    print("| step | seconds |")
    print("|---|---:|")
    for label, seconds in (("build the wheel", build), ("make a fresh venv", venv),
                           ("pip install the wheel with its dependencies", install),
                           ("launch to first word, first run (nothing cached)", first_visit),
                           ("launch to first word, second run", returning),
                           ("fresh venv to first spoken word",
                            venv + install + first_visit)):
        print(f"| {label} | {seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
