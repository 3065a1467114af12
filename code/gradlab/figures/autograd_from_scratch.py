"""Figures of book/autograd-from-scratch.md, by the names the chapter gives them."""

import torch

import gradlab


def _side_by_side():
    from gradlab.engine import Value

    nodes = gradlab.engine_lab.composite_values(Value(2.0), Value(4.0))
    nodes["z4"].backward()
    point = {"x": torch.tensor(2.0, dtype=torch.float64)}
    point["y"] = torch.tensor(4.0, dtype=torch.float64)
    return gradlab.graphs.side_by_side(
        {
            "torch": gradlab.graphs.trace_values_and_grads(
                gradlab.expressions.composite_parts, **point
            ),
            "gradlab.engine": gradlab.graphs.engine_trace(nodes["z4"], nodes),
        }
    )


FIGURES = {
    "afs-side-by-side": _side_by_side,
    "afs-twin-losses": lambda: gradlab.plotting.engine.plot_twin_losses(
        gradlab.engine_lab.train_twins()
    ),
}
