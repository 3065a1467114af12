"""Figures of book/autograd-beyond.md: name -> (the drawing, None)."""

import torch

from gradlab import functions, graphs


def _dynamic(start: float):
    x = torch.tensor(start, requires_grad=True)
    out = functions.halve_then_bend(x)
    return graphs.autograd_dag(out, {"x": x, "f": out})


FIGURES = {
    "bs-dynamic-large": (lambda: _dynamic(functions.BEND_INPUTS[0]), None),
    "bs-dynamic-small": (lambda: _dynamic(functions.BEND_INPUTS[1]), None),
}
