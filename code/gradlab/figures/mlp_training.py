"""Figures of book/mlp-training.md and book/mlp-modules.md: name -> (what the figure
draws, how it is drawn)."""

from gradlab import experiments, plotting

FIGURES = {
    "mlp-mixture": (experiments.training_data, lambda r: plotting.plot_mixture(*r)),
    "mlp-training-loss": (
        lambda: experiments.loss_curve(experiments.lab_run()),
        plotting.plot_training_losses,
    ),
    "mlp-boundaries": (
        lambda: (
            experiments.trained_models(experiments.width_experiment()),
            *experiments.training_data()[::-1],
        ),
        lambda r: plotting.plot_decision_boundaries(r[0], r[1], mixture=r[2]),
    ),
    "mlp-sine-fit": (experiments.sine_fit, plotting.plot_regression_fit),
    "mlp-wiggly-fit": (experiments.wiggly_fit, plotting.plot_regression_fit),
}
