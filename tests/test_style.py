"""The book's figure style: `styled` and what it does around a plot."""

import json
import os
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
from gradlab.chain import random_angles
from gradlab.plotting.chain import plot_chain

# An IPython session whose figures are shown inline, as in a Jupyter kernel (which
# sets the same MPLBACKEND): it counts the full draws of each figure (a cell's own code
# draws none) and prints them as JSON.
INLINE_SESSION = """
import json
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
for cell in [
    '''
import matplotlib.pyplot as plt
from gradlab.plotting.style import axes_or_new, styled

draws = {}

def counted(name, figure):
    def count(event):
        draws[name] = draws.get(name, 0) + 1
    figure.canvas.mpl_connect("draw_event", count)

@styled
def plot():
    ax = axes_or_new(None)
    ax.plot([0, 1])
    return ax
''',
    "counted('plain, before', plt.figure().add_subplot().plot([0, 1])[0].figure)",
    "counted('styled', plot().figure)",
    "counted('plain, after', plt.figure().add_subplot().plot([0, 1])[0].figure)",
]:
    assert shell.run_cell(cell).success, cell
print(json.dumps(shell.user_ns["draws"]))
"""


def test_inline_figures_are_drawn_only_for_the_picture_once_a_styled_plot_ran():
    """Before any styled plot, pyplot's display hook redraws a figure after its cell
    (3 draws: the hook's and the inline backend's two for the PNG); a styled plot
    disconnects the hook, so its figure and every later one get the two alone."""
    done = subprocess.run(
        [sys.executable, "-c", INLINE_SESSION],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    )
    assert done.returncode == 0, done.stderr
    draws = json.loads(done.stdout.splitlines()[-1])
    assert draws == {"plain, before": 3, "styled": 2, "plain, after": 2}


def test_other_backends_keep_pyplots_display_hook(monkeypatch):
    calls = []
    monkeypatch.setattr(plt, "uninstall_repl_displayhook", lambda: calls.append(1))
    assert "inline" not in matplotlib.get_backend()
    ax = plot_chain(random_angles(3, seed=0))
    plt.close(ax.figure)
    assert calls == []
