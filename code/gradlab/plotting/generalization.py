"""Figures of the chapter "Validation, overfitting and early stopping"."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.generalization import Curves
from gradlab.plotting.style import COLORS, INK, new_figure, styled

TRAIN, VALIDATION = COLORS[1], COLORS[0]


@styled
def plot_validation_curves(curves: Curves, *, mark: int | None = None) -> Figure:
    """Loss (left) and error (right) per epoch on the training and the validation
    set, epochs on a log scale from 1; a dotted line at epoch ``mark`` if given."""
    fig, (left, right) = new_figure(2, figsize=(9.0, 3.5))
    epochs = np.arange(1, len(curves.train_loss))
    pairs = (
        (left, curves.train_loss, curves.val_loss, "loss (NLL)"),
        (right, curves.train_error, curves.val_error, "error rate"),
    )
    for ax, train, val, ylabel in pairs:
        ax.plot(epochs, train[1:], color=TRAIN, label="training")
        ax.plot(epochs, val[1:], color=VALIDATION, label="validation")
        if mark is not None:
            ax.axvline(mark, color=INK, linestyle=":", linewidth=1.2)
        ax.set(xscale="log", xlabel="epoch (log scale)", ylabel=ylabel)
    if mark is not None:
        left.plot([], [], color=INK, linestyle=":", label=f"epoch {mark}")
    left.legend()
    return fig


def _strip(ax: Axes, centre: float, values: Tensor, color: str, label: str) -> None:
    """Points spread evenly across a narrow band (no random jitter) and a median."""
    v = np.sort(values.numpy())
    offsets = np.linspace(-0.12, 0.12, len(v)) if len(v) > 1 else np.zeros(1)
    ax.scatter(centre + offsets, v, s=14, color=color, alpha=0.8, label=label)
    ax.plot([centre - 0.18, centre + 0.18], [np.median(v)] * 2, color=INK, lw=2)


@styled
def plot_gap_draws(
    train_errors: Mapping[int, Tensor],
    test_errors: Mapping[int, Tensor],
    *,
    bayes: float,
) -> Figure:
    """Per hidden width: every draw's training and test error (left) with the Bayes
    error dashed, and every draw's gap, test minus training error (right); the
    short dark bars are medians. Errors are fractions; the axes show percent."""
    fig, (left, right) = new_figure(2, figsize=(9.0, 3.7))
    widths = list(train_errors)
    for i, h in enumerate(widths):
        _strip(
            left, i - 0.2, 100 * train_errors[h], TRAIN, "training" if i == 0 else None
        )
        _strip(
            left, i + 0.2, 100 * test_errors[h], VALIDATION, "test" if i == 0 else None
        )
        _strip(right, i, 100 * (test_errors[h] - train_errors[h]), COLORS[2], None)
    left.axhline(100 * bayes, color=INK, linestyle="--", linewidth=1.2)
    left.plot([], [], color=INK, linestyle="--", label="Bayes error")
    right.axhline(0, color=INK, linewidth=1)
    for ax, ylabel in ((left, "error (%)"), (right, "gap: test − training (points)")):
        ax.set_xticks(range(len(widths)), [str(h) for h in widths])
        ax.set(xlabel="hidden units", ylabel=ylabel)
    left.legend(fontsize=9)
    return fig
