"""Figures and the animation of the chain lab (book/chain-lab.md)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from gradlab.chain import ChainLoss, positions
from gradlab.descent import History
from gradlab.plotting.descent import plot_training_losses
from gradlab.plotting.style import COLORS, INK, axes_or_new, new_figure, styled

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
def plot_schedules(
    runs: Mapping[str, History], *, minimum: float, strings: Sequence | None = None
) -> Figure:
    """Left: mean loss above its minimum, per step, for each schedule (log scale).
    Right: each schedule's final chain, with the strings' directions as arrows."""
    fig, (left, right) = new_figure(2, figsize=(10.5, 4.4))
    for (label, run), color in zip(runs.items(), COLORS, strict=False):
        left.plot((run.losses - minimum).clamp_min(1e-6).numpy(), label=label, c=color)
        _draw(right, run.params[-1], color=color, label=label)
    left.set(xlabel="step", ylabel="mean loss − smallest possible", yscale="log")
    left.legend()
    if strings:
        n = runs[next(iter(runs))].params.shape[1]
        for pull in strings:
            direction = np.asarray(pull.force) / np.linalg.norm(pull.force)
            right.plot(*zip((0, 0), n * direction, strict=True), c=INK, lw=0.6, ls=":")
    _frame(right, runs[next(iter(runs))].params.shape[1])
    right.legend(loc="lower left")
    return fig


@styled
def animate_chain(
    run: History, *, frames: int = 16, dpi: int = 60, interval: int = 150
) -> FuncAnimation:
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

    return FuncAnimation(fig, update, frames=shown, interval=interval, blit=False)


class _TransparentHTMLWriter(HTMLWriter):
    """matplotlib's HTML writer, keeping the PNG frames' transparency (it would
    otherwise composite them onto white: a white slab on the dark theme)."""

    def _supports_transparency(self) -> bool:
        return self.frame_format == "png"


@styled
def animation_html(animation: FuncAnimation, *, alt: str) -> object:
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
        writer = _TransparentHTMLWriter(
            fps=1000 / animation._interval, embed_frames=True, default_mode="once"
        )
        animation.save(
            path,
            writer=writer,
            dpi=animation._fig.dpi,
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
    plt.close(animation._fig)
    return HTML(html)
