"""Experiments of "Validation, overfitting and early stopping": the three splits, the
widest network trained far longer than before, early stopping on its validation
loss, and the generalisation gap of each width over many training draws."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from gradlab import defaults
from gradlab.data import LabelledPoints, default_mixture
from gradlab.experiments.mlp import (
    WIDTHS,
    PairedErrors,
    WidthErrors,
    test_set,
)
from gradlab.generalization import (
    EarlyStop,
    Splits,
    ValidatedRun,
    early_stopping,
    early_stopping_draws,
    errors_of,
    three_splits,
    train_draws,
    validation_curves,
)
from gradlab.mlp import MLPParams, init_mlp
from gradlab.stacked import CHUNK, stack_params

#: Epochs of the long run whose decision boundaries the chapter draws (besides the
#: early-stopped and the last).
KEEP_EPOCHS = (20,)
#: Draw k of the gap experiment: training set from seed DRAW_SEED + k, start from k.
DRAW_SEED = 1_000
#: Early stopping is judged against the long run from the starts 0 … STOP_STARTS − 1
#: on the chapter's training set.
STOP_STARTS = 5


def splits() -> Splits:
    """The chapter's training, validation and test sets (`three_splits`)."""
    return three_splits(default_mixture())


def overfitting_run(
    hidden: int = defaults.LONG_HIDDEN,
    *,
    lr: float = defaults.MLP_LR,
    epochs: int = defaults.LONG_EPOCHS,
    keep: Sequence[int] = KEEP_EPOCHS,
    seed: int = defaults.MLP_SEED,
) -> ValidatedRun:
    """`validation_curves` of the `init_mlp` network from ``seed`` on the splits."""
    return validation_curves(*_start(hidden, seed), lr=lr, epochs=epochs, keep=keep)


def stopped_run(
    hidden: int = defaults.LONG_HIDDEN,
    *,
    lr: float = defaults.MLP_LR,
    patience: int = defaults.PATIENCE,
    max_epochs: int = defaults.LONG_EPOCHS,
    seed: int = defaults.MLP_SEED,
) -> EarlyStop:
    """`early_stopping` of the same network from the same start."""
    return early_stopping(
        *_start(hidden, seed), lr=lr, patience=patience, max_epochs=max_epochs
    )


def _start(hidden: int, seed: int) -> tuple[MLPParams, LabelledPoints, LabelledPoints]:
    """Where both runs start: the `init_mlp` network from ``seed``, and the training
    and validation sets of `splits`."""
    s = splits()
    return init_mlp(hidden, seed=seed), s.train, s.validation


def boundary_models(run: ValidatedRun, stop: EarlyStop) -> dict[str, MLPParams]:
    """The networks whose boundaries the chapter draws, by title: the long run's at
    each of `KEEP_EPOCHS`, the early-stopped one and the long run's last."""
    last = len(run.curves.train_loss) - 1
    models = {f"epoch {e:,}": run.snapshots[e] for e in KEEP_EPOCHS}
    models[f"epoch {stop.best_epoch:,} (early stopping)"] = stop.trained
    models[f"epoch {last:,} (last)"] = run.trained
    return models


def draw_sets(
    draws: int = defaults.GAP_DRAWS,
    n: int = defaults.MLP_TRAIN_SIZE,
    *,
    first_seed: int = DRAW_SEED,
) -> list[LabelledPoints]:
    """The gap experiment's training sets: draw k from seed ``first_seed`` + k."""
    mixture = default_mixture()
    return [mixture.sample(n, seed=first_seed + k) for k in range(draws)]


def gap_experiment(
    widths: Sequence[int] = WIDTHS,
    *,
    draws: int = defaults.GAP_DRAWS,
    lr: float = defaults.MLP_LR,
    epochs: int = defaults.MLP_EPOCHS,
    test: LabelledPoints | None = None,
    first_seed: int = DRAW_SEED,
    first_start: int = 0,
) -> dict[int, WidthErrors]:
    """Per width, ``draws`` independent trainings at the lab's settings: draw k trains
    `init_mlp` from seed ``first_start`` + k on its own training set (`draw_sets`
    from ``first_seed``); errors on that set and on ``test`` (default: the chapter's
    `test_set`), one per draw (D,)."""
    test = test_set() if test is None else test
    sets = draw_sets(draws, first_seed=first_seed)
    starts = range(first_start, first_start + draws)
    results = {}
    for hidden in widths:
        trained = train_draws(hidden, sets, lr=lr, epochs=epochs, seeds=starts)
        results[hidden] = WidthErrors(
            hidden, errors_of(trained, sets), errors_of(trained, test)
        )
    return results


@dataclass(frozen=True)
class StoppingRuns:
    """Per start, in order: the epoch early stopping kept, and the paired test
    comparison of the early-stopped network with the network after the last epoch
    (a positive difference: stopping early erred less)."""

    starts: list[int]
    best_epochs: list[int]
    paired: list[PairedErrors]

    def tally(self) -> dict[str, int]:
        """How many runs early stopping did better, equally well, worse on test."""
        d = [p.difference for p in self.paired]
        return {
            "better": sum(x > 0 for x in d),
            "tied": sum(x == 0 for x in d),
            "worse": sum(x < 0 for x in d),
        }


def stopping_runs(
    hidden: int = defaults.LONG_HIDDEN,
    *,
    starts: int = STOP_STARTS,
    lr: float = defaults.MLP_LR,
    patience: int = defaults.PATIENCE,
    max_epochs: int = defaults.LONG_EPOCHS,
    first: tuple[EarlyStop, ValidatedRun] | None = None,
    train: LabelledPoints | None = None,
) -> StoppingRuns:
    """Early stopping against the long run's last epoch from the `init_mlp` starts
    0 … ``starts`` − 1 on ``train`` (default: the chapter's training set), judged
    once on the test set. Start 0 is the chapter's own run: pass its ``first`` =
    (`stopped_run`, `overfitting_run`) results, at these settings, to reuse them."""
    s = splits()
    if train is not None:
        if first:
            raise ValueError("first is the chapter's run: it needs its training set")
        s = Splits(train, s.validation, s.test)
    todo = list(range(1 if first else 0, starts))
    done = early_stopping_draws(
        [init_mlp(hidden, seed=k) for k in todo],
        [s.train] * len(todo),
        s.validation,
        lr=lr,
        patience=patience,
        max_epochs=max_epochs,
    )
    stopped, last, epochs = done.stopped, done.last, done.best_epochs.tolist()
    if first:
        stop, run = first
        stopped, last = [stop.trained, *stopped], [run.trained, *last]
        epochs = [stop.best_epoch, *epochs]
    return StoppingRuns(list(range(starts)), epochs, _paired(stopped, last, s.test))


def _paired(
    first: list[MLPParams], second: list[MLPParams], points: LabelledPoints
) -> list[PairedErrors]:
    """`gradlab.experiments.mlp.paired_errors` of each pair, all scored as one
    stack a few hundred points at a time (the same numbers, faster)."""
    stack, n = stack_params([*first, *second]), len(first)
    rows = max(1, CHUNK // (stack.copies * stack.weights[0].shape[1]))
    with torch.no_grad():
        wrong = torch.cat(
            [
                (stack.scores(x) > 0).to(y.dtype) != y
                for x, y in zip(points.x.split(rows), points.y.split(rows), strict=True)
            ],
            dim=1,
        ).double()
    d = wrong[n:] - wrong[:n]  # (pairs, N): +1 where only the second errs
    return [
        PairedErrors(
            float((dk != 0).double().mean()),
            float(dk.mean()),
            float(dk.std() / math.sqrt(len(dk))),
        )
        for dk in d
    ]
