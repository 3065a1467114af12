"""Training loops and evaluation: plain gradient descent on raw tensors, the canonical
``torch.optim`` step on an ``nn.Module``, error rates and Hoeffding's test-set size.

Loops return a history of losses; they never print.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

# The book's MLP settings, re-exported: they live in the torch-free gradlab.defaults.
from gradlab.defaults import MLP_EPOCHS, MLP_HIDDEN, MLP_LR, MLP_SEED, MLP_TRAIN_SIZE  # noqa: F401
from gradlab.mixture import LabelledPoints
from gradlab.mlp import MLPParams, init_mlp, mlp_loss, mlp_predict


@dataclass(frozen=True)
class MLPRun:
    """Result of `train_mlp`: the trained ``params`` and the loss before each step."""

    params: MLPParams
    losses: list[float]

    @property
    def final_loss(self) -> float:
        """The last recorded training loss."""
        return self.losses[-1]


def train_mlp(
    params: MLPParams, data: LabelledPoints, *, lr: float, epochs: int
) -> MLPRun:
    """Full-batch gradient descent on `mlp_loss`: θ ← θ − lr ∇L(θ), ``epochs`` times.

    ``params`` are copied, never changed. ``losses`` has epochs + 1 entries: the loss
    before every step and after the last one.
    """
    if not lr > 0:
        raise ValueError(f"learning rate must be > 0, got {lr}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    p = MLPParams(*(t.detach().clone() for t in params.tensors())).requires_grad_()
    losses = []
    for _ in range(epochs):
        loss = mlp_loss(p, data.x, data.y)
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            for t in p.tensors():
                t -= lr * t.grad
                t.grad = None
    with torch.no_grad():
        losses.append(mlp_loss(p, data.x, data.y).item())
    return MLPRun(p.to(params.w1.dtype), losses)


def error_rate(predicted: Tensor, y: Tensor) -> float:
    """Fraction of labels predicted wrongly; ``predicted`` and ``y`` have shape (N,)."""
    return float((predicted != y).double().mean())


def hoeffding_test_size(eps: float, delta: float) -> int:
    """Smallest n with 2 exp(−2nε²) ≤ δ: then P(|estimate − error| > ε) ≤ δ.

    Hoeffding's inequality for the mean of n independent 0/1 losses gives
    n ≥ ln(2/δ) / (2ε²).

    >>> hoeffding_test_size(0.01, 0.01)
    26492
    """
    if not 0 < eps < 1:
        raise ValueError(f"eps must lie in (0, 1), got {eps}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    return math.ceil(math.log(2 / delta) / (2 * eps**2))


@dataclass(frozen=True)
class WidthResult:
    """One width of `width_experiment`: the run and its train and test error."""

    hidden: int
    run: MLPRun
    train_error: float
    test_error: float

    @property
    def gap(self) -> float:
        """Generalisation gap: test error minus train error."""
        return self.test_error - self.train_error


def width_experiment(
    widths: Sequence[int],
    *,
    train: LabelledPoints,
    test: LabelledPoints,
    lr: float,
    epochs: int,
    seed: int,
) -> dict[int, WidthResult]:
    """Train one classifier per hidden width on ``train``; measure errors on both sets.

    Every width starts from `init_mlp` with the same ``seed``.
    """
    results = {}
    for hidden in widths:
        run = train_mlp(init_mlp(hidden, seed=seed), train, lr=lr, epochs=epochs)
        results[hidden] = WidthResult(
            hidden,
            run,
            error_rate(mlp_predict(run.params, train.x), train.y),
            error_rate(mlp_predict(run.params, test.x), test.y),
        )
    return results


def fit_module(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[float]:
    """The canonical PyTorch loop, full batch; returns the loss of every epoch.

    Each epoch: ``zero_grad``, forward, loss, ``backward``, ``step``. ``model`` and
    ``optimizer`` are updated in place.
    """
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
