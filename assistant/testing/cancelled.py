"""The assistant's own sound through a simulated room and the echo canceller: what the
microphone heard, what the canceller left of it, and how much it took out."""

from __future__ import annotations

import numpy as np

from assistant.speech.echo import WebRtcEcho
from assistant.testing.room import RATE, ROOMS, RoomSound

BLOCKS = (512, 300, 1000, 160, 777)  # microphone reads of any length
WINDOW = 512  # samples: the 32 ms windows the echo is measured in


def db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


def through(room_name: str, played: np.ndarray,
            partner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the microphone heard in the room (`played` by the speaker, `partner` said
    meanwhile), and what the canceller left of it."""
    room, echo = RoomSound(ROOMS[room_name]), WebRtcEcho()
    for at in range(0, len(played), WINDOW):
        room.played(at, played[at : at + WINDOW])
        echo.played(at, played[at : at + WINDOW])
    heard = room.hear(0, partner)
    out, at, k = [], 0, 0
    while at < len(heard):
        n = BLOCKS[k % len(BLOCKS)]
        out.append(echo.clean(at, heard[at : at + n], room.reported_latency))
        at, k = at + n, k + 1
    cleaned = np.concatenate(out)
    return heard[: len(cleaned)], cleaned


def erle(heard: np.ndarray, cleaned: np.ndarray) -> float:
    """Echo return loss enhancement: the median, over the 32 ms windows loud with echo
    after the first two seconds of learning, of what the canceller took out."""
    gains = [db(heard[at : at + WINDOW]) - db(cleaned[at : at + WINDOW])
             for at in range(2 * RATE, len(cleaned) - WINDOW, WINDOW)
             if db(heard[at : at + WINDOW]) > -45.0]
    return float(np.median(gains))
