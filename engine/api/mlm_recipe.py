"""BERT's masked-LM corruption recipe, in numbers: the training data (engine/train) and the masked-LM
lesson's sample (app/mlm_recipe.py) both follow it, so it is written once, here, torch-free.

Of the units that may be chosen (tokens in training, whole words in the lesson), 15% are chosen, at
least one; each chosen unit becomes [MASK] with probability 0.8, a random replacement with 0.1, and
stays as it was with the remaining 0.1. The loss is on every chosen unit, whatever happened to it.
"""

from __future__ import annotations

from typing import Literal

CHOSEN_SHARE = 0.15  # of the units that may be chosen
MASK_SHARE = 0.8  # of the chosen: replaced by [MASK]
RANDOM_SHARE = 0.1  # of the chosen: replaced by a random one (the remaining 0.1: left alone)

Action = Literal["mask", "random", "keep"]


def chosen_count(candidates: int) -> int:
    """How many of `candidates` units the recipe chooses: 15%, at least one (none of none)."""
    return max(1, round(CHOSEN_SHARE * candidates)) if candidates else 0


def action_of(draw: float) -> Action:
    """What happens to a chosen unit, given a uniform draw in [0, 1)."""
    return "mask" if draw < MASK_SHARE else "random" if draw < MASK_SHARE + RANDOM_SHARE else "keep"
