"""Figures of the chapter "Deep networks: signals, gradients and normalisation"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.plotting.style import COLORS, INK, new_figure, styled

#: Line colour of each initialisation and each normalisation, by name.
INIT_COLORS = {"default": COLORS[0], "large": COLORS[3], "fan-in": COLORS[2]}
NORM_COLORS = {"none": COLORS[0], "batch": COLORS[1], "layer": COLORS[4]}


def _band(ax: Axes, x, runs: Tensor, color: str, label: str, **kw) -> None:
    """The median of ``runs`` (seeds, len(x)) as a line, their range shaded."""
    r = runs.double().numpy()
    ax.fill_between(x, r.min(0), r.max(0), color=color, alpha=0.25, linewidth=0)
    ax.plot(x, np.median(r, 0), color=color, label=label, **kw)


def _layer_colors(n: int) -> list:
    """``n`` colours from light to dark (first layer to last) of the book's map."""
    return [mpl.colormaps["viridis"](v) for v in np.linspace(0.95, 0.1, n)]


@styled
def plot_layer_histograms(
    layers_by_init: Mapping[str, Sequence[Tensor]], *, xlabel: str, bins=None
) -> Figure:
    """One panel per initialisation: the histograms of hidden layers 1, 2, 4, 8, …
    (and the last), one line each, light for the first layer and dark for the last;
    ``layers_by_init`` maps an init to its per-layer tensors."""
    fig, axes = new_figure(len(layers_by_init), figsize=(7.6, 2.5))
    axes = np.atleast_1d(axes)
    for ax, (init, layers) in zip(axes, layers_by_init.items(), strict=True):
        values = np.concatenate([t.double().flatten().numpy() for t in layers])
        edges = np.linspace(values.min(), values.max(), 31) if bins is None else bins
        shown = sorted({2**k - 1 for k in range(len(layers).bit_length())}
                       | {len(layers) - 1})  # fmt: skip
        for i, c in zip(shown, _layer_colors(len(shown)), strict=True):
            counts, _ = np.histogram(layers[i].double().numpy(), edges, density=True)
            centres = (edges[1:] + edges[:-1]) / 2
            ax.plot(centres, counts, color=c, lw=1.5, label=f"layer {i + 1}")
        ax.set(title=f"{init} initialisation", xlabel=xlabel)
    axes[0].set_ylabel("density")
    axes[-1].legend(fontsize=7, loc="upper right")
    return fig


@styled
def plot_gradient_profiles(profiles) -> Figure:
    """One panel per activation: the RMS gradient reaching each hidden layer, on a
    log axis, one line per initialisation (median over seeds, range shaded); from a
    `gradlab.experiments.depth.Profiles`."""
    fig, axes = new_figure(len(profiles.activations), figsize=(7.6, 2.6), sharey=True)
    for ax, act in zip(axes, profiles.activations, strict=True):
        for init in profiles.inits:
            runs = profiles.at("grad", act, init)
            layers = np.arange(1, runs.shape[1] + 1)
            _band(ax, layers, runs, INIT_COLORS[init], init)
        ax.set(title=act, xlabel="hidden layer", yscale="log")
    axes[0].set_ylabel("RMS gradient (log scale)")
    axes[-1].legend()
    return fig


@styled
def plot_stuck_units(profiles) -> Figure:
    """Left, the fraction of saturated tanh units per hidden layer; right, the
    fraction of dead ReLUs; one line per initialisation (median over seeds, range
    shaded)."""
    fig, axes = new_figure(2, figsize=(6.8, 2.5), sharey=True)
    for ax, act, what in zip(
        axes, ("tanh", "relu"), ("saturated", "dead"), strict=True
    ):
        for init in profiles.inits:
            runs = profiles.at("stuck", act, init)
            layers = np.arange(1, runs.shape[1] + 1)
            _band(ax, layers, runs, INIT_COLORS[init], init, marker="o", ms=3)
        ax.set(title=f"{act}: {what} units", xlabel="hidden layer")
    axes[0].set(ylabel="fraction of units", ylim=(-0.03, 1.03))
    axes[0].legend()
    return fig


@styled
def plot_gradient_ratios(
    ratios: Mapping[tuple[str, str], Tensor], depths: Sequence[int]
) -> Figure:
    """One panel per activation: the first hidden layer's RMS gradient over the
    last's against the depth, log axis, one line per initialisation (median over
    seeds, range shaded); 1 (dotted) means the gradient keeps its size."""
    acts = list(dict.fromkeys(a for a, _ in ratios))
    fig, axes = new_figure(len(acts), figsize=(7.6, 2.6), sharey=True)
    for ax, act in zip(axes, acts, strict=True):
        for (a, init), runs in ratios.items():
            if a == act:
                _band(ax, list(depths), runs, INIT_COLORS[init], init, marker="o")
        ax.axhline(1.0, color=INK, ls=":", lw=1)
        ax.set(title=act, xlabel="hidden layers", yscale="log")
    axes[0].set_ylabel("gradient, first layer / last")
    axes[-1].legend()
    return fig


@styled
def plot_update_ratios(sweep, *, rule: float = 1e-3) -> Figure:
    """Left, each Linear layer's update-to-weight ratio, its median over the steps
    of a run, one line per learning rate (median over seeds, range shaded); right,
    each run's validation accuracy at the end against its median ratio; the rule of
    thumb ``rule`` dotted in both."""
    fig, (left, right) = new_figure(2, figsize=(7.6, 2.8))
    per_layer = sweep.ratios.nanmedian(2).values  # (lrs, seeds, layers)
    typical = sweep.typical().double().numpy()
    final = sweep.val_accuracy[..., -1].double().numpy()
    for i, rate in enumerate(sweep.lrs):
        color = COLORS[i % len(COLORS)]
        layers = np.arange(1, per_layer.shape[-1] + 1)
        _band(left, layers, per_layer[i], color, f"lr {rate:g}")
        right.scatter(typical[i], final[i], color=color, s=22, label=f"lr {rate:g}")
    left.axhline(rule, color=INK, ls=":", lw=1)
    left.set(xlabel="Linear layer", ylabel="‖ΔW‖ / ‖W‖ (log scale)", yscale="log")
    right.axvline(rule, color=INK, ls=":", lw=1)
    right.set(xscale="log", xlabel="median ‖ΔW‖ / ‖W‖ of the run (log scale)",
              ylabel="validation accuracy at the end", ylim=(0, 1))  # fmt: skip
    right.legend(fontsize=8)
    return fig


@styled
def plot_norm_comparison(curves: Mapping[tuple[str, str], Tensor]) -> Figure:
    """One panel per activation: validation accuracy per epoch with and without
    normalisation (median over seeds, range shaded)."""
    acts = list(dict.fromkeys(a for a, _ in curves))
    fig, axes = new_figure(len(acts), figsize=(7.6, 2.6), sharey=True)
    for ax, act in zip(axes, acts, strict=True):
        for (a, norm), runs in curves.items():
            if a == act:
                epochs = np.arange(runs.shape[1])
                _band(ax, epochs, runs, NORM_COLORS[norm], norm)
        ax.set(title=act, xlabel="epoch", ylim=(0, 1))
    axes[0].set_ylabel("validation accuracy")
    fullest = max(axes, key=lambda ax: len(ax.lines))  # the panel with every kind
    fullest.legend(title="normalisation", loc="center right")
    return fig


@styled
def plot_train_mode_bug(bug) -> Axes:
    """Validation accuracy of the batch-normalised networks evaluated in training
    mode against the size of the batches the set is cut into (median over seeds,
    range shaded), beside evaluation mode's (the band)."""
    _, ax = new_figure(figsize=(5.0, 2.8))
    sizes = list(bug.batch_sizes)
    _band(ax, sizes, bug.train_accuracy, COLORS[3], "training mode (wrong)",
          marker="o")  # fmt: skip
    ev = bug.eval_accuracy.double().numpy()
    ax.axhspan(ev.min(), ev.max(), color=COLORS[2], alpha=0.3, lw=0)
    ax.axhline(np.median(ev), color=COLORS[2], label="evaluation mode")
    ax.set(xscale="log", xlabel="batch size at evaluation (log scale)",
           ylabel="validation accuracy", ylim=(0, 1))  # fmt: skip
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.legend(loc="lower right")
    return ax
