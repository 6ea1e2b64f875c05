"""The kinds of couple the simulator can be: how long they think, pause and speak, and
whether they talk over the assistant, answer before it has finished, or murmur "mm"
while the other shares; and whether one of them speaks in a real person's recorded
voice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How a couple behaves; times in seconds, ranges drawn log-uniformly."""

    name: str
    think: tuple[float, float] = (0.5, 2.0)  # before speaking, once given the floor
    long_think: float = 0.0  # the first share of the session starts only after this long
    share_fill: tuple[float, float] = (0.5, 0.9)  # share of a share's time spent speaking
    pauses: tuple[float, float] = (0.3, 5.0)  # reflective pauses inside a share
    talk_gap: tuple[float, float] = (0.4, 2.0)  # before the other partner takes up a talk
    talk_turns: tuple[int, int] = (2, 4)  # contributions to a talk, in all
    silent_chance: float = 0.0  # chance of saying nothing at all when given the floor
    laughs: bool = False  # laughs during activities
    interrupts: float = 0.0  # chance of talking over a prompt
    done_key: float = 0.0  # chance of pressing Enter after finishing a share
    eager: tuple[float, float] | None = None  # answers this long before a prompt ends
    backchannels: float = 0.0  # chance of a short "mm" from the listener in a share's pause
    recorded: str = ""  # the partner ("A" or "B") whose sentences are a real person's voice


PROFILES = {
    "talkative": Profile("talkative", think=(0.5, 2.0), share_fill=(0.8, 1.2),
                         pauses=(0.3, 2.5), talk_turns=(3, 6), laughs=True, done_key=0.3,
                         recorded="B"),
    "thoughtful": Profile("thoughtful", think=(3.0, 12.0), long_think=40.0,
                          share_fill=(0.4, 0.8), pauses=(1.5, 5.0), talk_gap=(2.0, 8.0),
                          talk_turns=(2, 3)),
    "quiet": Profile("quiet", think=(1.0, 4.0), share_fill=(0.05, 0.2), pauses=(0.5, 3.0),
                     talk_turns=(1, 2), silent_chance=0.3),
    "silent": Profile("silent", silent_chance=1.0),
    # the couple a script's stated minutes are measured with: between talkative and quiet
    "typical": Profile("typical", think=(1.0, 4.0), share_fill=(0.4, 0.8), pauses=(0.5, 4.0),
                       talk_gap=(1.0, 4.0), talk_turns=(2, 4), laughs=True),
    "interrupter": Profile("interrupter", think=(0.3, 1.0), share_fill=(0.6, 1.0),
                           pauses=(0.3, 2.0), talk_turns=(3, 5), interrupts=0.4,
                           recorded="B"),
    "eager": Profile("eager", think=(0.3, 1.0), share_fill=(0.5, 0.9), pauses=(0.3, 2.5),
                     talk_turns=(2, 4), eager=(0.5, 2.0)),
    "backchanneling": Profile("backchanneling", think=(1.0, 3.0), share_fill=(0.5, 0.9),
                              pauses=(0.8, 4.0), talk_turns=(2, 4), backchannels=0.7),
}
