"""Experiments of "The chain lab" and "More strings": the chapter's chain pulled in
several ways. Each function's defaults are the chapters' settings."""

from __future__ import annotations

import math
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
    heavy_ball,
    loss_variant,
    pull,
    pull_by_strings,
    pull_each,
    pull_right,
    pull_right_absolute,
    pull_right_each,
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

    @property
    def best_lr(self) -> float:
        """2 / (λ_min + λ_max): plain descent's best constant step on the quadratic,
        where the softest and the stiffest direction shrink equally fast."""
        return 2.0 / float(self.eigenvalues[0] + self.eigenvalues[-1])

    @property
    def heavy_ball(self) -> tuple[float, float]:
        """(lr, momentum) tuned for the quadratic: 4 / (√λ_max + √λ_min)² and
        ((√κ − 1) / (√κ + 1))², κ the condition number."""
        low, high = (float(self.eigenvalues[i]) ** 0.5 for i in (0, -1))
        root = self.ratio**0.5
        return 4.0 / (high + low) ** 2, ((root - 1) / (root + 1)) ** 2

    def decade(self, method: str) -> float:
        """Steps per factor 10 of the loss that the quadratic predicts near the
        minimum: the error shrinks by (κ − 1)/(κ + 1) per step for plain descent at
        `best_lr`, by (√κ − 1)/(√κ + 1) for the tuned heavy ball; the loss by the
        square of that."""
        k = self.ratio ** (0.5 if method == HEAVY_BALL else 1.0)
        return math.log(10) / (2 * math.log((k + 1) / (k - 1)))


def conditioning(n: int = CHAIN_LINKS) -> Conditioning:
    """The basic pull's curvatures at its minimum, the straight chain of n links."""
    straight = torch.zeros(n, dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(pull_right, straight)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    return Conditioning(eigenvalues)


#: The three ways down of the conditioning section, and their settings: the target
#: loss, the starts (seeds; the chapter's first) and the steps run.
PLAIN, HEAVY_BALL, ABSOLUTE = "descent on θ", "heavy ball on θ", "descent on φ"
TARGET, CURE_SEEDS, CURE_STEPS = 1e-4, tuple(range(CHAIN_SEED, CHAIN_SEED + 9)), 450


@dataclass(frozen=True)
class Cures:
    """Plain descent, tuned heavy ball, and plain descent on the absolute angles φ,
    from the same starts: ``losses[method]`` has shape (starts, steps + 1),
    ``settings[method]`` is (lr, momentum)."""

    conditioning: Conditioning
    settings: dict[str, tuple[float, float]]
    losses: dict[str, Tensor]
    seeds: tuple[int, ...]

    def steps_to(self, method: str, target: float = TARGET) -> Tensor:
        """Per start, the first step whose loss is below ``target`` (shape (starts,));
        steps + 1 where none is."""
        below = self.losses[method] < target
        never = torch.full_like(below[:, 0], below.shape[1], dtype=torch.long)
        return torch.where(below.any(dim=1), below.long().argmax(dim=1), never)

    def steps_per_decade(self, method: str, high: float, low: float) -> Tensor:
        """Per start, the steps from a loss below ``high`` to one below ``low``,
        divided by the factors of 10 between them."""
        steps = self.steps_to(method, low) - self.steps_to(method, high)
        return steps / math.log10(high / low)


def cures(
    seeds: Sequence[int] = CURE_SEEDS, *, n: int = CHAIN_LINKS, steps: int = CURE_STEPS
) -> Cures:
    """Each way down from the seeded chains of n links, in float64: plain descent on
    θ at `Conditioning.best_lr`, the heavy ball at its tuned (lr, momentum), and plain
    descent on φ at the best step of a bowl whose curvatures are all 1, 2 / (1 + 1)."""
    cond = conditioning(n)
    starts = torch.stack([random_angles(n, seed=s) for s in seeds]).double()
    settings = {
        PLAIN: (cond.best_lr, 0.0),
        HEAVY_BALL: cond.heavy_ball,
        ABSOLUTE: (1.0, 0.0),
    }
    losses = {}
    for method, (lr, momentum) in settings.items():
        loss_fn, at = pull_right_each, starts
        if method == ABSOLUTE:
            loss_fn, at = pull_right_absolute, starts.cumsum(dim=1)
        losses[method] = heavy_ball(loss_fn, at, lr=lr, momentum=momentum, steps=steps)
    return Cures(cond, settings, losses, tuple(seeds))


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
