"""A practice rendered on the virtual clock, as a couple hears it with no microphone.

The same engine runs it as a live session, so every floor lasts its full time
(as guided audio does) and every sound falls on the sample it would fall on
live; each block the mixer renders is handed on as it comes (to a file on disk:
a long practice never sits in memory), and the steps' starts give chapters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from tqdm import tqdm

from assistant.audio.cues import CueBank
from assistant.audio.io import SESSION_RATE
from assistant.audio.loudness import SPEECH_LOUDNESS
from assistant.audio.mixer import Mixer, Samples
from assistant.audio.virtual import VirtualAudio
from assistant.engine.runner import SessionRunner
from assistant.export.chapters import Chapter, chapter_name
from assistant.script.model import Exercise
from assistant.session.events import Event, StepStarted
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.session.prompts import plan_prompts
from assistant.speech.voice.level import LevelledVoice
from assistant.speech.voice.rendering import Voice

EARBUDS = "{A}, the left earbud is yours, and {B}, the right one."


@dataclass(frozen=True)
class Rendered:
    """How long the session's sound is, and where each step starts."""

    frames: int
    rate: int
    chapters: tuple[Chapter, ...]

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


@dataclass(frozen=True)
class RenderSettings:
    names: Names
    seed: int
    channels: int = 2  # two earbuds: A's cues on the left, B's on the right
    cue_volume: float = 0.0  # decibels from the voice's loudness
    progress: bool = True  # a bar while it renders, when stderr is a terminal


def render(exercise: Exercise, voice: Voice, settings: RenderSettings,
           sink: Callable[[Samples], None]) -> Rendered:
    """Run the practice flat out on the virtual clock and hand `sink` every block it plays:
    (frames,) in mono, (frames, 2) in stereo."""
    names = settings.names
    notice = EARBUDS.replace("{A}", names.a).replace("{B}", names.b) \
        if settings.channels == 2 else ""
    plan = build_plan(exercise, names, settings.seed, notice)
    if isinstance(voice, LevelledVoice):
        voice.prepare(plan_prompts(plan))
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    machine = SessionMachine(plan, SESSION_RATE, exercise.id, exercise.title, False,
                             expected_seconds=exercise.minutes * 60,
                             session=uuid.uuid4().hex, started=started)
    frames = 0
    bar = tqdm(total=round(exercise.minutes * 60), unit="s", desc="Rendering",
               disable=None if settings.progress else True, leave=False, bar_format=(
                   "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s of sound"))

    def keep(samples: Samples) -> None:
        nonlocal frames
        sink(samples)
        frames += len(samples)
        bar.total = max(bar.total, bar.n + len(samples) / SESSION_RATE)
        bar.update(len(samples) / SESSION_RATE)

    steps: list[StepStarted] = []

    def step(event: Event) -> None:
        if isinstance(event, StepStarted):
            steps.append(event)

    mixer = Mixer(SESSION_RATE, settings.channels)
    audio = VirtualAudio(SESSION_RATE, taps=[keep])
    cues = CueBank(SESSION_RATE, SPEECH_LOUDNESS + settings.cue_volume)
    runner = SessionRunner(machine, audio, mixer, voice, cues, [step])
    try:
        runner.run()
    finally:
        bar.close()
    if runner.interrupted:
        raise KeyboardInterrupt
    chapters = tuple(Chapter(event.sample / SESSION_RATE,
                             chapter_name(plan[event.index], exercise, names))
                     for event in steps)
    return Rendered(frames, SESSION_RATE, chapters)
