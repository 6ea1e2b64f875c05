"""A couple simulator: two partners who react to a session the way people do.

It closes the loop on the virtual clock. The simulated couple listens to the
session's events and speaks into the microphone in answer: given the floor, a
partner thinks for a while, then speaks in utterances separated by reflective
pauses; both answer a question for both in turn; they stay silent (or laugh)
during activities; some say nothing at all; one talks over the assistant. What
they said, and when, is kept as ground truth, so a test can judge the session
as the couple lived it. Speech is real: espeak-ng's two voices, or a person's recording.
"""

from __future__ import annotations

import functools
import queue
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from assistant.audio.io import T
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.virtual import VirtualAudio
from assistant.session.commands import Command
from assistant.testing.profiles import PROFILES, Profile
from assistant.testing.recorded import recording
from assistant.testing.room import RoomSound

RATE = 16_000
SENTENCES = (
    "Today felt long, but I am glad we are sitting here together",
    "I noticed how kind you were to my sister on the phone",
    "Sometimes I worry that I ask too much of you",
    "The walk by the river on Sunday made me really happy",
    "I would love a quiet morning with you this weekend",
    "It helps me when you just listen without fixing anything",
    "I felt proud of how we handled the move",
    "When you laughed at dinner I remembered why I love you",
)
SHORT = ("Thank you, that means a lot", "Yes, I think so", "I heard that you felt alone",
         "Can you tell me more about that", "That sounds right to me")
RECORDED_LINES = SENTENCES + SHORT  # what a partner with a recorded voice says in it
LAUGH = "ha ha ha, oh that tickles"
BACKCHANNELS = ("mm", "yes", "right", "mm hm")
VOICES = ("en-us", "en-gb+f3")  # partner A, partner B: two different speakers
INTERRUPT_STEPS = ("say", "turn", "ask")  # where a talker might speak over a prompt
__all__ = ["PROFILES", "Couple", "CoupleAudio", "FloorRecord", "Profile", "Utterance"]


@functools.cache
def _speech(text: str, voice: str) -> Samples:
    from assistant.testing.sounds import spoken

    return spoken(text, voice=voice)


@dataclass(eq=False)
class Utterance:
    partner: str  # "A" or "B"
    start: int
    samples: Samples
    floor: int  # which floor it belongs to (0: none, spoken over a prompt)

    @property
    def end(self) -> int:
        return self.start + len(self.samples)


@dataclass
class FloorRecord:
    """One floor as the couple lived it: what they meant to say, and what they said."""

    number: int
    owner: str  # a name, or "both"
    kind: str
    start: int
    seconds: float
    end: int | None = None
    reason: str = ""
    planned: list[Utterance] = field(default_factory=list)
    repairs: int = 0  # times it was handed back after ending for silence


class Couple:
    """An event sink that speaks: feed it the session's events, read its microphone."""

    def __init__(self, profile: Profile, names: tuple[str, str] = ("Ana", "Ben"),
                 seed: int = 0, rate: int = RATE,
                 floor_of: Callable[[str], str] | None = None,
                 prompt_length: Callable[[str], int] | None = None) -> None:
        self.profile, self.names, self.rate = profile, names, rate
        self.prompt_length = prompt_length  # samples of a prompt's speech, for the eager
        self.levels = {"A": 1.0, "B": 1.0}  # each partner's loudness at the microphone
        # the floor kind of a step, by its number, for logs that do not carry it
        self.floor_of = floor_of
        self.rng = random.Random(seed)
        self.said: list[Utterance] = []  # placed on the microphone's timeline
        self._sounding: list[Utterance] = []  # those not yet over: what render looks at
        self.floors: list[FloorRecord] = []
        self.keys: list[tuple[int, Command, int]] = []  # (sample, command, floor number)
        self.heard_until = 0  # the microphone has been read up to here: the past is fixed
        self.step_kind = self.step_number = ""
        self._shared_once = False
        self._early: Utterance | None = None  # an eager answer begun before its floor

    # -- reacting to the session ------------------------------------------------------

    def __call__(self, event: Any) -> None:
        """Any session event with `type`, `sample` and `data` (a log line's fields)."""
        kind, data, at = event.type, event.data, int(event.sample)
        if kind == "step":
            self.step_kind, self.step_number = str(data["kind"]), str(data["number"])
        elif kind == "turn_start":
            floor = data.get("floor") or (self.floor_of(self.step_number) if self.floor_of
                                          else "share")
            self._floor_opens(at, str(data["partner"]), str(floor), float(data["seconds"]))
        elif kind == "turn_end":
            self._floor_closes(at, str(data["reason"]))
        elif kind == "floor_repaired" and self.floors:
            self._floor_reopens(self.floors[-1])
        elif kind == "say_start" and self.step_kind in INTERRUPT_STEPS:
            if self.profile.eager and self.prompt_length is not None:
                self._answer_early(at, str(data["text"]))
            elif self.rng.random() < self.profile.interrupts:
                who = self.rng.choice("AB")
                text = self.rng.choice(SENTENCES)
                self._place(Utterance(who, at + self._s(0.8), self._voice(text, who), 0))

    def _answer_early(self, at: int, text: str) -> None:
        """The eager partner named in a prompt (or either) starts before it has ended."""
        assert self.profile.eager is not None and self.prompt_length is not None
        named = sorted((text.find(name), w) for w, name in zip("AB", self.names, strict=True)
                       if name in text)  # the partner addressed first
        if not named or ("?" not in text and "turn" not in text.lower()):
            return
        ends = at + self.prompt_length(text)
        start = max(at, ends - self._s(self._draw(self.profile.eager)))
        who = named[0][1]
        self._early = Utterance(who, start, self._voice(self.rng.choice(SHORT), who), 0)
        self._place(self._early)

    def _floor_opens(self, at: int, partner: str, floor: str, seconds: float) -> None:
        record = FloorRecord(len(self.floors) + 1, partner, floor, at, seconds)
        self.floors.append(record)
        p = self.profile
        if floor == "activity":
            if p.laughs:
                laugh_at = at + self._s(seconds * self.rng.uniform(0.3, 0.6))
                self._plan(record, [(laugh_at, self._voice(LAUGH, "A"), "A")])
            return
        if self.rng.random() < p.silent_chance:
            return
        start = at + self._s(self._draw(p.think))
        early, self._early = self._early, None
        if early is not None and early.end + self._s(3.0) > at:  # they had begun already
            early.floor = record.number
            record.planned.append(early)
            start = max(at, early.end) + self._s(self._draw(p.pauses))
            if floor == "answer":
                return
        if floor == "talk":
            self._plan(record, self._talk(start, seconds))
            return
        who = "A" if partner == self.names[0] else "B"
        if floor == "share" and p.long_think and not self._shared_once:
            start = at + self._s(p.long_think)
        if floor == "share":
            self._shared_once = True
            planned = self._share(start, who, seconds)
        else:
            planned = self._answer(start, who)
        self._plan(record, planned)
        if planned and floor == "share" and self.rng.random() < p.done_key:
            last_end = planned[-1][0] + len(planned[-1][1])
            self.keys.append((last_end + self._s(1.0), Command.DONE, record.number))

    def _share(self, start: int, who: str, seconds: float) -> list[tuple[int, Samples, str]]:
        budget = self._s(seconds * self.rng.uniform(*self.profile.share_fill))
        planned, at, spoken = [], start, 0
        while True:
            clip = self._voice(self.rng.choice(SENTENCES), who)
            planned.append((at, clip, who))
            spoken += len(clip)
            if spoken >= budget:
                return planned
            pause = self._s(self._draw(self.profile.pauses))
            if pause > self._s(1.2) and self.rng.random() < self.profile.backchannels:
                other = "B" if who == "A" else "A"
                nod = self._voice(self.rng.choice(BACKCHANNELS), other)
                planned.append((at + len(clip) + self._s(0.3), nod, other))
            at += len(clip) + pause

    def _answer(self, start: int, who: str) -> list[tuple[int, Samples, str]]:
        """A short reply: one or two short sentences, with no long pause between."""
        first = self._voice(self.rng.choice(SHORT), who)
        planned = [(start, first, who)]
        if self.rng.random() < 0.5:
            second = self._voice(self.rng.choice(SHORT), who)
            planned.append((start + len(first) + self._s(self.rng.uniform(0.3, 1.5)), second,
                            who))
        return planned

    def _talk(self, start: int, seconds: float) -> list[tuple[int, Samples, str]]:
        """Both answer in turn, each taking it up after the other, until they are done."""
        planned, at = [], start
        who = self.rng.choice("AB")
        for _ in range(self.rng.randint(*self.profile.talk_turns)):
            for _ in range(self.rng.randint(1, 2)):
                clip = self._voice(self.rng.choice(SENTENCES), who)
                planned.append((at, clip, who))
                at += len(clip) + self._s(self.rng.uniform(0.3, 1.5))
            who = "B" if who == "A" else "A"
            at += self._s(self._draw(self.profile.talk_gap))
            if at > start + self._s(seconds):
                break
        return planned

    def _plan(self, record: FloorRecord, planned: list[tuple[int, Samples, str]]) -> None:
        for at, clip, who in planned:
            utterance = Utterance(who, at, clip, record.number)
            record.planned.append(utterance)
            self._place(utterance)

    def _floor_closes(self, at: int, reason: str) -> None:
        record = next((r for r in reversed(self.floors) if r.end is None), None)
        if record is None:
            return
        record.end, record.reason = at, reason
        # what was not yet begun is never said: a person stops when the floor passes on
        begun_by = max(at, self.heard_until)
        kept = [u for u in self.said if u.floor != record.number or u.start < begun_by]
        self._sounding = [u for u in self._sounding if u in kept]
        self.said = kept
        self.keys = [k for k in self.keys if k[2] != record.number]

    def _floor_reopens(self, record: FloorRecord) -> None:
        """Given the floor back, its owner goes on with what they had yet to say."""
        record.end, record.reason, record.repairs = None, "", record.repairs + 1
        for utterance in record.planned:
            if utterance.start >= self.heard_until and utterance not in self.said:
                self._place(utterance)

    # -- the microphone ---------------------------------------------------------------

    def render(self, start: int, end: int) -> Samples:
        """The microphone between two session samples: everything the couple says."""
        out = np.zeros(end - start, dtype=np.float32)
        self._sounding = [u for u in self._sounding if u.end > start]
        for u in self._sounding:
            lo, hi = max(u.start, start), min(u.end, end)
            if hi > lo:
                part = u.samples[lo - u.start : hi - u.start]
                level = self.levels[u.partner]
                out[lo - start : hi - start] += part if level == 1.0 else part * level
        self.heard_until = max(self.heard_until, end)
        return out

    def _place(self, utterance: Utterance) -> None:
        if utterance.start < self.heard_until:  # nobody can speak in the past
            utterance.start = self.heard_until
        self.said.append(utterance)
        self._sounding.append(utterance)

    # -- helpers ----------------------------------------------------------------------

    def _voice(self, text: str, who: str) -> Samples:
        if who == self.profile.recorded and text in RECORDED_LINES:  # a murmur stays synthetic
            return recording(RECORDED_LINES.index(text), self.rate)
        return _speech(text, VOICES[0 if who == "A" else 1])

    def _draw(self, bounds: tuple[float, float]) -> float:
        low, high = bounds
        return float(low * (high / low) ** self.rng.random())

    def _s(self, seconds: float) -> int:
        return round(seconds * self.rate)


class CoupleAudio(VirtualAudio):
    """A virtual run whose microphone is the simulated couple, and whose keys are theirs;
    in a room, the microphone also hears the room and the assistant's own echo."""

    def __init__(self, couple: Couple, rate: int = RATE, out_file: Path | None = None,
                 room: RoomSound | None = None) -> None:
        super().__init__(rate, out_file)
        self.couple, self.room = couple, room
        if room is not None:
            couple.levels = room.levels()
            self.output_latency = room.reported_latency  # the card reports it all as output

    def open(self, mixer: Mixer) -> None:
        super().open(mixer)
        if self.room is not None and self.room.played not in mixer.taps:
            mixer.taps.append(self.room.played)

    @property
    def has_microphone(self) -> bool:
        return True

    def read_mic(self) -> Samples:
        assert self._mixer is not None
        upto = self._mixer.now
        block = self.couple.render(self._mic_read, upto)
        if self.room is not None:
            block = self.room.hear(self._mic_read, block)
        self._mic_read = upto
        return block

    def advance(self, until: int | None, inbox: queue.Queue[T]) -> list[T]:
        keys = sorted(self.couple.keys)
        if keys and (until is None or keys[0][0] <= until):
            at, command, floor = keys[0]
            self.couple.keys.remove((at, command, floor))
            super().advance(at, inbox)
            return [cast(T, command)]
        return super().advance(until, inbox)
