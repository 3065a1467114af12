"""Experiments of "The chain lab": the chapter's chain pulled at several step sizes."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from gradlab.chain import pull, pull_right, random_angles
from gradlab.defaults import CHAIN_LINKS, CHAIN_SEED, CHAIN_STEPS
from gradlab.descent import History

#: The learning rates of the chapter's sweep: too small, good, best, just above the
#: stability limit, far above it.
SWEEP_LRS = (0.001, 0.01, 0.04, 0.05, 0.5)


def lr_sweep(
    lrs: Sequence[float] = SWEEP_LRS,
    start: Tensor | None = None,
    *,
    steps: int = CHAIN_STEPS,
) -> dict[float, History]:
    """`pull` with the basic loss once per learning rate, all from ``start`` (the
    chapter's seeded chain by default)."""
    if start is None:
        start = random_angles(CHAIN_LINKS, seed=CHAIN_SEED)
    return {lr: pull(pull_right, start, lr=lr, steps=steps) for lr in lrs}
