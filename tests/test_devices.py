"""Devices by name: one card listed once per host API on Windows resolves to one device."""

from __future__ import annotations

import argparse
import types
from typing import Any

import pytest
import sounddevice

from assistant.audio.devices import Cards, Chosen, DeviceNotFound, choose, device_lines, resolve
from assistant.audio.live import LiveAudio
from assistant.audio.mixer import Mixer
from assistant.audio.portaudio import endpoints
from assistant.base.errors import UserError
from assistant.cli import diagnose

HOST_APIS = ("MME", "Windows DirectSound", "Windows WASAPI", "Windows WDM-KS")
INTEL = "Microphone Array (Intel\u00ae Smart Sound Technology for Digital Microphones)"
# (name, host API, inputs, outputs) as sounddevice lists them on a Windows laptop with a
# USB microphone; MME cuts names to 31 characters
WINDOWS = [
    ("Microsoft Sound Mapper - Input", 0, 2, 0),
    ("Microphone (USB Audio Device)", 0, 1, 0),
    (INTEL[:31], 0, 2, 0),
    ("Microsoft Sound Mapper - Output", 0, 0, 2),
    ("Speakers (Realtek(R) Audio)", 0, 0, 2),
    ("Primary Sound Capture Driver", 1, 2, 0),
    ("Microphone (USB Audio Device)", 1, 1, 0),
    (INTEL, 1, 2, 0),
    ("Primary Sound Driver", 1, 0, 2),
    ("Speakers (Realtek(R) Audio)", 1, 0, 2),
    ("Speakers (Realtek(R) Audio)", 2, 0, 2),
    ("Microphone (USB Audio Device)", 2, 1, 0),
    (INTEL, 2, 2, 0),
    ("Speakers (Realtek HD Audio output)", 3, 0, 2),
    ("Microphone (USB Audio Device)", 3, 1, 0),
    ("Microphone Array (Realtek HD Audio Mic input)", 3, 2, 0),
]
WINDOWS_DEFAULTS = [(0, 3), (5, 8), (12, 10), (15, 13)]  # (input, output) per host API
# as sounddevice lists them on Linux: ALSA's cards, and OSS with none
LINUX = [
    ("HDA Intel PCH: ALC3246 Analog (hw:0,0)", 0, 2, 2),
    ("HDA Intel PCH: HDMI 0 (hw:0,3)", 0, 0, 8),
    ("USB Audio Device: - (hw:1,0)", 0, 1, 0),
    ("sysdefault", 0, 128, 128),
    ("pulse", 0, 32, 32),
    ("default", 0, 32, 32),
]


def device_dicts(listed: list[tuple[str, int, int, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "index": index, "hostapi": api, "max_input_channels": ins,
             "max_output_channels": outs} for index, (name, api, ins, outs) in enumerate(listed)]


def api_dicts(names: tuple[str, ...], listed: list[tuple[str, int, int, int]],
              defaults: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"name": name, "devices": [i for i, d in enumerate(listed) if d[1] == api],
             "default_input_device": defaults[api][0], "default_output_device": defaults[api][1]}
            for api, name in enumerate(names)]


def windows(listed: list[tuple[str, int, int, int]] = WINDOWS) -> Cards:
    return Cards.of(device_dicts(listed), api_dicts(HOST_APIS, listed, WINDOWS_DEFAULTS), 0)


def linux() -> Cards:
    return Cards.of(device_dicts(LINUX), api_dicts(("ALSA", "OSS"), LINUX, [(5, 5), (-1, -1)]))


@pytest.mark.parametrize(("query", "kind", "index"), [
    ("USB", "input", 11),  # on four host APIs: WASAPI's
    ("Microphone (USB Audio Device)", "input", 11),
    ("speakers", "output", 10),
    (INTEL[:31], "input", 12),  # MME's cut name, exactly: still WASAPI's whole one
    ("Speakers (Realtek(R) Audio), MME", "output", 4),  # a host API named picks it
    ("usb directsound", "input", 6),
    ("Realtek HD Audio output", "output", 13),  # on one host API only
    ("Sound Mapper - Input", "input", 0),
])
def test_a_name_resolves_to_one_device_wasapi_first(query: str, kind: Any, index: int) -> None:
    assert resolve(query, kind, windows()).index == index


def test_without_wasapi_directsound_comes_before_mme_and_wdm_ks() -> None:
    no_wasapi = [d for d in WINDOWS if d[1] != 2]
    found = resolve("USB", "input", windows(no_wasapi))
    assert (found.name, found.host_api) == ("Microphone (USB Audio Device)",
                                            "Windows DirectSound")
    only_mme_and_ks = [d for d in WINDOWS if d[1] in (0, 3)]
    assert resolve("USB", "input", windows(only_mme_and_ks)).host_api == "MME"


def test_a_name_several_cards_share_lists_them_in_one_sentence() -> None:
    with pytest.raises(DeviceNotFound) as error:
        resolve("Microphone", "input", windows())
    assert error.value.kind == "input"
    text = str(error.value)
    assert text.startswith("2 input devices match 'Microphone'")
    assert "11: Microphone (USB Audio Device), Windows WASAPI" in text
    assert f"12: {INTEL}, Windows WASAPI" in text and "\n" not in text
    with pytest.raises(DeviceNotFound, match="no output device matches 'nowhere'"):
        resolve("nowhere", "output", windows())


def test_a_stream_both_ways_keeps_to_one_host_api() -> None:
    cards = windows()
    assert choose(None, None, cards) == Chosen(None, None)  # PortAudio's own defaults
    # a microphone named alone: the default output of its host API, not MME's
    assert choose("USB", None, cards) == Chosen(11, 10)
    # an output given by number on MME: the named microphone is looked for there first
    assert choose("USB", 4, cards).input == 1
    assert choose("USB", "Speakers", cards).output == 10
    assert choose(None, 4, cards).input is None  # MME is the default host API


def sounddevice_choice(monkeypatch: pytest.MonkeyPatch, query: str, kind: str) -> int | str:
    """What sounddevice itself makes of a name, over the same list."""
    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: device_dicts(LINUX))
    apis = api_dicts(("ALSA", "OSS"), LINUX, [(5, 5), (-1, -1)])
    monkeypatch.setattr(sounddevice, "query_hostapis",
                        lambda index=None: apis if index is None else apis[index])
    try:
        return int(sounddevice._get_device_id(query, kind, raise_on_error=True))
    except ValueError:
        return "error"


@pytest.mark.parametrize(("query", "kind"), [
    ("pulse", "output"), ("default", "input"), ("HDA", "output"), ("HDA", "input"),
    ("usb", "input"), ("usb", "output"), ("hw:0,3", "output"), ("nothing", "input")])
def test_on_linux_a_name_means_what_it_meant_to_sounddevice(
        monkeypatch: pytest.MonkeyPatch, query: str, kind: Any) -> None:
    try:
        ours: int | str = resolve(query, kind, linux()).index
    except DeviceNotFound:
        ours = "error"
    assert ours == sounddevice_choice(monkeypatch, query, kind)


def test_devices_shows_the_host_api_only_where_there_are_several() -> None:
    lines = device_lines(linux(), 5, 5)
    assert lines[0] == "  0  HDA Intel PCH: ALC3246 Analog (hw:0,0)  (in 2, out 2)"
    assert lines[5] == "  5  default  (in 32, out 32)  default input  default output"
    assert len(lines) == len(LINUX)
    lines = device_lines(windows(), 1, 4)
    assert lines[11] == " 11  Microphone (USB Audio Device), Windows WASAPI  (in 1, out 0)"
    assert lines[1].endswith("Microphone (USB Audio Device), MME  (in 1, out 0)  default input")
    assert "WASAPI device" in lines[-1] and len(lines) == len(WINDOWS) + 1


@pytest.fixture
def windows_sounddevice(monkeypatch: pytest.MonkeyPatch) -> None:
    """sounddevice answering as on the Windows laptop above (no stream is opened)."""
    apis = api_dicts(HOST_APIS, WINDOWS, WINDOWS_DEFAULTS)
    monkeypatch.setattr(sounddevice, "query_devices", lambda *a, **k: device_dicts(WINDOWS))
    monkeypatch.setattr(sounddevice, "query_hostapis",
                        lambda index=None: apis if index is None else apis[index])
    monkeypatch.setattr(sounddevice, "default",
                        types.SimpleNamespace(device=[1, 4], hostapi=0))


@pytest.mark.usefixtures("windows_sounddevice")
def test_a_wasapi_device_is_asked_to_convert_to_the_session_rate() -> None:
    ends = endpoints("USB", None)
    assert (ends.input, ends.output) == (11, 10)
    for extra in (ends.input_extra, ends.output_extra):
        assert isinstance(extra, sounddevice.WasapiSettings)
        assert extra._streaminfo.flags & sounddevice._lib.paWinWasapiAutoConvert
    mme = endpoints(None, "Speakers (Realtek(R) Audio), MME")
    assert mme.input_extra is None and mme.output_extra is None


@pytest.mark.usefixtures("windows_sounddevice")
def test_a_name_that_stays_ambiguous_is_a_plain_error_naming_the_choices() -> None:
    with pytest.raises(UserError) as error:
        LiveAudio(16_000, input_device="Microphone").open(Mixer(16_000))
    text = str(error.value)
    assert text.startswith("The input device 'Microphone' cannot be used (2 input devices")
    assert "assistant devices" in text and "\n" not in text


@pytest.mark.usefixtures("windows_sounddevice")
def test_devices_command_lists_each_card_with_its_host_api(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert diagnose.devices(argparse.Namespace()) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[12] == f" 12  {INTEL}, Windows WASAPI  (in 2, out 0)"
    assert sum("Microphone (USB Audio Device)" in line for line in out) == 4
