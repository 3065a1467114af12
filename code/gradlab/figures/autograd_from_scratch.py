"""Figures of book/autograd-from-scratch.md: name -> (what the figure draws, how
it is drawn)."""

import torch

from gradlab import functions, graphs
from gradlab.engine import Value
from gradlab.experiments import engine as engine_lab
from gradlab.plotting.engine import plot_twin_losses


def _side_by_side():
    nodes = engine_lab.composite_values(Value(2.0), Value(4.0))
    nodes["z4"].backward()
    point = {"x": torch.tensor(2.0, dtype=torch.float64)}
    point["y"] = torch.tensor(4.0, dtype=torch.float64)
    torch_trace = graphs.trace_values_and_grads(functions.composite_parts, **point)
    engine_graph = graphs.engine_trace(nodes["z4"], nodes)
    return graphs.side_by_side({"torch": torch_trace, "gradlab.engine": engine_graph})


FIGURES = {
    "afs-side-by-side": (_side_by_side, None),
    "afs-twin-losses": (engine_lab.train_twins, plot_twin_losses),
}
