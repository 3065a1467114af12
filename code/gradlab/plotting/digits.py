"""Figures of the chapter "Real data: handwritten digits"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.plotting.style import COLORS, INK, new_figure, styled


@styled
def plot_first_run(
    train_loss: Sequence[float], val_correct: Sequence[int], n_val: int
) -> Figure:
    """Training loss (left) and validation accuracy (right) after every epoch."""
    fig, (left, right) = new_figure(2, figsize=(9.0, 3.2))
    epochs = np.arange(1, len(train_loss) + 1)
    left.plot(epochs, train_loss, color=COLORS[0], marker="o")
    left.set(xlabel="epoch", ylabel="training loss (mean over batches)", yscale="log")
    right.plot(
        epochs, 100 * np.asarray(val_correct) / n_val, color=COLORS[1], marker="o"
    )
    right.set(xlabel="epoch", ylabel="validation accuracy (%)")
    return fig


@styled
def plot_confusion(matrix: Tensor) -> Axes:
    """Counts of (true digit, predicted digit), the diagonal left blank so that the
    mistakes show; every nonzero count written in its cell."""
    _, ax = new_figure(figsize=(4.6, 4.2))
    m = matrix.numpy().astype(float)
    off = m.copy()
    np.fill_diagonal(off, np.nan)
    ax.imshow(off, cmap="viridis", vmin=0, vmax=max(1.0, np.nanmax(off)))
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j]:
                ax.text(
                    j,
                    i,
                    int(m[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=INK if i == j else "white",
                )
    ticks = range(m.shape[0])
    ax.set(xticks=ticks, yticks=ticks, xlabel="predicted digit", ylabel="true digit")
    ax.grid(False)
    return ax


@styled
def plot_mistakes(
    images: Tensor, true: Tensor, predicted: Tensor, columns: int = 6
) -> Figure:
    """Each image the network got wrong, titled "true → predicted"."""
    rows = max(1, -(-len(true) // columns))
    fig, axes = new_figure(columns, rows, figsize=(1.3 * columns, 1.5 * rows))
    for k, ax in enumerate(np.atleast_1d(axes).flat):
        ax.set_axis_off()
        if k < len(true):
            ax.imshow(_ink(images[k]), interpolation="nearest")
            ax.set_title(f"{int(true[k])} → {int(predicted[k])}", fontsize=10)
    return fig


def _ink(image: Tensor) -> np.ndarray:
    """An 8 × 8 image of grey levels 0–16 as RGBA: the ink colour, as opaque as the
    pixel is dark, on a transparent background (so it reads on a light or dark page)."""
    rgba = np.zeros((*image.shape, 4))
    rgba[..., :3] = [int(INK[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    rgba[..., 3] = image.numpy() / 16
    return rgba


def _spread(
    ax: Axes,
    x: Sequence[float],
    found: Mapping[float, Tensor],
    n: int,
    color: str,
    label: str,
) -> None:
    """Mean accuracy over seeds as a line, every seed a dot."""
    keys = list(found)
    pct = [100 * found[k].double().numpy() / n for k in keys]
    ax.plot(x, [p.mean() for p in pct], color=color, marker="o", label=label)
    for xi, p in zip(x, pct, strict=True):
        ax.scatter(np.full(len(p), xi), p, color=color, s=12, alpha=0.6)


@styled
def plot_regularisation(
    decays: Mapping[float, Tensor],
    dropouts: Mapping[float, Tensor],
    curve: Tensor,
    n_val: int,
) -> Figure:
    """Validation accuracy (mean over seeds as a line, each seed a dot) against the
    weight decay λ (left, λ = 0 drawn at the left end) and the dropout rate
    (middle); right, the unregularised network's validation accuracy per epoch
    (mean, range shaded) with its best epoch marked: early stopping."""
    fig, axes = new_figure(3, figsize=(11.0, 3.3), sharey=False)
    positions = list(range(len(decays)))
    _spread(axes[0], positions, decays, n_val, COLORS[0], "weight decay")
    axes[0].set(
        xticks=positions,
        xticklabels=[f"{k:g}" for k in decays],
        xlabel="weight decay λ",
        ylabel="validation accuracy (%)",
    )
    _spread(axes[1], list(dropouts), dropouts, n_val, COLORS[1], "dropout")
    axes[1].set(xlabel="dropout rate p")
    c = 100 * curve.double().numpy() / n_val
    epochs = np.arange(c.shape[1])
    axes[2].fill_between(
        epochs[1:], c.min(0)[1:], c.max(0)[1:], color=COLORS[2], alpha=0.25, lw=0
    )
    axes[2].plot(epochs[1:], c.mean(0)[1:], color=COLORS[2])
    best = int(c.mean(0).argmax())
    axes[2].axvline(best, color=INK, linestyle=":")
    axes[2].set(xlabel="epoch", ylabel="validation accuracy (%)")
    return fig


@styled
def plot_lr_range(
    lrs: Tensor, losses: Tensor, sweep: Mapping[float, Tensor], n_val: int
) -> Figure:
    """Left: batch loss against the (growing) learning rate, one line per seed, log
    rate axis; right: validation accuracy after training at each constant rate
    (mean line, seeds as dots)."""
    fig, (left, right) = new_figure(2, figsize=(9.0, 3.3))
    x = lrs.numpy()
    for run in losses.double().numpy():
        left.plot(x, run, color=COLORS[0], lw=1.2, alpha=0.8)
    left.set(
        xscale="log",
        ylim=(0, 3.5),
        xlabel="learning rate (grows every step)",
        ylabel="batch loss",
    )
    _spread(right, list(sweep), sweep, n_val, COLORS[1], "constant rate")
    right.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy (%)")
    return fig


@styled
def plot_schedules(
    curves: Mapping[str, Tensor], rates: Mapping[str, Sequence[float]], n_val: int
) -> Figure:
    """Left: the learning rate of every step for each schedule; right: validation
    accuracy per epoch (mean over seeds, range shaded), one colour per setting."""
    fig, (left, right) = new_figure(2, figsize=(9.0, 3.3))
    for (name, runs), color in zip(curves.items(), COLORS, strict=False):
        if name in rates:
            left.plot(rates[name], color=color, label=name)
        c = 100 * runs.double().numpy() / n_val
        epochs = np.arange(c.shape[1])
        right.fill_between(
            epochs[1:], c.min(0)[1:], c.max(0)[1:], color=color, alpha=0.2, lw=0
        )
        right.plot(epochs[1:], c.mean(0)[1:], color=color, label=name)
    left.set(xlabel="optimiser step", ylabel="learning rate")
    right.set(xlabel="epoch", ylabel="validation accuracy (%)")
    right.legend(fontsize=9)
    return fig
