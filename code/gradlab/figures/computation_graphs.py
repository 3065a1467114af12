"""Figures of book/computation-graphs.md: name -> (the drawing, None), or (what
torchviz draws, how): each is a graph of a small computation at the chapter's
inputs."""

import re

import torch

from gradlab import functions, graphs


def _square():
    x = torch.tensor(3.5, requires_grad=True)
    y = functions.square(x)
    return graphs.autograd_dag(y, {"x": x, "y": y})


def _square_output_and_input():
    x = torch.tensor(3.5, requires_grad=True)
    return functions.square(x), x


def make_dot_numbered(y_and_x):
    """torchviz's drawing of y = x² with its node names, memory addresses that
    change on every run, replaced by numbers in order of appearance."""
    import torchviz  # imports distutils: only when drawn

    y, x = y_and_x
    dot = torchviz.make_dot(y, params={"x": x})
    numbers: dict[str, str] = {}

    def rename(address: re.Match) -> str:
        return numbers.setdefault(address[0], f"node{len(numbers)}")

    dot.body[:] = [re.sub(r"\b\d{6,}\b", rename, line) for line in dot.body]
    # torchviz's boxes, on the book's graphs' page style: a transparent background and
    # grey edges (its black ones vanish on the dark page). gray47 is graphs.EDGE's
    # grey by name: its hex digits would read as one more memory address.
    dot.graph_attr["bgcolor"] = "transparent"
    dot.edge_attr["color"] = "gray47"
    return dot


def _composite():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(4.0, requires_grad=True)
    parts = functions.composite_parts(x, y)
    return graphs.autograd_dag(parts.z4, {"x": x, "y": y, **parts._asdict()})


def _relu():
    w = torch.tensor(1.0, requires_grad=True)
    x, b, t = torch.tensor(2.0), torch.tensor(4.0), torch.tensor(3.0)
    loss = functions.relu_graph(x, b, w, t).l
    return graphs.autograd_dag(loss, {"w": w, "l": loss})


def _sigmoid_net():
    net = functions.sigmoid_net(seed=0)
    out = net(torch.randn(3, generator=torch.Generator().manual_seed(1)))
    return graphs.autograd_dag(out, dict(net.named_parameters()) | {"output": out})


def _tanh_log_values():
    xyz = {"x": torch.tensor(0.5), "y": torch.tensor(1.0), "z": torch.tensor(2.0)}
    trace = graphs.trace_values_and_grads(functions.tanh_log_parts, **xyz)
    return graphs.value_grad_dag(trace)


def _composite_values():
    xy = {"x": torch.tensor(2.0), "y": torch.tensor(4.0)}
    trace = graphs.trace_values_and_grads(functions.composite_parts, **xy)
    return graphs.value_grad_dag(trace, fmt=".5g")


FIGURES = {
    "cg-square-dag": (_square, None),
    "cg-square-torchviz": (_square_output_and_input, make_dot_numbered),
    "cg-composite-dag": (_composite, None),
    "cg-relu-dag": (_relu, None),
    "cg-tanh-log-values": (_tanh_log_values, None),
    "cg-sigmoid-net-dag": (_sigmoid_net, None),
    "cg-composite-values": (_composite_values, None),
}
