"""Where next, back, repeat and skip lead, as pure functions of the plan.

- next: the next step, wherever it is;
- skip: outside a round, the next step; inside a round (a `repeat`, once for each
  partner), the first step of the other partner's round, or past the rounds
  from the last one, so a skip never drops the other partner's part;
- back: the start of the previous step;
- repeat: the start of this step.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.session.plan import PlannedStep


def after_next(plan: Sequence[PlannedStep], index: int) -> int:
    return index + 1


def after_skip(plan: Sequence[PlannedStep], index: int) -> int:
    """Skip the part under way: inside a round, only this partner's part of it."""
    here = plan[index]
    following = index + 1
    if not here.block:
        return following
    while (following < len(plan) and plan[following].block == here.block
           and plan[following].round == here.round):
        following += 1
    return following


def after_back(plan: Sequence[PlannedStep], index: int) -> int:
    return max(0, index - 1)
