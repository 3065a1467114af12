"""Figures of book/computation-graphs.md: name -> (the drawing, None): each is a
graph of a small computation at the chapter's inputs."""

import torch

from gradlab import functions, graphs


def _square():
    x = torch.tensor(3.5, requires_grad=True)
    y = functions.square(x)
    return graphs.autograd_dag(y, {"x": x, "y": y})


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
    return graphs.value_grad_dag(trace)


FIGURES = {
    "cg-square-dag": (_square, None),
    "cg-composite-dag": (_composite, None),
    "cg-relu-dag": (_relu, None),
    "cg-tanh-log-values": (_tanh_log_values, None),
    "cg-sigmoid-net-dag": (_sigmoid_net, None),
    "cg-composite-values": (_composite_values, None),
}
