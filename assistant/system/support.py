"""Which machines the assistant cannot serve, because a library it needs has no build there.

Every dependency installs from a binary wheel on the platforms the assistant supports
(scripts/check_platforms.py resolves them all against the package index). On a few
neighbours one of them has no wheel at all, and the assistant says so in one sentence at
its first start rather than failing later somewhere deep in a library. The rules below
are the ones that check proves: it resolves each neighbour and fails if a refusal here
no longer matches what the index holds.
"""

from __future__ import annotations

import platform
import struct
import sys
import sysconfig
from dataclasses import dataclass

GLIBC_FLOOR = (2, 28)  # Debian 10; Ubuntu 20.04 has 2.31, Raspberry Pi OS bookworm 2.36
LINUX_MACHINES = ("x86_64", "aarch64")
MAC_ARM_FLOOR = (12,)  # SciPy's first build for Apple silicon
# the oldest macOS onnxruntime has a build of each newer CPython for (None: no macOS at
# all; Intel Macs stop at onnxruntime 1.23); older Pythons go back further than SciPy
ONNXRUNTIME_MAC_FLOORS: dict[tuple[int, int], dict[str, tuple[int, ...] | None]] = {
    (3, 13): {"arm64": (13,), "x86_64": (13,)},
    (3, 14): {"arm64": (14,), "x86_64": None},
}
WINDOWS_GAPS = {  # what a Windows Python of another architecture lacks
    "ARM64": ", which runs on ARM64 Windows too: soxr, the audio resampler, publishes no "
             "build for ARM64",
    "x86": ": SciPy and livekit publish no build for 32-bit x86",
}


@dataclass(frozen=True)
class Platform:
    system: str  # sys.platform: "linux", "darwin", "win32"
    machine: str  # the interpreter's own architecture: x86_64, aarch64, arm64, AMD64, ARM64
    os_version: tuple[int, ...]  # glibc on Linux, macOS on macOS, Windows version; () unknown
    python: tuple[int, int]


def refusal(here: Platform) -> str | None:
    """None where every dependency has a build, else the one sentence that says why not.

    Anything unknown (a system not named here, a glibc that cannot be read) is let
    through: only a gap the package index proves is refused."""
    python = ".".join(map(str, here.python))
    version = ".".join(map(str, here.os_version))
    if here.system == "win32" and here.machine != "AMD64":
        missing = WINDOWS_GAPS.get(here.machine, f": its libraries publish no builds for "
                                                 f"{here.machine}")
        return f"The assistant needs the 64-bit x64 Python on Windows{missing}."
    if here.system == "linux" and here.machine not in LINUX_MACHINES:
        return (f"The assistant needs a 64-bit Linux (x86-64 or aarch64): numpy, soxr and "
                f"onnxruntime publish no builds for {here.machine}.")
    if here.system == "linux" and here.os_version and here.os_version < GLIBC_FLOOR:
        return (f"The assistant needs glibc 2.28 or newer (Debian 10, Ubuntu 20.04, "
                f"Raspberry Pi OS bookworm or later): livekit, its echo canceller, "
                f"publishes no build for this system's glibc {version}.")
    if here.system != "darwin" or not here.os_version:
        return None
    if here.machine == "arm64" and here.os_version < MAC_ARM_FLOOR:
        return (f"The assistant needs macOS 12 or newer on Apple silicon: SciPy publishes "
                f"no build for macOS {version}.")
    if onnxruntime_runs(here.machine, here.os_version, here.python):
        return None
    older = next(p for p in [*sorted(ONNXRUNTIME_MAC_FLOORS, reverse=True), (3, 12)]
                 if p < here.python and onnxruntime_runs(here.machine, here.os_version, p))
    floor = ONNXRUNTIME_MAC_FLOORS[here.python].get(here.machine)
    newer = f", or macOS {floor[0]} or newer" if floor else ""
    where = f"macOS {version}" if floor else "Intel Macs"
    return (f"onnxruntime, which speaks the assistant's voice, has no build of Python "
            f"{python} for {where}: use Python {'.'.join(map(str, older))} or older{newer}.")


def onnxruntime_runs(machine: str, os_version: tuple[int, ...], python: tuple[int, int],
                     ) -> bool:
    """Whether onnxruntime has a macOS build of this Python for this machine and version
    (a Python the table does not name is not known to lack one)."""
    if python not in ONNXRUNTIME_MAC_FLOORS:
        return True
    floor = ONNXRUNTIME_MAC_FLOORS[python].get(machine, ())
    return floor is not None and os_version >= floor


def wheel_machine(system: str, machine: str, pointer_bits: int, build: str) -> str:
    """The architecture wheels are chosen for: the interpreter's, not the kernel's.

    A 32-bit Raspberry Pi OS runs on a 64-bit kernel that reports aarch64; Windows names
    the interpreter's architecture in its build platform (win-amd64, win-arm64, win32)."""
    if system == "win32":
        return {"win-amd64": "AMD64", "win-arm64": "ARM64", "win32": "x86"}.get(build, machine)
    if pointer_bits == 32:
        return {"x86_64": "i686", "aarch64": "armv8l", "arm64": "armv8l"}.get(machine, machine)
    return machine


def numbers(text: str) -> tuple[int, ...]:
    """'12.6.1' as (12, 6, 1); () when it is not a version."""
    parts = text.split(".")
    return tuple(int(p) for p in parts) if text and all(p.isdigit() for p in parts) else ()


def this_platform() -> Platform:
    """The running system's facts, for `refusal`."""
    system = sys.platform
    machine = wheel_machine(system, platform.machine(), struct.calcsize("P") * 8,
                            sysconfig.get_platform())
    if system == "darwin":
        os_version = numbers(platform.mac_ver()[0])
        # a Python built for old SDKs sees any macOS from 11 on as 10.16: unknown
        os_version = () if os_version[:2] == (10, 16) else os_version
    elif system == "linux":
        library, glibc = platform.libc_ver()
        os_version = numbers(glibc) if library == "glibc" else ()
    else:
        os_version = numbers(platform.version())
    return Platform(system, machine, os_version, (sys.version_info[0], sys.version_info[1]))
