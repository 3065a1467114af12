"""Figures of book/autograd.md, by the names the chapter gives them."""

import torch

import gradlab


def _saved():
    w = torch.tensor(1.0, requires_grad=True)
    loss = gradlab.exp_loss(w)
    return gradlab.autograd_dag(loss, {"w": w, "l": loss}, show_saved=True)


FIGURES = {
    "ag-saved-dag": _saved,
    "ag-epsilon-sweep": lambda: gradlab.plot_gradcheck_errors(gradlab.epsilon_sweep()),
}
