"""Figures of the chapter "Training MLPs"."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.data import GaussianMixture, LabelledPoints
from gradlab.mlp import MLPParams, mlp_probability
from gradlab.plotting.descent import plot_training_losses
from gradlab.plotting.style import COLORS, INK, axes_or_new, new_figure, styled
from gradlab.training import CurveFit

CLASS_COLORS = (COLORS[1], COLORS[0])  # class 0 blue, class 1 orange
_PROB_CMAP = LinearSegmentedColormap.from_list("p1", CLASS_COLORS)


def _grid(data: LabelledPoints, n: int) -> tuple[Tensor, Tensor, Tensor]:
    lo = data.x.min(0).values - 0.5
    hi = data.x.max(0).values + 0.5
    gx, gy = torch.meshgrid(
        torch.linspace(float(lo[0]), float(hi[0]), n),
        torch.linspace(float(lo[1]), float(hi[1]), n),
        indexing="xy",
    )
    return gx, gy, torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)


def _points(ax: Axes, data: LabelledPoints) -> None:
    for label, color in enumerate(CLASS_COLORS):
        pick = data.y == label
        ax.scatter(
            data.x[pick, 0],
            data.x[pick, 1],
            s=14,
            color=color,
            edgecolors=INK,
            linewidths=0.4,
            label=f"class {label}",
        )


def _contour(
    ax: Axes,
    prob: Callable[[Tensor], Tensor],
    data: LabelledPoints,
    n: int,
    **kw,
) -> None:
    gx, gy, pts = _grid(data, n)
    with torch.no_grad():
        p = prob(pts).reshape(gx.shape)
    ax.contour(gx, gy, p, levels=[0.5], **kw)


@styled
def plot_mixture(
    mixture: GaussianMixture,
    data: LabelledPoints,
    ax: Axes | None = None,
    *,
    resolution: int = 200,
) -> Axes:
    """The labelled points and the Bayes decision boundary (dashed) of ``mixture``."""
    ax = axes_or_new(ax, figsize=(5.0, 4.6))
    _points(ax, data)
    _contour(ax, mixture.posterior, data, resolution, colors=INK, linestyles="--")
    ax.plot([], [], color=INK, linestyle="--", label="Bayes boundary")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="lower right", fontsize=9)
    return ax


@styled
def plot_decision_boundaries(
    models: Mapping[str, MLPParams],
    data: LabelledPoints,
    *,
    mixture: GaussianMixture | None = None,
    resolution: int = 120,
) -> Figure:
    """One panel per model: p(y=1|x) shaded, its 0.5 level line, the training points.

    With ``mixture``, the Bayes boundary is drawn dotted for comparison.
    """
    fig, axes = new_figure(len(models), figsize=(3.3 * len(models), 3.6), sharey=True)
    axes = [axes] if len(models) == 1 else list(axes)
    for ax, (title, params) in zip(axes, models.items(), strict=True):
        gx, gy, pts = _grid(data, resolution)
        with torch.no_grad():
            p = mlp_probability(params, pts).reshape(gx.shape)
        ax.contourf(gx, gy, p, levels=10, cmap=_PROB_CMAP, alpha=0.35, vmin=0, vmax=1)
        ax.contour(gx, gy, p, levels=[0.5], colors=INK, linewidths=2)
        if mixture is not None:
            _contour(
                ax, mixture.posterior, data, resolution, colors=INK, linestyles=":"
            )
        _points(ax, data)
        ax.set(title=title, xlabel="$x_1$", aspect="equal")
        ax.grid(False)
    axes[0].set_ylabel("$x_2$")
    return fig


@styled
def plot_regression_fit(fit: CurveFit) -> Figure:
    """The data points, the true curve (dashed) and the fitted one; on the right, the
    training loss per epoch (log scale)."""
    fig, (ax, right) = new_figure(2, figsize=(11.0, 3.8))
    ax.scatter(fit.data.t, fit.data.y, s=16, color=COLORS[1], label="data")
    ax.plot(
        fit.grid, fit.truth, color=INK, linestyle="--", linewidth=1.2, label="truth"
    )
    ax.plot(fit.grid, fit.fitted.detach(), color=COLORS[0], label="network")
    ax.set(xlabel="x", ylabel="y")
    ax.legend(fontsize=9)
    plot_training_losses({"MSE": fit.losses}, ax=right, ylabel="MSE", log=True)
    return fig
