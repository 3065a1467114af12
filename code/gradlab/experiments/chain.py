"""Experiments of "The chain lab" and "More strings": the chapter's chain pulled in
several ways. Each function's defaults are the chapters' settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab.chain import (
    FAN_LR,
    STIFFNESS,
    ChainLoss,
    Pull,
    StringsRun,
    fan_minimum,
    fan_of_strings,
    loss_variant,
    pull,
    pull_by_strings,
    pull_each,
    pull_right,
    random_angles,
    take_turns,
)
from gradlab.defaults import CHAIN_LINKS, CHAIN_LR, CHAIN_SEED, CHAIN_STEPS
from gradlab.descent import Callback, History

#: The learning rates of the chapter's sweep: too small, the chapter's, just below
#: the stability limit, just above it, far above it.
SWEEP_LRS = (0.001, CHAIN_LR, 0.04, 0.05, 0.5)


def book_start() -> Tensor:
    """The chapters' seeded starting chain, shape (CHAIN_LINKS,)."""
    return random_angles(CHAIN_LINKS, seed=CHAIN_SEED)


def one_step(start: Tensor | None = None, *, lr: float = CHAIN_LR) -> dict[str, Tensor]:
    """The chain before and after one gradient step of the basic pull."""
    start = book_start() if start is None else start
    angles = start.clone().requires_grad_()
    pull_right(angles).backward()
    with torch.no_grad():
        return {"start": start, "after one step": angles - lr * angles.grad}


def lr_sweep(
    lrs: Sequence[float] = SWEEP_LRS,
    start: Tensor | None = None,
    *,
    steps: int = CHAIN_STEPS,
) -> dict[float, History]:
    """`pull` with the basic loss once per learning rate, all from ``start`` (the
    chapter's seeded chain by default), run together by `pull_each`."""
    start = book_start() if start is None else start
    return dict(zip(lrs, pull_each(pull_right, start, lrs, steps=steps), strict=True))


@dataclass(frozen=True)
class Conditioning:
    """The Hessian of the basic pull at the straight chain, and what it implies.

    ``eigenvalues`` ascending, shape (n,); ``limit`` = 2 / λ_max, the largest stable
    learning rate; ``time_constant(lr)`` = 1 / (lr · λ_min), the steps the softest
    direction needs to shrink by a factor e.
    """

    eigenvalues: Tensor

    @property
    def limit(self) -> float:
        return 2.0 / float(self.eigenvalues[-1])

    @property
    def ratio(self) -> float:
        """λ_max / λ_min, the condition number."""
        return float(self.eigenvalues[-1] / self.eigenvalues[0])

    def time_constant(self, lr: float) -> float:
        return 1.0 / (lr * float(self.eigenvalues[0]))


def conditioning(n: int = CHAIN_LINKS) -> Conditioning:
    """The basic pull's curvatures at its minimum, the straight chain of n links."""
    straight = torch.zeros(n, dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(pull_right, straight)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    return Conditioning(eigenvalues)


#: The chapter's labelled pulls: (label, loss variant, learning rate).
WEIGHTED = (
    ("x × 10", "x-heavy", CHAIN_LR),
    ("x × 10, lr / 10", "x-heavy", CHAIN_LR / 10),
    ("x × 0.1", "x-light", CHAIN_LR),
)
MIDDLE = "end along x, middle along y"
STIFF = f"two strings + {STIFFNESS:g} max|θ|"


def pulled(
    runs: Sequence[tuple[str, str, float]],
    start: Tensor | None = None,
    *,
    steps: int = CHAIN_STEPS,
    callback: Callback | None = None,
) -> dict[str, tuple[ChainLoss, History]]:
    """label -> (loss, run) for each (label, loss variant, learning rate) triple;
    ``callback`` is `gradient_descent`'s, for every run."""
    start = book_start() if start is None else start
    found = {}
    for label, name, lr in runs:
        loss = loss_variant(name, len(start))
        found[label] = (loss, pull(loss, start, lr=lr, steps=steps, callback=callback))
    return found


#: The many-strings experiment: epochs, seeds of the random order, the decay of the
#: decaying step (in epochs), and the epochs at the end that are averaged.
FAN_EPOCHS, FAN_SEEDS, FAN_DECAY, FAN_TAIL = 200, 8, 20.0, 50
DECAYING = "random order, decaying step"


@dataclass(frozen=True)
class ScheduleComparison:
    """Strings taking turns: one `StringsRun` per schedule, with the fan's minimum."""

    strings: tuple[Pull, ...]
    minimum: float
    runs: dict[str, StringsRun]
    tail: int

    def excess(self, schedule: str) -> Tensor:
        """Mean loss above its minimum, shape (seeds, epochs + 1)."""
        return self.runs[schedule].losses - self.minimum

    def tail_excess(self, schedule: str) -> Tensor:
        """Mean loss above its minimum over the last ``tail`` epochs, per seed."""
        return self.runs[schedule].tail_mean(self.tail) - self.minimum


def schedule_comparison(
    *,
    epochs: int = FAN_EPOCHS,
    seeds: int = FAN_SEEDS,
    lr: float = FAN_LR,
    decay: float = FAN_DECAY,
    tail: int = FAN_TAIL,
    start: Tensor | None = None,
) -> ScheduleComparison:
    """Full batch, in order and random order (``seeds`` orders) at a constant step,
    and random order with the step decaying as lr / (1 + epoch / decay)."""
    start = book_start() if start is None else start
    strings = fan_of_strings()
    orders = range(seeds)
    turns = {  # one string at a time: one batch of 1 + 2 · seeds chains
        "in order": ("in order", (0,), None),
        "random order": ("random order", orders, None),
        DECAYING: ("random order", orders, decay),
    }
    together = take_turns(strings, start, list(turns.values()), lr=lr, epochs=epochs)
    runs = {
        "full batch": pull_by_strings(
            strings, start, schedule="full batch", lr=lr, epochs=epochs
        ),
        **dict(zip(turns, together, strict=True)),
    }
    return ScheduleComparison(strings, fan_minimum(strings, len(start)), runs, tail)
