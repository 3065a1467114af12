"""Generalisation: data held out from training, the training and validation curves of
a long run, early stopping, and the generalisation gap over many training draws.

Three independent samples of one distribution play three roles: the *training* set
is what gradient descent fits; the *validation* set is what we look at while
choosing (when to stop, which width); the *test* set is touched once, at the end, to
report the error of what was chosen, so that no choice can have flattered it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from gradlab import _checks, defaults
from gradlab.data import (
    TEST_SEED,
    TRAIN_SEED,
    VAL_SEED,
    GaussianMixture,
    LabelledPoints,
)
from gradlab.mlp import (
    MLPParams,
    init_mlp,
    mlp_loss,
    mlp_scores,
    nll_loss,
)
from gradlab.stacked import copy_errors, copy_losses, stack_params, unstack


@dataclass(frozen=True)
class Splits:
    """Three independent samples: ``train``, ``validation`` and ``test``."""

    train: LabelledPoints
    validation: LabelledPoints
    test: LabelledPoints


def three_splits(
    mixture: GaussianMixture,
    *,
    sizes: tuple[int, int, int] = (
        defaults.MLP_TRAIN_SIZE,
        defaults.VAL_SIZE,
        defaults.TEST_SIZE,
    ),
    seeds: tuple[int, int, int] = (TRAIN_SEED, VAL_SEED, TEST_SEED),
) -> Splits:
    """Training, validation and test points drawn from ``mixture`` with three seeds."""
    if len(set(seeds)) != 3:
        raise ValueError(f"the three splits need three different seeds, got {seeds}")
    return Splits(
        *(mixture.sample(n, seed=s) for n, s in zip(sizes, seeds, strict=True))
    )


@dataclass(frozen=True)
class Curves:
    """Loss and error on the training and the validation set, each of shape
    (E + 1,): entry e belongs to the parameters after e epochs."""

    train_loss: Tensor
    train_error: Tensor
    val_loss: Tensor
    val_error: Tensor

    @property
    def best_epoch(self) -> int:
        """The epoch with the lowest validation loss."""
        return int(self.val_loss.argmin())


@dataclass(frozen=True)
class ValidatedRun:
    """A long run: its `Curves`, the parameters at the epochs asked for
    (``snapshots``) and at the end (``trained``)."""

    curves: Curves
    trained: MLPParams
    snapshots: dict[int, MLPParams] = field(default_factory=dict)


def _trainable(params: MLPParams) -> MLPParams:
    return MLPParams(*(t.detach().clone() for t in params.tensors())).requires_grad_()


def _snapshot(params: MLPParams) -> MLPParams:
    return MLPParams(*(t.detach().clone() for t in params.tensors()))


def _descend(params: MLPParams, loss: Tensor, lr: float) -> None:
    """One gradient step on ``loss``, in place: θ ← θ − lr ∇loss."""
    grads = torch.autograd.grad(loss, params.tensors())
    with torch.no_grad():
        for t, g in zip(params.tensors(), grads, strict=True):
            t -= lr * g


def _error(scores: Tensor, y: Tensor) -> Tensor:
    return ((scores > 0) != y.bool()).float().mean()


def validation_curves(
    params: MLPParams,
    train: LabelledPoints,
    val: LabelledPoints,
    *,
    lr: float,
    epochs: int,
    keep: Sequence[int] = (),
) -> ValidatedRun:
    """Full-batch gradient descent on ``train`` for ``epochs`` epochs (the steps of
    `gradlab.training.train_mlp`), measuring loss and error on both sets before
    every step and after the last; the parameters after each epoch in ``keep`` are
    kept. ``params`` are copied, never changed."""
    _checks.whole_number(epochs, "epochs")
    p, snapshots, columns = _trainable(params), {}, ([], [], [], [])
    for epoch in range(epochs + 1):
        scores = mlp_scores(p, train.x)
        loss = nll_loss(scores, train.y)
        with torch.no_grad():
            val_scores = mlp_scores(p, val.x)
            values = (
                loss.detach(),
                _error(scores, train.y),
                nll_loss(val_scores, val.y),
                _error(val_scores, val.y),
            )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
        if epoch in keep:
            snapshots[epoch] = _snapshot(p)
        if epoch < epochs:
            _descend(p, loss, lr)
    curves = Curves(*(torch.stack(c).double() for c in columns))
    return ValidatedRun(curves, _snapshot(p), snapshots)


@dataclass(frozen=True)
class EarlyStop:
    """What `early_stopping` kept: the parameters of the ``best_epoch`` (lowest
    validation loss ``best_loss``) and the epoch at which it ``stopped``."""

    trained: MLPParams
    best_epoch: int
    best_loss: float
    stopped: int


def early_stopping(
    params: MLPParams,
    train: LabelledPoints,
    val: LabelledPoints,
    *,
    lr: float,
    patience: int,
    max_epochs: int,
) -> EarlyStop:
    """Full-batch gradient descent on ``train`` that watches the validation loss.

    Keeps the parameters of the epoch with the lowest validation loss so far, and
    stops once ``patience`` epochs have passed without a new lowest (or after
    ``max_epochs``). ``params`` are copied, never changed.
    """
    _checks.whole_number(patience, "patience", minimum=1)
    _checks.whole_number(max_epochs, "max_epochs")
    p = _trainable(params)
    best_loss, best_epoch, best = math.inf, 0, _snapshot(p)
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            val_loss = float(mlp_loss(p, val.x, val.y))
        if val_loss < best_loss:
            best_loss, best_epoch, best = val_loss, epoch, _snapshot(p)
        elif epoch - best_epoch >= patience:
            break
        if epoch < max_epochs:
            _descend(p, mlp_loss(p, train.x, train.y), lr)
    return EarlyStop(best, best_epoch, best_loss, stopped=epoch)


#: Copies × points × hidden units trained in one stack: beyond about this many, the
#: hidden layer outgrows the CPU cache and a stack gets slower per copy.
_STACK_CELLS = 400_000


def train_draws(
    hidden: int,
    trains: Sequence[LabelledPoints],
    *,
    lr: float,
    epochs: int,
    seeds: Sequence[int],
) -> list[MLPParams]:
    """One classifier per training set: `init_mlp` (``hidden`` units) from
    ``seeds[k]`` trained on ``trains[k]`` by full-batch gradient descent, like
    `gradlab.training.train_mlp`, but many at a time as a `gradlab.stacked.Stack`.

    The training sets must have one size. Returns the trained parameters in order.
    """
    if len(trains) != len(seeds) or not trains:
        raise ValueError("give one seed per training set, and at least one set")
    n = len(trains[0])
    if any(len(t) != n for t in trains):
        raise ValueError("every training set must have the same number of points")
    group = max(1, _STACK_CELLS // (hidden * n))
    trained: list[MLPParams] = []
    for start in range(0, len(trains), group):
        sets, group_seeds = trains[start : start + group], seeds[start : start + group]
        stack = stack_params([init_mlp(hidden, seed=s) for s in group_seeds])
        x, y = torch.stack([t.x for t in sets]), torch.stack([t.y for t in sets])
        for _ in range(epochs):  # the sum's gradient is each copy's own gradient
            loss = copy_losses(stack.scores(x), y).sum()
            grads = torch.autograd.grad(loss, stack.parameters())
            with torch.no_grad():
                for t, g in zip(stack.parameters(), grads, strict=True):
                    t -= lr * g
        trained += [unstack(stack, k) for k in range(len(sets))]
    return trained


def errors_of(
    params: Sequence[MLPParams], data: LabelledPoints | Sequence[LabelledPoints]
) -> Tensor:
    """The error rate of each classifier on ``data`` (one set for all, or one set
    per classifier), shape (len(params),)."""
    sets = [data] * len(params) if isinstance(data, LabelledPoints) else list(data)
    if len(sets) != len(params):
        raise ValueError("give one data set, or one per classifier")
    return torch.cat(
        [
            copy_errors(stack_params([p]), d.x, d.y)
            for p, d in zip(params, sets, strict=True)
        ]
    )


def bayes_disagreement(
    params: Sequence[MLPParams], mixture: GaussianMixture, x: Tensor
) -> Tensor:
    """For each classifier, the fraction of the points ``x`` (N, 2) on which it and
    the Bayes classifier of ``mixture`` predict different classes; (len(params),)."""
    bayes = LabelledPoints(x, mixture.bayes_predict(x))
    return errors_of(params, bayes)


def bayes_loss(mixture: GaussianMixture, data: LabelledPoints) -> float:
    """The mean negative log-likelihood of the true posterior p(y = 1 | x) of
    ``mixture`` on ``data``: the loss of the best possible classifier, the floor a
    trained network can beat only on the points it was fitted to (by fitting their
    noise), not on fresh ones."""
    p = mixture.posterior(data.x.double()).clamp(1e-300, 1 - 1e-16)
    y = data.y.double()
    return float(-(y * p.log() + (1 - y) * (1 - p).log()).mean())


@dataclass(frozen=True)
class StoppedDraws:
    """Per run k of `early_stopping_draws`: the parameters early stopping kept
    (``stopped[k]``, from epoch ``best_epochs[k]``) and those after the last epoch
    (``last[k]``)."""

    stopped: list[MLPParams]
    last: list[MLPParams]
    best_epochs: Tensor


def early_stopping_draws(
    starts: Sequence[MLPParams],
    trains: Sequence[LabelledPoints],
    val: LabelledPoints,
    *,
    lr: float,
    patience: int,
    max_epochs: int,
) -> StoppedDraws:
    """`early_stopping` and the long run of `validation_curves` for many runs at
    once: run k starts from ``starts[k]`` and descends on ``trains[k]`` (one size for
    all) for ``max_epochs`` epochs, as one `gradlab.stacked.Stack`.

    Each run keeps the parameters of its lowest validation loss so far until its
    patience runs out, as `early_stopping` would; it trains on to the end for its
    last parameters. The copies share nothing, so each follows its own descent."""
    _checks.whole_number(patience, "patience", minimum=1)
    stack = stack_params(starts)
    x, y = torch.stack([t.x for t in trains]), torch.stack([t.y for t in trains])
    best_loss = torch.full((len(starts),), math.inf)
    best_epoch = torch.zeros(len(starts), dtype=torch.long)
    kept = [t.detach().clone() for t in stack.parameters()]
    done = torch.zeros(len(starts), dtype=torch.bool)  # runs that have stopped
    for epoch in range(max_epochs + 1):
        if not done.all():  # validation is needed only while a run still watches
            with torch.no_grad():
                val_loss = copy_losses(stack.scores(val.x), val.y)
        better = ~done & (val_loss < best_loss)
        best_loss = torch.where(better, val_loss, best_loss)
        best_epoch = torch.where(better, epoch, best_epoch)
        done |= ~better & (epoch - best_epoch >= patience)
        for k, t in zip(kept, stack.parameters(), strict=True):
            k[better] = t.detach()[better]
        if epoch < max_epochs:
            loss = copy_losses(stack.scores(x), y).sum()
            grads = torch.autograd.grad(loss, stack.parameters())
            with torch.no_grad():
                for t, g in zip(stack.parameters(), grads, strict=True):
                    t -= lr * g
    stopped = stack_params(starts)
    with torch.no_grad():
        for s, k in zip(stopped.parameters(), kept, strict=True):
            s.copy_(k)
    n = len(starts)
    return StoppedDraws(
        [unstack(stopped, k) for k in range(n)],
        [unstack(stack, k) for k in range(n)],
        best_epoch,
    )
