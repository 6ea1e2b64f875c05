"""Runs a session: feeds the machine clock and commands, and carries out its actions.

This is the only place where the pure session machine meets the voice, the cue
bank, the mixer and the audio device. Sound facts (`say_start`, `say_end`,
`cue`) are logged here, at the samples where the sounds really begin and end.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable, Sequence

from assistant.audio.cues import CueBank, placement
from assistant.audio.deaf import DeafWatch
from assistant.audio.io import AudioIO, wait_for_input
from assistant.audio.mixer import Mixer, Samples
from assistant.base.errors import DeviceLost, UserError
from assistant.engine.barge import Interrupted, Playing, Yielding
from assistant.engine.duplex import SelfHearing
from assistant.engine.settings import adjust, recording_samples
from assistant.session.actions import Action, Adjust, DropSounds, Play, Record, StopSounds
from assistant.session.commands import Command
from assistant.session.events import (
    CommandIgnored,
    CueSounded,
    Event,
    LostDevice,
    MicrophoneDeaf,
    PlayEnd,
    PlayStart,
    SayEnd,
    SayStart,
)
from assistant.session.machine import SessionMachine
from assistant.session.plan import Recording, Sound, Speech
from assistant.speech.commands.listener import CommandListener
from assistant.speech.detector import WINDOW, SpeechDetector, SpeechStarted, WindowCutter
from assistant.speech.echo import EchoCanceller
from assistant.speech.voice.rendering import Voice

UNSURE_SECONDS = 0.25  # after the microphone rested, or a voice faded before it was sure,
# it listens this long before the session takes it that nobody speaks: a partner may
# have begun while it could not hear, or a first word may not have been sure enough
EventSink = Callable[[Event], None]
MicTap = Callable[[int, Samples], None]  # (session sample, window): every window heard


class SessionRunner(Yielding):
    def __init__(self, machine: SessionMachine, audio: AudioIO, mixer: Mixer, voice: Voice,
                 cues: CueBank, sinks: Sequence[EventSink] = (),
                 inbox: queue.Queue[Command] | None = None,
                 detector: SpeechDetector | None = None,
                 headphones: bool = False, listener: CommandListener | None = None,
                 taps: Sequence[MicTap] = (), echo: EchoCanceller | None = None,
                 deaf: DeafWatch | None = None) -> None:
        self.machine, self.audio, self.mixer = machine, audio, mixer
        self.voice, self.cues, self.sinks = voice, cues, sinks
        self.inbox: queue.Queue[Command] = inbox if inbox is not None else queue.Queue()
        self._playing: list[Playing] = []
        self._logic_now = 0  # the latest time the machine has been told: never go back
        self.detector, self.headphones, self.listener = detector, headphones, listener
        self.taps, self.deaf = taps, deaf  # deaf: a sound card's microphone, not a file
        self._windows = WindowCutter()
        self._self = SelfHearing(mixer, echo, headphones)  # own sound: cancelled or muted
        self._voice_active = False  # the detector hears (or is confirming) a voice
        self.interrupted = False  # Ctrl-C stopped it: the shell hears 130
        self._faded_by = 0  # the sample by which the sounds cut last have faded out
        self._interrupted: Interrupted | None = None  # a prompt stopped for a partner
        self._mic_at = 0  # the session sample of the next microphone sample read
        self._unsure_until = 0  # till then, someone may be speaking who is not yet heard
        self._unsure = round(UNSURE_SECONDS * mixer.rate)

    def run(self) -> None:
        """Run to the end of the session; Ctrl-C stops it cleanly, logging `stopped`."""
        self._windows.next_start = self.mixer.now  # the clock may have run before (a menu)
        self._mic_at = self.mixer.now
        self.audio.open(self.mixer)  # (a live stream moves the clock from here on)
        try:
            self._apply(self.machine.start(self._now()))
            while not self.machine.finished:
                self._catch_up()
                if self.machine.finished:
                    break
                try:
                    commands = self.audio.advance(self._next_wake(listening=True), self.inbox)
                except DeviceLost:
                    self._wait_for_device()
                    continue
                self._listen()
                for command in commands:
                    self.command(command)
                if self.machine.state == "paused" and self.audio.input_ended:
                    self.command(Command.QUIT)  # a recording paused it; nothing can resume it
        except KeyboardInterrupt:
            self.interrupted = True
            self.command(Command.QUIT)
        finally:
            self._let_fade()
            self.audio.close()

    def _let_fade(self) -> None:
        """Play out the fade of a sound cut at the end, so the output holds every sound
        the log names (a cut prompt's `say_end` lies where its fade ends)."""
        if self._faded_by > self.mixer.now:
            with contextlib.suppress(DeviceLost, UserError, KeyboardInterrupt):
                self.audio.advance(self._faded_by, queue.Queue())

    def _wait_for_device(self) -> None:
        """The device failed: pause (nothing is lost), and try again when asked to."""
        if self.machine.state == "running":
            self._apply(self.machine.command(Command.PAUSE, self._now()))
        self._emit(LostDevice(sample=self._now()))
        while not self.machine.finished:
            for command in wait_for_input(self.inbox, 0.5):
                if command in (Command.PAUSE, Command.RESUME):
                    try:
                        self.audio.open(self.mixer)
                    except UserError as error:
                        self._emit(LostDevice(sample=self._now(), error=str(error)))
                        continue
                    self._apply(self.machine.command(Command.RESUME, self._now()))
                    return
                if command in (Command.STOP, Command.QUIT):
                    self._apply(self.machine.command(Command.QUIT, self._now()))

    def command(self, command: Command) -> None:
        if command is Command.PAUSE and self.machine.state == "paused":
            command = Command.RESUME  # one key toggles
        self._catch_up()
        if not self.machine.finished:
            actions = self.machine.command(command, self._now())
            if not any(isinstance(a, Record) and a.event.type == "command" for a in actions):
                # nothing to do just now (a log line, so a typed key still gets an answer)
                self._emit(CommandIgnored(sample=self._now(), name=command.value))
            self._apply(actions)

    # -- the clock -------------------------------------------------------------------

    def _now(self) -> int:
        """The session time for something happening now, such as a command."""
        self._logic_now = max(self._logic_now, self.mixer.now)
        return self._logic_now

    def _next_wake(self, listening: bool = False) -> int | None:
        times = [p.end if p.announced else p.start for p in self._playing]
        if self.machine.next_due is not None:
            times.append(self.machine.next_due)
        if listening and self._attending and self.audio.steps_with_mic:  # every window
            start = self._windows.next_start  # (or all that the microphone rests through)
            hears = self._self.resting_until(start, WINDOW, self.audio.output_latency)
            times.append(hears if hears > start else self._self.ready_at(start + WINDOW))
        return min(times, default=None)

    def _catch_up(self, limit: int | None = None) -> None:
        """Handle, in time order, every sound boundary and timer up to the clock."""
        limit = self.mixer.now + self.audio.lead if limit is None else limit
        while not self.machine.finished:
            due = self.machine.next_due
            edge = min(self._playing, key=self._edge_time, default=None)
            edge_at = None if edge is None else self._edge_time(edge)[0]
            wake = edge_at if due is None or (edge_at is not None and edge_at <= due) else due
            if wake is None or wake > limit:
                return
            self._logic_now = max(self._logic_now, wake)
            if edge is not None and wake == edge_at:
                self._pass_edge(edge)
            else:
                assert due is not None
                self._apply(self.machine.tick(due))

    @staticmethod
    def _edge_time(playing: Playing) -> tuple[int, int]:
        return (playing.end, 0) if playing.announced else (playing.start, 1)

    def _pass_edge(self, playing: Playing) -> None:
        if not playing.announced:
            playing.announced = True
            sound = playing.sound
            if isinstance(sound, Speech):
                self._emit(SayStart(sample=playing.start, text=sound.text))
            elif isinstance(sound, Recording):
                self._emit(PlayStart(sample=playing.start, file=sound.path, label=sound.label))
            else:
                self._emit(CueSounded(sample=playing.start, kind=sound.kind,
                                      partner=sound.partner or "both"))
            return
        self._playing.remove(playing)
        if isinstance(playing.sound, Speech):
            self._emit(SayEnd(sample=playing.end, text=playing.sound.text))
        elif isinstance(playing.sound, Recording):
            self._emit(PlayEnd(sample=playing.end, file=playing.sound.path,
                               label=playing.sound.label))
        if playing.token:
            self._apply(self.machine.sound_ended(playing.token, playing.end))

    # -- the microphone ---------------------------------------------------------------

    @property
    def _hearing(self) -> bool:
        """The session runs and a microphone hears the couple."""
        return self.detector is not None and self.machine.hearing

    @property
    def _attending(self) -> bool:
        """Whether the microphone matters now: a turn listens, or commands may come."""
        return self._hearing or (self.listener is not None and not self.machine.finished)

    def _listen(self) -> None:
        """Cut the microphone into windows and let the detector hear the turns."""
        if not self.audio.has_microphone:
            return
        raw = self.audio.read_mic()
        if self.deaf is not None and (told := self.deaf.feed(raw)) is not None:
            self._emit(MicrophoneDeaf(sample=self._mic_at + told, advice=self.deaf.advice))
        latency = self.audio.output_latency + getattr(self.audio, "input_latency", 0)
        heard = self._self.cancel(self._mic_at, raw, latency)
        self._mic_at += len(raw)
        for start, window in self._windows.cut(heard):
            if self.machine.finished:
                return
            self._catch_up(limit=start + WINDOW)
            for tap in self.taps:
                tap(start, window)
            self._hear(window, start)

    def _hear(self, window: Samples, start: int) -> None:
        if self.detector is None or not self._attending:
            return
        hearing = self._hearing
        end = start + WINDOW
        latency = self.audio.output_latency
        muted = self._self.muted(start, end, latency)
        if self.listener is not None:
            self.listener.hear(window, start)
        events = self.detector.feed(window, start, muted, self._self.echoing(start, end, latency))
        self._barge_in(end)
        for event in events:
            if isinstance(event, SpeechStarted):
                if self.listener is not None:
                    self.listener.speech_started(event.sample)
                if hearing:
                    self._apply(self.machine.speech_started(event.sample, end))
                continue
            if hearing:
                self._apply(self.machine.speech_ended(event.sample, end))
            if self.listener is not None:
                name = self.listener.speech_ended(event.sample, self.machine.phase)
                if name is not None:
                    self.command(Command.parse(name))
        if muted or self.detector.state == "starting":
            self._unsure_until = end + self._unsure
        # nothing new starts until it has listened a moment
        active = self.detector.state != "quiet" or end < self._unsure_until
        if active != self._voice_active and not self.machine.finished:
            self._voice_active = active
            self._apply(self.machine.voice(active, max(end, self._now())))

    # -- actions ---------------------------------------------------------------------

    def _apply(self, actions: Sequence[Action]) -> None:
        for action in actions:
            if isinstance(action, Play):
                self._play(action)
            elif isinstance(action, StopSounds):
                self._stop_sounds()
            elif isinstance(action, Adjust):
                adjust(self.mixer, self.voice, action)
            elif isinstance(action, DropSounds):
                self.mixer.drop_from(action.from_sample)
                self._playing = [p for p in self._playing if p.start < action.from_sample]
                self._self.drop_from(action.from_sample)
            elif isinstance(action, Record):
                self._emit(action.event)

    def _play(self, play: Play) -> None:
        self._play_at(play.sound, play.at, play.token)

    def _play_at(self, sound: Sound, at: int, token: int) -> None:
        pan = 0.0
        if isinstance(sound, Speech):
            samples = self.voice.render(sound.text)
        elif isinstance(sound, Recording):
            samples = recording_samples(sound, self.mixer.rate)
        else:
            samples, pan = self.cues.get(sound.kind), placement(sound.kind, sound.partner)
        start = self.mixer.schedule(samples, at, pan)
        self._playing.append(Playing(sound, start, start + len(samples), token))
        self._self.add(start, start + len(samples), not isinstance(sound, Speech | Recording))

    def _stop_sounds(self) -> None:
        """Cut every sound; a prompt cut short is logged as ending where it fell silent."""
        now = self.mixer.now
        silent_by = self.mixer.cut()
        self._faded_by = max(self._faded_by, silent_by)
        self._self.cut(now, silent_by)
        for playing in self._playing:
            if playing.announced and isinstance(playing.sound, Speech):
                # one announced but not yet begun (live runs work ahead) never sounded
                end = min(playing.end, silent_by) if playing.start < now else playing.start
                self._emit(SayEnd(sample=end, text=playing.sound.text, cut=True))
        self._playing = []
        self._interrupted = None  # whatever stopped everything speaks for itself

    def _emit(self, event: Event) -> None:
        for sink in self.sinks:
            sink(event)
