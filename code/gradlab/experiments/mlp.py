"""Experiments of "Training MLPs": the classifier's data, training at the lab's
settings, and the same training at several widths."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from gradlab import defaults
from gradlab.data import (
    SINE_SEED,
    TEST_SEED,
    TRAIN_SEED,
    VAL_SEED,
    WIGGLY_SEED,
    GaussianMixture,
    LabelledPoints,
    Series,
    default_mixture,
    noisy_sine,
    wiggly,
    wiggly_sample,
)
from gradlab.descent import Callback
from gradlab.mlp import (
    MLPParams,
    init_mlp,
    mlp_predict,
    stacked_tanh,
    stacked_tanh_forward,
    tanh_mlp,
    wide_net,
)
from gradlab.stacked import Stack, copy_errors, stack_params, unstack
from gradlab.training import (
    CurveFit,
    MLPRun,
    error_rate,
    fit_module,
    train_copies,
    train_mlp,
    training_step,
)

#: The widths compared in the chapter, and the epochs of the widest one's long run.
WIDTHS = (5, 10, 100, 500)
LONG_EPOCHS = 1000
#: Epochs of the sine fit after its first step (the year Cauchy published gradient
#: descent, as the source tutorial likes to point out) and of the wiggly fit.
SINE_EPOCHS, WIGGLY_EPOCHS = 1847, 6000
#: Hidden units of the sine fit's network; the wiggly fit's layers and learning rate.
SINE_HIDDEN, WIGGLY_WIDTHS, WIGGLY_LR = 512, (32, 32), 0.05
#: The epochs of the wiggly fit's first flat stretch (its loss still near the
#: curve's mean square), read off its loss curve.
WIGGLY_FLAT_START = 300


#: Start seeds of every comparison over seeds; the training sets (their seeds) and
#: starts whose every pairing trains the widest network for `LONG_EPOCHS`.
START_SEEDS = (0, 1, 2, 3, 4)
LONG_SETS, LONG_STARTS = (TRAIN_SEED, 11, 12), (0, 1)


def training_set(
    n: int = defaults.MLP_TRAIN_SIZE, *, seed: int = TRAIN_SEED
) -> LabelledPoints:
    """The chapter's training points from `default_mixture`."""
    return default_mixture().sample(n, seed=seed)


def test_set(n: int = defaults.TEST_SIZE, *, seed: int = TEST_SEED) -> LabelledPoints:
    """The chapter's test points: Hoeffding's size for ±1 % with 99 % confidence."""
    return default_mixture().sample(n, seed=seed)


def validation_set(
    n: int = defaults.TEST_SIZE, *, seed: int = VAL_SEED
) -> LabelledPoints:
    """The chapter's validation points, as many as the test set: what it compares on."""
    return default_mixture().sample(n, seed=seed)


#: Independent training sets drawn to show how much one set's error varies.
DRAWS = 1000


def bayes_training_errors(
    draws: int = DRAWS, n: int = defaults.MLP_TRAIN_SIZE
) -> Tensor:
    """The Bayes classifier's error on each of ``draws`` training sets of size ``n``
    (seeds 0, 1, …), shape (draws,): how much a training error varies by draw."""
    mixture = default_mixture()
    errors = []
    for seed in range(draws):
        points = mixture.sample(n, seed=seed)
        errors.append(error_rate(mixture.bayes_predict(points.x), points.y))
    return torch.tensor(errors, dtype=torch.float64)


def training_data() -> tuple[GaussianMixture, LabelledPoints]:
    """The mixture and the chapter's training points drawn from it."""
    return default_mixture(), training_set()


def loss_curve(run: MLPRun) -> dict[str, Tensor]:
    """The losses of ``run`` labelled by its width, as the chapter plots them."""
    return {f"{run.trained.w1.shape[0]} hidden units": run.losses}


def trained_models(results: Mapping[int, WidthResult]) -> dict[str, MLPParams]:
    """label -> trained parameters, as the chapter's boundary figure names them."""
    return {f"{h} hidden units": r.run.trained for h, r in results.items()}


def lab_run(
    hidden: int = defaults.MLP_HIDDEN,
    *,
    lr: float = defaults.MLP_LR,
    epochs: int = defaults.MLP_EPOCHS,
    seed: int = defaults.MLP_SEED,
) -> MLPRun:
    """`train_mlp` at the source lab's settings on `training_set`."""
    return train_mlp(init_mlp(hidden, seed=seed), training_set(), lr=lr, epochs=epochs)


@dataclass(frozen=True)
class WidthErrors:
    """The error rates of a network of ``hidden`` units on the points it was trained
    on and on a test set: floats for one training, tensors (D,) for D trainings."""

    hidden: int
    train_error: float | Tensor
    test_error: float | Tensor

    @property
    def gap(self) -> float | Tensor:
        """Generalisation gap: test error minus train error."""
        return self.test_error - self.train_error


@dataclass(frozen=True)
class WidthResult(WidthErrors):
    """One width of `width_experiment`: its errors (floats) and its ``run``."""

    run: MLPRun


def width_experiment(
    widths: Sequence[int] = WIDTHS,
    *,
    train: LabelledPoints | None = None,
    test: LabelledPoints | None = None,
    lr: float = defaults.MLP_LR,
    epochs: int = defaults.MLP_EPOCHS,
    seed: int = defaults.MLP_SEED,
    callback: Callback | None = None,
) -> dict[int, WidthResult]:
    """Train one classifier per hidden width on ``train``; measure errors on both sets.

    Every width starts from `init_mlp` with the same ``seed``. The default sets are
    the chapter's: `training_set()` and `test_set()`. ``callback`` is
    `gradient_descent`'s, for every training.
    """
    train = training_set() if train is None else train
    test = test_set() if test is None else test
    results = {}
    for hidden in widths:
        params = init_mlp(hidden, seed=seed)
        run = train_mlp(params, train, lr=lr, epochs=epochs, callback=callback)
        results[hidden] = WidthResult(
            hidden,
            error_rate(mlp_predict(run.trained, train.x), train.y),
            error_rate(mlp_predict(run.trained, test.x), test.y),
            run,
        )
    return results


def _fit(net: nn.Module, data: Series, optimizer, epochs: int, grid: Tensor, truth):
    x, y = data.t[:, None], data.y[:, None]
    losses = fit_module(
        net, x, y, loss_fn=nn.MSELoss(), optimizer=optimizer, epochs=epochs
    )
    with torch.no_grad():
        fitted = net(grid[:, None]).squeeze(1)
    return CurveFit(data, grid, fitted, truth, losses)


def sine_fit(
    epochs: int = SINE_EPOCHS, *, hidden: int = SINE_HIDDEN, seed: int = SINE_SEED
) -> CurveFit:
    """`wide_net` fitted to `noisy_sine` by SGD (lr 0.003, momentum 0.9): one
    `training_step` (the chapter takes it alone), then ``epochs`` more; ``losses``
    are theirs."""
    data, net = noisy_sine(seed=seed), wide_net(hidden, seed=seed)
    sgd = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)
    x, y = data.t[:, None], data.y[:, None]
    training_step(net, x, y, loss_fn=nn.MSELoss(), optimizer=sgd)
    grid = torch.linspace(-1, 1, 200)
    return _fit(net, data, sgd, epochs, grid, torch.sin(math.pi * grid))


@dataclass(frozen=True)
class PairedErrors:
    """Two classifiers scored on the same points: on what share they disagree, how
    much more often the second errs (its error minus the first's), and the standard
    error of that difference, from the per-point differences (each −1, 0 or 1)."""

    disagree: float
    difference: float
    standard_error: float


def paired_errors(
    first: MLPParams, second: MLPParams, points: LabelledPoints
) -> PairedErrors:
    """Compare two trained classifiers point by point on ``points``."""
    wrong = [(mlp_predict(p, points.x) != points.y).double() for p in (first, second)]
    d = wrong[1] - wrong[0]
    return PairedErrors(
        float((d != 0).double().mean()),
        float(d.mean()),
        float(d.std() / math.sqrt(len(d))),
    )


def fit_reach(
    grid: Tensor, fitted: Tensor, truth: Tensor, *, tol: float = 0.5
) -> float:
    """How far along ``grid`` (G,), increasing, ``fitted`` stays within ``tol`` of
    ``truth``: the last grid point before the first miss (the whole grid if none)."""
    misses = ((fitted - truth).abs() > tol).nonzero()
    if len(misses) == 0:
        return float(grid[-1])
    return float(grid[max(int(misses[0]) - 1, 0)])


def wiggly_fit(
    epochs: int = WIGGLY_EPOCHS,
    *,
    widths: tuple[int, ...] = WIGGLY_WIDTHS,
    lr: float = WIGGLY_LR,
    seed: int = WIGGLY_SEED,
) -> CurveFit:
    """`tanh_mlp` fitted to `wiggly_sample` by plain SGD at ``lr``, full batch."""
    data, net = wiggly_sample(seed=seed), tanh_mlp(widths, seed=seed)
    sgd = torch.optim.SGD(net.parameters(), lr=lr)
    grid = torch.linspace(0, 1, 300)
    return _fit(net, data, sgd, epochs, grid, wiggly(grid))


@dataclass(frozen=True)
class SeedErrors:
    """One width trained from several starts (S of them) on one training set: the
    spread of the scores over the training points at each start, the error rates
    on the training and the held-out points, each (S,), and the trained stack."""

    hidden: int
    start_spread: Tensor
    train_error: Tensor
    held_out_error: Tensor
    trained: Stack


def width_over_seeds(
    widths: Sequence[int] = WIDTHS,
    *,
    held_out: LabelledPoints,
    train: LabelledPoints | None = None,
    scale: str = "uniform",
    seeds: Sequence[int] = START_SEEDS,
    lr: float = defaults.MLP_LR,
    epochs: int = defaults.MLP_EPOCHS,
) -> dict[int, SeedErrors]:
    """Per width, `init_mlp` (``scale``) from each of ``seeds``, trained side by side
    on ``train`` (default `training_set`); errors on it and on ``held_out``."""
    train = training_set() if train is None else train
    results = {}
    for hidden in widths:
        starts = [init_mlp(hidden, seed=s, scale=scale) for s in seeds]
        with torch.no_grad():
            spread = stack_params(starts).scores(train.x).std(-1)
        stack = train_copies(starts, train.x, train.y, lr=lr, epochs=epochs)[epochs]
        results[hidden] = SeedErrors(
            hidden,
            spread,
            copy_errors(stack, train.x, train.y),
            copy_errors(stack, held_out.x, held_out.y),
            stack,
        )
    return results


@dataclass(frozen=True)
class LongerRuns:
    """Runs of one network, each a (training set, start) pairing, scored on held-out
    points after ``epochs[0]`` and after ``epochs[1]`` epochs: ``before``,
    ``after`` (R,). ``first`` holds run 0's networks at the two epoch counts."""

    epochs: tuple[int, int]
    before: Tensor
    after: Tensor
    first: tuple[MLPParams, MLPParams]

    @property
    def rise(self) -> Tensor:
        """The held-out error after minus before, per run (R,)."""
        return self.after - self.before


def longer_runs(
    hidden: int = WIDTHS[-1],
    *,
    held_out: LabelledPoints,
    sets: Sequence[int] = LONG_SETS,
    starts: Sequence[int] = LONG_STARTS,
    epochs: tuple[int, int] = (defaults.MLP_EPOCHS, LONG_EPOCHS),
    lr: float = defaults.MLP_LR,
) -> LongerRuns:
    """Every pairing of a training set (drawn with each seed of ``sets``) and an
    `init_mlp` start (each seed of ``starts``), trained for ``epochs[1]`` epochs;
    the held-out error after ``epochs[0]`` and at the end. Run 0 pairs the first
    set with the first start."""
    mixture = default_mixture()
    trains = [mixture.sample(defaults.MLP_TRAIN_SIZE, seed=s) for s in sets]
    pairs = [(t, s) for t in trains for s in starts]
    x = torch.stack([t.x for t, _ in pairs])
    y = torch.stack([t.y for t, _ in pairs])
    inits = [init_mlp(hidden, seed=s) for _, s in pairs]
    kept = train_copies(inits, x, y, lr=lr, epochs=epochs[1], keep=epochs[:1])
    before, after = (copy_errors(kept[e], held_out.x, held_out.y) for e in epochs)
    first = unstack(kept[epochs[0]], 0), unstack(kept[epochs[1]], 0)
    return LongerRuns(epochs, before, after, first)


#: The depth comparison: one hidden layer as wide as the chapter's two layers have
#: parameters (both 1,153), Adam's learning rate, the epochs, and where the held-out
#: points of the wiggly curve come from.
DEPTH_WIDTHS = ((384,), WIGGLY_WIDTHS)
DEPTH_LR, DEPTH_EPOCHS, DEPTH_HELD_OUT_SEED = 0.01, 500, 99
#: The steepest first-layer slope of the spread start (`spread_bends`): about the
#: curve's own fastest rate of change, 12π ≈ 38, near x = 1.
DEPTH_SPREAD = 40.0


def spread_bends(net: nn.Sequential, slope: float, *, seed: int) -> nn.Sequential:
    """Redraw the first layer of a one-input `tanh_mlp` in place: weights w from
    U[−slope, slope] and each unit's bend at a point c of U[0, 1] (bias −w·c), so
    that the units are steep and bend all over [0, 1]. Returns ``net``."""
    g = torch.Generator().manual_seed(seed)
    first = net[0]
    w = slope * (2 * torch.rand(first.out_features, 1, generator=g) - 1)
    c = torch.rand(first.out_features, generator=g)
    with torch.no_grad():
        first.weight.copy_(w)
        first.bias.copy_(-w[:, 0] * c)
    return net


def depth_comparison(
    shapes: Sequence[tuple[int, ...]] = DEPTH_WIDTHS,
    *,
    seeds: Sequence[int] = START_SEEDS,
    lr: float = DEPTH_LR,
    epochs: int = DEPTH_EPOCHS,
    held_out: int = 1000,
    spread: float | None = None,
) -> dict[tuple[int, ...], Tensor]:
    """Per hidden-layer shape, `tanh_mlp` from each of ``seeds`` fitted to
    `wiggly_sample` by full-batch Adam, side by side; returns each network's mean
    squared error at ``held_out`` fresh points of `wiggly` (S,). With ``spread``,
    each start's first layer is redrawn by `spread_bends` at that slope."""
    data = wiggly_sample(seed=WIGGLY_SEED)
    x, y = data.t[:, None], data.y
    g = torch.Generator().manual_seed(DEPTH_HELD_OUT_SEED)
    fresh = torch.rand(held_out, generator=g)
    results = {}
    for shape in shapes:
        nets = [tanh_mlp(shape, seed=s) for s in seeds]
        if spread is not None:
            for net, s in zip(nets, seeds, strict=True):
                spread_bends(net, spread, seed=s)
        weights, biases = stacked_tanh(nets)
        adam = torch.optim.Adam([*weights, *biases], lr=lr)
        for _ in range(epochs):
            adam.zero_grad()
            fitted = stacked_tanh_forward(weights, biases, x)
            ((fitted - y) ** 2).mean(-1).sum().backward()  # each copy's own gradient
            adam.step()
        with torch.no_grad():
            out = stacked_tanh_forward(weights, biases, fresh[:, None])
            results[tuple(shape)] = ((out - wiggly(fresh)) ** 2).mean(-1)
    return results


#: The three-class problem: class means (one blob per class), their spread.
BLOB_MEANS, BLOB_STD = ((-1.0, 0.0), (1.0, 0.0), (0.0, 1.5)), 0.7


def three_blobs(n: int, *, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` points of three equally likely round Gaussian blobs in the plane: inputs
    (n, 2) and integer class labels (n,) in {0, 1, 2}."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(len(BLOB_MEANS), (n,), generator=g)
    means = torch.tensor(BLOB_MEANS)[labels]
    return means + BLOB_STD * torch.randn(n, 2, generator=g), labels


def blob_classifier(hidden: int = 16, *, seed: int) -> nn.Sequential:
    """Two inputs, one ReLU layer of ``hidden`` units, three logits; seeded."""
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, len(BLOB_MEANS))
        )
