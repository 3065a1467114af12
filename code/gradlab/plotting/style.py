"""One figure style for the whole book, readable on the light and the dark theme.

Figures have transparent backgrounds and mid-grey ink, so they sit on either page
colour without a white slab; the colours are a colour-blind-safe set bright enough
for a dark page. The style is applied with `styled`, a decorator that wraps a plotting
function in ``matplotlib.rc_context``: global rcParams are never changed.

Where figures are shown inline (Jupyter, the book build), `styled` also disconnects
pyplot from IPython's display hook (`matplotlib.pyplot.uninstall_repl_displayhook`).
After every cell that hook redraws each changed figure so that a window on screen
shows it; then the inline backend draws the figure again, twice, into the PNG under
the cell. Inline there is no window, so the hook's draw is wasted: one of the three
full draws of every figure (tests/test_style.py counts them). pyplot connects the
hook again by itself when the backend changes (``%matplotlib widget``, say) or on
``plt.ion()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

INK = "#777777"
#: Okabe–Ito colours (minus the darkest blue and the yellow, which vanish on one theme).
COLORS = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#999999")
#: Sequential colour map for filled contours: light and dark ends both read on any page.
CMAP = "viridis"

RC = {
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.4, 4.0),
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.grid": True,
    "grid.color": INK,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": plt.cycler(color=COLORS),
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "image.cmap": CMAP,
}

P = ParamSpec("P")
R = TypeVar("R")


def styled(plot: Callable[P, R]) -> Callable[P, R]:
    """Run ``plot`` with the book's rcParams in force (only for that call)."""

    @functools.wraps(plot)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with plt.rc_context(RC):
            result = plot(*args, **kwargs)
            # The first figure of a Jupyter session switches interactive mode on
            # (IPython activates its inline backend lazily). rc_context would undo that
            # on exit and silently stop inline figures, so keep the new setting.
            interactive = matplotlib.is_interactive()
        matplotlib.interactive(interactive)
        if "inline" in matplotlib.get_backend():
            plt.uninstall_repl_displayhook()  # see the module docstring
        return result

    return wrapper


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or the axes of a new figure (call inside a `styled` function)."""
    if ax is not None:
        return ax
    return plt.figure(figsize=figsize).add_subplot()


def new_figure(
    ncols: int = 1, nrows: int = 1, *, figsize: tuple[float, float] | None = None, **kw
) -> tuple[Figure, object]:
    """``plt.subplots`` for a styled function; returns (figure, axes)."""
    return plt.subplots(nrows, ncols, figsize=figsize, squeeze=True, **kw)
