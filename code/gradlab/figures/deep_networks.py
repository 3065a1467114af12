"""Figures of book/deep-networks.md: name -> (what the figure draws, how it is
drawn)."""

from gradlab.experiments import depth as lab
from gradlab.plotting.depth import (
    plot_gradient_profiles,
    plot_gradient_ratios,
    plot_layer_histograms,
    plot_norm_comparison,
    plot_stuck_units,
    plot_train_mode_bug,
    plot_update_ratios,
)


def _activations():
    return {init: r.activations for init, r in lab.records().items()}


FIGURES = {
    "deep-activations": (
        _activations,
        lambda r: plot_layer_histograms(r, xlabel="tanh output"),
    ),
    "deep-gradients": (lab.profiles, plot_gradient_profiles),
    "deep-stuck": (lab.profiles, plot_stuck_units),
    "deep-depth": (
        lambda: (lab.gradient_ratios(), lab.DEPTHS),
        lambda r: plot_gradient_ratios(*r),
    ),
    "deep-update-ratios": (lab.ratio_sweep, plot_update_ratios),
    "deep-norms": (lab.norm_comparison, plot_norm_comparison),
    "deep-train-mode": (lab.train_mode_bug, plot_train_mode_bug),
}
