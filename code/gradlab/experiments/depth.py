"""Experiments of "Deep networks: signals, gradients and normalisation": deep MLPs
(`gradlab.depth.deep_mlp`) on the digits (`gradlab.digits`), looked at through hooks
on one batch of training images, trained with mini-batch SGD, judged on the
validation set.

Every comparison is paired: the settings compared start seed k's network from the
same draw of torch's generator and see the same batches in the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab import depth as lab
from gradlab import digits

#: The deep network: hidden layers, units per layer; the depths of the depth sweep.
DEPTH, WIDTH = 8, 32
DEPTHS = (2, 4, 6, 8, 10)
#: Training images the diagnostics look at (the first of the training set).
DIAG_BATCH = 128
#: Training: mini-batch size, SGD's learning rate, epochs, seeds, the split's seed.
BATCH, LR, EPOCHS, SEEDS, DATA_SEED = 128, 0.1, 4, 5, 0
#: The learning rates of the update-to-weight ratio sweep, and the network it trains.
RATIO_LRS = (0.001, 0.01, 0.1, 1.0, 3.0)
RATIO_NET = ("tanh", "fan-in")
#: Normalisations compared on the deep network (None: none); layer normalisation
#: only on the activations of LAYER_NORM_ON.
NORMS = (None, "batch", "layer")
LAYER_NORM_ON = ("tanh",)
#: Batch sizes at which the train-mode bug evaluates the validation set.
BUG_BATCHES = (1, 2, 4, 16, 64)


def seeds(n: int = SEEDS) -> tuple[int, ...]:
    """The chapter's seeds: 0 … n − 1."""
    return tuple(range(n))


@functools.cache
def data(seed: int = DATA_SEED) -> digits.Digits:
    """The digits split with ``seed`` (loaded once per process)."""
    return digits.load(seed)


def diagnostic_batch() -> tuple[Tensor, Tensor]:
    """The first `DIAG_BATCH` training images and their labels."""
    train = data().train
    return train.x[:DIAG_BATCH], train.y[:DIAG_BATCH]


def records(
    activation: str = "tanh", depth: int = DEPTH, seed: int = 0
) -> dict[str, lab.Record]:
    """One draw per initialisation: init -> `gradlab.depth.Record` of the diagnostic
    batch through a fresh network."""
    x, y = diagnostic_batch()
    return {
        init: lab.record(lab.deep_mlp(depth, WIDTH, activation, init, seed=seed), x, y)
        for init in lab.INITS
    }


@dataclass(frozen=True)
class Profiles:
    """Per-layer summaries of fresh networks, indexed (activation, init, seed, layer):
    ``spread`` the standard deviation of the activations, ``grad`` the RMS of the
    gradient reaching them, ``stuck`` the saturated fraction (tanh, sigmoid) or the
    dead fraction (ReLU); ``loss`` (activation, init, seed) the initial loss."""

    activations: tuple[str, ...]
    inits: tuple[str, ...]
    spread: Tensor
    grad: Tensor
    stuck: Tensor
    loss: Tensor

    def at(self, field: str, activation: str, init: str) -> Tensor:
        """One configuration's (seed, layer) block of ``field``."""
        i, j = self.activations.index(activation), self.inits.index(init)
        return getattr(self, field)[i, j]


def _summary(rec: lab.Record, activation: str) -> list[list[float]]:
    spread = [float(a.std()) for a in rec.activations]
    grad = [lab.rms(g) for g in rec.gradients]
    if activation == "relu":
        stuck = [lab.dead_fraction(a) for a in rec.activations]
    else:
        stuck = [lab.saturated_fraction(a, activation) for a in rec.activations]
    return [spread, grad, stuck]


def profiles(depth: int = DEPTH, n_seeds: int = SEEDS) -> Profiles:
    """Every activation at every initialisation, ``n_seeds`` fresh networks each,
    on the diagnostic batch."""
    x, y = diagnostic_batch()
    acts, inits = tuple(lab.ACTIVATIONS), lab.INITS
    rows, losses = [], []
    for act in acts:
        for init in inits:
            for s in seeds(n_seeds):
                rec = lab.record(lab.deep_mlp(depth, WIDTH, act, init, seed=s), x, y)
                rows.append(_summary(rec, act))
                losses.append(rec.loss)
    shape = (len(acts), len(inits), n_seeds)
    table = torch.tensor(rows).reshape(*shape, 3, depth)
    return Profiles(acts, inits, *table.unbind(3), torch.tensor(losses).reshape(shape))


def gradient_ratios(
    depths: Sequence[int] = DEPTHS, n_seeds: int = SEEDS
) -> dict[tuple[str, str], Tensor]:
    """(activation, init) -> the RMS gradient at the first hidden layer over that at
    the last, (seeds, depths): above 1 the gradient grows on its way back to the
    input (explodes), below 1 it shrinks (vanishes)."""
    x, y = diagnostic_batch()
    found = {}
    for act in lab.ACTIVATIONS:
        for init in lab.INITS:
            ratios = []
            for s in seeds(n_seeds):
                for d in depths:
                    g = lab.record(lab.deep_mlp(d, WIDTH, act, init, seed=s), x, y)
                    ratios.append(lab.rms(g.gradients[0]) / lab.rms(g.gradients[-1]))
            found[act, init] = torch.tensor(ratios).reshape(n_seeds, len(depths))
    return found


def _train(activation, init, *, seed, lr=LR, epochs=EPOCHS, norm=None, ratios=False):
    model = lab.deep_mlp(DEPTH, WIDTH, activation, init, seed=seed, norm=norm)
    d = data()
    run = lab.fit(
        model, d.train, d.val, lr=lr, epochs=epochs, batch_size=BATCH, seed=seed,
        ratios=ratios,
    )  # fmt: skip
    return model, run


@functools.cache
def _trained_at_default(activation: str, norm: str | None, seed: int, epochs: int):
    """`_train` at PyTorch's default initialisation, once per process: the runs of
    `norm_comparison`, whose batch-normalised tanh networks `train_mode_bug`
    evaluates (it does not change them)."""
    return _train(activation, "default", seed=seed, norm=norm, epochs=epochs)


@dataclass(frozen=True)
class RatioSweep:
    """SGD at each learning rate of ``lrs``: ``ratios`` (lrs, seeds, steps, layers)
    every step's update-to-weight ratio per Linear layer; ``val_accuracy`` (lrs,
    seeds, epochs + 1)."""

    lrs: tuple[float, ...]
    ratios: Tensor
    val_accuracy: Tensor

    def typical(self) -> Tensor:
        """Each run's median ratio over its steps and layers: (lrs, seeds)."""
        return self.ratios.flatten(2).nanmedian(-1).values


def ratio_sweep(
    lrs: Sequence[float] = RATIO_LRS, n_seeds: int = SEEDS, epochs: int = EPOCHS
) -> RatioSweep:
    """The `RATIO_NET` network trained at every learning rate from every seed."""
    runs = [
        _train(*RATIO_NET, seed=s, lr=lr, epochs=epochs, ratios=True)[1]
        for lr in lrs
        for s in seeds(n_seeds)
    ]
    shape = (len(lrs), n_seeds)
    ratios = torch.stack([r.ratios for r in runs])
    acc = torch.stack([r.val_accuracy for r in runs])
    return RatioSweep(
        tuple(lrs), ratios.reshape(*shape, *ratios.shape[1:]), acc.reshape(*shape, -1)
    )


def norm_comparison(
    norms: Sequence[str | None] = NORMS, n_seeds: int = SEEDS, epochs: int = EPOCHS
) -> dict[tuple[str, str], Tensor]:
    """(activation, norm name) -> validation accuracy (seeds, epochs + 1) of the deep
    network at PyTorch's default initialisation, without normalisation ("none"),
    with batch or with layer normalisation (`LAYER_NORM_ON` only) after every hidden
    Linear layer."""
    return {
        (act, norm or "none"): torch.stack(
            [
                _trained_at_default(act, norm, s, epochs)[1].val_accuracy
                for s in seeds(n_seeds)
            ]
        )
        for act in lab.ACTIVATIONS
        for norm in norms
        if norm != "layer" or act in LAYER_NORM_ON
    }


@dataclass(frozen=True)
class TrainModeBug:
    """Batch-normalised networks evaluated the wrong way: ``eval_accuracy`` (seeds,)
    on the validation set in evaluation mode; ``train_accuracy`` (seeds, batch
    sizes) in training mode, the set cut into batches of each of ``batch_sizes``;
    ``one_alike`` (seeds,) the fraction of validation images that, each alone in a
    batch of one, get the most common prediction."""

    batch_sizes: tuple[int, ...]
    eval_accuracy: Tensor
    train_accuracy: Tensor
    one_alike: Tensor


def train_mode_bug(
    batch_sizes: Sequence[int] = BUG_BATCHES, n_seeds: int = SEEDS
) -> TrainModeBug:
    """The tanh network with batch normalisation, trained from each seed, then
    evaluated on the validation set in evaluation mode and, wrongly, in training
    mode (`gradlab.depth.train_mode_scores`)."""
    val = data().val
    acc_eval, acc_train, alike = [], [], []
    for s in seeds(n_seeds):
        model, _ = _trained_at_default("tanh", "batch", s, EPOCHS)
        acc_eval.append(lab.accuracy(model, val.x, val.y))
        hits = [
            lab.train_mode_scores(model, val.x, b).argmax(1) == val.y
            for b in batch_sizes
        ]
        acc_train.append([float(h.double().mean()) for h in hits])
        alone = lab.train_mode_scores(model, val.x, 1).argmax(1)
        alike.append(float((alone == alone.mode().values).double().mean()))
    return TrainModeBug(
        tuple(batch_sizes),
        torch.tensor(acc_eval),
        torch.tensor(acc_train),
        torch.tensor(alike),
    )
