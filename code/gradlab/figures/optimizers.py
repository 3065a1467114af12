"""Figures of book/optimizers.md: name -> (what the figure draws, how it is drawn)."""

from gradlab import defaults
from gradlab.data import default_mixture
from gradlab.experiments import optimizers as lab
from gradlab.generalization import bayes_loss
from gradlab.plotting.optimizers import (
    plot_batch_sizes,
    plot_initializations,
    plot_lr_schedules,
    plot_optimizers,
)


def _init():
    result = lab.init_experiment()
    spread = dict(zip(result.schemes, result.spread, strict=True))
    curves = {
        name: runs
        for name, runs in zip(result.schemes, result.deep_losses, strict=True)
        if bool(runs.isfinite().all())
    }
    return spread, curves


def _compare():
    sweep = lab.optimizer_sweep()
    curves = {(kind, lr): sweep.curves(kind, lr) for kind, lr in lab.COMPARED}
    final = dict(zip(sweep.kinds, sweep.val_losses, strict=True))
    floor = bayes_loss(default_mixture(), lab.validation_set())
    return curves, final, sweep.lrs, floor


FIGURES = {
    "opt-batch-sizes": (
        lambda: (lab.batch_size_experiment(), defaults.MLP_TRAIN_SIZE),
        lambda r: plot_batch_sizes(r[0], n=r[1]),
    ),
    "opt-schedules": (
        lambda: (lab.schedule_experiment().train, 2 * defaults.MB_EPOCHS // 3),
        lambda r: plot_lr_schedules(r[0], mark=r[1]),
    ),
    "opt-init": (_init, lambda r: plot_initializations(*r)),
    "opt-compare": (_compare, lambda r: plot_optimizers(*r)),
}
