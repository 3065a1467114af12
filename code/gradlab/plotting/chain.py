"""Figures and the animation of the chain lab (book/chain-lab.md)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.chain import ChainLoss, positions
from gradlab.descent import History
from gradlab.experiments.chain import TARGET
from gradlab.plotting.descent import plot_training_losses
from gradlab.plotting.style import COLORS, INK, axes_or_new, new_figure, styled

if TYPE_CHECKING:
    from gradlab.experiments.chain import Cures, ScheduleComparison

FINAL = COLORS[1]


def _xy(angles: Tensor) -> np.ndarray:
    return positions(angles.detach()).numpy()


def _frame(ax: Axes, n: int) -> None:
    ax.set_xlim(-n - 0.5, n + 0.5)
    ax.set_ylim(-n - 0.5, n + 0.5)
    ax.set_aspect("equal")
    ax.plot([0], [0], marker="s", color=INK, markersize=9, zorder=5)


def _draw(ax: Axes, angles: Tensor, **kw) -> None:
    xy = _xy(angles)
    ax.plot(xy[:, 0], xy[:, 1], **({"marker": "o", "markersize": 4} | kw))


@styled
def plot_chain(
    angles: Tensor, *, ax: Axes | None = None, color: str = FINAL, label: str = ""
) -> Axes:
    """Draw one chain with relative ``angles`` (shape (n,)); a square is the anchor."""
    ax = axes_or_new(ax, figsize=(4.5, 4.5))
    _draw(ax, angles, color=color, label=label or None)
    _frame(ax, len(angles))
    if label:
        ax.legend(loc="lower left")
    return ax


@styled
def plot_chains(chains: Mapping[str, Tensor], *, ax: Axes | None = None) -> Axes:
    """Draw several chains, one colour and legend entry each (all shape (n,))."""
    ax = axes_or_new(ax, figsize=(4.5, 4.5))
    for (label, angles), color in zip(chains.items(), COLORS, strict=False):
        _draw(ax, angles, color=color, label=label)
    _frame(ax, max(len(a) for a in chains.values()))
    ax.legend(loc="lower left")
    return ax


def snapshot_steps(steps: int, count: int) -> list[int]:
    """About ``count`` step indices in 0..steps, denser early, where the chain moves."""
    raw = np.geomspace(1, steps + 1, num=max(count, 2)) - 1
    return sorted({round(i) for i in raw} | {steps})


@styled
def plot_chain_history(
    run: History,
    *,
    ax: Axes | None = None,
    snapshots: int = 12,
    loss: ChainLoss | None = None,
) -> Axes:
    """The chain at successive steps, fading from light grey to the final (blue) one.

    With ``loss`` given, its strings are drawn as arrows on the final chain.
    """
    ax = axes_or_new(ax, figsize=(4.5, 4.5))
    shown = snapshot_steps(run.steps, snapshots)
    for rank, step in enumerate(shown[:-1]):
        grey = 0.85 - 0.45 * rank / max(len(shown) - 2, 1)
        _draw(ax, run.params[step], color=str(grey), linewidth=1.2, markersize=2)
    _draw(ax, run.params[-1], color=FINAL, label=f"after {run.steps} steps")
    if loss is not None:
        _arrows(ax, loss, run.params[-1])
    _frame(ax, run.params.shape[1])
    return ax


def _arrows(ax: Axes, loss: ChainLoss, angles: Tensor) -> None:
    xy = _xy(angles)
    for pull in loss.pulls:
        start = xy[pull.joint]
        if not np.isfinite(start).all():  # a chain that blew up: nowhere to tie it
            continue
        force = np.asarray(pull.force)
        tip = start + 2.5 * force / np.linalg.norm(force)
        ax.annotate(
            "",
            xy=tip,
            xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": COLORS[3], "lw": 2},
            annotation_clip=False,
        )


@styled
def plot_pull_run(run: History, *, snapshots: int = 14) -> Figure:
    """Left: the chain straightening over the run. Right: its loss per step."""
    fig, (left, right) = new_figure(2, figsize=(10, 4.4))
    plot_chain_history(run, ax=left, snapshots=snapshots)
    plot_training_losses({"loss": run.losses}, ax=right, ylabel="loss", xlabel="step")
    right.set_title(f"learning rate {run.lr:g}")
    return fig


@styled
def plot_lr_sweep(runs: Mapping[float, History]) -> Figure:
    """One column per learning rate: the chain over the run above, its loss below."""
    fig, axes = new_figure(len(runs), 2, figsize=(2.7 * len(runs), 5.8))
    for column, (lr, run) in enumerate(runs.items()):
        top, bottom = axes[0, column], axes[1, column]
        plot_chain_history(run, ax=top, snapshots=8)
        top.set_title(f"lr {lr:g}: {run.status}", fontsize=10)
        top.tick_params(labelsize=8)
        bottom.plot(run.losses.numpy(), color=COLORS[column % len(COLORS)])
        bottom.set_ylim(0, 2 * run.params.shape[1])
        bottom.set_xlabel("step")
        if column == 0:
            bottom.set_ylabel("loss")
    return fig


@styled
def plot_pulled(
    experiments: Mapping[str, tuple[ChainLoss, History]], *, snapshots: int = 8
) -> Figure:
    """One panel per experiment: the chain over its run, strings drawn as arrows."""
    fig, axes = new_figure(len(experiments), figsize=(4.2 * len(experiments), 4.4))
    axes = np.atleast_1d(axes)
    for ax, (label, (loss, run)) in zip(axes, experiments.items(), strict=True):
        plot_chain_history(run, ax=ax, loss=loss, snapshots=snapshots)
        ax.set_title(f"{label}\n(lr {run.lr:g}, {run.status})", fontsize=10)
    return fig


@styled
def plot_schedules(comparison: ScheduleComparison) -> Figure:
    """Left: each schedule's mean loss above its minimum, per epoch (log scale); for a
    schedule run with several seeds, the median line and the band from the lowest to
    the highest seed. Right: each schedule's final chain (its first seed), with the
    strings' directions dotted."""
    fig, (left, right) = new_figure(2, figsize=(10.5, 4.4))
    epochs = np.arange(comparison.excess(next(iter(comparison.runs))).shape[1])
    for (label, run), color in zip(comparison.runs.items(), COLORS, strict=False):
        excess = comparison.excess(label).clamp_min(1e-6)
        left.plot(epochs, excess.median(dim=0).values.numpy(), label=label, c=color)
        if len(excess) > 1:
            low, high = excess.min(dim=0).values, excess.max(dim=0).values
            left.fill_between(epochs, low.numpy(), high.numpy(), color=color, alpha=0.2)
        _draw(right, run.angles[0], color=color, label=label)
    left.set(xlabel="epoch", ylabel="mean loss − smallest possible", yscale="log")
    left.legend(fontsize=8)
    n = comparison.runs[next(iter(comparison.runs))].angles.shape[1]
    for string in comparison.strings:
        direction = np.asarray(string.force) / np.linalg.norm(string.force)
        right.plot(*zip((0, 0), n * direction, strict=True), c=INK, lw=0.6, ls=":")
    _frame(right, n)
    right.legend(loc="lower left", fontsize=8)
    return fig


@styled
class ChainAnimation(FuncAnimation):
    """A `FuncAnimation` that names its figure, ``figure`` (which pyplot does not hold:
    there is nothing to close)."""

    def __init__(self, fig: Figure, *args, **kwargs) -> None:
        self.figure = fig
        super().__init__(fig, *args, **kwargs)


def animate_chain(
    run: History, *, frames: int = 16, dpi: int = 60, interval: int = 150
) -> ChainAnimation:
    """An animation of ``run``: about ``frames`` frames, denser early in the run.

    The figure is not registered with pyplot, so it never shows up as a stray
    static image; render it with `animation_html` or ``save``.
    """
    fig = Figure(figsize=(4.0, 4.0), dpi=dpi, layout="none")
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.08, top=0.92)
    ax = fig.add_subplot()
    n = run.params.shape[1]
    _frame(ax, n)
    ax.grid(False)  # smaller frames
    start = _xy(run.params[0])
    ax.plot(start[:, 0], start[:, 1], color="0.8", lw=1, label="start")
    (line,) = ax.plot(start[:, 0], start[:, 1], marker="o", color=FINAL, label="now")
    caption = ax.set_title("")
    ax.legend(loc="lower left")
    shown = snapshot_steps(run.steps, frames)

    def update(step: int):
        xy = _xy(run.params[step])
        line.set_data(xy[:, 0], xy[:, 1])
        caption.set_text(f"step {step}, loss {float(run.losses[step]):.3f}")
        return line, caption

    return ChainAnimation(fig, update, frames=shown, interval=interval, blit=False)


class _TransparentHTMLWriter(HTMLWriter):
    """matplotlib's HTML writer, keeping the PNG frames' transparency (it would
    otherwise composite them onto white: a white slab on the dark theme)."""

    def _supports_transparency(self) -> bool:
        return self.frame_format == "png"


@styled
def animation_html(animation: ChainAnimation, *, alt: str) -> object:
    """The animation as self-contained HTML (frames embedded, play controls).

    ``alt`` becomes the alt text of the frame image, for readers who cannot see it.
    Returns an ``IPython.display.HTML``, displayed inline by Jupyter.
    """
    from html import escape

    from IPython.display import HTML

    if len(alt.split()) < 6:
        raise ValueError("alt text should describe the animation in a sentence")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "animation.html"
        fps = 1000 / animation.event_source.interval
        writer = _TransparentHTMLWriter(fps=fps, embed_frames=True, default_mode="once")
        animation.save(
            path,
            writer=writer,
            dpi=animation.figure.dpi,
            savefig_kwargs={"transparent": True},
        )
        html = path.read_text()
    # Show the first frame before (or without) JavaScript, and describe it.
    first = re.search(r'frames\[0\] = "(data:image/[a-z]+;base64,[^"]*)"', html)
    src = f' src="{first.group(1).replace(chr(92) + chr(10), "")}"' if first else ""
    html = html.replace("<img id=", f'<img alt="{escape(alt)}"{src} id=', 1)
    # matplotlib links Font Awesome 4 from a CDN for its button icons: drop it, the
    # page must load nothing from third parties. The theme's own Font Awesome draws
    # the same `fa fa-*` icons.
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    return HTML(html)


@styled
def plot_cures(cures: Cures) -> Figure:
    """Left: the curvatures at the straight chain, in θ (the eigenvalues of CᵀC) and
    in φ (all 1), log scale. Right: the loss per step of each way down (log scale),
    the median over the starts with a band from the lowest to the highest, and the
    target loss dashed."""
    fig, (left, right) = new_figure(2, figsize=(10.5, 4.2))
    eigenvalues = cures.conditioning.eigenvalues.numpy()
    k = np.arange(1, len(eigenvalues) + 1)
    left.plot(k, eigenvalues, "o", c=COLORS[0], label="relative angles θ")
    left.plot(k, np.ones_like(eigenvalues), "s", c=COLORS[2], label="absolute angles φ")
    left.set(xlabel="eigenvalue, smallest first", ylabel="curvature", yscale="log")
    left.legend(fontsize=8)
    for (method, losses), color in zip(cures.losses.items(), COLORS, strict=False):
        shown = losses.clamp_min(1e-12)
        steps = np.arange(shown.shape[1])
        lr, momentum = cures.settings[method]
        label = f"{method} (lr {lr:.3g}" + (f", μ {momentum:.2f})" if momentum else ")")
        right.plot(steps, shown.median(dim=0).values.numpy(), c=color, label=label)
        low, high = shown.min(dim=0).values.numpy(), shown.max(dim=0).values.numpy()
        right.fill_between(steps, low, high, color=color, alpha=0.2)
    right.axhline(TARGET, c=INK, lw=0.8, ls="--")
    right.set(xlabel="step", ylabel="loss", yscale="log", ylim=(1e-8, None))
    right.legend(fontsize=8)
    return fig
