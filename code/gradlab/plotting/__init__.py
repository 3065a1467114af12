"""Every figure of the book.

Plotting functions take computed results (they never compute them), accept
``ax=None`` and return the Axes or Figure they drew on. No computing module imports
this package; only the front ends do (the top-level namespace, the CLI, the figure
registry)."""

from gradlab.plotting.chain import (
    animate_chain,
    animation_html,
    plot_chain,
    plot_chain_history,
    plot_chains,
    plot_loss_curve,
    plot_lr_sweep,
    plot_pull_run,
    plot_pulled,
    plot_schedules,
)
from gradlab.plotting.descent import (
    plot_descent_paths,
    plot_gradient_field,
    plot_losses,
    plot_measured_vs_predicted,
    plot_parabola_convergence,
    plot_parabola_fits,
    plot_series_fit,
)
from gradlab.plotting.gradcheck import plot_gradcheck_errors
from gradlab.plotting.mlp import (
    plot_decision_boundaries,
    plot_mixture,
    plot_regression_fit,
    plot_training_losses,
)
from gradlab.plotting.style import styled

__all__ = [
    "animate_chain",
    "animation_html",
    "plot_chain",
    "plot_chain_history",
    "plot_chains",
    "plot_decision_boundaries",
    "plot_descent_paths",
    "plot_gradcheck_errors",
    "plot_gradient_field",
    "plot_loss_curve",
    "plot_losses",
    "plot_lr_sweep",
    "plot_measured_vs_predicted",
    "plot_mixture",
    "plot_parabola_convergence",
    "plot_parabola_fits",
    "plot_pull_run",
    "plot_pulled",
    "plot_regression_fit",
    "plot_schedules",
    "plot_series_fit",
    "plot_training_losses",
    "styled",
]
