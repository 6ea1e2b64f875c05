"""Runs an exercise with a simulated couple and judges it as they would have lived it.

The judgement uses the couple's own ground truth (what each partner meant to
say, and when they actually spoke) against the session's events:

- a floor taken too early: it ended for silence or no response while its owner
  would have begun speaking again within 5 s (a floor handed back is judged by its
  last end: its repairs are counted apart);
- a sound over speech: a prompt, bell or chime that began while a partner was
  speaking (a sound that begins within a quarter second of their first word is a
  collision nobody could avoid, not talking over; replies to "stop" are exempt);
- a re-prompt in an activity;
- the time from the last word of a finished share to the next sound;
- each activity's length, as a share of its scripted length;
- whether the session reached its closing question and completed;
- speech starts with no partner speaking: the assistant heard its own echo;
- seconds of the assistant's speech at full level over a partner's (and, apart,
  ducked), and the time from a partner's first word over a prompt to the voice ducking;
- the wait from a floor's last word to its end: each talk's (whatever ended it), and
  the sum over the floors that ended for silence (the time a couple sat waiting to be
  heard as done).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.audio.cues import CueBank
from assistant.audio.mixer import Mixer
from assistant.engine.runner import SessionRunner
from assistant.script.adapt import retimed
from assistant.script.model import Exercise
from assistant.session.events import Event
from assistant.session.floor import FloorSettings
from assistant.session.machine import SessionMachine
from assistant.session.plan import Names, build_plan
from assistant.speech.detector import SpeechDetector, silero
from assistant.speech.echo import canceller
from assistant.speech.voice.rendering import Voice
from assistant.testing.couple import RATE, Couple, CoupleAudio, Profile
from assistant.testing.room import Room, RoomSound

RESUME_WITHIN = 5.0  # seconds: a partner who would speak again this soon was not done
COLLISION = 0.25  # seconds: a sound this close to a first word is a collision
CLOSING_WORDS = ("good stretch", "too much")
STOP_REPLY = "Paused. Say continue"  # the start of machine.STOP_REPLY: a log's text is
# matched, not the constant imported, so logs of an earlier engine (bench_floor's
# --before) are judged the same way


@dataclass(frozen=True)
class Experience:
    exercise: str
    profile: str
    early_floors: tuple[str, ...]  # what happened, for a readable failure
    talked_over: tuple[str, ...]
    activity_reprompts: int
    handover_seconds: tuple[float, ...]  # last word of a finished share → next sound
    activity_shares: tuple[float, ...]  # each activity's length / its scripted length
    reached_closing: bool
    completed: bool
    session_seconds: float
    echo_starts: tuple[str, ...] = ()  # speech heard where no partner spoke
    spoken_over: float = 0.0  # seconds of the assistant's speech over a partner's
    barge_reactions: tuple[float, ...] = ()  # a partner's first word over a prompt → duck
    repairs: tuple[str, ...] = ()  # floors handed back to a partner who went on
    ducked_over: float = 0.0  # seconds of the assistant's ducked speech over a partner's
    talk_ends: tuple[float, ...] = ()  # last word of a talk → its end
    waited: float = 0.0  # seconds, summed: last word → end of each floor ended for silence


def shortened(exercise: Exercise, cap: float) -> Exercise:
    """The same exercise with no timed step longer than `cap` seconds: every step, floor
    and rule is kept, so a quick run still meets each of them."""
    return retimed(exercise, lambda seconds: min(seconds, cap))


def live_with(exercise: Exercise, profile: Profile, voice: Voice, seed: int = 0,
              settings: FloorSettings | None = None,
              floor_of: Callable[[str], str] | None = None,
              room: Room | None = None, echo: bool = True,
              pauses: Mapping[str, Iterable[float]] | None = None,
              ) -> tuple[list[Event], Couple]:
    """Run `exercise` to its end on the virtual clock with a simulated couple, in `room`
    if one is given (else straight into the microphone, with no echo and no noise);
    `pauses` are each partner's, kept from an earlier session, as the journal keeps them."""
    events: list[Event] = []
    couple = Couple(profile, ("Ana", "Ben"), seed, floor_of=floor_of,
                    prompt_length=lambda text: len(voice.render(text)))
    plan = build_plan(exercise, Names("Ana", "Ben"), seed)
    if room is not None and not echo:  # half duplex keeps fixed patience, as a session does
        settings = replace(settings or FloorSettings(), adaptive=False)
    machine = SessionMachine(plan, RATE, exercise.id, exercise.title, True, settings,
                             exercise.minutes * 60, pauses=pauses)
    audio = CoupleAudio(couple, room=RoomSound(room, RATE, seed) if room else None)
    runner = SessionRunner(machine, audio, Mixer(RATE), voice, CueBank(RATE),
                           [events.append, couple], detector=SpeechDetector(silero()),
                           echo=canceller(RATE)[0] if echo and room else None)
    runner.run()
    return events, couple


def judge(exercise: str, profile: str, events: Sequence[Event], couple: Couple) -> Experience:
    """Judge from the events' `type`, `sample` and `data` alone, so any log can be judged."""
    sounds = [e for e in events if e.type == "cue" or (
        e.type == "say_start" and not str(e.data["text"]).startswith(STOP_REPLY))]
    early, handovers, activities = [], [], []
    for floor in couple.floors:
        if floor.end is None:
            continue
        unsaid = [u for u in floor.planned if u.start >= floor.end]
        if floor.reason in ("silence", "no_response") and unsaid \
                and unsaid[0].start - floor.end <= RESUME_WITHIN * RATE:
            early.append(f"{floor.kind} of {floor.owner} at {floor.start / RATE:.1f} s ended "
                         f"({floor.reason}) at {floor.end / RATE:.1f} s, "
                         f"{(unsaid[0].start - floor.end) / RATE:.1f} s before they went on")
        said = [u for u in couple.said if u.floor == floor.number]
        if floor.kind == "share" and said and floor.reason in ("silence", "command"):
            last_word = max(u.end for u in said)
            following = next((s.sample for s in sounds if s.sample >= floor.end), None)
            if following is not None:
                handovers.append((following - last_word) / RATE)
        if floor.kind == "activity":
            activities.append((floor.end - floor.start) / (floor.seconds * RATE))
    over = [f"{s.type} at {s.sample / RATE:.2f} s over {u.partner}'s speech "
            f"({u.start / RATE:.2f} to {u.end / RATE:.2f} s)"
            for s in sounds for u in couple.said
            if u.start + COLLISION * RATE <= s.sample < u.end]
    ending = next((e for e in events if e.type == "session_end"), None)
    closing = any(e.type == "say_start" and all(w in str(e.data["text"]).lower()
                                                for w in CLOSING_WORDS) for e in events)
    return Experience(
        exercise=exercise, profile=profile, early_floors=tuple(early),
        talked_over=tuple(over),
        activity_reprompts=sum(_reprompted_in_activity(e, couple) for e in events),
        handover_seconds=tuple(handovers), activity_shares=tuple(activities),
        reached_closing=closing,
        completed=ending is not None and ending.data["reason"] == "completed",
        session_seconds=(ending.sample if ending else events[-1].sample) / RATE,
        echo_starts=_echo_starts(events, couple), spoken_over=_spoken_over(events, couple),
        barge_reactions=tuple((e.sample - u.start) / RATE for e in events
                              if e.type == "barge_in" for u in couple.said
                              if u.start <= e.sample < u.end),
        repairs=tuple(f"{e.data['floor']} of {e.data['partner'] or 'both'} handed back at "
                      f"{e.sample / RATE:.1f} s with {e.data['seconds']:.1f} s left"
                      for e in events if e.type == "floor_repaired"),
        ducked_over=_ducked_over(events, couple),
        talk_ends=tuple(w for kind, _, w in _waits(couple) if kind == "talk"),
        waited=sum(w for _, reason, w in _waits(couple) if reason == "silence"),
    )


def _waits(couple: Couple) -> list[tuple[str, str, float]]:
    """Each ended floor with speech in it: its kind, why it ended, and the seconds from
    its last word to its end (a repaired floor is judged by its last end)."""
    waits = []
    for floor in couple.floors:
        said = [u.end for u in couple.said if u.floor == floor.number]
        if floor.end is not None and said:
            waits.append((floor.kind, floor.reason, max(0, floor.end - max(said)) / RATE))
    return waits


def _ducked_over(events: Sequence[Event], couple: Couple) -> float:
    """Seconds in which the assistant's voice sounded ducked while a partner spoke: from
    each barge-in to the next duck end or end of the prompt."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for e in events:
        if e.type == "barge_in" and opened is None:
            opened = e.sample
        elif e.type in ("duck_end", "say_end") and opened is not None:
            spans.append((opened, e.sample))
            opened = None
    return sum(max(0, min(b, u.end) - max(a, u.start)) for a, b in spans
               for u in couple.said) / RATE


def _echo_starts(events: Sequence[Event], couple: Couple) -> tuple[str, ...]:
    """Speech starts that no partner's speech explains (a little before its first sample,
    for the detector's look back; after its last, for the room's ring)."""
    before, after = round(0.1 * RATE), round(0.5 * RATE)
    return tuple(f"speech start at {e.sample / RATE:.2f} s" for e in events
                 if e.type == "speech_start"
                 and not any(u.start - before <= e.sample < u.end + after for u in couple.said))


def _spoken_over(events: Sequence[Event], couple: Couple) -> float:
    """Seconds in which the assistant's voice sounded at full level (not ducked) while a
    partner spoke."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for e in events:
        if e.type in ("say_start", "duck_end") and opened is None:
            opened = e.sample if e.type == "say_start" or _saying(events, e) else None
        elif e.type in ("say_end", "barge_in") and opened is not None:
            spans.append((opened, e.sample))
            opened = None
    return sum(max(0, min(b, u.end) - max(a, u.start)) for a, b in spans
               for u in couple.said) / RATE


def _saying(events: Sequence[Event], at: Event) -> bool:
    """Whether a prompt is sounding at an event (its last say_start has no say_end yet)."""
    said = [e.type for e in events if e.type in ("say_start", "say_end") and e.sample <= at.sample]
    return bool(said) and said[-1] == "say_start"


def _reprompted_in_activity(event: Event, couple: Couple) -> bool:
    """A re-prompt (its own event, or its words in older logs) while an activity ran."""
    if event.type == "reprompt":
        return event.data.get("floor") == "activity"
    if event.type != "say_start" or "take your time" not in str(event.data["text"]).lower():
        return False
    return any(f.kind == "activity" and f.start <= event.sample <= (f.end or event.sample)
               for f in couple.floors)
