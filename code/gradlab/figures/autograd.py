"""Figures of book/autograd.md: name -> (what the figure draws, how it is drawn)."""

import torch

from gradlab import functions, graphs
from gradlab.experiments.gradcheck import epsilon_sweep
from gradlab.plotting.gradcheck import plot_gradcheck_errors


def _saved_dag():
    w = torch.tensor(1.0, requires_grad=True)
    loss = functions.exp_loss(w)
    return graphs.autograd_dag(loss, {"w": w, "l": loss}, show_saved=True)


FIGURES = {
    "ag-saved-dag": (_saved_dag, None),
    "ag-epsilon-sweep": (epsilon_sweep, plot_gradcheck_errors),
}
