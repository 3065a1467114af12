"""Every figure of the book.

Plotting functions take computed results (they never compute them), accept
``ax=None`` and return the Axes or Figure they drew on. No computing module imports
this package; only the front ends do (the top-level namespace, the CLI, the figure
registry). Names are imported on first use: importing this package loads no
matplotlib.
"""

from gradlab import _lazy

#: The public names, by the submodule that defines them.
_EXPORTS = {
    "chain": (
        "animate_chain",
        "animation_html",
        "plot_chain",
        "plot_chain_history",
        "plot_chains",
        "plot_lr_sweep",
        "plot_pull_run",
        "plot_pulled",
        "plot_schedules",
    ),
    "descent": (
        "plot_descent_paths",
        "plot_gradient_field",
        "plot_losses",
        "plot_measured_vs_predicted",
        "plot_parabola_convergence",
        "plot_parabola_fits",
        "plot_series_fit",
        "plot_training_losses",
    ),
    "generalization": ("plot_gap_draws", "plot_validation_curves"),
    "gradcheck": ("plot_gradcheck_errors",),
    "mlp": ("plot_decision_boundaries", "plot_mixture", "plot_regression_fit"),
    "optimizers": (
        "plot_batch_sizes",
        "plot_initializations",
        "plot_lr_schedules",
        "plot_optimizers",
    ),
    "style": ("styled",),
}

__all__, __getattr__, __dir__ = _lazy.attach(__name__, _EXPORTS)
