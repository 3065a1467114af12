"""Optimisers written out: SGD with momentum exactly as ``torch.optim.SGD`` takes it,
and the step it amounts to when the gradient stays the same.

PyTorch's momentum keeps, per parameter, a velocity v: v ← μ v + g, then θ ← θ − lr·v
(the first step sets v = g). With a constant gradient, v tends to g / (1 − μ), so
the step tends to lr / (1 − μ) times the gradient: momentum 0.9 moves ten times as
far per step as plain SGD at the same learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from gradlab import _checks


def momentum_step(
    params: Sequence[Tensor],
    velocities: list[Tensor | None],
    *,
    lr: float,
    momentum: float,
) -> None:
    """One step of SGD with momentum on ``params`` (their ``.grad`` filled), in place:
    v ← μ v + g (v = g on the first step, where ``velocities`` holds None), then
    θ ← θ − lr·v. ``velocities`` is updated in place, one entry per parameter."""
    with torch.no_grad():
        for i, p in enumerate(params):
            g = p.grad
            v = g.clone() if velocities[i] is None else momentum * velocities[i] + g
            velocities[i] = v
            p -= lr * v


def effective_lr(lr: float, momentum: float) -> float:
    """The step per unit of a constant gradient that momentum settles to:
    lr / (1 − momentum).

    >>> round(effective_lr(0.01, 0.9), 6)
    0.1
    """
    lr = _checks.positive_number(lr, "lr")
    momentum = _checks.number(momentum, "momentum")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
    return lr / (1 - momentum)
