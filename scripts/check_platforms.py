"""Whether the assistant's dependencies install from binary wheels on every platform it serves.

For each target (Linux x86-64 and aarch64 with glibc 2.28, macOS 12 on Apple silicon,
macOS 13 on Intel, Windows x64) and each CPython from 3.10 to 3.13, pip resolves the
dependency list of pyproject.toml from wheels alone (`--only-binary=:all:`, a dry run:
nothing is built, nothing installed) and the script prints a table: `ok`, or the package
that has no wheel there. A pure-Python package published only as a source archive (srt,
which vosk needs) is first made into a wheel in a temporary folder. pip runs isolated from
this machine's configuration, against pypi.org (or --index-url).

pip evaluates environment markers (`sys_platform == 'darwin'`, `python_version < '3.11'`)
against the interpreter that runs it, even with `--platform`: left alone it would pick
Linux's dependencies for every target. Each resolution therefore runs in a child process
whose marker environment is the target's own, and the report pip writes is checked to
have used it.

Neighbours the assistant refuses at its first start (assistant/system/support.py) are
resolved too. The exit status is non-zero if a combination the assistant accepts lacks a
wheel, or if one it refuses turns out to install. Needs the package index: it is a check
one runs, not a test.

    .venv/bin/python scripts/check_platforms.py [--python 3.12] [--target macos]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.system.support import Platform, refusal  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
SOURCE_ONLY = ("srt",)  # pure Python, published as a source archive alone
INDEX = "https://pypi.org/simple"

# pip's own entry point with the marker environment replaced by the target's (argv[1])
PIP_AS_TARGET = """\
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv[1])
markers.default_environment = lambda: dict(target)
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


@dataclass(frozen=True)
class Target:
    name: str
    system: str  # sys.platform
    machine: str  # the interpreter's architecture, as support.Platform names it
    os_version: tuple[int, ...]  # glibc, macOS or Windows version
    tags: tuple[str, ...]  # wheel platform tags it takes (pip adds older macOS ones itself)
    kernel: tuple[str, str]  # platform.release() and platform.version(), for markers
    supported: bool = True  # False: a neighbour, resolved to keep the refusals honest

    def markers(self, python: str) -> dict[str, str]:
        system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[self.system]
        return {
            "implementation_name": "cpython", "implementation_version": f"{python}.0",
            "os_name": "nt" if self.system == "win32" else "posix",
            "platform_machine": self.machine, "platform_python_implementation": "CPython",
            "platform_release": self.kernel[0], "platform_system": system,
            "platform_version": self.kernel[1], "python_full_version": f"{python}.0",
            "python_version": python, "sys_platform": self.system,
        }

    def refusal(self, python: str) -> str | None:
        major, minor = (int(part) for part in python.split("."))
        return refusal(Platform(self.system, self.machine, self.os_version, (major, minor)))


def manylinux(arch: str, glibc_minor: int) -> tuple[str, ...]:
    """Every manylinux tag a system with glibc 2.`glibc_minor` accepts, newest first."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc_minor, 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags += [f"{name}_{arch}" for minor, name in legacy.items() if minor <= glibc_minor
             and (arch in ("x86_64", "i686") or name == "manylinux2014")]
    return tuple(tags)


def linux(arch: str, glibc: int, supported: bool = True) -> Target:
    return Target(f"linux-{arch} glibc 2.{glibc}", "linux", arch, (2, glibc),
                  manylinux(arch, glibc), ("5.10.0", "#1 SMP Debian"), supported)


def macos(arch: str, major: int, supported: bool = True) -> Target:
    darwin = f"{major + 9}.6.0"  # Darwin 21 is macOS 12
    build = "RELEASE_ARM64_T6000" if arch == "arm64" else "RELEASE_X86_64"
    return Target(f"macos-{arch} {major}", "darwin", arch, (major, 0),
                  (f"macosx_{major}_0_{arch}",),
                  (darwin, f"Darwin Kernel Version {darwin}: root:xnu/{build}"), supported)


def windows(machine: str, tag: str, supported: bool = True) -> Target:
    return Target(f"windows-{machine.lower()}", "win32", machine, (10, 0, 19045), (tag,),
                  ("10", "10.0.19045"), supported)


TARGETS = (
    linux("x86_64", 28),  # Debian 10; Ubuntu 20.04 and Raspberry Pi OS bookworm are newer
    linux("aarch64", 28),
    macos("arm64", 12),
    macos("x86_64", 13),
    windows("AMD64", "win_amd64"),
    # neighbours
    linux("x86_64", 27, supported=False),
    linux("armv7l", 36, supported=False),
    macos("arm64", 11, supported=False),
    macos("x86_64", 12, supported=False),
    windows("ARM64", "win_arm64", supported=False),
    windows("x86", "win32", supported=False),
)


def dependencies(pyproject: Path) -> list[str]:
    with pyproject.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def pip(arguments: Sequence[str], markers: Mapping[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """pip with this machine's configuration left out: the package index alone decides."""
    prefix = ["-c", PIP_AS_TARGET, json.dumps(dict(markers))] if markers else ["-m", "pip"]
    return subprocess.run([sys.executable, *prefix, "--isolated", "--disable-pip-version-check",
                           *arguments], capture_output=True, text=True, check=False)


def build_source_only(names: Sequence[str], folder: Path, index: str) -> None:
    """Wheels of the pure-Python packages that come as source archives only."""
    for name in names:
        done = pip(["wheel", "--quiet", "--no-deps", "--no-binary", name, "--index-url", index,
                    "-w", str(folder), name])
        if done.returncode:
            raise SystemExit(f"Could not build a wheel of {name}: {last_line(done.stderr)}")
        built = list(folder.glob(f"{name}-*.whl"))
        if not built or not all(w.name.endswith("-none-any.whl") for w in built):
            raise SystemExit(f"{name} did not build as one pure-Python wheel: {built}")


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def blame(output: str) -> str:
    """The package pip found no wheel for, or pip's last word."""
    missing: list[str] = re.findall(r"No matching distribution found for (\S+)", output)
    if missing:
        return missing[-1]
    # a conflict: pip names the packages with no wheel at all after the ones needing them
    block = re.search(r"no matching distributions available for your environment:\n"
                      r"((?:[ \t]+\S+\n?)+)", output)
    if block:
        return ", ".join(block.group(1).split())
    return last_line(output)


@dataclass(frozen=True)
class Outcome:
    target: Target
    python: str
    missing: str | None  # None: every dependency has a wheel
    picked: tuple[str, ...]  # name==version of each wheel, when it resolved

    @property
    def refused(self) -> str | None:
        return self.target.refusal(self.python)


def resolve(target: Target, python: str, requirements: Sequence[str], links: Path,
            index: str) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="pip-report-") as folder:
        report_file = Path(folder) / "report.json"
        arguments = ["install", "--dry-run", "--ignore-installed", "--progress-bar", "off",
                     "--report", str(report_file), "--only-binary=:all:",
                     "--index-url", index, "--find-links", str(links),
                     "--python-version", python, "--implementation", "cp",
                     *(f"--platform={tag}" for tag in target.tags), *requirements]
        done = pip(arguments, target.markers(python))
        if done.returncode:
            return Outcome(target, python, blame(done.stdout + done.stderr), ())
        report: dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
    if report["environment"] != target.markers(python):
        raise SystemExit("pip ignored the target's marker environment: this check needs a "
                         "pip whose vendored packaging reads markers.default_environment")
    wheels = [item for item in report["install"]
              if str(item["download_info"]["url"]).endswith(".whl")]
    if len(wheels) != len(report["install"]):
        raise SystemExit(f"pip picked a source archive for {target.name}, Python {python}")
    return Outcome(target, python, None, tuple(sorted(
        f"{item['metadata']['name']}=={item['metadata']['version']}" for item in wheels)))


def cell(outcome: Outcome) -> str:
    if outcome.missing is None:
        return "ok, but refused" if outcome.refused else "ok"
    return f"refused ({outcome.missing})" if outcome.refused else f"no wheel: {outcome.missing}"


def table(outcomes: Sequence[Outcome], pythons: Sequence[str]) -> str:
    rows = [["target", *pythons]]
    for target in dict.fromkeys(o.target for o in outcomes):
        by_python = {o.python: o for o in outcomes if o.target == target}
        label = target.name if target.supported else f"{target.name} (neighbour)"
        rows.append([label, *(cell(by_python[p]) if p in by_python else "-" for p in pythons)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def problems(outcomes: Sequence[Outcome]) -> list[str]:
    """What fails the check: an accepted combination without wheels, a refused one that
    installs after all (the refusal is out of date)."""
    found = []
    for o in outcomes:
        where = f"{o.target.name}, Python {o.python}"
        if o.missing is not None and not o.refused:
            found.append(f"{where} is accepted at start but has no wheel of {o.missing}")
        if o.missing is None and o.refused:
            found.append(f"{where} installs, yet the assistant refuses it: {o.refused}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Resolve the assistant's dependencies (pyproject.toml) from binary wheels "
                    "alone for every platform and Python it supports, and for the neighbours "
                    "it refuses, and print a table: ok, or the package with no wheel. Exits "
                    "non-zero if an accepted combination lacks a wheel or a refused one "
                    "installs. Needs the package index.")
    parser.add_argument("--python", action="append", metavar="X.Y",
                        help=f"a CPython version to check, repeatable (default: "
                             f"{', '.join(PYTHONS)})")
    parser.add_argument("--target", action="append", metavar="TEXT",
                        help="only targets whose name contains TEXT, repeatable (e.g. linux, "
                             "macos-x86_64, windows; default: all)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="resolutions run at once (default: 2)")
    parser.add_argument("--index-url", default=INDEX, help=f"the package index (default: {INDEX})")
    parser.add_argument("--versions", action="store_true",
                        help="also list the wheels picked for each target and Python")
    args = parser.parse_args(argv)
    pythons = args.python or list(PYTHONS)
    if not all(re.fullmatch(r"3\.\d+", p) for p in pythons):
        parser.error(f"--python takes versions such as 3.12, not {' '.join(pythons)}")
    targets = [t for t in TARGETS if not args.target or any(n in t.name for n in args.target)]
    if not targets:
        parser.error(f"no target matches {' '.join(args.target)}; targets: "
                     + ", ".join(t.name for t in TARGETS))
    requirements = dependencies(ROOT / "pyproject.toml")
    jobs = [(t, p) for t in targets for p in pythons]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="check-platforms-") as folder:
        print(f"building wheels of {', '.join(SOURCE_ONLY)} ...", file=sys.stderr, flush=True)
        build_source_only(SOURCE_ONLY, Path(folder), args.index_url)
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(resolve, t, p, requirements, Path(folder), args.index_url)
                       for t, p in jobs]
            for done, future in enumerate(futures, 1):
                outcome = future.result()
                outcomes.append(outcome)
                print(f"[{done}/{len(jobs)}] {outcome.target.name}, Python {outcome.python}: "
                      f"{cell(outcome)}", file=sys.stderr, flush=True)
    if args.versions:
        for o in outcomes:
            print(f"{o.target.name}, Python {o.python}: {' '.join(o.picked) or '-'}")
        print()
    print(table(outcomes, pythons))
    found = problems(outcomes)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
