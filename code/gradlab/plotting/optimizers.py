"""Figures of the chapter "Mini-batches, initialization and optimizers"."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.plotting.style import COLORS, INK, new_figure, styled


def _band(ax: Axes, x: np.ndarray, runs: Tensor, color: str, label: str) -> None:
    """The mean of ``runs`` (S, len(x)) as a line, their range as a shaded band."""
    r = runs.double().numpy()
    ax.fill_between(x, r.min(0), r.max(0), color=color, alpha=0.25, linewidth=0)
    ax.plot(x, r.mean(0), color=color, label=label)


@styled
def plot_batch_sizes(curves: Mapping[int, Tensor], *, n: int) -> Figure:
    """Training loss of each batch size (mean over seeds, range shaded), per epoch
    on a log scale (left) and per optimiser step (right); ``curves`` maps a batch
    size to losses (S, epochs + 1); ``n`` is the number of training points."""
    fig, (left, right) = new_figure(2, figsize=(8.4, 3.3), sharey=True)
    for (b, runs), color in zip(curves.items(), COLORS, strict=False):
        label = "full batch" if b >= n else f"batches of {b}"
        epochs = np.arange(runs.shape[1])
        _band(left, epochs[1:], runs[:, 1:], color, label)
        _band(right, epochs * math.ceil(n / b), runs, color, label)
    left.set(xscale="log", xlabel="epoch (log scale)", ylabel="training loss")
    right.set(xlabel="optimiser step")
    left.legend()
    return fig


@styled
def plot_lr_schedules(curves: Mapping[str, Tensor], *, mark: int | None = None) -> Axes:
    """Training loss per epoch, every seed a thin line, one colour per learning-rate
    schedule in ``curves`` (name -> losses (S, E + 1)); a dotted line at epoch
    ``mark`` (where a schedule changes the rate) if given."""
    _, ax = new_figure(figsize=(5.6, 3.3))
    for (name, runs), color in zip(curves.items(), COLORS, strict=False):
        epochs = np.arange(runs.shape[1])
        for k, run in enumerate(runs):
            ax.plot(epochs, run, color=color, lw=1.2, label=name if k == 0 else None)
    if mark is not None:
        ax.axvline(mark, color=INK, linestyle=":", linewidth=1.2)
    ax.set(xlabel="epoch", ylabel="training loss")
    ax.legend()
    return ax


@styled
def plot_initializations(
    spread: Mapping[str, Tensor], curves: Mapping[str, Tensor]
) -> Figure:
    """Left: the spread of each hidden layer's activations across the points
    (`gradlab.initialization.activation_spread`) per scheme, log scale. Right:
    training loss per epoch per scheme (mean over seeds, range shaded); a scheme
    may be missing on the right."""
    fig, (left, right) = new_figure(2, figsize=(8.4, 3.3))
    colors = dict(zip(spread, COLORS, strict=False))
    for name, s in spread.items():
        layers = np.arange(1, len(s) + 1)
        left.plot(layers, s.numpy(), marker="o", color=colors[name], label=name)
    left.set(yscale="log", xlabel="hidden layer", ylabel="spread across points")
    left.set_xticks(np.arange(1, len(next(iter(spread.values()))) + 1))
    left.legend(fontsize=9)
    for name, runs in curves.items():
        _band(right, np.arange(runs.shape[1]), runs, colors[name], name)
    right.set(xlabel="epoch", ylabel="training loss")
    right.legend(fontsize=9)
    return fig


@styled
def plot_optimizers(
    curves: Mapping[tuple[str, float], Tensor],
    final: Mapping[str, Tensor],
    lrs: Sequence[float],
    floor: float | None = None,
) -> Figure:
    """Left: training loss per epoch of a few settings ((optimiser, learning rate)
    -> losses (S, E + 1); mean line, range shaded), one colour per optimiser, a
    second setting of the same one dashed. Right: the validation loss at the end
    against the learning rate per optimiser (name -> (L, S) for the L ``lrs``; mean,
    range as bars), and the ``floor`` (the true posterior's loss) dashed."""
    fig, (left, right) = new_figure(2, figsize=(8.4, 3.3))
    colors = dict(zip(final, COLORS, strict=False))
    seen: list[str] = []
    for (kind, lr), runs in curves.items():
        r = runs.double().numpy()
        x = np.arange(r.shape[1])
        style = "-" if kind not in seen else "--"
        seen.append(kind)
        left.fill_between(x, r.min(0), r.max(0), color=colors[kind], alpha=0.2, lw=0)
        left.plot(
            x, r.mean(0), color=colors[kind], ls=style, label=f"{kind}, lr {lr:g}"
        )
    left.set(xlabel="epoch", ylabel="training loss")
    left.legend(fontsize=9)
    for name, f in final.items():
        r = f.double().numpy()
        mean = r.mean(1)
        err = np.stack([mean - r.min(1), r.max(1) - mean])
        right.errorbar(
            lrs, mean, yerr=err, color=colors[name], marker="o", capsize=3, label=name
        )
    if floor is not None:
        right.axhline(floor, color="0.3", ls="--", lw=1, label="true posterior")
    right.set(
        xscale="log", xlabel="learning rate (log scale)", ylabel="validation loss"
    )
    right.legend(fontsize=9)
    return fig
