"""Classifying the digits: an `nn.Sequential` network with one score per class, its
training loop over a `DataLoader` (``model.train()``) and its evaluation loop
(``model.eval()`` and ``torch.no_grad()``), accuracy and the confusion matrix.

For comparisons over seeds, `StackedMLP` holds S copies of one such network as one
module (weights (S, out, in), one batched matrix product per layer), each copy drawn
as `mlp` draws it from its own seed and fed its own order of batches
(`stacked_batches`): S trainings for the Python cost of one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from gradlab import _checks
from gradlab.digits import Split

#: Pixels per image and classes.
INPUTS, CLASSES = 64, 10


def mlp(
    widths: tuple[int, ...] = (64,), *, seed: int, dropout: float = 0.0
) -> nn.Sequential:
    """Linear–ReLU layers of the hidden ``widths`` and a last Linear layer with one
    score per class: (N, 64) → (N, 10), PyTorch's default initialisation drawn from
    a generator seeded with ``seed``; an ``nn.Dropout(dropout)`` after every ReLU
    when ``dropout`` > 0.

    >>> mlp(seed=0)(torch.zeros(3, 64)).shape
    torch.Size([3, 10])
    """
    p = 0.0 if dropout == 0 else _checks.number_between(dropout, "dropout", 0, 1)
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.default_generator.manual_seed(_checks.seed(seed))
        for a, b in itertools.pairwise((INPUTS, *widths)):
            layers += [nn.Linear(a, b), nn.ReLU()]
            if p > 0:
                layers.append(nn.Dropout(p))
        return nn.Sequential(*layers, nn.Linear((INPUTS, *widths)[-1], CLASSES))


def loader(data: Split, batch_size: int, *, seed: int | None = None) -> DataLoader:
    """A ``DataLoader`` over ``data``'s ``x`` and ``y``: shuffled every epoch by a
    generator seeded with ``seed``, or in order when ``seed`` is None."""
    size = _checks.whole_number(batch_size, "batch_size", minimum=1)
    dataset = TensorDataset(data.x, data.y)
    if seed is None:
        return DataLoader(dataset, batch_size=size)
    generator = torch.Generator().manual_seed(_checks.seed(seed))
    return DataLoader(dataset, batch_size=size, shuffle=True, generator=generator)


def train_epoch(
    model: nn.Module, batches: DataLoader, optimizer: torch.optim.Optimizer
) -> float:
    """One pass over ``batches`` in training mode, one optimiser step per batch;
    returns the mean cross-entropy of the batches (before their steps)."""
    model.train()  # dropout on
    total, n = 0.0, 0
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total, n = total + loss.item() * len(y), n + len(y)
    return total / n


@dataclass(frozen=True)
class Evaluation:
    """A classifier judged on a set: mean cross-entropy, images right, images."""

    loss: float
    correct: int
    n: int

    @property
    def accuracy(self) -> float:
        """The fraction of images classified right."""
        return self.correct / self.n


def evaluate(model: nn.Module, batches: DataLoader) -> Evaluation:
    """Loss and accuracy over every batch, in evaluation mode (dropout off), without
    recording a graph."""
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in batches:
            scores = model(x)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += int((scores.argmax(1) == y).sum())
            n += len(y)
    return Evaluation(total / n, correct, n)


def predict(model: nn.Module, x: Tensor) -> Tensor:
    """The class of highest score for every row of ``x`` (evaluation mode): (N,)."""
    model.eval()
    with torch.no_grad():
        return model(x).argmax(-1)


def confusion_matrix(predicted: Tensor, y: Tensor, classes: int = CLASSES) -> Tensor:
    """Counts (classes, classes): row = true class, column = predicted class.

    >>> confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), 2)
    tensor([[1, 1],
            [0, 1]])
    """
    if predicted.shape != y.shape:
        raise ValueError(f"shapes differ: {tuple(predicted.shape)}, {tuple(y.shape)}")
    return torch.bincount(y * classes + predicted, minlength=classes**2).reshape(
        classes, classes
    )


class StackedMLP(nn.Module):
    """S copies of an `mlp` as one module: layer l holds ``weights[l]`` (S, out, in)
    and ``biases[l]`` (S, out). Inputs (N, 64) are shared by the copies, (S, N, 64)
    are one batch per copy; scores are (S, N, 10). Dropout masks are drawn
    independently for every copy (and only in training mode)."""

    def __init__(self, models: Sequence[nn.Sequential], dropout: float = 0.0):
        super().__init__()
        linears = [[m for m in model if isinstance(m, nn.Linear)] for model in models]
        self.weights = nn.ParameterList(
            torch.stack([ls[i].weight.detach() for ls in linears])
            for i in range(len(linears[0]))
        )
        self.biases = nn.ParameterList(
            torch.stack([ls[i].bias.detach() for ls in linears])
            for i in range(len(linears[0]))
        )
        self.dropout = dropout

    @property
    def copies(self) -> int:
        """The number of copies S."""
        return self.weights[0].shape[0]

    def forward(self, x: Tensor) -> Tensor:
        h = x if x.ndim == 3 else x.expand(self.copies, *x.shape)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, w.transpose(1, 2))
            if i < last:
                h = F.dropout(torch.relu(h), self.dropout, self.training)
        return h


def stacked(
    seeds: Sequence[int], widths: tuple[int, ...] = (64,), dropout: float = 0.0
) -> StackedMLP:
    """One `mlp` per seed, stacked."""
    return StackedMLP([mlp(widths, seed=s) for s in seeds], dropout)


def copy_losses(scores: Tensor, y: Tensor) -> Tensor:
    """Every copy's mean cross-entropy: scores (S, N, 10), labels (N,) or (S, N) →
    (S,)."""
    y = y.expand(scores.shape[:2])
    losses = F.cross_entropy(scores.flatten(0, 1), y.flatten(), reduction="none")
    return losses.reshape(scores.shape[:2]).mean(1)


def copy_correct(model: StackedMLP, data: Split) -> Tensor:
    """Images of ``data`` every copy classifies right, in evaluation mode: (S,)."""
    model.eval()
    with torch.no_grad():
        return (model(data.x).argmax(-1) == data.y).sum(1)


def stacked_batches(
    n: int, batch_size: int, seeds: Sequence[int], epoch: int
) -> Iterator[Tensor]:
    """The batches of one epoch for every copy, as indices (S, B): copy k's order of
    the ``n`` images is a permutation drawn from seed k's generator (one per epoch),
    cut into batches of ``batch_size`` (the last may be smaller)."""
    orders = torch.stack(
        [
            torch.randperm(
                n, generator=torch.Generator().manual_seed(s * 10_007 + epoch)
            )
            for s in seeds
        ]
    )
    yield from orders.split(batch_size, dim=1)


def clip_per_copy_(model: StackedMLP, max_norm: float) -> Tensor:
    """Scale every copy's gradient so that its norm (over all of that copy's
    parameters) is at most ``max_norm``, as ``nn.utils.clip_grad_norm_`` does for
    one model; returns the norms before clipping, (S,)."""
    grads = [p.grad for p in model.parameters()]
    norms = torch.stack([g.flatten(1).square().sum(1) for g in grads]).sum(0).sqrt()
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *[1] * (g.ndim - 1)))
    return norms


Step = Callable[[StackedMLP, int], None]


@dataclass(frozen=True)
class StackedRun:
    """Per epoch (0 = before training): the training loss of the epoch's batches
    (S, E + 1; entry 0 on all the training images), and the validation images every
    copy classifies right (S, E + 1)."""

    train_loss: Tensor
    val_correct: Tensor


def train_stacked(
    model: StackedMLP,
    optimizer: torch.optim.Optimizer,
    train: Split,
    val: Split,
    *,
    epochs: int,
    batch_size: int,
    seeds: Sequence[int],
    after_backward: Step | None = None,
    after_step: Step | None = None,
) -> StackedRun:
    """Train every copy of ``model`` on its own order of batches for ``epochs``
    epochs, counting validation images right after every epoch.

    ``after_backward(model, step)`` runs between backward and the optimiser's step
    (gradient clipping), ``after_step(model, step)`` after it (a scheduler's step).
    Dropout's masks come from the CPU generator, seeded here with ``seeds[0]`` (the
    generator's state outside is left as it was).
    """
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.manual_seed(_checks.seed(seeds[0]))
        return _train_stacked(
            model,
            optimizer,
            train,
            val,
            epochs,
            batch_size,
            seeds,
            after_backward,
            after_step,
        )


def _train_stacked(
    model, optimizer, train, val, epochs, batch_size, seeds, after_backward, after_step
) -> StackedRun:
    with torch.no_grad():
        model.eval()
        losses = [copy_losses(model(train.x), train.y)]
    correct = [copy_correct(model, val)]
    step = 0
    for epoch in range(_checks.whole_number(epochs, "epochs")):
        model.train()
        total = torch.zeros(model.copies)
        for index in stacked_batches(len(train), batch_size, seeds, epoch):
            optimizer.zero_grad()
            loss = copy_losses(model(train.x[index]), train.y[index])
            loss.sum().backward()  # copies share nothing: each gets its own gradient
            if after_backward is not None:
                after_backward(model, step)
            optimizer.step()
            if after_step is not None:
                after_step(model, step)
            total += loss.detach() * index.shape[1]
            step += 1
        losses.append(total / len(train))
        correct.append(copy_correct(model, val))
    return StackedRun(torch.stack(losses, 1), torch.stack(correct, 1))


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimiser steps in an epoch of ``n`` images: ⌈n / batch_size⌉."""
    return math.ceil(n / batch_size)
