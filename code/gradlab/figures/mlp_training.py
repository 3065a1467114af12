"""Figures of book/mlp-training.md and book/mlp-modules.md: name -> (what the figure
draws, how it is drawn)."""

from gradlab import data, experiments, plotting


def _mixture():
    return data.default_mixture(), experiments.training_set()


def _boundaries():
    mixture, train = _mixture()
    runs = experiments.width_experiment(train=train, test=experiments.test_set())
    models = {f"{h} hidden units": r.run.trained for h, r in runs.items()}
    return models, train, mixture


def _curve(fit):
    return plotting.plot_regression_fit(
        fit.data, fit.grid, fit.fitted, truth=fit.truth, losses=fit.losses
    )


FIGURES = {
    "mlp-mixture": (_mixture, lambda r: plotting.plot_mixture(*r)),
    "mlp-training-loss": (
        lambda: {"5 hidden units": experiments.lab_run().losses},
        plotting.plot_training_losses,
    ),
    "mlp-boundaries": (
        _boundaries,
        lambda r: plotting.plot_decision_boundaries(r[0], r[1], mixture=r[2]),
    ),
    "mlp-sine-fit": (experiments.sine_fit, _curve),
    "mlp-wiggly-fit": (experiments.wiggly_fit, _curve),
}
