"""Sound devices by name: one card, listed once per host API, resolved to one device.

Windows lists every card once for each of its host APIs (MME, DirectSound, WASAPI,
WDM-KS), so a name matches up to four devices. A name resolves to the host API ranked
first among its matches: WASAPI, the system's own path at low latency, then
DirectSound, then MME (widest support, highest latency), then WDM-KS (which fails
when another program holds the card). Elsewhere no host API is ranked, so a name
resolves as sounddevice resolves it: the one match, else the one exact match.

A stream both ways opens only on one host API, so a device named for one direction
is looked for on the other's host API first, and a default device is taken from the
host API of a device that was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["input", "output"]
Spec = int | str | None  # a device as given: an index, (part of) a name, or the default

WASAPI = "Windows WASAPI"
RANKED = (WASAPI, "Windows DirectSound", "MME", "Windows WDM-KS")


class DeviceNotFound(ValueError):
    """No device, or more than one, goes by the name given for one direction."""

    def __init__(self, kind: Kind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    inputs: int
    outputs: int

    @property
    def full(self) -> str:
        """The name with its host API, as a name may be given to pick one."""
        return f"{self.name}, {self.host_api}"

    def offers(self, kind: Kind) -> bool:
        return (self.inputs if kind == "input" else self.outputs) > 0


@dataclass(frozen=True)
class HostApi:
    name: str
    default_input: int  # -1: none
    default_output: int


@dataclass(frozen=True)
class Cards:
    """What PortAudio lists: the devices, the host APIs, and which host API is default."""

    devices: tuple[Device, ...]
    host_apis: tuple[HostApi, ...]
    default_host_api: int = 0

    @classmethod
    def of(cls, devices: Iterable[Mapping[str, Any]], host_apis: Sequence[Mapping[str, Any]],
           default_host_api: int = 0) -> Cards:
        """From sounddevice's `query_devices()` and `query_hostapis()`."""
        apis = tuple(HostApi(str(api["name"]), int(api["default_input_device"]),
                             int(api["default_output_device"])) for api in host_apis)
        listed = tuple(
            Device(index, str(found["name"]), _api_name(apis, int(found["hostapi"])),
                   int(found["max_input_channels"]), int(found["max_output_channels"]))
            for index, found in enumerate(devices))
        return cls(listed, apis, default_host_api)

    def host_api_of(self, index: int | None) -> str | None:
        if index is None or not 0 <= index < len(self.devices):
            return None
        return self.devices[index].host_api

    def default_on(self, host_api: str, kind: Kind) -> int | None:
        """The default device of `kind` on a host API, if it has one."""
        for api in self.host_apis:
            if api.name == host_api:
                index = api.default_input if kind == "input" else api.default_output
                return index if index >= 0 else None
        return None

    @property
    def default_api_name(self) -> str | None:
        apis = self.host_apis
        return apis[self.default_host_api].name if 0 <= self.default_host_api < len(apis) \
            else None


def _api_name(apis: Sequence[HostApi], index: int) -> str:
    return apis[index].name if 0 <= index < len(apis) else ""


def matching(query: str, kind: Kind, devices: Iterable[Device]) -> list[Device]:
    """Devices of `kind` whose "name, host API" holds the query's words in order
    (sounddevice's own rule, so a name means what it meant before)."""
    words = query.lower().split()
    found = []
    for device in devices:
        if not device.offers(kind):
            continue
        text, at = device.full.lower(), 0
        for word in words:
            at = text.find(word, at)
            if at < 0:
                break
            at += len(word)
        else:
            found.append(device)
    return found


def rank(host_api: str, prefer: str | None = None) -> int:
    """Lower is tried first; host APIs outside the ranking tie with each other."""
    if prefer is not None and host_api == prefer:
        return -1
    return RANKED.index(host_api) if host_api in RANKED else len(RANKED)


def resolve(query: str, kind: Kind, cards: Cards, prefer: str | None = None) -> Device:
    """The one device of `kind` a name means, on `prefer`'s host API if it is there."""
    found = matching(query, kind, cards.devices)
    if not found:
        raise DeviceNotFound(kind, f"no {kind} device matches {query!r}")
    best = min(rank(device.host_api, prefer) for device in found)
    found = [device for device in found if rank(device.host_api, prefer) == best]
    if len(found) > 1:
        wanted = query.lower()
        exact = [d for d in found if wanted in (d.name.lower(), d.full.lower())]
        found = exact if len(exact) == 1 else found
    if len(found) > 1:
        listed = "; ".join(f"{device.index}: {device.full}" for device in found)
        raise DeviceNotFound(kind, f"{len(found)} {kind} devices match {query!r} ({listed}); "
                                   "give the number, or more of the name")
    return found[0]


@dataclass(frozen=True)
class Chosen:
    input: int | None  # None: PortAudio's default
    output: int | None


def choose(input_spec: Spec, output_spec: Spec, cards: Cards) -> Chosen:
    """The devices of a stream both ways, names resolved, on one host API where it can be.
    An index is kept as given (PortAudio says if there is no such device)."""
    chosen_in = input_spec if not isinstance(input_spec, str) else None
    chosen_out = output_spec if not isinstance(output_spec, str) else None
    if isinstance(input_spec, str):
        chosen_in = resolve(input_spec, "input", cards, cards.host_api_of(chosen_out)).index
    if isinstance(output_spec, str):
        chosen_out = resolve(output_spec, "output", cards, cards.host_api_of(chosen_in)).index
    default_api = cards.default_api_name
    if chosen_in is None and chosen_out is not None:
        api = cards.host_api_of(chosen_out)
        if api is not None and api != default_api:
            chosen_in = cards.default_on(api, "input")
    if chosen_out is None and chosen_in is not None:
        api = cards.host_api_of(chosen_in)
        if api is not None and api != default_api:
            chosen_out = cards.default_on(api, "output")
    return Chosen(chosen_in, chosen_out)


def device_lines(cards: Cards, default_input: int, default_output: int) -> list[str]:
    """`assistant devices`: a line a device; its host API where there is more than one
    (a name can then be given with it: "Speakers (Realtek), MME")."""
    several = len({device.host_api for device in cards.devices}) > 1
    lines = []
    for device in cards.devices:
        marks = ("  default input" if device.index == default_input else "") + (
            "  default output" if device.index == default_output else "")
        name = device.full if several else device.name
        lines.append(f"{device.index:>3}  {name}  (in {device.inputs}, "
                     f"out {device.outputs}){marks}")
    if several and any(device.host_api in RANKED for device in cards.devices):
        lines.append(f"A name alone means the {WASAPI} device where there is one; add "
                     "', MME' or another host API to the name for that one.")
    return lines
