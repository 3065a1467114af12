"""Figures of book/autograd-beyond.md, by the names the chapter gives them."""

import torch

import gradlab


def _dynamic(start: float):
    x = torch.tensor(start, requires_grad=True)
    out = gradlab.expressions.halve_then_bend(x)
    return gradlab.graphs.autograd_dag(out, {"x": x, "f": out})


#: The two inputs the chapter draws the graph of `halve_then_bend` for.
DYNAMIC_INPUTS = (3.0, -0.5)

FIGURES = {
    "bs-dynamic-large": lambda: _dynamic(DYNAMIC_INPUTS[0]),
    "bs-dynamic-small": lambda: _dynamic(DYNAMIC_INPUTS[1]),
}
