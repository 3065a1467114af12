"""Experiments of "Gradients and gradient descent": three step sizes on a bowl, and
one least-squares fit on raw and on rescaled inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from gradlab.data import Series, noisy_parabola, quadratic_features, rescale
from gradlab.defaults import PARABOLA_SEED
from gradlab.descent import History, LeastSquares, gradient_descent
from gradlab.functions import bowl

#: The source material's learning rate for the fit on raw time steps.
RAW_LR = 1e-5
#: Steps of the raw-input fit actually run in the chapter (the rest is predicted).
RAW_MEASURED_STEPS = 5_000
#: Steps of the rescaled fit.
RESCALED_STEPS = 100


def bowl_experiment(
    lrs: Sequence[float] = (0.01, 0.15, 0.21),
    *,
    start: Sequence[float] = (-4.0, 2.0),
    steps: int = 30,
) -> dict[float, History]:
    """Gradient descent on `gradlab.bowl` from one start with several learning rates.

    The defaults show the three regimes: 0.01 is too small (it barely moves), 0.15 is
    good (it zig-zags in to the minimum), 0.21 is above the stability limit 2/10 and
    diverges.
    """
    return {lr: gradient_descent(bowl, start, lr=lr, steps=steps) for lr in lrs}


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

    The starting parameters are standard normal, drawn after the noise from the same
    seeded generator, so both inputs start from the same (a, b, c).
    """
    series = noisy_parabola(seed=seed)
    start = torch.randn(3, generator=torch.Generator().manual_seed(seed + 1))
    t = rescale(series.t) if rescaled else series.t
    return ParabolaSetup(series, LeastSquares(quadratic_features(t), series.y), start)


@dataclass(frozen=True)
class ParabolaComparison:
    """One fit on raw and on rescaled inputs: measured runs and exact predictions."""

    raw: ParabolaSetup
    rescaled: ParabolaSetup
    raw_run: History
    rescaled_run: History
    rescaled_lr: float
    target: float
    raw_steps_needed: int
    rescaled_steps_needed: int

    def raw_prediction(self, until: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, exact losses) of the raw fit on a log-spaced grid up to ``until``."""
        k = np.unique(np.geomspace(1, until, 400).astype(np.int64))
        losses = self.raw.problem.predicted_losses(
            self.raw.start, RAW_LR, torch.tensor(k)
        )
        return k, losses.numpy()


def parabola_comparison(
    *,
    seed: int = PARABOLA_SEED,
    raw_steps: int = RAW_MEASURED_STEPS,
    slack: float = 1.05,
) -> ParabolaComparison:
    """Run both fits and predict how many steps each needs to reach a loss within
    ``slack`` of the best possible (the least-squares minimum, identical for both).

    The rescaled fit uses lr = 2/(λ_min + λ_max), the best fixed step for a quadratic.
    """
    raw, scaled = parabola_setup(seed=seed), parabola_setup(seed=seed, rescaled=True)
    lam = scaled.problem.eigenvalues
    scaled_lr = float(2 / (lam[0] + lam[-1]))
    target = slack * raw.problem.min_loss
    return ParabolaComparison(
        raw=raw,
        rescaled=scaled,
        raw_run=gradient_descent(
            raw.problem.loss, raw.start, lr=RAW_LR, steps=raw_steps
        ),
        rescaled_run=gradient_descent(
            scaled.problem.loss, scaled.start, lr=scaled_lr, steps=RESCALED_STEPS
        ),
        rescaled_lr=scaled_lr,
        target=target,
        raw_steps_needed=raw.problem.steps_to_reach(raw.start, RAW_LR, target),
        rescaled_steps_needed=scaled.problem.steps_to_reach(
            scaled.start, scaled_lr, target
        ),
    )
