"""The book's figure style: `styled` and what it does around a plot."""

import matplotlib
import matplotlib.pyplot as plt
import pytest
from gradlab.chain import random_angles
from gradlab.plotting.chain import plot_chain

INLINE = "module://matplotlib_inline.backend_inline"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_inline_a_styled_plots_new_figure_is_not_drawn_again_by_pyplot(monkeypatch):
    """Shown inline, the new figure is marked drawn (pyplot's redraw after the cell
    would be wasted); a figure the caller made is left alone, and a later change
    marks the new one stale again."""
    monkeypatch.setattr(matplotlib, "get_backend", lambda: INLINE)
    theirs = plt.figure()
    theirs.add_subplot().plot([0, 1])
    ax = plot_chain(random_angles(3, seed=0))
    assert ax.figure.stale is False
    assert theirs.stale is True
    ax.set_title("changed")
    assert ax.figure.stale is True


def test_other_backends_keep_pyplots_redraw():
    assert "inline" not in matplotlib.get_backend()
    ax = plot_chain(random_angles(3, seed=0))
    assert ax.figure.stale is True
