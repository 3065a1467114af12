"""Experiment of "Autograd": the directional check of a tanh regression's gradient
for step lengths ε from 1 down to 10⁻¹², in float32 and float64, right and wrong."""

from __future__ import annotations

import torch

from gradlab.functions import tanh_regression
from gradlab.gradcheck import DirectionalCheck, directional_sweep, random_direction

#: Seed of the gradient-checking example of the autograd chapter.
GRADCHECK_SEED = 0
#: Step lengths of the ε sweep: 10⁰ down to 10⁻¹², two per decade.
EPS_VALUES = tuple(10.0 ** (-k / 2) for k in range(25))


def epsilon_sweep(
    *, seed: int = GRADCHECK_SEED, eps_values: tuple[float, ...] = EPS_VALUES
) -> dict[str, list[DirectionalCheck]]:
    """Directional checks of `tanh_regression` for each ε, in float32 and float64,
    with the right gradient, and in float64 with `TanhRegression.wrong_grad`."""
    problem = tanh_regression(seed=seed)
    direction = random_direction(
        problem.start, generator=torch.Generator().manual_seed(seed)
    )
    sweeps = {}
    for label, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        w = problem.start.to(dtype).requires_grad_()
        problem.loss(w).backward()
        sweeps[label] = directional_sweep(
            problem.loss, w, w.grad, eps_values=eps_values, direction=direction
        )
    w = problem.start
    sweeps["float64, wrong gradient"] = directional_sweep(
        problem.loss,
        w,
        problem.wrong_grad(w),
        eps_values=eps_values,
        direction=direction,
    )
    return sweeps
