"""Experiments of "Mini-batches, initialization and optimizers": the chapter's
classifier (`relu_mlp`, PyTorch's layers) trained on the training set of "Training
MLPs", several seeds side by side as one `gradlab.stacked.Stack`.

Every comparison is paired: the configurations compared start from the same weights
(seed k's) and see the same batches in the same order (seed k's shuffle).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from gradlab import defaults
from gradlab.data import LabelledPoints
from gradlab.experiments.generalization import splits
from gradlab.experiments.mlp import test_set, training_set
from gradlab.initialization import SCHEMES
from gradlab.mlp import relu_mlp
from gradlab.stacked import (
    Stack,
    concat,
    copy_errors,
    copy_losses,
    stack_modules,
    train_stacked,
)
from gradlab.training import batches, steps_per_epoch, train_epoch

#: Batch sizes compared, the full batch first; each gets the same number of steps.
BATCH_SIZES, BATCH_STEPS = (defaults.MLP_TRAIN_SIZE, 50, 10), 100
#: The larger learning rate of the schedule section, and its step schedule: times
#: DROP at two thirds of the run.
FAST_LR, DROP = 0.3, 0.1
#: The deep network of the initialisation section: hidden widths, epochs of training.
DEEP_WIDTHS, DEEP_EPOCHS = (50, 50, 50, 50, 50), 10
#: Learning rates tried at every batch size, when the rate is re-tuned per batch.
BATCH_LRS = (0.1, 0.3, 0.5, 1.0, 2.0)
#: Learning rates tried for every optimiser; momentum's μ.
LRS, MOMENTUM = (0.001, 0.01, 0.1, 1.0), 0.9
#: The optimisers compared, by the name the chapter uses.
KINDS = ("SGD", "momentum", "Adam")
#: The settings whose curves the chapter draws, (optimiser, learning rate), and the
#: training loss whose first epoch it compares.
COMPARED = (("SGD", 0.1), ("momentum", 0.1), ("momentum", 0.01), ("Adam", 0.01))
TARGET_LOSS = 0.32


def seeds(n: int = defaults.MB_SEEDS) -> tuple[int, ...]:
    """The chapter's seeds: 0 … n − 1."""
    return tuple(range(n))


def validation_set() -> LabelledPoints:
    """The points every comparison of the chapter is judged on: the validation set
    of "Validation, overfitting and early stopping" (`gradlab.generalization`)."""
    return splits().validation


def judged(
    stacks: Sequence[Stack], data: LabelledPoints, *, rows: int = 2_000
) -> tuple[Tensor, Tensor]:
    """Each copy's mean loss and error rate on ``data``, stack after stack: two
    tensors (len(stacks), S), computed without gradients, ``rows`` points at a
    time."""
    together = concat(stacks)
    loss = torch.zeros(together.copies, dtype=torch.float64)
    with torch.no_grad():
        for x, y in zip(data.x.split(rows), data.y.split(rows), strict=True):
            loss += copy_losses(together.scores(x), y).double() * len(y)
        errors = copy_errors(together, data.x, data.y)
    shape = (len(stacks), stacks[0].copies)
    return (loss / len(data)).reshape(shape), errors.reshape(shape)


def classifiers(
    seeds: Sequence[int],
    widths: tuple[int, ...] = (defaults.MB_HIDDEN,),
    init="default",
) -> list[nn.Sequential]:
    """One `relu_mlp` per seed."""
    return [relu_mlp(widths, seed=s, init=init) for s in seeds]


def _train(stacks, optimizers, *, batch_size, epochs, seeds, schedulers=()) -> Tensor:
    data = training_set()
    return train_stacked(
        stacks,
        optimizers,
        data.x,
        data.y,
        batch_size=batch_size,
        epochs=epochs,
        seeds=seeds,
        schedulers=schedulers,
    )


def batch_size_experiment(
    batch_sizes: Sequence[int] = BATCH_SIZES,
    *,
    steps: int = BATCH_STEPS,
    lr: float = defaults.MB_LR,
    n_seeds: int = defaults.MB_SEEDS,
) -> dict[int, Tensor]:
    """SGD at each batch size for the same number of ``steps`` (so for
    steps / steps-per-epoch epochs): batch size -> training loss after every epoch,
    (S, epochs + 1)."""
    found, models = {}, classifiers(seeds(n_seeds))
    for b in batch_sizes:
        per_epoch = steps_per_epoch(defaults.MLP_TRAIN_SIZE, b)
        if steps % per_epoch:
            raise ValueError(f"{steps} steps are no whole number of epochs at {b}")
        stack = stack_modules(models)
        sgd = torch.optim.SGD(stack.parameters(), lr=lr)
        found[b] = _train(
            [stack],
            [sgd],
            batch_size=b,
            epochs=steps // per_epoch,
            seeds=seeds(n_seeds),
        )[0]
    return found


@dataclass(frozen=True)
class BatchTuning:
    """Validation losses (B, L, S) of plain SGD after the same number of steps, per
    batch size in ``batch_sizes`` and learning rate in ``lrs`` (inf where the
    training diverged)."""

    batch_sizes: tuple[int, ...]
    lrs: tuple[float, ...]
    val_losses: Tensor

    def best_lr(self, batch_size: int) -> float:
        """The learning rate with the lowest mean validation loss at ``batch_size``."""
        means = self.val_losses[self.batch_sizes.index(batch_size)].mean(-1)
        return self.lrs[int(means.argmin())]

    def at(self, batch_size: int, lr: float) -> Tensor:
        """The validation losses (S,) of one batch size at one learning rate."""
        return self.val_losses[self.batch_sizes.index(batch_size), self.lrs.index(lr)]


def batch_lr_experiment(
    batch_sizes: Sequence[int] = BATCH_SIZES,
    lrs: Sequence[float] = BATCH_LRS,
    *,
    steps: int = BATCH_STEPS,
    n_seeds: int = defaults.MB_SEEDS,
) -> BatchTuning:
    """SGD at every batch size and every learning rate for the same number of
    ``steps``, from the same starts; each run judged on `validation_set`."""
    s, val = seeds(n_seeds), validation_set()
    models, found = classifiers(s), []
    for b in batch_sizes:
        stacks = [stack_modules(models) for _ in lrs]
        sgd = torch.optim.SGD(
            [
                {"params": st.parameters(), "lr": r}
                for st, r in zip(stacks, lrs, strict=True)
            ],
            lr=lrs[0],
        )
        epochs = steps // steps_per_epoch(defaults.MLP_TRAIN_SIZE, b)
        _train(stacks, [sgd], batch_size=b, epochs=epochs, seeds=s)
        found.append(judged(stacks, val)[0].nan_to_num(nan=torch.inf))
    return BatchTuning(tuple(batch_sizes), tuple(lrs), torch.stack(found))


def epoch_seconds(
    batch_sizes: Sequence[int] = BATCH_SIZES,
    *,
    lr: float = defaults.MB_LR,
    epochs: int = 5,
    seed: int = 0,
) -> dict[int, float]:
    """Measured: seconds per epoch of `train_epoch` on one classifier, with a
    `DataLoader` (`gradlab.training.batches`), per batch size; the fastest of
    ``epochs`` epochs after one to warm up. Differs from run to run."""
    data = training_set()
    found = {}
    for b in batch_sizes:
        model = classifiers([seed])[0]
        sgd = torch.optim.SGD(model.parameters(), lr=lr)
        loader, loss_fn = batches(data, b, seed=seed), nn.BCEWithLogitsLoss()
        times = []
        for _ in range(epochs + 1):
            start = time.perf_counter()
            train_epoch(model, loader, loss_fn=loss_fn, optimizer=sgd)
            times.append(time.perf_counter() - start)
        found[b] = min(times[1:])
    return found


@dataclass(frozen=True)
class Schedules:
    """Per learning-rate setting, by name: the training losses (S, epochs + 1) in
    ``train``, and the validation losses at the end (S,) in ``validation``."""

    train: dict[str, Tensor]
    validation: dict[str, Tensor]


def schedule_experiment(
    *,
    lr: float = defaults.MB_LR,
    fast_lr: float = FAST_LR,
    drop: float = DROP,
    epochs: int = defaults.MB_EPOCHS,
    batch_size: int = defaults.MB_BATCH,
    n_seeds: int = defaults.MB_SEEDS,
) -> Schedules:
    """Mini-batch SGD at a constant ``lr``, at a constant ``fast_lr``, and at
    ``fast_lr`` times ``drop`` from two thirds of the epochs on
    (``torch.optim.lr_scheduler.MultiStepLR``)."""
    names = (
        f"lr {lr:g}",
        f"lr {fast_lr:g}",
        f"lr {fast_lr:g}, then {fast_lr * drop:g}",
    )
    models = classifiers(seeds(n_seeds))
    stacks = [stack_modules(models) for _ in names]
    sgds = [
        torch.optim.SGD(s.parameters(), lr=r)
        for s, r in zip(stacks, (lr, fast_lr, fast_lr), strict=True)
    ]
    step = torch.optim.lr_scheduler.MultiStepLR(
        sgds[2], milestones=[2 * epochs // 3], gamma=drop
    )
    losses = _train(
        stacks,
        sgds,
        batch_size=batch_size,
        epochs=epochs,
        seeds=seeds(n_seeds),
        schedulers=[step],
    )
    val = judged(stacks, validation_set())[0]
    return Schedules(
        dict(zip(names, losses, strict=True)), dict(zip(names, val, strict=True))
    )


@dataclass(frozen=True)
class InitComparison:
    """Per scheme (rows, in ``schemes`` order): the chapter classifier's initial
    loss per seed (K, S); the deep network's activation spread per hidden layer
    (`gradlab.initialization.activation_spread`, K, L), the size of its first
    layer's weight gradient at the start per seed (K, S), and its training losses
    (K, S, E + 1)."""

    schemes: tuple[str, ...]
    initial_losses: Tensor
    spread: Tensor
    gradients: Tensor
    deep_losses: Tensor


def init_experiment(
    schemes: Sequence[str] = SCHEMES,
    *,
    deep: tuple[int, ...] = DEEP_WIDTHS,
    lr: float = defaults.MB_LR,
    epochs: int = DEEP_EPOCHS,
    batch_size: int = defaults.MB_BATCH,
    n_seeds: int = defaults.MB_SEEDS,
) -> InitComparison:
    """Each initialisation scheme on the chapter's classifier (initial loss) and on
    a deep ReLU network of hidden ``deep`` widths (spread and training by SGD)."""
    from gradlab.initialization import activation_spread, first_layer_gradients

    data, s = training_set(), seeds(n_seeds)
    initial, spread, gradients, stacks = [], [], [], []
    for scheme in schemes:
        shallow = stack_modules(classifiers(s, init=scheme))
        with torch.no_grad():
            initial.append(copy_losses(shallow.scores(data.x), data.y))
            stack = stack_modules(classifiers(s, deep, init=scheme))
            spread.append(activation_spread(stack.activations(data.x)))
        gradients.append(first_layer_gradients(stack, data.x, data.y))
        stacks.append(stack)
    sgd = torch.optim.SGD([p for st in stacks for p in st.parameters()], lr=lr)
    losses = _train(stacks, [sgd], batch_size=batch_size, epochs=epochs, seeds=s)
    return InitComparison(
        tuple(schemes),
        torch.stack(initial),
        torch.stack(spread),
        torch.stack(gradients),
        losses,
    )


@dataclass(frozen=True)
class OptimizerSweep:
    """Training losses (K, L, S, E + 1) of every optimiser in ``kinds`` at every
    learning rate in ``lrs``; the validation losses and error rates at the end
    (K, L, S), inf where training diverged; the ``trained`` stacks (K lists of L)."""

    kinds: tuple[str, ...]
    lrs: tuple[float, ...]
    losses: Tensor
    val_losses: Tensor
    val_errors: Tensor
    trained: list[list[Stack]]

    def best_lr(self, kind: str) -> float:
        """The learning rate with ``kind``'s lowest mean validation loss."""
        return self.lrs[int(self.val_losses[self.kinds.index(kind)].mean(-1).argmin())]

    def tested(self, kind: str, lr: float) -> tuple[Tensor, Tensor]:
        """The test losses and error rates (S,) of one optimiser at one rate, on the
        test set of "Training MLPs". The chapter calls this once, at the end."""
        stack = self.trained[self.kinds.index(kind)][self.lrs.index(lr)]
        losses, errors = judged([stack], test_set())
        return losses[0], errors[0]

    def curves(self, kind: str, lr: float) -> Tensor:
        """The losses (S, E + 1) of one optimiser at one learning rate."""
        return self.losses[self.kinds.index(kind), self.lrs.index(lr)]


def optimizer_sweep(
    lrs: Sequence[float] = LRS,
    *,
    momentum: float = MOMENTUM,
    epochs: int = defaults.MB_EPOCHS,
    batch_size: int = defaults.MB_BATCH,
    n_seeds: int = defaults.MB_SEEDS,
) -> OptimizerSweep:
    """Plain SGD, SGD with ``momentum`` and Adam, each at every learning rate, on
    the same batches from the same starts, for the same ``epochs``."""
    s = seeds(n_seeds)
    models = classifiers(s)
    stacks = [[stack_modules(models) for _ in lrs] for _ in KINDS]

    def groups(row):
        return [
            {"params": st.parameters(), "lr": r} for st, r in zip(row, lrs, strict=True)
        ]

    optimizers = [
        torch.optim.SGD(groups(stacks[0]), lr=lrs[0], foreach=True),
        torch.optim.SGD(groups(stacks[1]), lr=lrs[0], momentum=momentum, foreach=True),
        torch.optim.Adam(groups(stacks[2]), lr=lrs[0], foreach=True),
    ]
    flat = [st for row in stacks for st in row]
    losses = _train(flat, optimizers, batch_size=batch_size, epochs=epochs, seeds=s)
    val_losses, val_errors = judged(flat, validation_set())
    shape = (len(KINDS), len(lrs))
    return OptimizerSweep(
        KINDS,
        tuple(lrs),
        losses.reshape(*shape, *losses.shape[1:]),
        val_losses.reshape(*shape, -1).nan_to_num(nan=torch.inf),
        val_errors.reshape(*shape, -1),
        stacks,
    )
