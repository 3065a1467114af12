"""Figures of the chapter "Gradients and gradient descent"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gradlab.data import Series
from gradlab.descent import History
from gradlab.experiments.descent import ParabolaComparison
from gradlab.functions import GradientField, bowl, sin_radial
from gradlab.plotting.style import INK, axes_or_new, new_figure, styled


@styled
def plot_gradient_field(
    field: GradientField, ax: Axes | None = None, *, arrows: int = 11, label: str = "z"
) -> Axes:
    """Filled contours of z, with gradient arrows on an ``arrows`` × ``arrows`` grid.

    Arrows are drawn to scale (same units as the axes, shrunk by a fixed factor), so
    their lengths compare: long where the surface is steep, short where it is flat.
    """
    ax = axes_or_new(ax, figsize=(5.4, 4.6))
    n = field.x.shape[0]
    stride = max(1, (n - 1) // (arrows - 1))
    pick = (slice(None, None, stride), slice(None, None, stride))
    filled = ax.contourf(field.x, field.y, field.z, levels=20)
    ax.quiver(
        field.x[pick],
        field.y[pick],
        field.dz_dx[pick],
        field.dz_dy[pick],
        color="white",
        angles="xy",
        scale_units="xy",
        scale=14,
        width=0.006,
    )
    ax.figure.colorbar(filled, ax=ax, label=label, shrink=0.9)
    ax.set(xlabel="x", ylabel="y", aspect="equal")
    ax.grid(False)
    return ax


@styled
def plot_descent_paths(
    runs: Mapping[float, History], ax: Axes | None = None, *, limit: float = 5.0
) -> Axes:
    """Contours of `gradlab.bowl` with the path of each run (keyed by learning rate)."""
    ax = axes_or_new(ax, figsize=(6.4, 4.2))
    _bowl_contours(ax, limit)
    for lr, run in runs.items():
        path = run.params.numpy()
        ax.plot(
            path[:, 0],
            path[:, 1],
            marker="o",
            markersize=3,
            linewidth=1.4,
            label=f"η = {lr:g}" + (" (diverges)" if run.diverged else ""),
        )
    ax.plot(
        0, 0, marker="*", markersize=14, color=INK, linestyle="none", label="minimum"
    )
    ax.set(
        xlim=(-limit, limit),
        ylim=(-limit * 0.6, limit * 0.6),
        xlabel="w₁",
        ylabel="w₂",
        aspect="equal",
    )
    ax.legend(loc="upper right", fontsize=9)
    return ax


def _bowl_contours(ax: Axes, limit: float) -> None:
    """Contours of `gradlab.bowl` over [−limit, limit] × [−0.6·limit, 0.6·limit]."""
    xs = np.linspace(-limit, limit, 300)
    ys = np.linspace(-limit * 0.6, limit * 0.6, 200)
    grid = torch.stack(
        torch.meshgrid(torch.tensor(xs), torch.tensor(ys), indexing="xy"), -1
    )
    ax.contour(
        xs,
        ys,
        bowl(grid),
        levels=np.geomspace(0.05, 120, 12),
        colors=INK,
        linewidths=0.7,
        alpha=0.6,
    )


@styled
def plot_losses(
    runs: Mapping[object, History], ax: Axes | None = None, *, label: str = "η"
) -> Axes:
    """Loss against step for each run, on a log scale (keys become the legend)."""
    ax = axes_or_new(ax, figsize=(6.4, 3.6))
    for key, run in runs.items():
        ax.semilogy(
            run.losses.numpy(), label=f"{label} = {key:g}" if label else str(key)
        )
    ax.set(xlabel="step", ylabel="loss")
    ax.legend(fontsize=9)
    return ax


@styled
def plot_series_fit(
    data: Series, fits: Mapping[str, np.ndarray | torch.Tensor], ax: Axes | None = None
) -> Axes:
    """The measurements as dots and each named fit as a curve over the same inputs."""
    ax = axes_or_new(ax, figsize=(6.4, 3.6))
    ax.scatter(data.t, data.y, s=18, color=INK, label="measurements", zorder=3)
    for name, values in fits.items():
        ax.plot(data.t, torch.as_tensor(values).detach(), label=name)
    ax.set(xlabel="time step t", ylabel="signal")
    ax.legend(fontsize=9)
    return ax


@styled
def plot_measured_vs_predicted(
    measured: Mapping[str, History],
    predicted: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    target: float | None = None,
) -> Figure:
    """Loss curves on log–log axes: measured runs solid, predicted continuations dashed.

    ``predicted`` maps a label to (steps, losses) computed from the closed form.
    """
    fig, ax = new_figure(figsize=(6.8, 4.0))
    for i, (name, run) in enumerate(measured.items()):
        color = f"C{i}"
        steps = np.arange(1, len(run.losses) + 1)
        ax.loglog(steps, run.losses.numpy(), color=color, label=f"{name}: measured")
        if name in predicted:
            k, loss = predicted[name]
            ax.loglog(
                np.asarray(k) + 1,
                loss,
                color=color,
                linestyle="--",
                label=f"{name}: predicted",
            )
    if target is not None:
        ax.axhline(
            target, color=INK, linewidth=1, linestyle=":", label=f"loss {target:g}"
        )
    ax.set(xlabel="step + 1", ylabel="mean squared error")
    ax.legend(fontsize=9)
    return fig


def plot_parabola_convergence(result: ParabolaComparison) -> Figure:
    """Raw inputs at the fastest and at a practical step, and rescaled inputs at its
    fastest: measured losses, and both raw runs' exact continuations to the target."""
    until = int(result.practical_steps_needed * 1.5)
    edge = f"raw t, η = {result.raw_lr:.5g} (fastest)"
    practical = f"raw t, η = {result.practical_lr:g} (practical)"
    return plot_measured_vs_predicted(
        {
            edge: result.raw_run,
            f"rescaled t, η = {result.rescaled_lr:.3g}": result.rescaled_run,
            practical: result.practical_run,
        },
        {
            edge: result.raw_prediction(until),
            practical: result.raw_prediction(until, result.practical_lr),
        },
        target=result.target,
    )


def plot_parabola_fits(result: ParabolaComparison, ax: Axes | None = None) -> Axes:
    """The start, both raw fits where their measured runs stopped, and the rescaled
    fit."""
    raw, scaled = result.raw, result.rescaled
    x, steps = raw.problem.features, result.raw_run.steps
    return plot_series_fit(
        raw.series,
        {
            "start": x @ raw.start,
            f"raw t, fastest η, {steps:,} steps": x @ result.raw_run.params[-1],
            f"rescaled t, {result.rescaled_run.steps} steps": scaled.problem.features
            @ result.rescaled_run.params[-1],
            f"raw t, practical η, {steps:,} steps": x @ result.practical_run.params[-1],
        },
        ax=ax,
    )


@styled
def plot_sin_radial_descents(
    runs: Mapping[tuple[float, ...], History],
    ax: Axes | None = None,
    *,
    limit: float = 3.6,
) -> Axes:
    """Filled contours of sin(x² + y²) with the path of each descent (keyed by its
    start), a dot at the start and a cross where it ended."""
    ax = axes_or_new(ax, figsize=(5.0, 4.2))
    axis = torch.linspace(-limit, limit, 201, dtype=torch.float64)
    x, y = torch.meshgrid(axis, axis, indexing="xy")
    # four bands, not a smooth shading: the rings read as well, the image is small
    bands = [-1, -0.5, 0, 0.5, 1]
    filled = ax.contourf(x, y, sin_radial(x, y), levels=bands, cmap="viridis")
    for i, run in enumerate(runs.values()):
        path, color = run.params.numpy(), f"C{(i + 1) % 10}"
        ax.plot(path[:, 0], path[:, 1], color=color, linewidth=1.6)
        ax.plot(*path[0], marker="o", color=color, markeredgecolor="white")
        ax.plot(*path[-1], marker="X", markersize=9, color=color,
                markeredgecolor="white")  # fmt: skip
    ax.figure.colorbar(filled, ax=ax, label="z = sin(x² + y²)", shrink=0.9)
    ax.set(xlabel="x", ylabel="y", aspect="equal", xlim=(-limit, limit),
           ylim=(-limit, limit))  # fmt: skip
    ax.grid(False)
    return ax


@styled
def plot_training_losses(
    losses: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    *,
    ylabel: str = "training loss",
    xlabel: str = "epoch",
    log: bool = False,
) -> Axes:
    """Loss per epoch (or step), one line per entry of ``losses``."""
    ax = axes_or_new(ax, figsize=(6.0, 3.6))
    for label, values in losses.items():
        ax.plot(range(len(values)), values, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if log:
        ax.set_yscale("log")
    if len(losses) > 1:
        ax.legend()
    return ax
