"""Figures of the chapter "Autograd from scratch": the engine beside torch."""

from __future__ import annotations

from matplotlib.axes import Axes

from gradlab.experiments.engine import TwinRun
from gradlab.plotting.style import axes_or_new, styled


@styled
def plot_twin_losses(run: TwinRun, ax: Axes | None = None) -> Axes:
    """The loss before each step of the engine's and of torch's training, log scale:
    a line for the engine, dots for torch on top of it."""
    ax = axes_or_new(ax, figsize=(6.4, 3.6))
    steps = range(len(run.engine_losses))
    ax.semilogy(steps, run.engine_losses, label="gradlab.engine")
    ax.semilogy(steps, run.torch_losses, "o", markersize=4, label="torch (float64)")
    ax.set(xlabel="step", ylabel="summed squared error")
    ax.legend()
    return ax
