"""Figures of book/optimizers.md: name -> (what the figure draws, how it is drawn)."""

from gradlab import defaults, experiments, plotting


def _init():
    result = experiments.init_experiment()
    spread = dict(zip(result.schemes, result.spread, strict=True))
    curves = {
        name: runs
        for name, runs in zip(result.schemes, result.deep_losses, strict=True)
        if bool(runs.isfinite().all())
    }
    return spread, curves


def _compare():
    sweep = experiments.optimizer_sweep()
    curves = {(kind, lr): sweep.curves(kind, lr) for kind, lr in experiments.COMPARED}
    final = {kind: sweep.losses[i, :, :, -1] for i, kind in enumerate(sweep.kinds)}
    return curves, final, sweep.lrs


FIGURES = {
    "opt-batch-sizes": (
        lambda: (experiments.batch_size_experiment(), defaults.MLP_TRAIN_SIZE),
        lambda r: plotting.plot_batch_sizes(r[0], n=r[1]),
    ),
    "opt-schedules": (
        lambda: (experiments.schedule_experiment(), 2 * defaults.MB_EPOCHS // 3),
        lambda r: plotting.plot_lr_schedules(r[0], mark=r[1]),
    ),
    "opt-init": (_init, lambda r: plotting.plot_initializations(*r)),
    "opt-compare": (_compare, lambda r: plotting.plot_optimizers(*r)),
}
