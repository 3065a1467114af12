"""Experiments of "Gradients and gradient descent": three step sizes on a bowl, and
one least-squares fit on raw and on rescaled inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from gradlab.data import (
    Series,
    noisy_parabola,
    quadratic_features,
    rescale,
    rescale_quadratic,
)
from gradlab.defaults import BOWL_LRS, BOWL_START, BOWL_STEPS, PARABOLA_SEED
from gradlab.descent import Callback, History, LeastSquares, gradient_descent
from gradlab.functions import bowl, sin_radial

#: The source material's learning rate for the fit on raw time steps (used in the
#: chapter's walk through one step, and by the lecture's million-step run).
RAW_LR = 1e-5
#: A practical step for the raw inputs: a safe distance (about 85 %) below the
#: stability limit, beside the fastest step that sits a hair below it.
PRACTICAL_LR = 3e-5
#: Steps of the raw-input fit actually run in the chapter (the rest is predicted).
RAW_MEASURED_STEPS = 5_000
#: Steps of the rescaled fit.
RESCALED_STEPS = 100
#: The target of the comparison: a loss within this factor of the best possible.
SLACK = 1.05
#: Steps the source lecture ran on the raw inputs at RAW_LR.
LECTURE_STEPS = 1_000_000


def bowl_experiment(
    lrs: Sequence[float] = BOWL_LRS,
    *,
    start: Sequence[float] = BOWL_START,
    steps: int = BOWL_STEPS,
    callback: Callback | None = None,
) -> dict[float, History]:
    """Gradient descent on `gradlab.bowl` from one start with several learning rates.

    The defaults show the three regimes: 0.01 is too small (it barely moves), 0.15 is
    good (it zig-zags in to the minimum), 0.21 is above the stability limit 2/10 and
    diverges. ``callback`` is `gradient_descent`'s, for every run.
    """
    return {
        lr: gradient_descent(bowl, start, lr=lr, steps=steps, callback=callback)
        for lr in lrs
    }


@dataclass(frozen=True)
class ParabolaSetup:
    """The noisy parabola as a least-squares problem, with a random starting point."""

    series: Series
    problem: LeastSquares
    start: Tensor


def parabola_setup(
    *, seed: int = PARABOLA_SEED, rescaled: bool = False
) -> ParabolaSetup:
    """Fit a t² + b t + c to `noisy_parabola` (t in 0…19, or rescaled to [−1, 1]).

    The noise is drawn from ``seed``; the starting (a, b, c) are standard normal,
    drawn from ``seed + 1`` for the raw time steps. On rescaled inputs the start is
    the same quadratic written in the rescaled variable (`rescale_quadratic`), so
    both fits start from the same curve and the same loss.
    """
    series = noisy_parabola(seed=seed)
    start = torch.randn(3, generator=torch.Generator().manual_seed(seed + 1))
    if rescaled:
        start = rescale_quadratic(start.double(), series.t.double()).float()
    t = rescale(series.t) if rescaled else series.t
    return ParabolaSetup(series, LeastSquares(quadratic_features(t), series.y), start)


@dataclass(frozen=True)
class ParabolaComparison:
    """One fit on raw and on rescaled inputs, from the same starting curve, each at
    its own fastest learning rate: measured runs and exact predictions."""

    raw: ParabolaSetup
    rescaled: ParabolaSetup
    raw_lr: float
    rescaled_lr: float
    raw_run: History
    rescaled_run: History
    target: float
    raw_steps_needed: int
    rescaled_steps_needed: int
    practical_lr: float
    practical_run: History
    practical_steps_needed: int

    @property
    def speedup(self) -> float:
        """How many times fewer steps the rescaled fit needs to reach the target."""
        return self.raw_steps_needed / self.rescaled_steps_needed

    def raw_prediction(
        self, until: int, lr: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(steps, exact losses) of the raw fit at ``lr`` (the fastest step when None)
        on a log-spaced grid up to ``until``."""
        k = np.unique(np.geomspace(1, until, 400).astype(np.int64))
        losses = self.raw.problem.predicted_losses(
            self.raw.start, self.raw_lr if lr is None else lr, torch.tensor(k)
        )
        return k, losses.numpy()


def parabola_comparison(
    *,
    seed: int = PARABOLA_SEED,
    raw_steps: int = RAW_MEASURED_STEPS,
    rescaled_steps: int = RESCALED_STEPS,
    slack: float = SLACK,
    practical_lr: float = PRACTICAL_LR,
) -> ParabolaComparison:
    """Fit the parabola on raw and on rescaled inputs from the same starting curve,
    each at the learning rate that reaches a loss within ``slack`` of the best
    possible (the least-squares minimum, the same for both) in the fewest steps
    (`LeastSquares.fastest_lr`); run ``raw_steps`` and ``rescaled_steps`` of each,
    and ``raw_steps`` of the raw fit at ``practical_lr`` too.
    """
    raw, scaled = parabola_setup(seed=seed), parabola_setup(seed=seed, rescaled=True)
    target = slack * raw.problem.min_loss
    raw_lr, raw_needed = raw.problem.fastest_lr(raw.start, target)
    scaled_lr, scaled_needed = scaled.problem.fastest_lr(scaled.start, target)
    loss = raw.problem.loss
    return ParabolaComparison(
        raw=raw,
        rescaled=scaled,
        raw_lr=raw_lr,
        rescaled_lr=scaled_lr,
        raw_run=gradient_descent(
            raw.problem.loss, raw.start, lr=raw_lr, steps=raw_steps
        ),
        rescaled_run=gradient_descent(
            scaled.problem.loss, scaled.start, lr=scaled_lr, steps=rescaled_steps
        ),
        target=target,
        raw_steps_needed=raw_needed,
        rescaled_steps_needed=scaled_needed,
        practical_lr=practical_lr,
        practical_run=gradient_descent(
            loss, raw.start, lr=practical_lr, steps=raw_steps
        ),
        practical_steps_needed=raw.problem.steps_to_reach(
            raw.start, practical_lr, target
        ),
    )


def rescaling_speedups(
    seeds: Sequence[int] = range(20), *, slack: float = SLACK
) -> dict[int, float]:
    """`ParabolaComparison.speedup` for other draws of the noise and the start, by
    the formula alone (no run): seed -> raw steps needed / rescaled steps needed."""
    return {
        seed: parabola_comparison(
            seed=seed, raw_steps=0, rescaled_steps=0, slack=slack
        ).speedup
        for seed in seeds
    }


#: Starts of the descents on sin(x² + y²): pairs on either side of its first ridge
#: (r² = π/2) and of its second (r² = 5π/2), and one beyond.
SIN_STARTS = ((0.3, 0.9), (-1.3, 0.05), (-1.2, -0.05), (1.5, -2.3), (1.7, -2.4))
#: Their learning rate (stable on the two inner rings of minima) and steps.
SIN_LR, SIN_STEPS = 0.02, 300


def sin_radial_descents(
    starts: Sequence[Sequence[float]] = SIN_STARTS,
    *,
    lr: float = SIN_LR,
    steps: int = SIN_STEPS,
) -> dict[tuple[float, ...], History]:
    """Gradient descent on the non-convex z = sin(x² + y²) from several starts, in
    float64: start -> history. Its minima are the origin (z = 0) and the rings
    x² + y² = 3π/2 + 2πk (z = −1); its ridges x² + y² = π/2 + 2πk divide the plane
    into the basins of those minima."""
    return {
        tuple(start): gradient_descent(
            lambda w: sin_radial(w[0], w[1]),
            torch.tensor(start, dtype=torch.float64),
            lr=lr,
            steps=steps,
        )
        for start in starts
    }
