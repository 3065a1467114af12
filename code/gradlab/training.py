"""Training: `gradient_descent` on the raw-tensor classifier's parameters, the
canonical ``torch.optim`` loop on an ``nn.Module`` (full batch, and in mini-batches
from a ``DataLoader``), error rates and Hoeffding's test-set size.

Loops return a history of losses; they never print.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from gradlab import _checks
from gradlab.data import LabelledPoints, Series
from gradlab.descent import Callback, History, LossFn, gradient_descent
from gradlab.mlp import MLPParams, mlp_loss
from gradlab.stacked import Stack, copy_losses, stack_params


@dataclass(frozen=True)
class CurveFit:
    """A 1-D regression fit: the ``data``, the network's curve ``fitted`` (G,) on
    ``grid`` (G,), the ``truth`` there, and the training loss of every epoch."""

    data: Series
    grid: Tensor
    fitted: Tensor
    truth: Tensor
    losses: list[float]


@dataclass(frozen=True)
class MLPRun(History):
    """`train_mlp`'s history (parameters flattened by `MLPParams.flat`, only the
    start and the end kept) and the ``trained`` parameters."""

    trained: MLPParams | None = None

    @classmethod
    def of(cls, history: History, like: MLPParams) -> MLPRun:
        """The run whose flat parameters are ``history``'s, shaped ``like`` these."""
        trained = like.unflatten(history.params[-1]).to(like.w1.dtype)
        return cls(history.params, history.losses, history.lr, trained)


def mlp_objective(params: MLPParams, data: LabelledPoints) -> LossFn:
    """`mlp_loss` on ``data`` as a function of θ laid out like ``params``."""
    return lambda theta: mlp_loss(params.unflatten(theta), data.x, data.y)


def train_mlp(
    params: MLPParams,
    data: LabelledPoints,
    *,
    lr: float,
    epochs: int,
    callback: Callback | None = None,
) -> MLPRun:
    """Full-batch `gradient_descent` on `mlp_loss`, ``epochs`` steps, with all the
    parameters in one vector θ (``params`` are copied, never changed).

    ``losses`` has epochs + 1 entries: the loss before every step and after the last.
    ``callback`` is `gradient_descent`'s, called after every epoch with θ.
    """
    steps = _checks.whole_number(epochs, "epochs")
    objective, theta = mlp_objective(params, data), params.flat()
    history = gradient_descent(
        objective, theta, lr=lr, steps=steps, keep_path=False, callback=callback
    )
    return MLPRun.of(history, params)


def train_copies(
    starts: Sequence[MLPParams],
    x: Tensor,
    y: Tensor,
    *,
    lr: float,
    epochs: int,
    keep: Sequence[int] = (),
) -> dict[int, Stack]:
    """Full-batch gradient descent, as in `train_mlp`, on S classifiers at once.

    ``starts`` are S starting points of one width, trained side by side as a
    `gradlab.stacked.Stack`; ``x`` (N, d) and ``y`` (N,) are one training set for
    all, or (S, N, d) and (S, N) one per copy. Returns the stack after each epoch
    count in ``keep`` (and after the last), detached: {epochs: Stack}.
    """
    steps = _checks.whole_number(epochs, "epochs")
    stack, kept = stack_params(starts), {}
    for epoch in range(steps + 1):
        if epoch in keep or epoch == steps:
            kept[epoch] = stack.detach()
        if epoch == steps:
            return kept
        loss = copy_losses(stack.scores(x), y).sum()  # each copy's own gradient
        grads = torch.autograd.grad(loss, stack.parameters())
        with torch.no_grad():
            for t, g in zip(stack.parameters(), grads, strict=True):
                t -= lr * g
    return kept


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
    eps = _checks.number_between(eps, "eps", 0, 1)
    delta = _checks.number_between(delta, "delta", 0, 1)
    return math.ceil(math.log(2 / delta) / (2 * eps**2))


def training_step(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
) -> float:
    """One optimiser step on the batch ``x``, ``y``; returns its loss (before the
    update). ``model`` and ``optimizer`` are updated in place."""
    optimizer.zero_grad()  # 1. clear gradients left from the last step
    prediction = model(x)  # 2. forward pass
    loss = loss_fn(prediction, y)  # 3. the loss
    loss.backward()  # 4. gradients of the loss, into .grad
    optimizer.step()  # 5. update every parameter
    return loss.item()


def fit_module(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
) -> list[float]:
    """The canonical PyTorch loop, full batch: one `training_step` on all of ``x``
    and ``y`` per epoch; returns the loss of every epoch (before its step).
    ``model`` and ``optimizer`` are updated in place.
    """
    losses = []
    for _ in range(epochs):
        losses.append(training_step(model, x, y, loss_fn=loss_fn, optimizer=optimizer))
    return losses


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimiser steps in one pass over ``n`` points in batches of ``batch_size``
    (the last batch may be smaller): ⌈n / batch_size⌉.

    >>> steps_per_epoch(200, 10), steps_per_epoch(200, 200), steps_per_epoch(200, 64)
    (20, 1, 4)
    """
    _checks.whole_number(n, "n", minimum=1)
    _checks.whole_number(batch_size, "batch_size", minimum=1)
    return math.ceil(n / batch_size)


def batches(data: LabelledPoints, batch_size: int, *, seed: int) -> DataLoader:
    """A ``DataLoader`` over ``data`` that deals batches of ``batch_size`` points in a
    new random order every epoch, from a generator seeded with ``seed``."""
    return DataLoader(
        TensorDataset(data.x, data.y),
        batch_size=_checks.whole_number(batch_size, "batch_size", minimum=1),
        shuffle=True,
        generator=torch.Generator().manual_seed(_checks.seed(seed)),
    )


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
) -> list[float]:
    """One epoch: one optimiser step per batch the ``loader`` deals; returns the
    loss of every batch. ``model`` and ``optimizer`` are updated in place."""
    model.train()
    losses = []
    for x, y in loader:
        losses.append(training_step(model, x, y, loss_fn=loss_fn, optimizer=optimizer))
    return losses


def evaluate(
    model: nn.Module,
    data: LabelledPoints,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
) -> tuple[float, float]:
    """(loss, error rate) of a classifier that outputs one score per point, on all
    of ``data`` at once, without recording a graph."""
    model.eval()
    with torch.no_grad():
        scores = model(data.x)
        return loss_fn(scores, data.y).item(), error_rate(
            (scores > 0).to(data.y.dtype), data.y
        )


def first_epoch_below(losses: Tensor, target: float) -> Tensor:
    """For each row of ``losses`` (..., E + 1), the first epoch whose loss is at most
    ``target``, or −1 where none is; shape (...,).

    >>> first_epoch_below(torch.tensor([[0.9, 0.5, 0.2], [0.9, 0.8, 0.7]]), 0.5)
    tensor([ 1, -1])
    """
    below = losses <= target
    first = below.to(torch.int64).argmax(-1)
    return torch.where(below.any(-1), first, torch.full_like(first, -1))


def tail_jitter(losses: Tensor, epochs: int) -> Tensor:
    """How much the loss still jumps at the end of training: the mean absolute change
    from one epoch to the next over the last ``epochs`` epochs of each row of
    ``losses`` (..., E + 1); shape (...,).

    >>> tail_jitter(torch.tensor([1.0, 0.5, 0.7, 0.6]), 2)
    tensor(0.1500)
    """
    _checks.whole_number(epochs, "epochs", minimum=1)
    if epochs >= losses.shape[-1]:
        raise ValueError(f"need more than {epochs} epochs of losses")
    return losses[..., -epochs - 1 :].diff(dim=-1).abs().mean(-1)
