"""Figures of book/generalization.md: name -> (what the figure draws, how it is
drawn)."""

from gradlab import data
from gradlab.experiments import generalization as lab
from gradlab.plotting.generalization import plot_gap_draws, plot_validation_curves
from gradlab.plotting.mlp import plot_decision_boundaries


def _curves():
    curves = lab.overfitting_run().curves
    return curves, curves.best_epoch


def _boundaries():
    run, stop = lab.overfitting_run(), lab.stopped_run()
    models = lab.boundary_models(run, stop)
    return models, lab.splits().train, data.default_mixture()


def _gap():
    draws = lab.gap_experiment()
    train = {h: r.train_error for h, r in draws.items()}
    test = {h: r.test_error for h, r in draws.items()}
    return train, test, data.default_mixture().bayes_error()


FIGURES = {
    "gen-curves": (_curves, lambda r: plot_validation_curves(r[0], mark=r[1])),
    "gen-boundaries": (
        _boundaries,
        lambda r: plot_decision_boundaries(r[0], r[1], mixture=r[2]),
    ),
    "gen-gap": (_gap, lambda r: plot_gap_draws(r[0], r[1], bayes=r[2])),
}
