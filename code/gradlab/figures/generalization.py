"""Figures of book/generalization.md: name -> (what the figure draws, how it is
drawn)."""

from gradlab import data, experiments, plotting


def _curves():
    curves = experiments.overfitting_run().curves
    return curves, curves.best_epoch


def _boundaries():
    run, stop = experiments.overfitting_run(), experiments.stopped_run()
    models = experiments.boundary_models(run, stop)
    return models, experiments.splits().train, data.default_mixture()


def _gap():
    draws = experiments.gap_experiment()
    train = {h: r.train_error for h, r in draws.items()}
    test = {h: r.test_error for h, r in draws.items()}
    return train, test, data.default_mixture().bayes_error()


FIGURES = {
    "gen-curves": (_curves, lambda r: plotting.plot_validation_curves(r[0], mark=r[1])),
    "gen-boundaries": (
        _boundaries,
        lambda r: plotting.plot_decision_boundaries(r[0], r[1], mixture=r[2]),
    ),
    "gen-gap": (_gap, lambda r: plotting.plot_gap_draws(r[0], r[1], bayes=r[2])),
}
