"""Figures of book/mlp-training.md and book/mlp-modules.md: name -> (what the figure
draws, how it is drawn)."""

from gradlab.experiments import mlp as lab
from gradlab.plotting.descent import plot_training_losses
from gradlab.plotting.mlp import (
    plot_decision_boundaries,
    plot_mixture,
    plot_regression_fit,
)

FIGURES = {
    "mlp-mixture": (lab.training_data, lambda r: plot_mixture(*r)),
    "mlp-training-loss": (
        lambda: lab.loss_curve(lab.lab_run()),
        plot_training_losses,
    ),
    "mlp-boundaries": (
        lambda: (
            lab.trained_models(lab.width_experiment()),
            *lab.training_data()[::-1],
        ),
        lambda r: plot_decision_boundaries(r[0], r[1], mixture=r[2]),
    ),
    "mlp-sine-fit": (lab.sine_fit, plot_regression_fit),
    "mlp-wiggly-fit": (lab.wiggly_fit, plot_regression_fit),
}
